/**
 * Type tests of the client: `tsc --noEmit` checks them; each `@ts-expect-error` fails the type check
 * if the line it guards ever compiles.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { type App, createApp } from '../app/app.js';
import { type ClientErrorBody, createClient, type PathsOf } from './index.js';

const item = z.object({ id: z.string(), name: z.string(), createdAt: z.coerce.date() });

const items = createApp({ service: 'items' })
  .get('/items/:id', { responses: { 200: item } }, (ctx) => ({
    id: ctx.params.id,
    name: 'kefir',
    createdAt: new Date(),
  }))
  .post(
    '/items',
    { body: z.object({ name: z.string().min(1), tags: z.array(z.string()).optional() }) },
    (ctx) => ctx.json(201, { id: 'i1', name: ctx.body.name, at: new Date() }),
  )
  .delete('/items/:id', () => undefined)
  .put('/items/:id/archive', { responses: { 204: null } }, () => undefined)
  .get('/search', { query: z.object({ q: z.string(), limit: z.coerce.number().optional() }) }, (ctx) =>
    ctx.query.limit === undefined
      ? ctx.json({ hits: [ctx.query.q] })
      : ctx.json(206, { hits: [] as string[] }),
  );

const app = createApp({ service: 'types' })
  .get('/', () => ({ hello: 'world' }))
  .route('/v1/tenants/:tenantId', items);

const client = createClient<typeof app>('https://api.example.com');

/** Checks the types of calls without making them: the function is type-checked, never run. */
const typeOnly = (check: () => unknown): void => {
  expectTypeOf(check).toBeFunction();
};

describe('client types', () => {
  it('lists the routes of a chained app, mounted ones under their prefix', () => {
    expectTypeOf<PathsOf<typeof app, 'GET'>>().toEqualTypeOf<
      '/' | '/v1/tenants/:tenantId/items/:id' | '/v1/tenants/:tenantId/search'
    >();
    expectTypeOf<PathsOf<typeof app, 'POST'>>().toEqualTypeOf<'/v1/tenants/:tenantId/items'>();
    expectTypeOf<PathsOf<typeof app, 'HEAD'>>().toEqualTypeOf<PathsOf<typeof app, 'GET'>>();
  });

  it('refuses a wrong path, method, params, query or body', () =>
    typeOnly(() => {
      // @ts-expect-error no such path
      void client.get('/nope');
      // @ts-expect-error the route is GET only
      void client.put('/');
      // @ts-expect-error POST /items exists but not GET
      void client.get('/v1/tenants/:tenantId/items', { params: { tenantId: 't1' } });
      // @ts-expect-error params are required: the pattern has some
      void client.get('/v1/tenants/:tenantId/items/:id');
      // @ts-expect-error a param is missing
      void client.get('/v1/tenants/:tenantId/items/:id', { params: { tenantId: 't1' } });
      void client.delete('/v1/tenants/:tenantId/items/:id', {
        // @ts-expect-error the pattern has no param "other"
        params: { tenantId: 't', id: 'i', other: 'x' },
      });
      // @ts-expect-error the body is required by its schema
      void client.post('/v1/tenants/:tenantId/items', { params: { tenantId: 't1' } });
      void client.post('/v1/tenants/:tenantId/items', {
        params: { tenantId: 't1' },
        // @ts-expect-error name must be a string
        body: { name: 42 },
      });
      // @ts-expect-error the query schema requires q
      void client.get('/v1/tenants/:tenantId/search', { params: { tenantId: 't1' }, query: {} });
      void client.get('/v1/tenants/:tenantId/search', { params: { tenantId: 't1' }, query: { q: 'x' } });
      void client.get('/');
    }));

  it('types responses by status, from schemas or from what the handler returns', () =>
    typeOnly(async () => {
      const got = await client.get('/v1/tenants/:tenantId/items/:id', { params: { tenantId: 't', id: 'i' } });
      if (got.ok) {
        expectTypeOf(got.status).toEqualTypeOf<200>();
        // Without the schemas the answer is what JSON carries: the date is its ISO string.
        expectTypeOf(got.data).toEqualTypeOf<{ id: string; name: string; createdAt: string }>();
      } else {
        expectTypeOf(got.error).toEqualTypeOf<ClientErrorBody>();
        expectTypeOf(got.error.code).toBeString();
      }
      const made = await client.post('/v1/tenants/:tenantId/items', {
        params: { tenantId: 't' },
        body: { name: 'n' },
      });
      if (made.ok) {
        expectTypeOf(made.status).toEqualTypeOf<201>();
        // Inferred from the handler: sent as JSON, so the date arrives as a string.
        expectTypeOf(made.data).toEqualTypeOf<{ id: string; name: string; at: string }>();
      }
      const gone = await client.delete('/v1/tenants/:tenantId/items/:id', {
        params: { tenantId: 't', id: 'i' },
      });
      if (gone.ok) expectTypeOf(gone).toMatchTypeOf<{ status: 204; data: undefined }>();
      const archived = await client.put('/v1/tenants/:tenantId/items/:id/archive', {
        params: { tenantId: 't', id: 'i' },
      });
      if (archived.ok) {
        expectTypeOf(archived.status).toEqualTypeOf<204>();
        expectTypeOf(archived.data).toEqualTypeOf<undefined>();
      }
      const found = await client.get('/v1/tenants/:tenantId/search', {
        params: { tenantId: 't' },
        query: { q: 'x' },
      });
      if (found.ok && found.status === 206) expectTypeOf(found.data).toEqualTypeOf<{ hits: string[] }>();
      const root = await client.get('/');
      if (root.ok) expectTypeOf(root.data).toEqualTypeOf<{ hello: string }>();
    }));

  it('types answers as the schemas output them only when the client has the schemas', () =>
    typeOnly(async () => {
      const parsing = createClient<typeof app>('https://api.example.com', { schemas: app });
      const got = await parsing.get('/v1/tenants/:tenantId/items/:id', {
        params: { tenantId: 't', id: 'i' },
      });
      if (got.ok) expectTypeOf(got.data).toEqualTypeOf<{ id: string; name: string; createdAt: Date }>();
      const archived = await parsing.put('/v1/tenants/:tenantId/items/:id/archive', {
        params: { tenantId: 't', id: 'i' },
      });
      if (archived.ok) expectTypeOf(archived.data).toEqualTypeOf<undefined>();
      // A coercing query field is typed as what the server reads, not `unknown`.
      await client.get('/v1/tenants/:tenantId/search', {
        params: { tenantId: 't' },
        // @ts-expect-error limit is a number
        query: { q: 'x', limit: { n: 1 } },
      });
      await client.get('/v1/tenants/:tenantId/search', {
        params: { tenantId: 't' },
        query: { q: 'x', limit: 2 },
      });
    }));

  it('composes route modules with `with`, at run time and in the type', () => {
    const health = (target: App) => target.get('/health', () => ({ ok: true }));
    const items = (target: App) => target.get('/items', () => []).delete('/items/:id', () => undefined);
    const base = createApp({ service: 'composed' }).get('/', () => 1);
    const composed = base.with(health).with(items);
    expect(composed).toBe(base);
    expect(composed.routes().map((r) => `${r.method} ${r.pattern}`)).toEqual([
      'GET /',
      'GET /health',
      'GET /items',
      'DELETE /items/:id',
    ]);
    expectTypeOf<PathsOf<typeof composed, 'GET'>>().toEqualTypeOf<'/' | '/health' | '/items'>();
    expectTypeOf<PathsOf<typeof composed, 'DELETE'>>().toEqualTypeOf<'/items/:id'>();
  });

  it('keeps statement-style apps and functions typed with App compiling', () => {
    const plain = createApp({ service: 'plain' });
    plain.get('/a', () => 'a');
    const register = (target: typeof plain): void => {
      target.post('/b', () => undefined);
    };
    register(plain);
    expectTypeOf<PathsOf<typeof plain, 'GET'>>().toBeNever();
  });
});
