import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import { createAccessControl } from '../auth/access-control.js';
import { NotFoundError } from '../errors/errors.js';
import { memoryNonceStore } from '../signing/nonces.js';
import { signedFetch } from '../signing/signer.js';
import { signatureAuthenticator } from '../signing/verifier.js';
import { type ServedApp, serveApp } from '../test-support/serve-app.js';
import { ClientError, createClient } from './index.js';

const item = z.object({ id: z.string(), at: z.coerce.date() });

function itemsApp() {
  return createApp({ service: 'client-test' })
    .get('/items/:id', { responses: { 200: item } }, (ctx) => {
      if (ctx.params.id === 'missing') throw new NotFoundError('No such item');
      return { id: ctx.params.id, at: new Date(Date.UTC(2026, 0, 2)) };
    })
    .post('/items', { body: z.strictObject({ name: z.string().min(1) }) }, (ctx) =>
      ctx.json(201, { name: ctx.body.name, by: ctx.header('authorization') ?? null }),
    )
    .get('/echo', (ctx) => ({ query: ctx.queryMulti(), client: ctx.header('x-client') ?? null }))
    .get('/files/*', (ctx) => ({ path: ctx.params['*'] }))
    .delete('/items/:id', () => undefined)
    .get('/boom', () => {
      throw new Error('database password is hunter2');
    });
}

describe('createClient against an app served over HTTP', () => {
  const app = itemsApp();
  let served: ServedApp;
  beforeAll(async () => {
    served = await serveApp(app.handler);
  });
  afterAll(() => served.close());

  it('fills and encodes params, and parses a declared response with its schema', async () => {
    const client = createClient<typeof app>(served.url, { schemas: app });
    const got = await client.get('/items/:id', { params: { id: 'a b&c' } });
    expect(served.seen.at(-1)?.url).toBe('/items/a%20b%26c');
    expect(got).toMatchObject({ ok: true, status: 200, data: { id: 'a b&c' } });
    if (!got.ok) throw new Error('expected a success');
    expect(got.data.at).toBeInstanceOf(Date);
    expect(got.data.at.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });

  it('leaves data as JSON when given no schemas', async () => {
    const client = createClient<typeof app>(served.url);
    const got = await client.get('/items/:id', { params: { id: 'x' } });
    expect(got.ok && got.data).toEqual({ id: 'x', at: '2026-01-02T00:00:00.000Z' });
  });

  it('also takes a plain map of schemas, and refuses an answer its schema rejects', async () => {
    const good = createClient<typeof app>(served.url, { schemas: app.responseSchemas() });
    const got = await good.get('/items/:id', { params: { id: 'x' } });
    expect(got.ok && got.data.at instanceof Date).toBe(true);
    const strict = createClient<typeof app>(served.url, {
      schemas: { 'GET /items/:id': { 200: z.object({ id: z.number() }) } },
    });
    await expect(strict.get('/items/:id', { params: { id: 'x' } })).rejects.toThrow(
      /GET \/items\/:id: the 200 answer does not match its schema/,
    );
  });

  it('sends JSON bodies with a bearer token from a string or a function', async () => {
    const fixed = createClient<typeof app>(served.url, { token: 't1' });
    const made = await fixed.post('/items', { body: { name: 'kefir' } });
    expect(made).toMatchObject({ ok: true, status: 201, data: { name: 'kefir', by: 'Bearer t1' } });
    let calls = 0;
    const refreshing = createClient<typeof app>(served.url, { token: async () => `t${++calls}` });
    await refreshing.post('/items', { body: { name: 'a' } });
    const second = await refreshing.post('/items', { body: { name: 'b' } });
    expect(second.ok && second.data.by).toBe('Bearer t2');
  });

  it('answers errors with the envelope, and a 500 without its internals', async () => {
    const client = createClient<typeof app>(served.url);
    const missing = await client.get('/items/:id', { params: { id: 'missing' } });
    expect(missing).toMatchObject({
      ok: false,
      status: 404,
      error: { code: 'NOT_FOUND', message: 'No such item' },
    });
    expect(missing.ok || missing.error.requestId).toBe(missing.headers.get('x-request-id'));
    const invalid = await client.post('/items', { body: { name: '' } });
    expect(invalid.ok).toBe(false);
    if (invalid.ok) return;
    expect(invalid.status).toBe(422);
    expect(invalid.error.code).toBe('VALIDATION_FAILED');
    expect(invalid.error.details).toBeDefined();
    const boom = await client.get('/boom');
    expect(boom).toMatchObject({ ok: false, status: 500, error: { message: 'Internal server error' } });
    expect(JSON.stringify(boom)).not.toContain('hunter2');
  });

  it('writes arrays in the query as repeated keys and merges default headers', async () => {
    const client = createClient<typeof app>(served.url, { headers: { 'x-client': 'default' } });
    const got = await client.get('/echo', {
      query: { tag: ['a', 'b c'], n: 2, on: true, at: new Date(0), skip: undefined },
    });
    expect(served.seen.at(-1)?.url).toBe('/echo?tag=a&tag=b+c&n=2&on=true&at=1970-01-01T00%3A00%3A00.000Z');
    expect(got.ok && got.data).toEqual({
      query: { tag: ['a', 'b c'], n: '2', on: 'true', at: '1970-01-01T00:00:00.000Z' },
      client: 'default',
    });
    const own = await client.get('/echo', { headers: { 'x-client': 'mine' } });
    expect(own.ok && own.data.client).toBe('mine');
  });

  it('encodes a wildcard segment by segment and answers 204 with no data', async () => {
    const client = createClient<typeof app>(served.url);
    const file = await client.get('/files/*', { params: { '*': 'a b/c.txt' } });
    expect(served.seen.at(-1)?.url).toBe('/files/a%20b/c.txt');
    expect(file.ok && file.data).toEqual({ path: 'a b/c.txt' });
    const gone = await client.delete('/items/:id', { params: { id: 'x' } });
    expect(gone).toMatchObject({ ok: true, status: 204, data: undefined });
  });

  it('refuses missing, unknown and dot params and bad query values before sending', async () => {
    const client = createClient<typeof app>(served.url);
    const before = served.seen.length;
    // @ts-expect-error id is missing
    await expect(client.get('/items/:id', { params: {} })).rejects.toThrow('Missing path param "id"');
    // @ts-expect-error the pattern has no "other"
    await expect(client.get('/items/:id', { params: { id: 'x', other: 'y' } })).rejects.toThrow(
      'Unknown path param "other"',
    );
    await expect(client.get('/files/*', { params: { '*': '../etc' } })).rejects.toThrow(ClientError);
    await expect(client.get('/items/:id', { params: { id: '' } })).rejects.toThrow(/non-empty/);
    // @ts-expect-error an object is no query value
    await expect(client.get('/echo', { query: { x: { a: 1 } } })).rejects.toThrow('Query "x"');
    expect(served.seen.length).toBe(before);
    expect(() => createClient<typeof app>('ftp://example.com')).toThrow(/http or https/);
    // @ts-expect-error no such option
    expect(() => createClient<typeof app>(served.url, { retries: 3 })).toThrow('unknown option "retries"');
  });

  it('path traversal: a "." or ".." param never sends the token to another route', async () => {
    const client = createClient<typeof app>(served.url, { token: 'secret' });
    const before = served.seen.length;
    await expect(client.get('/items/:id', { params: { id: '..' } })).rejects.toThrow(/dot segment/);
    await expect(client.get('/items/:id', { params: { id: '.' } })).rejects.toThrow(/dot segment/);
    expect(served.seen.length).toBe(before);
    // Dots inside a value are data, not segments.
    const dotted = await client.get('/items/:id', { params: { id: '..a' } });
    expect(dotted.status).toBe(200);
    expect(served.seen.at(-1)?.url).toBe('/items/..a');
  });

  it('passes the signal on, so a call can be aborted', async () => {
    const client = createClient<typeof app>(served.url);
    await expect(client.get('/echo', { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });

  it('bounds every call with its timeout, so a server that never answers cannot hold it', async () => {
    const never: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const client = createClient<typeof app>(served.url, { fetch: never, timeoutMs: 50 });
    const started = Date.now();
    await expect(client.get('/echo')).rejects.toThrow(/timeout|abort/i);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(() => createClient<typeof app>(served.url, { timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('keeps a base path (an API stage) in front of the route', async () => {
    const seen: string[] = [];
    const client = createClient<typeof app>(`${served.url}/prod/`, {
      fetch: (url, init) => {
        seen.push(String(url));
        return fetch(String(url).replace('/prod', ''), init);
      },
    });
    const got = await client.get('/items/:id', { params: { id: 'x' } });
    expect(seen).toEqual([`${served.url}/prod/items/x`]);
    expect(got.status).toBe(200);
  });

  it('reads an answer that is not Lift’s envelope as an error with a made-up code', async () => {
    const gateway = await serveApp(async () => ({ statusCode: 502, body: 'Bad Gateway' }));
    try {
      const client = createClient<typeof app>(gateway.url);
      const got = await client.get('/echo');
      expect(got).toMatchObject({ ok: false, status: 502, error: { code: 'HTTP_502' } });
    } finally {
      await gateway.close();
    }
  });
});

describe('createClient with signedFetch, service to service', () => {
  const secret = 'client-test-signing-secret-32-chars!';
  const billing = createApp({
    service: 'billing',
    access: createAccessControl({
      authenticators: [
        signatureAuthenticator({
          keys: (id) =>
            id === 'orders' ? { secrets: [secret], name: 'orders', roles: ['integration_admin'] } : undefined,
          nonces: memoryNonceStore(),
        }),
      ],
    }),
  }).post(
    '/charges',
    { auth: { roles: ['integration_admin'] }, body: z.strictObject({ cents: z.number().int().positive() }) },
    (ctx) => ctx.json(201, { charged: ctx.body.cents, by: ctx.principal?.userId ?? null }),
  );
  let served: ServedApp;
  beforeAll(async () => {
    served = await serveApp(billing.handler);
  });
  afterAll(() => served.close());

  it('signs every call when given signedFetch, and is refused without it', async () => {
    const signed = createClient<typeof billing>(served.url, {
      fetch: signedFetch({ keyId: 'orders', secret }),
    });
    const charged = await signed.post('/charges', { body: { cents: 250 } });
    expect(charged).toMatchObject({ ok: true, status: 201, data: { charged: 250, by: 'orders' } });
    if (charged.ok) expectTypeOf(charged.data).toEqualTypeOf<{ charged: number; by: string | null }>();
    const unsigned = createClient<typeof billing>(served.url);
    const refused = await unsigned.post('/charges', { body: { cents: 250 } });
    expect(refused).toMatchObject({ ok: false, status: 401, error: { code: 'UNAUTHORIZED' } });
  });
});
