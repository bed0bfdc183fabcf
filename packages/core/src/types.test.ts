/**
 * Type tests: `tsc --noEmit` (part of `npm test`) checks these; each `@ts-expect-error` fails the
 * type check if the line it guards ever compiles.
 */
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { createApp, type ParamsOf } from './index.js';

describe('types', () => {
  it('infers params from the path literal', () => {
    expectTypeOf<ParamsOf<'/a/:id/{slug}/files/*'>>().toEqualTypeOf<{
      id: string;
      slug: string;
      '*': string;
    }>();
    expectTypeOf<ParamsOf<'/proxy/{proxy+}'>>().toEqualTypeOf<{ proxy: string }>();
    expectTypeOf<keyof ParamsOf<'/static'>>().toEqualTypeOf<never>();
    const app = createApp({ service: 'types' });
    app.get('/tenants/:tenantId/items/{itemId}', (ctx) => {
      expectTypeOf(ctx.params).toEqualTypeOf<{ tenantId: string; itemId: string }>();
      // @ts-expect-error an undeclared param is a type error
      return ctx.params.userId;
    });
    app.group('/v1').get('/:id', (ctx) => {
      expectTypeOf(ctx.params.id).toBeString();
    });
  });

  it('types params, query, headers and body from zod schemas', () => {
    const app = createApp({ service: 'types' });
    app.post(
      '/items/:id',
      {
        params: z.object({ id: z.coerce.number() }),
        query: z.object({ limit: z.coerce.number().optional() }),
        headers: z.object({ 'x-client': z.string() }),
        body: z.object({ name: z.string(), tags: z.array(z.string()) }),
      },
      (ctx) => {
        expectTypeOf(ctx.params.id).toBeNumber();
        expectTypeOf(ctx.query.limit).toEqualTypeOf<number | undefined>();
        expectTypeOf(ctx.headers['x-client']).toBeString();
        expectTypeOf(ctx.body).toEqualTypeOf<{ name: string; tags: string[] }>();
        // @ts-expect-error the body schema has no such field
        return ctx.body.price;
      },
    );
  });

  it('types bodies from valibot schemas', () => {
    const app = createApp({ service: 'types' });
    app.put('/users/:id', { body: v.object({ email: v.string(), age: v.optional(v.number()) }) }, (ctx) => {
      expectTypeOf(ctx.body).toEqualTypeOf<{ email: string; age?: number | undefined }>();
      expectTypeOf(ctx.params).toEqualTypeOf<{ id: string }>();
    });
  });

  it('leaves an undeclared body unknown and query as strings', () => {
    const app = createApp({ service: 'types' });
    app.post('/raw', (ctx) => {
      expectTypeOf(ctx.body).toBeUnknown();
      expectTypeOf(ctx.query).toEqualTypeOf<Record<string, string>>();
      expectTypeOf(ctx.rawBody).toEqualTypeOf<Uint8Array>();
    });
  });

  it('types per-request state', () => {
    const app = createApp<{ user: { id: string } }>({ service: 'types' });
    app.use(async (ctx, next) => {
      ctx.state.user = { id: 'u1' };
      await next();
    });
    app.get('/', (ctx) => {
      expectTypeOf(ctx.state.user.id).toBeString();
      // @ts-expect-error state has no such key
      return ctx.state.tenant;
    });
  });

  it('rejects a handler that is not a function and options that are not route options', () => {
    const app = createApp({ service: 'types' });
    // @ts-expect-error a handler is required
    expect(() => app.get('/x', {})).toThrow(/handler must be a function/);
    // @ts-expect-error the status of ctx.json comes first
    app.get('/y', (ctx) => ctx.json({ a: 1 }, 201));
  });
});
