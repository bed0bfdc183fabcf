import { describe, expect, it, vi } from 'vitest';
import {
  ConflictError,
  createApp,
  HttpError,
  LiftResponse,
  type Middleware,
  NotFoundError,
  TooManyRequestsError,
} from '../index.js';
import { CONFORMANCE_CASES, CONFORMANCE_ROUTES } from '../router/conformance.js';
import { albEvent, httpApiEvent } from '../testing/events.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { readResult, type TestSource } from '../testing/request.js';

function conformanceApp() {
  const app = createApp({ service: 'conformance' });
  for (const [method, pattern] of CONFORMANCE_ROUTES) {
    // Each route method has its own type (the method is part of the route table's key): one at a time.
    const register = method === 'ALL' ? (app.all as typeof app.get) : app[method.toLowerCase() as 'get'];
    register(pattern, (ctx) => ctx.json({ route: ctx.route, params: { ...ctx.params } }));
  }
  return app;
}

describe('router conformance through the real adapters', () => {
  const app = conformanceApp();
  // HTTP API hands the path over decoded; the others keep percent-encoding.
  const encodedSources: TestSource[] = ['apigw-rest', 'function-url', 'alb', 'alb-multi'];
  for (const c of CONFORMANCE_CASES) {
    const sources: TestSource[] = c.encoded === false ? ['apigw-http'] : encodedSources;
    it(`${c.name}: ${c.method} ${c.path}`, async () => {
      for (const source of sources) {
        // A decoded path cannot be written as a client URL, so it goes straight into the event.
        const res =
          c.encoded === false
            ? readResult(await app.handler({ ...httpApiEvent({ method: c.method }), rawPath: c.path }))
            : await app.request({ method: c.method, path: c.path, source });
        if ('route' in c.expect) {
          expect(res.status, source).toBe(200);
          if (c.method !== 'HEAD')
            expect(res.json(), source).toEqual({ route: c.expect.route, params: c.expect.params ?? {} });
        } else {
          expect(res.status, source).toBe(c.expect.status);
          if (c.expect.status === 405) expect(res.headers.get('allow'), source).toBe(c.expect.allow);
          if (c.method !== 'HEAD')
            expect(res.json(), source).toMatchObject({ error: { requestId: expect.any(String) } });
        }
      }
    });
  }
});

describe('handlers and responses', () => {
  const app = createApp({ service: 'responses' });
  app.get('/plain', () => ({ a: 1 }));
  app.get('/string', () => 'hello');
  app.get('/nothing', () => undefined);
  app.post('/created', (ctx) => ctx.json(201, { id: 'x' }));
  app.get('/redirect', (ctx) => ctx.redirect('/plain', 303));
  app.get('/headers', (ctx) => {
    ctx.header('X-Custom', 'yes');
    return ctx.text('ok', 202);
  });

  it('a plain value is 200 JSON', async () => {
    const res = await app.request('/plain');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.json()).toEqual({ a: 1 });
    expect((await app.request('/string')).json()).toBe('hello');
  });

  it('returning nothing is 204 with no body', async () => {
    const res = await app.request('/nothing');
    expect(res.status).toBe(204);
    expect(res.text()).toBe('');
  });

  it('helpers set status, headers and bodies', async () => {
    expect((await app.request('/created', { method: 'POST' })).status).toBe(201);
    const redirect = await app.request('/redirect');
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get('location')).toBe('/plain');
    const headers = await app.request('/headers');
    expect(headers.status).toBe(202);
    expect(headers.headers.get('x-custom')).toBe('yes');
    expect(headers.text()).toBe('ok');
  });
});

describe('errors', () => {
  const onError = vi.fn();
  const app = createApp({ service: 'errors', onError, generateId: () => 'generated-id' });
  app.get('/conflict', () => {
    throw new ConflictError('Version is stale', { details: { expected: 3 } });
  });
  app.get('/limited', () => {
    throw new TooManyRequestsError(30);
  });
  app.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  app.get('/reject', async () => Promise.reject(new TypeError('undefined is not a function')));
  app.get('/custom', () => {
    throw new HttpError(418, 'TEAPOT', 'I am a teapot');
  });
  app.get('/bad-json', () => ({ big: 10n }));

  it('HttpErrors become the envelope with their status, code, message and details', async () => {
    const res = await app.request('/conflict', { requestId: 'req-1' });
    expect(res.status).toBe(409);
    expect(res.json()).toEqual({
      error: { code: 'CONFLICT', message: 'Version is stale', requestId: 'req-1', details: { expected: 3 } },
    });
    const limited = await app.request('/limited');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect((await app.request('/custom')).json()).toMatchObject({ error: { code: 'TEAPOT' } });
  });

  it('any other exception is a generic 500; the detail goes only to onError', async () => {
    onError.mockClear();
    const res = await app.request('/boom', { requestId: 'req-2' });
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'Internal server error', requestId: 'req-2' },
    });
    expect(res.text()).not.toContain('hunter2');
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: 'database password is hunter2' });
    expect((await app.request('/reject')).status).toBe(500);
    expect((await app.request('/bad-json')).status).toBe(500);
  });

  it('falls back to the Lambda request id, then a generated one, when the event has none (ALB)', async () => {
    const lambda = fakeLambdaContext({ awsRequestId: 'lambda-id' });
    expect((await app.request('/conflict', { source: 'alb', lambda })).json()).toMatchObject({
      error: { requestId: 'lambda-id' },
    });
    const bare = readResult(await app.handler(albEvent({ path: '/conflict' })));
    expect(bare.json()).toMatchObject({ error: { requestId: 'generated-id' } });
  });

  it('a throwing onError hook does not break the answer, nor lose the failure it was given', async () => {
    const fragile = createApp({
      service: 'fragile',
      onError: () => {
        throw new Error('reporter down');
      },
    });
    fragile.get('/', () => {
      throw new Error('x');
    });
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect((await fragile.request({ path: '/', requestId: 'req-1' })).status).toBe(500);
      expect(reported.mock.calls.map(([line]) => JSON.parse(String(line)))).toMatchObject([
        {
          level: 'ERROR',
          message: 'Request failed, and onError threw',
          service: 'fragile',
          request_id: 'req-1',
          on_error: 'Error: reporter down',
          error: { message: 'x' },
        },
      ]);
    } finally {
      reported.mockRestore();
    }
  });
});

describe('middleware', () => {
  it('runs onion-style: global, then group, then route, and back out', async () => {
    const calls: string[] = [];
    const tag =
      (name: string): Middleware =>
      async (_ctx, next) => {
        calls.push(`>${name}`);
        await next();
        calls.push(`<${name}`);
      };
    const app = createApp({ service: 'mw' });
    const api = app.group('/api');
    api.get('/x', { middleware: [tag('route')] }, () => {
      calls.push('handler');
      return { ok: true };
    });
    // Registered after the route on purpose: group middleware covers all its routes.
    api.use(tag('group'));
    app.use(tag('global'));
    expect((await app.request('/api/x')).status).toBe(200);
    expect(calls).toEqual(['>global', '>group', '>route', 'handler', '<route', '<group', '<global']);
  });

  it('global middleware also runs for 404, 405 and malformed requests', async () => {
    const app = createApp({ service: 'mw' });
    app.use(async (ctx, next) => {
      await next();
      ctx.header('x-seen', String(ctx.res?.status));
    });
    app.get('/x', () => 'x');
    expect((await app.request('/missing')).headers.get('x-seen')).toBe('404');
    expect((await app.request('/x', { method: 'POST' })).headers.get('x-seen')).toBe('405');
    expect((await app.request({ path: '/x%zz', source: 'apigw-rest' })).headers.get('x-seen')).toBe('400');
  });

  it('sees handler errors as ctx.res and ctx.error, and can answer early', async () => {
    const app = createApp({ service: 'mw' });
    let seen: unknown;
    app.use(async (ctx, next) => {
      if (ctx.header('x-block') === '1') return ctx.json(403, { blocked: true });
      await next();
      seen = ctx.error;
    });
    app.get('/fail', () => {
      throw new NotFoundError('No such item');
    });
    app.get('/ok', () => 'ok');
    const failed = await app.request('/fail');
    expect(failed.status).toBe(404);
    expect(seen).toBeInstanceOf(NotFoundError);
    const blocked = await app.request('/ok', { headers: { 'x-block': '1' } });
    expect(blocked.status).toBe(403);
    expect(blocked.json()).toEqual({ blocked: true });
  });

  it('an error thrown after next() replaces the response', async () => {
    const app = createApp({ service: 'mw', onError: () => {} });
    app.use(async (_ctx, next) => {
      await next();
      throw new Error('post-processing failed');
    });
    app.get('/', () => 'fine');
    expect((await app.request('/')).status).toBe(500);
  });

  it('calling next() twice is an error, not a double run', async () => {
    const handler = vi.fn(() => 'x');
    const app = createApp({ service: 'mw', onError: () => {} });
    app.use(async (_ctx, next) => {
      await next();
      await next();
    });
    app.get('/', handler);
    expect((await app.request('/')).status).toBe(500);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('hook middleware runs inline, in onion order with function middleware', async () => {
    const calls: string[] = [];
    const app = createApp({ service: 'hooks' });
    app.use(
      { before: () => void calls.push('>hook1'), after: () => void calls.push('<hook1') },
      async (_ctx, next) => {
        calls.push('>fn');
        await next();
        calls.push('<fn');
      },
      { after: (ctx) => void calls.push(`<hook2 ${ctx.res?.status}`) },
    );
    app.get('/', async () => {
      calls.push('handler');
      return 'ok';
    });
    await app.request('/');
    expect(calls).toEqual(['>hook1', '>fn', 'handler', '<hook2 200', '<fn', '<hook1']);
  });

  it('a before hook answers early: inner layers and its own after are skipped, outer afters run', async () => {
    const calls: string[] = [];
    const app = createApp({ service: 'hooks' });
    app.use({ after: (ctx) => void calls.push(`outer ${ctx.res?.status}`) });
    app.use({ before: (ctx) => ctx.json(401, { stop: true }), after: () => void calls.push('own after') });
    app.get('/', () => {
      calls.push('handler');
      return 'ok';
    });
    const res = await app.request('/');
    expect(res.status).toBe(401);
    expect(calls).toEqual(['outer 401']);
  });

  it('errors thrown in hooks become error responses', async () => {
    const app = createApp({ service: 'hooks', onError: () => {} });
    app
      .group('/before')
      .use({
        before: () => {
          throw new ConflictError('busy');
        },
      })
      .get('/', () => 'x');
    app
      .group('/after')
      .use({
        after: () => {
          throw new Error('broken');
        },
      })
      .get('/', () => 'x');
    expect((await app.request('/before')).status).toBe(409);
    expect((await app.request('/after')).status).toBe(500);
  });

  it('refuses values that are not middleware', () => {
    const app = createApp({ service: 'hooks' });
    expect(() => app.use({} as never)).toThrow(/before\/after hooks/);
    expect(() => app.use({ before: 'x' } as never)).toThrow(/before\/after hooks/);
    expect(() => app.get('/', { middleware: [42] } as never, () => 1)).toThrow(
      /must be a list of middleware/,
    );
  });

  it('typed state flows from middleware to handlers', async () => {
    const app = createApp<{ user: string }>({ service: 'state' });
    app.use(async (ctx, next) => {
      ctx.state.user = 'ada';
      await next();
    });
    app.get('/', (ctx) => ({ user: ctx.state.user }));
    expect((await app.request('/')).json()).toEqual({ user: 'ada' });
  });
});

describe('groups and sub-apps', () => {
  it('prefixes routes and scopes middleware to the group', async () => {
    const app = createApp({ service: 'groups' });
    app.group('/admin', (admin) => {
      admin.use(async (ctx, next) => {
        ctx.header('x-admin', '1');
        await next();
      });
      admin.get('/users', () => 'users');
      admin.group('/reports').get('/:id', (ctx) => ({ report: ctx.params.id }));
    });
    app.get('/public', () => 'public');
    const users = await app.request('/admin/users');
    expect(users.headers.get('x-admin')).toBe('1');
    expect((await app.request('/admin/reports/r1')).json()).toEqual({ report: 'r1' });
    expect((await app.request('/public')).headers.get('x-admin')).toBeNull();
  });

  it('mounts another app under a prefix with its middleware', async () => {
    const billing = createApp({ service: 'billing' });
    billing.use(async (ctx, next) => {
      ctx.header('x-billing', '1');
      await next();
    });
    billing.get('/invoices/:id', (ctx) => ({ id: ctx.params.id, route: ctx.route }));
    const app = createApp({ service: 'main' });
    app.route('/billing', billing);
    const res = await app.request('/billing/invoices/i9');
    expect(res.json()).toEqual({ id: 'i9', route: '/billing/invoices/:id' });
    expect(res.headers.get('x-billing')).toBe('1');
  });
});

describe('start-up checks', () => {
  it('refuses unknown and invalid app options', () => {
    expect(() => createApp({ service: 'x', bodyLimt: 5 } as never)).toThrow(
      /createApp: unknown option "bodyLimt"/,
    );
    expect(() => createApp({ service: '' })).toThrow(/service/);
    expect(() => createApp({ service: 'x', basePath: 'v1' })).toThrow(/basePath/);
    expect(() => createApp({ service: 'x', bodyLimit: -1 })).toThrow(/bodyLimit/);
    // null is no value: refused, not taken for the default service name or crashing on a property.
    expect(() => createApp({ service: null as never })).toThrow(/createApp option "service"/);
    expect(() => createApp({ logger: null as never })).toThrow(/createApp option "logger"/);
    expect(() => createApp({ metrics: null as never })).toThrow(/createApp option "metrics"/);
  });

  it('refuses unknown route options', () => {
    const app = createApp({ service: 'x' });
    expect(() => app.get('/a', { bdy: {} } as never, () => 1)).toThrow(/unknown route option "bdy"/);
  });

  it('refuses a duplicate route or a bad pattern as it is registered, at module load', () => {
    const app = createApp({ service: 'x' });
    app.get('/a/:id', () => 1);
    expect(() => app.get('/a/:name', () => 2)).toThrow(/Duplicate route: GET \/a\/:name/);
    expect(() => app.get('/b/*/c', () => 3)).toThrow(/Wildcard must be the last segment/);
    const sub = createApp({ service: 'sub' });
    sub.get('/:id', () => 4);
    app.group('/a').get('/x', () => 5);
    expect(() => app.route('/a', sub)).toThrow(/Duplicate route: GET \/a\/:id/);
  });

  it('freezes after the first request', async () => {
    const app = createApp({ service: 'x' });
    app.get('/', () => 1);
    await app.request('/');
    expect(() => app.get('/late', () => 2)).toThrow(/frozen/);
    expect(() => app.use(async (_c, n) => n())).toThrow(/frozen/);
    expect(app.routes()).toEqual([{ method: 'GET', pattern: '/' }]);
  });

  it('a middleware can still return a LiftResponse built by hand', async () => {
    const app = createApp({ service: 'x' });
    app.use(() => new LiftResponse(418, { 'content-type': 'text/plain' }, 'teapot'));
    app.get('/', () => 1);
    const res = await app.request('/');
    expect(res.status).toBe(418);
    expect(res.text()).toBe('teapot');
  });
});
