import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from '../auth/access-control.js';
import { trustApiGatewayJwt } from '../auth/api-gateway.js';
import { captureJsonLinesAsync } from '../test-support/capture.js';
import { useProductionObservability } from '../test-support/environment.js';
import { createLogger } from './logger.js';

useProductionObservability();

describe('ctx.log', () => {
  it('is the app logger with the request keys, the principal and the tenant on every line', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = createApp({
      service: 'orders',
      logger: createLogger({
        service: 'orders',
        write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>),
      }),
      access: createAccessControl({ authenticators: [trustApiGatewayJwt()], audit: () => {} }),
    });
    app.get('/orders/:id', { auth: {} }, (ctx) => {
      ctx.log.info('loading order', { orderId: ctx.params.id, password: 'never' });
      return 'ok';
    });
    await app.request({
      path: '/orders/o-1',
      requestId: 'req-5',
      authorizer: { jwt: { claims: { sub: 'u1', 'custom:tenant_id': 't1' }, scopes: null } },
    });
    expect(lines.map((line) => line.message)).toEqual(['loading order', 'request']);
    expect(lines).toEqual([
      expect.objectContaining({
        message: 'loading order',
        request_id: 'req-5',
        route: '/orders/:id',
        method: 'GET',
        tenant_id: 't1',
        user_id: 'u1',
        orderId: 'o-1',
        password: '***',
      }),
      expect.objectContaining({ message: 'request', status: 200, trace_id: lines[0]?.trace_id }),
    ]);
    expect(lines[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('says plainly when the app has no logger', async () => {
    const errors: unknown[] = [];
    const app = createApp({ service: 'x', onError: (e) => errors.push(e), logger: false, metrics: false });
    app.get('/', (ctx) => {
      ctx.log.info('x');
      return 'ok';
    });
    expect((await app.request('/')).status).toBe(500);
    expect(String(errors[0])).toContain('ctx.log needs a logger');
  });
});

describe('observability by default', () => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('writes an access line and EMF metrics for every request of a plain createApp, with the trace id', async () => {
    const app = createApp({ service: 'orders' });
    app.get('/orders/:id', (ctx) => {
      ctx.log.info('loading', { card: 'paid with 4111 1111 1111 1111' });
      return { ok: true };
    });
    const lines = await captureJsonLinesAsync(async () => {
      await app.request({ path: '/orders/o-9', headers: { traceparent } });
      await app.request('/missing');
    });
    const logs = lines.filter((line) => line._aws === undefined);
    const blobs = lines.filter((line) => line._aws !== undefined && line.requests === 1);
    expect(logs.map((l) => [l.message, l.route, l.status ?? null])).toEqual([
      ['loading', '/orders/:id', null],
      ['request', '/orders/:id', 200],
      ['request', 'unmatched', 404],
    ]);
    expect(logs[0]).toMatchObject({ service: 'orders', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(logs[0]?.card).toBe('paid with ****1111');
    expect(logs[1]?.trace_id).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(blobs.map((b) => [b.route, b.status_class])).toEqual([
      ['/orders/:id', '2xx'],
      ['unmatched', '4xx'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('o-9');
  });

  it('reports a failed request through the logger, masked, with the request keys', async () => {
    const app = createApp({ service: 'orders', metrics: false });
    app.get('/pay', () => {
      throw new Error('gateway refused card 4111 1111 1111 1111');
    });
    const lines = await captureJsonLinesAsync(() => app.request({ path: '/pay', requestId: 'req-77' }));
    expect(lines.map((l) => [l.level, l.message, l.request_id])).toEqual([
      ['ERROR', 'Request failed', 'req-77'],
      ['ERROR', 'request', 'req-77'],
    ]);
    expect(lines[0]?.error).toMatchObject({ message: 'gateway refused card ****1111' });
  });

  it('reports a thrown value that cannot be turned into text, instead of losing the report', async () => {
    const app = createApp({ service: 'orders', metrics: false });
    app.get('/bare', () => {
      // No prototype, so no toString: String() of it throws.
      throw Object.create(null);
    });
    const lines = await captureJsonLinesAsync(() => app.request({ path: '/bare', requestId: 'req-78' }));
    expect(lines.map((l) => [l.level, l.message, l.status])).toEqual([
      ['ERROR', 'Request failed', undefined],
      ['ERROR', 'request', 500],
    ]);
    expect(lines[0]).toMatchObject({ request_id: 'req-78', error: '[object Object]' });
  });

  it('logs a mounted app once, and can be switched off part by part', async () => {
    const inner = createApp({ service: 'inner' });
    inner.get('/ping', () => 'pong');
    const outer = createApp({ service: 'outer', metrics: false }).route('/v1', inner);
    const quiet = createApp({ service: 'quiet', accessLog: false, metrics: false, tracing: false });
    quiet.get('/ping', () => 'pong');
    const lines = await captureJsonLinesAsync(async () => {
      await outer.request('/v1/ping');
      await quiet.request('/ping');
    });
    expect(lines.map((l) => [l.service, l.route])).toEqual([['outer', '/v1/ping']]);
    expect(() => createApp({ service: 'x', accessLog: 'yes' as never })).toThrow(/accessLog/);
    expect(() => createApp({ service: 'x', metrics: {} as never })).toThrow(/createMetrics/);
  });
});
