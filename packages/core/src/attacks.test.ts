/**
 * Regression tests named after the attack each one stops. Every request goes through `app.request`
 * and so through the real adapters.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from './app/app.js';
import { cors } from './http/cors.js';
import { httpApiEvent } from './testing/events.js';
import { fakeLambdaContext } from './testing/lambda-context.js';
import { readResult } from './testing/request.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function mergingApp() {
  const app = createApp({ service: 'attacks', onError: () => {} });
  // A handler doing what handlers do: merging input into a fresh object.
  app.post('/merge', (ctx) => {
    const target: Record<string, unknown> = {};
    Object.assign(target, ctx.body);
    return {
      polluted: ({} as Record<string, unknown>).isAdmin ?? null,
      targetIsAdmin: target.isAdmin ?? null,
    };
  });
  app.get('/query', (ctx) => {
    const target: Record<string, unknown> = {};
    Object.assign(target, ctx.query);
    return { polluted: ({} as Record<string, unknown>).isAdmin ?? null, keys: Object.keys(ctx.query) };
  });
  return app;
}

describe('secure by default', () => {
  it('createApp() with no options answers with a request id, security headers and a body limit', async () => {
    const app = createApp();
    app.post('/echo', (ctx) => ({ size: ctx.rawBody.length }));
    for (const [path, init] of [
      ['/echo', { method: 'POST', json: { ok: true } }],
      ['/missing', {}],
      [
        '/echo',
        { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1), headers: { 'content-type': 'text/plain' } },
      ],
    ] as const) {
      const res = await app.request(path, { ...init, requestId: 'aws-id-1' });
      expect(res.headers.get('x-request-id'), path).toBe('aws-id-1');
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
    const big = await app.request('/echo', {
      method: 'POST',
      body: 'x'.repeat(1024 * 1024 + 1),
      headers: { 'content-type': 'text/plain' },
    });
    expect(big.status).toBe(413);
  });

  it('each protection is turned off only by saying so', async () => {
    const app = createApp({ requestId: false, securityHeaders: false, bodyLimit: false, logger: false });
    app.post('/echo', (ctx) => ({ size: ctx.rawBody.length }));
    const res = await app.request('/echo', {
      method: 'POST',
      body: 'x'.repeat(1024 * 1024 + 1),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBeNull();
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('duplicate key smuggling', () => {
  const app = mergingApp();
  const send = (body: string) =>
    app.request('/merge', { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  it('a key repeated in one object is refused, at any depth, however it is spelled', async () => {
    for (const body of [
      '{"role":"user","role":"admin"}',
      '{"a":{"x":1,"x":2}}',
      '[{"ok":1},{"id":1,"id":2}]',
      '{"role":"user","r\\u006fle":"admin"}',
    ]) {
      const res = await send(body);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ error: { details: { reason: 'duplicate_key' } } });
    }
  });

  it('escaped quotes and backslashes cannot hide a repeated key', async () => {
    // Strings ending in an escaped quote or an escaped backslash, with a colon where a miscounted
    // string end would make it a member: the repeated key is still counted.
    for (const body of [
      '{"a":"q\\":","a":1}',
      '{"a":"b\\\\","a":1}',
      '{"a":"\\\\\\":x","a":1}',
      '[{"k":"\\"\\\\"},{"k":"v","k":"w"}]',
    ]) {
      const res = await send(body);
      expect(res.status, body).toBe(400);
      expect(res.json()).toMatchObject({ error: { details: { reason: 'duplicate_key' } } });
    }
    for (const body of ['{"a":"b\\\\","c":"d:e"}', '{"a":"q\\":\\\\:","b":{"c":"\\\\"}}']) {
      expect((await send(body)).status, body).toBe(200);
    }
  });

  it('the same key in different objects, and colons inside strings, are fine', async () => {
    expect((await send('{"a":{"id":1},"b":{"id":2},"note":"x:y:z","k:ey":"v"}')).status).toBe(200);
  });
});

describe('prototype pollution', () => {
  const app = mergingApp();

  it('prototype pollution via a JSON body __proto__ key is refused', async () => {
    const res = await app.request('/merge', {
      method: 'POST',
      body: '{"__proto__":{"isAdmin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      error: { code: 'BAD_REQUEST', details: { reason: 'prototype_pollution' } },
    });
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('prototype pollution via a nested constructor.prototype is refused', async () => {
    const res = await app.request('/merge', {
      method: 'POST',
      json: { a: [{ constructor: { prototype: { isAdmin: true } } }] },
    });
    expect(res.status).toBe(400);
  });

  it('prototype pollution via a unicode-escaped __proto__ key is refused', async () => {
    const res = await app.request('/merge', {
      method: 'POST',
      body: '{"\\u005f\\u005fproto\\u005f\\u005f":{"isAdmin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
  });

  it('an ordinary "constructor" field is still accepted', async () => {
    const res = await app.request('/merge', { method: 'POST', json: { constructor: 'Brunel', proto: 1 } });
    expect(res.status).toBe(200);
  });

  it('prototype pollution via query string keys reaches no prototype', async () => {
    for (const source of ['apigw-http', 'apigw-rest', 'alb', 'function-url'] as const) {
      const res = await app.request(
        '/query?__proto__[isAdmin]=true&__proto__=x&constructor[prototype][isAdmin]=1',
        { source },
      );
      expect(res.status, source).toBe(200);
      expect(res.json<{ polluted: unknown }>().polluted, source).toBeNull();
    }
  });

  it('prototype pollution via a form body reaches no prototype', async () => {
    const res = await app.request('/merge', {
      method: 'POST',
      body: '__proto__=x&isAdmin=false',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.json()).toEqual({ polluted: null, targetIsAdmin: 'false' });
  });
});

describe('body size', () => {
  const app = createApp({ service: 'size', bodyLimit: 1024 });
  app.post('/upload', (ctx) => ({ size: ctx.rawBody.length }));

  it('understated Content-Length does not bypass the body limit', async () => {
    const res = await app.request('/upload', {
      method: 'POST',
      body: 'x'.repeat(5000),
      headers: { 'content-length': '10' },
    });
    expect(res.status).toBe(413);
  });

  it('oversized base64 body is refused before it is decoded', async () => {
    const event = httpApiEvent({ method: 'POST', path: '/upload', body: new Uint8Array(4096) });
    const from = vi.spyOn(Buffer, 'from');
    const res = readResult(await app.handler(event));
    const decodes = from.mock.calls.filter((call) => (call as unknown[])[1] === 'base64');
    from.mockRestore();
    expect(res.status).toBe(413);
    expect(decodes).toEqual([]);
  });

  it('a base64 body exactly at the limit passes, one byte over does not', async () => {
    expect((await app.request('/upload', { method: 'POST', body: new Uint8Array(1024) })).json()).toEqual({
      size: 1024,
    });
    expect((await app.request('/upload', { method: 'POST', body: new Uint8Array(1025) })).status).toBe(413);
  });
});

describe('CORS', () => {
  const app = createApp({ service: 'cors' });
  app.use(cors({ origins: ['https://app.example.com'], credentials: true }));
  app.get('/me', () => ({ secret: 'account data' }));

  it('CORS credential reflection: an arbitrary origin is never echoed with credentials', async () => {
    const res = await app.request('/me', { headers: { origin: 'https://attacker.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('CORS null-origin trust: a sandboxed iframe origin is not allowed', async () => {
    const res = await app.request('/me', { headers: { origin: 'null' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('CORS suffix confusion: an origin that only ends like an allowed one is refused', async () => {
    for (const origin of [
      'https://app.example.com.attacker.example',
      'https://evilapp.example.com',
      'http://app.example.com',
    ]) {
      expect(
        (await app.request('/me', { headers: { origin } })).headers.get('access-control-allow-origin'),
        origin,
      ).toBeNull();
    }
  });
});

describe('header and log injection', () => {
  // Trusting incoming ids, so their checks are what is tested.
  const app = createApp({ service: 'inject', onError: () => {}, requestId: { trustIncoming: true } });
  app.get('/id', (ctx) => ({ id: ctx.requestId }));
  app.get('/cookie', (ctx) => ctx.cookie('session', ctx.query.v ?? '').text('ok'));
  app.get('/cookie-path', (ctx) => ctx.cookie('session', 'x', { path: ctx.query.p ?? '/' }).text('ok'));
  app.get('/header', (ctx) => ctx.header('x-echo', ctx.query.v ?? '').text('ok'));
  app.get('/redirect', (ctx) => ctx.redirect(ctx.query.to ?? '/'));

  it('request-id header injection: CR/LF and over-long ids are replaced', async () => {
    for (const bad of ['abc\r\nSet-Cookie: admin=1', 'a'.repeat(500), '{"level":"ERROR"}', '<script>']) {
      const res = await app.request('/id', { requestId: 'aws-id', headers: { 'x-request-id': bad } });
      expect(res.json(), bad).toEqual({ id: 'aws-id' });
      expect(res.headers.get('x-request-id')).toBe('aws-id');
    }
  });

  it('request-id injection through the event: an unsafe AWS request id is replaced, not echoed', async () => {
    const event = httpApiEvent({ path: '/id' });
    (event.requestContext as Record<string, unknown>).requestId = 'x\r\nSet-Cookie: admin=1';
    const res = readResult(await app.handler(event, fakeLambdaContext({ awsRequestId: 'lambda-req' })));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ id: 'lambda-req' });
  });

  it('CRLF in cookie values cannot split Set-Cookie or add attributes', async () => {
    const res = await app.request('/cookie', {
      query: { v: 'abc\r\nSet-Cookie: admin=1; Domain=evil.example' },
    });
    expect(res.cookies).toHaveLength(1);
    expect(res.cookies[0]).toBe(
      'session=abc%0D%0ASet-Cookie%3A%20admin%3D1%3B%20Domain%3Devil.example; Path=/; HttpOnly; Secure; SameSite=Lax',
    );
  });

  it('cookie attribute injection through a path is refused', async () => {
    const res = await app.request('/cookie-path', { query: { p: '/; Domain=evil.example' } });
    expect(res.status).toBe(500);
    expect(res.cookies).toEqual([]);
  });

  it('response header splitting through ctx.header and redirects is refused', async () => {
    expect((await app.request('/header', { query: { v: 'x\r\nSet-Cookie: a=1' } })).status).toBe(500);
    const redirect = await app.request('/redirect', { query: { to: '/ok\r\nSet-Cookie: a=1' } });
    expect(redirect.status).toBe(500);
    expect(redirect.headers.get('location')).toBeNull();
  });
});

describe('source IP', () => {
  const app = createApp({ service: 'ip' });
  app.get('/ip', (ctx) => ({ ip: ctx.sourceIp }));

  it('X-Forwarded-For spoofing of the source IP has no effect on any source', async () => {
    const spoof = { 'x-forwarded-for': '10.0.0.1, 127.0.0.1' };
    for (const source of ['apigw-http', 'apigw-rest', 'function-url'] as const) {
      const res = await app.request('/ip', { source, sourceIp: '198.51.100.7', headers: spoof });
      expect(res.json(), source).toEqual({ ip: '198.51.100.7' });
    }
  });

  it('X-Forwarded-For spoofing behind an ALB: only the entry the ALB appended counts', async () => {
    const res = await app.request('/ip', {
      source: 'alb',
      sourceIp: '198.51.100.7',
      headers: { 'x-forwarded-for': '10.0.0.1' },
    });
    // The ALB appends the caller's address after whatever the caller sent.
    expect(res.json()).toEqual({ ip: '198.51.100.7' });
  });
});

describe('encoding tricks', () => {
  const app = createApp({ service: 'enc' });
  app.get('/files/:name', (ctx) => ({ name: ctx.params.name }));
  app.get('/search', (ctx) => ({ q: ctx.query.q }));

  it('malformed percent-encoding in the path is a 400, not a crash', async () => {
    for (const source of ['apigw-rest', 'function-url', 'alb'] as const) {
      const res = await app.request('/files/%E0%A4%A', { source });
      expect(res.status, source).toBe(400);
      expect(res.json(), source).toMatchObject({
        error: { code: 'BAD_REQUEST', message: 'Malformed percent-encoding in path' },
      });
    }
  });

  it('malformed percent-encoding in the query is a 400', async () => {
    for (const source of ['apigw-http', 'function-url', 'alb'] as const) {
      expect((await app.request('/search?q=%zz', { source })).status, source).toBe(400);
    }
  });

  it('invalid UTF-8 in a percent-encoded path or query value is a 400, not U+FFFD', async () => {
    for (const source of ['apigw-rest', 'function-url', 'alb'] as const) {
      expect((await app.request('/files/%FF%FE', { source })).status, source).toBe(400);
      expect((await app.request('/files/%C3%28', { source })).status, source).toBe(400);
    }
    for (const source of ['apigw-http', 'function-url', 'alb', 'alb-multi'] as const) {
      expect((await app.request('/search?q=%C3%28', { source })).status, source).toBe(400);
      expect((await app.request('/search?%FF=x', { source })).status, source).toBe(400);
    }
  });

  it('invalid UTF-8 in a JSON, text or form body is a 400 and nothing is stored', async () => {
    const stored: unknown[] = [];
    const store = createApp({ service: 'store', onError: () => {} });
    store.post('/items', (ctx) => {
      stored.push(ctx.body);
      return ctx.json(201, { stored: ctx.body });
    });
    const invalid = [0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80];
    const bodies: [string, number[]][] = [
      ['application/json', [...Buffer.from('{"name":"'), ...invalid, ...Buffer.from('"}')]],
      ['text/plain; charset=utf-8', invalid],
      ['application/x-www-form-urlencoded', [...Buffer.from('name='), ...invalid]],
    ];
    for (const [type, bytes] of bodies) {
      for (const source of ['apigw-http', 'apigw-rest', 'function-url', 'alb'] as const) {
        const res = await store.request('/items', {
          method: 'POST',
          source,
          body: new Uint8Array(bytes),
          headers: { 'content-type': type },
        });
        expect(res.status, `${type} ${source}`).toBe(400);
        expect(res.json(), type).toMatchObject({ error: { details: { reason: 'invalid_utf8' } } });
      }
    }
    // A lone surrogate has no UTF-8 form either: in an event's text body, or as a JSON \u escape
    // in a value or a key.
    for (const json of ['{"name":"\\ud800"}', '{"\\udc00":"x"}', '["a\\ud800b"]']) {
      const res = await store.request('/items', {
        method: 'POST',
        body: json,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, json).toBe(400);
    }
    const event = httpApiEvent({ method: 'POST', path: '/items', headers: { 'content-type': 'text/plain' } });
    event.body = 'a\ud800b';
    expect(readResult(await store.handler(event, fakeLambdaContext())).status).toBe(400);
    // A surrogate pair written as escapes is text, and passes.
    const pair = await store.request('/items', {
      method: 'POST',
      body: '{"name":"\\ud83e\\udee7"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(pair.json()).toEqual({ stored: { name: '🫧' } });
    expect(stored).toEqual([{ name: '🫧' }]);
  });

  it('deep nesting: a JSON body nested past 256 levels is a 400, not a stack overflow in a handler or schema', async () => {
    const echo = createApp({ service: 'deep', onError: () => {} });
    echo.post('/echo', (ctx) => ctx.json(201, ctx.body));
    const deep = `${'['.repeat(300_000)}${']'.repeat(300_000)}`;
    const res = await echo.request('/echo', {
      method: 'POST',
      body: deep,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: { details: { reason: 'too_deep' } } });
    const fine = `${'['.repeat(256)}${']'.repeat(256)}`;
    expect(
      (
        await echo.request('/echo', {
          method: 'POST',
          body: fine,
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(201);
    // Brackets inside strings are text, not nesting.
    const text = JSON.stringify({ note: '['.repeat(1000) });
    expect(
      (
        await echo.request('/echo', {
          method: 'POST',
          body: text,
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(201);
  });

  it('valid multi-byte UTF-8 bodies and values pass unchanged', async () => {
    const echo = createApp({ service: 'echo' });
    echo.post('/echo', (ctx) => ({ body: ctx.body, q: ctx.query.q }));
    const res = await echo.request('/echo?q=%C3%A9%F0%9F%8D%BA', {
      method: 'POST',
      body: new Uint8Array(Buffer.from('{"name":"kéfir 🫧"}')),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.json()).toEqual({ body: { name: 'kéfir 🫧' }, q: 'é🍺' });
  });

  it('double-encoded traversal is decoded once only', async () => {
    const res = await app.request('/files/%252e%252e%252fetc', { source: 'apigw-rest' });
    expect(res.json()).toEqual({ name: '%2e%2e%2fetc' });
  });

  it('a 500 never leaks internals', async () => {
    const leaky = createApp({ service: 'leaky', onError: () => {} });
    leaky.get('/', () => {
      const error = new Error('connect ECONNREFUSED 10.1.2.3:5432 user=admin password=hunter2');
      throw error;
    });
    const res = await leaky.request('/');
    expect(res.text()).not.toMatch(/ECONNREFUSED|hunter2|stack|at /);
  });
});
