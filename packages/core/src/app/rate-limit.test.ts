/**
 * Route rate limits through `app.request`: named presets and policies, inline limits, several per
 * route, the keys they count by, headers on every answer, store failures, the access-log field and
 * the audit line of a tripped `sensitive` limit.
 */
import { describe, expect, it } from 'vitest';
import { createAccessControl } from '../auth/access-control.js';
import type { Principal } from '../context/principal.js';
import type { AuditEvent } from '../observability/audit.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { failed, type RateLimitStore } from '../ratelimit/decision.js';
import { rateLimits } from '../ratelimit/limits.js';
import { memoryRateLimitStore } from '../ratelimit/memory-store.js';
import { captureJsonLinesAsync } from '../test-support/capture.js';
import { useProductionObservability } from '../test-support/environment.js';
import { testPrincipal } from '../test-support/principals.js';
import { createApp } from './app.js';
import type { AppOptions } from './options.js';

useProductionObservability();

const T0 = Date.parse('2026-12-02T10:00:00Z');
const PRINCIPALS: Record<string, Principal> = {
  ada: testPrincipal('ada', 't-1'),
  bob: testPrincipal('bob', 't-1'),
  eve: testPrincipal('eve', 't-2'),
};

function build(options: Partial<AppOptions> = {}, audit: AuditEvent[] = []) {
  let now = T0;
  const app = createApp({
    service: 'limits',
    logger: false,
    metrics: false,
    tracing: false,
    now: () => now,
    access: createAccessControl({
      authenticators: [(ctx) => PRINCIPALS[ctx.header('authorization')?.slice(7) ?? '']],
      audit: (event) => audit.push(event),
    }),
    rateLimits: rateLimits({ store: memoryRateLimitStore() }),
    ...options,
  });
  return { app, advance: (ms: number) => (now += ms) };
}

const from = (ip: string, user?: string) => ({
  sourceIp: ip,
  headers: user === undefined ? {} : { authorization: `Bearer ${user}` },
});

describe('route rate limits', () => {
  it('admits the limit, then answers 429 with Retry-After and the RateLimit headers, until the window slides', async () => {
    const { app, advance } = build();
    app.post(
      '/login',
      { auth: 'public', rateLimit: { limit: 2, window: '1m', by: 'ip', name: 'login' } },
      () => ({ ok: true }),
    );
    const first = await app.request('/login', { method: 'POST', ...from('203.0.113.1') });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"login";q=2;w=60');
    expect(first.headers.get('ratelimit')).toBe('"login";r=1;t=60');
    advance(10_000);
    expect(
      (await app.request('/login', { method: 'POST', ...from('203.0.113.1') })).headers.get('ratelimit'),
    ).toBe('"login";r=0;t=50');
    const limited = await app.request('/login', { method: 'POST', ...from('203.0.113.1') });
    expect(limited.status).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'TOO_MANY_REQUESTS' } });
    expect(limited.headers.get('retry-after')).toBe('50');
    expect(limited.headers.get('ratelimit-policy')).toBe('"login";q=2;w=60');
    expect(limited.headers.get('ratelimit')).toBe('"login";r=0;t=50');
    // Another client has its own window.
    expect((await app.request('/login', { method: 'POST', ...from('203.0.113.2') })).status).toBe(200);
    // 50 s later the first admission has left the window: one more, not two.
    advance(50_000);
    expect((await app.request('/login', { method: 'POST', ...from('203.0.113.1') })).status).toBe(200);
    expect((await app.request('/login', { method: 'POST', ...from('203.0.113.1') })).status).toBe(429);
  });

  it('spoofed X-Forwarded-For: the ip key is the source IP the event carries, never a header', async () => {
    const { app } = build();
    app.post('/login', { auth: 'public', rateLimit: { limit: 1, window: '1m' } }, () => 'ok');
    expect((await app.request('/login', { method: 'POST', sourceIp: '198.51.100.7' })).status).toBe(200);
    const spoofed = await app.request('/login', {
      method: 'POST',
      sourceIp: '198.51.100.7',
      headers: { 'x-forwarded-for': '10.0.0.1', 'x-real-ip': '10.0.0.2' },
    });
    expect(spoofed.status).toBe(429);
  });

  it('presets by name: auth is 5 per 5 minutes per IP, shared by every route naming it', async () => {
    const { app } = build();
    app.post('/auth/login', { auth: 'public', rateLimit: 'auth' }, () => 'ok');
    app.post('/auth/otp', { auth: 'public', rateLimit: 'auth' }, () => 'ok');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await app.request(i % 2 ? '/auth/otp' : '/auth/login', { method: 'POST', ...from('192.0.2.9') }))
          .status,
      );
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('inline limits are the route’s own: two routes with the same inline limit count apart', async () => {
    const { app } = build();
    app.post('/a', { auth: 'public', rateLimit: { limit: 1, window: '1m' } }, () => 'a');
    app.post('/b', { auth: 'public', rateLimit: { limit: 1, window: '1m' } }, () => 'b');
    expect((await app.request('/a', { method: 'POST', ...from('192.0.2.1') })).status).toBe(200);
    expect((await app.request('/b', { method: 'POST', ...from('192.0.2.1') })).status).toBe(200);
    expect((await app.request('/a', { method: 'POST', ...from('192.0.2.1') })).status).toBe(429);
  });

  it('several limits per route, per user and per tenant, checked in order; every policy decided in the headers', async () => {
    const { app } = build();
    app.post(
      '/ai/suggest',
      {
        auth: {},
        rateLimit: [
          { limit: 2, window: '1h', by: 'user', name: 'ai-user' },
          { limit: 3, window: '1h', by: 'tenant', name: 'ai-tenant' },
        ],
      },
      () => 'ok',
    );
    const call = (user: string) => app.request('/ai/suggest', { method: 'POST', ...from('192.0.2.1', user) });
    const first = await call('ada');
    expect(first.headers.get('ratelimit-policy')).toBe('"ai-user";q=2;w=3600, "ai-tenant";q=3;w=3600');
    expect(first.headers.get('ratelimit')).toBe('"ai-user";r=1;t=3600, "ai-tenant";r=2;t=3600');
    expect((await call('ada')).status).toBe(200);
    const refused = await call('ada'); // ada's own limit, checked first: the tenant's is not touched
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-policy')).toBe('"ai-user";q=2;w=3600');
    expect((await call('bob')).status).toBe(200); // the tenant's third admission
    expect((await call('bob')).status).toBe(429); // the tenant's limit
    expect((await call('eve')).status).toBe(200); // another tenant
  });

  it('the app’s policies replace presets of the same name; by user falls back to the IP without a principal', async () => {
    const { app } = build({
      rateLimits: rateLimits({
        store: memoryRateLimitStore(),
        policies: { ai: { limit: 1, window: '1h', by: 'user' } },
      }),
    });
    app.post('/ai', { auth: 'public', rateLimit: 'ai' }, () => 'ok');
    expect((await app.request('/ai', { method: 'POST', ...from('192.0.2.1') })).status).toBe(200);
    const again = await app.request('/ai', { method: 'POST', ...from('192.0.2.1') });
    expect(again.status).toBe(429);
    expect(again.headers.get('ratelimit-policy')).toBe('"ai";q=1;w=3600');
    expect((await app.request('/ai', { method: 'POST', ...from('192.0.2.2') })).status).toBe(200);
  });

  it('a failing store never looks like a limit: closed answers 503, open lets the request through; both logged', async () => {
    const broken: RateLimitStore = {
      consume: async (_key, rule) => failed(rule, 'store_error', new Error('DynamoDB is down')),
    };
    const lines = await captureJsonLinesAsync(async () => {
      const app = createApp({
        service: 'limits',
        metrics: false,
        tracing: false,
        rateLimits: rateLimits({ store: broken }),
      });
      app.post('/closed', { rateLimit: { limit: 5, window: '1m', name: 'closed' } }, () => 'ran');
      app.post(
        '/open',
        { rateLimit: { limit: 5, window: '1m', name: 'open', onStoreError: 'open' } },
        () => 'ran',
      );
      const closed = await app.request('/closed', { method: 'POST' });
      expect(closed.status).toBe(503);
      expect(closed.json()).toMatchObject({
        error: { code: 'SERVICE_UNAVAILABLE', message: 'Rate limit unavailable' },
      });
      expect(closed.headers.get('retry-after')).toBe('1');
      expect(closed.headers.get('ratelimit-policy')).toBe('"closed";q=5;w=60');
      expect(closed.headers.get('ratelimit')).toBeNull();
      const open = await app.request('/open', { method: 'POST' });
      expect(open.status).toBe(200);
      expect(open.text()).toBe('"ran"');
    });
    const warnings = lines.filter((l) => l.level === 'WARN');
    expect(warnings.map((l) => [l.policy, l.fail, l.outcome])).toEqual([
      ['closed', 'closed', 'store_error'],
      ['open', 'open', 'store_error'],
    ]);
    expect(JSON.stringify(warnings)).toContain('DynamoDB is down');
  });

  it('names the refusing policy in the access log, and counts it in the metrics', async () => {
    const lines: Record<string, unknown>[] = [];
    const emf: string[] = [];
    const app = createApp({
      service: 'limits',
      tracing: false,
      logger: createLogger({ service: 'limits', write: (l) => lines.push(JSON.parse(l)) }),
      metrics: createMetrics({ namespace: 'limits', write: (l) => emf.push(l) }),
      rateLimits: rateLimits({ store: memoryRateLimitStore() }),
    });
    app.post('/login', { rateLimit: 'auth' }, () => 'ok');
    for (let i = 0; i < 6; i++) await app.request('/login', { method: 'POST', sourceIp: '192.0.2.5' });
    const access = lines.filter((l) => l.message === 'request');
    expect(access.map((l) => l.status)).toEqual([200, 200, 200, 200, 200, 429]);
    expect(access[5]?.rate_limit).toBe('auth');
    expect(access[0]?.rate_limit).toBeUndefined();
    expect(emf.filter((l) => l.includes('"rate_limited"'))).toHaveLength(1);
  });

  it('writes an audit line when a sensitive limit trips', async () => {
    const audit: AuditEvent[] = [];
    const { app } = build({}, audit);
    app.post('/transfers', { auth: {}, rateLimit: 'sensitive' }, () => 'ok');
    for (let i = 0; i < 11; i++)
      await app.request('/transfers', { method: 'POST', ...from('192.0.2.1', 'ada') });
    const denied = audit.filter((e) => e.reason.startsWith('rate limit'));
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      outcome: 'deny',
      userId: 'ada',
      tenantId: 't-1',
      action: 'POST /transfers',
      reason: 'rate limit sensitive exceeded (10 per 900 s)',
    });
  });

  it('refuses mistakes at start-up, naming the route', () => {
    const bare = createApp({ logger: false, metrics: false, tracing: false });
    bare.post('/x', { rateLimit: 'auth' }, () => 'ok');
    expect(() => bare.compile()).toThrow(
      /POST \/x declares a rateLimit but the app has no rate limits: createApp\(\{ rateLimits: rateLimits\(/,
    );
    const withStore = () =>
      createApp({
        logger: false,
        metrics: false,
        tracing: false,
        rateLimits: rateLimits({ store: memoryRateLimitStore() }),
      });
    const unknown = withStore();
    unknown.post('/y', { rateLimit: 'nope' }, () => 'ok');
    expect(() => unknown.compile()).toThrow(/POST \/y: no rate-limit policy "nope"/);
    const badKey = withStore();
    badKey.post('/z', { rateLimit: { limit: 1, window: '1m', by: 'cookie' as 'ip' } }, () => 'ok');
    expect(() => badKey.compile()).toThrow(/by must be/);
    const badWindow = withStore();
    badWindow.post('/w', { rateLimit: { limit: 1, window: '1 minute' } }, () => 'ok');
    expect(() => badWindow.compile()).toThrow(/window "1 minute"/);
    // The plain object of earlier versions is refused with the factory to use instead.
    expect(() => createApp({ rateLimits: { store: memoryRateLimitStore() } as never })).toThrow(
      /takes rateLimits\(\{ store, policies \}\) from '@lift\/core\/ratelimit'/,
    );
    expect(() => rateLimits({} as never)).toThrow(/needs a store/);
    expect(() => rateLimits({ store: memoryRateLimitStore(), polices: {} } as never)).toThrow(/polices/);
  });
});
