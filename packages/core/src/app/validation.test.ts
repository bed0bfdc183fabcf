import * as v from 'valibot';
import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createApp } from '../index.js';

describe('validation with zod', () => {
  const app = createApp({ service: 'validation' });
  app.post(
    '/tenants/:tenantId/items',
    {
      params: z.object({ tenantId: z.string().regex(/^t-\d+$/) }),
      query: z.object({ dryRun: z.enum(['true', 'false']).optional(), tag: z.array(z.string()).optional() }),
      headers: z.object({ 'x-client': z.string().min(2) }),
      body: z.object({
        name: z.string().min(1),
        qty: z.number().int().positive(),
        items: z.array(z.object({ sku: z.string() })).default([]),
      }),
    },
    async (ctx) =>
      ctx.json(201, {
        tenant: ctx.params.tenantId,
        dryRun: ctx.query.dryRun ?? null,
        tags: ctx.query.tag ?? [],
        client: ctx.headers['x-client'],
        body: ctx.body,
      }),
  );
  app.get('/page', { query: z.object({ limit: z.coerce.number().int().max(100).default(20) }) }, (ctx) => ({
    limit: ctx.query.limit,
  }));
  app.post(
    '/async',
    {
      body: z
        .object({ code: z.string() })
        .refine(async (b) => b.code === 'ok', { message: 'code must be ok', path: ['code'] }),
    },
    (ctx) => ctx.body,
  );

  const valid = {
    method: 'POST',
    path: '/tenants/t-1/items?tag=a&tag=b',
    headers: { 'X-Client': 'web' },
    json: { name: 'widget', qty: 2 },
  } as const;

  it('passes typed, transformed values to the handler', async () => {
    const res = await app.request(valid);
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({
      tenant: 't-1',
      dryRun: null,
      tags: ['a', 'b'],
      client: 'web',
      body: { name: 'widget', qty: 2, items: [] },
    });
    expect((await app.request('/page?limit=7')).json()).toEqual({ limit: 7 });
    expect((await app.request('/page')).json()).toEqual({ limit: 20 });
  });

  it('answers 422 listing every field issue across params, query, headers and body', async () => {
    const res = await app.request({
      method: 'POST',
      path: '/tenants/nope/items?dryRun=maybe',
      json: { name: '', qty: 1.5, items: [{ sku: 3 }] },
    });
    expect(res.status).toBe(422);
    const body = res.json<{ error: { code: string; details: { issues: { path: string }[] } } }>();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details.issues.map((i) => i.path).sort()).toEqual(
      [
        'body.items[0].sku',
        'body.name',
        'body.qty',
        'headers.x-client',
        'params.tenantId',
        'query.dryRun',
      ].sort(),
    );
  });

  it('supports asynchronous schemas', async () => {
    expect((await app.request('/async', { method: 'POST', json: { code: 'ok' } })).status).toBe(200);
    const bad = await app.request('/async', { method: 'POST', json: { code: 'no' } });
    expect(bad.status).toBe(422);
    expect(bad.json()).toMatchObject({
      error: { details: { issues: [{ path: 'body.code', message: 'code must be ok' }] } },
    });
  });

  it('a missing body fails its schema with a 422, malformed JSON is a 400', async () => {
    expect((await app.request({ ...valid, json: undefined })).status).toBe(422);
    const malformed = await app.request({
      ...valid,
      json: undefined,
      body: '{"name": ',
      headers: { 'x-client': 'web', 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toMatchObject({
      error: { code: 'BAD_REQUEST', message: 'Malformed JSON body' },
    });
  });
});

describe('validation with valibot', () => {
  it('accepts any Standard Schema', async () => {
    const app = createApp({ service: 'valibot' });
    app.post(
      '/users/{userId}',
      {
        params: v.object({ userId: v.pipe(v.string(), v.uuid()) }),
        body: v.object({ email: v.pipe(v.string(), v.email()), age: v.optional(v.number()) }),
      },
      (ctx) => ({ id: ctx.params.userId, email: ctx.body.email, age: ctx.body.age ?? null }),
    );
    const id = '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed';
    const ok = await app.request(`/users/${id}`, { method: 'POST', json: { email: 'a@example.com' } });
    expect(ok.json()).toEqual({ id, email: 'a@example.com', age: null });
    const bad = await app.request('/users/x', { method: 'POST', json: { email: 'nope', age: 'old' } });
    expect(bad.status).toBe(422);
    const paths = bad
      .json<{ error: { details: { issues: { path: string }[] } } }>()
      .error.details.issues.map((i) => i.path);
    expect(paths.sort()).toEqual(['body.age', 'body.email', 'params.userId']);
  });
});

describe('response schemas', () => {
  it('a JSON response that breaks its declared schema is a 500 reported to onError', async () => {
    const onError = vi.fn();
    const app = createApp({ service: 'responses', onError });
    app.get('/user/:id', { responses: { 200: z.object({ id: z.string(), email: z.string() }) } }, (ctx) =>
      ctx.params.id === 'leak' ? { id: 'leak', email: 'a@b.c', passwordHash: 'x' } : { id: ctx.params.id },
    );
    const bad = await app.request('/user/1');
    expect(bad.status).toBe(500);
    expect(String((onError.mock.calls[0]?.[0] as Error | undefined)?.cause)).toMatch(
      /Response 200 does not match its schema: response.email/,
    );
    expect((await app.request('/user/leak')).status).toBe(200);
  });

  it('a status declared without a body ({ 204: null }) answers empty, and a body there is a 500', async () => {
    const onError = vi.fn();
    const app = createApp({ service: 'responses', onError });
    app.delete('/things/:id', { responses: { 204: null } }, (ctx) =>
      ctx.params.id === 'odd' ? ctx.json(204, { secret: 'x' }) : undefined,
    );
    expect((await app.request('/things/1', { method: 'DELETE' })).status).toBe(204);
    const odd = await app.request('/things/odd', { method: 'DELETE' });
    expect(odd.status).toBe(500);
    expect(odd.text()).not.toContain('secret');
    expect(String((onError.mock.calls[0]?.[0] as Error | undefined)?.cause)).toMatch(
      /declared without a body/,
    );
  });
});

describe('bodies by content type', () => {
  const app = createApp({ service: 'bodies' });
  app.post('/echo', (ctx) => {
    const body = ctx.body;
    return {
      kind: body instanceof Uint8Array ? 'bytes' : typeof body,
      value: body instanceof Uint8Array ? [...body] : body,
    };
  });
  const post = (body: string | Uint8Array, contentType?: string) =>
    app.request('/echo', {
      method: 'POST',
      body,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
    });

  it('parses JSON, vendor JSON, forms, text and binary', async () => {
    expect((await post('{"a":[1,2]}', 'application/json; charset=utf-8')).json()).toEqual({
      kind: 'object',
      value: { a: [1, 2] },
    });
    expect((await post('{"a":1}', 'application/vnd.api+json')).json()).toEqual({
      kind: 'object',
      value: { a: 1 },
    });
    expect((await post('a=1&b=x+y&a=2&c=%26', 'application/x-www-form-urlencoded')).json()).toEqual({
      kind: 'object',
      value: { a: ['1', '2'], b: 'x y', c: '&' },
    });
    expect((await post('hello', 'text/plain')).json()).toEqual({ kind: 'string', value: 'hello' });
    expect((await post(new Uint8Array([1, 2, 250]), 'application/octet-stream')).json()).toEqual({
      kind: 'bytes',
      value: [1, 2, 250],
    });
  });

  it('answers 415 for unsupported or missing content types, and keeps an empty body undefined', async () => {
    const xml = await post('<a/>', 'application/xml');
    expect(xml.status).toBe(415);
    expect(xml.json()).toMatchObject({
      error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type application/xml is not supported' },
    });
    expect((await post('x')).status).toBe(415);
    expect((await app.request('/echo', { method: 'POST' })).status).toBe(200);
  });
});
