/** Attacks on route rate limits, each test named after the attack (security review of 8e0eb03). */
import { describe, expect, it } from 'vitest';
import { createAccessControl } from '../auth/access-control.js';
import type { Principal } from '../context/principal.js';
import { failed, type RateLimitStore } from '../ratelimit/decision.js';
import { rateLimits } from '../ratelimit/limits.js';
import { memoryRateLimitStore } from '../ratelimit/memory-store.js';
import { testPrincipal } from '../test-support/principals.js';
import { createApp } from './app.js';
import type { AppOptions } from './options.js';

const T0 = Date.parse('2026-12-02T10:00:00Z');
const principal = (userId: string, tenantId: string | undefined) =>
  testPrincipal(userId, tenantId, 'api-key');
// Two API keys of two different tenants, both named "ci" (api-keys.ts: userId = record.name).
const PRINCIPALS: Record<string, Principal> = {
  'acme-ci': principal('ci', 'acme'),
  'globex-ci': principal('ci', 'globex'),
};

function build(options: Partial<AppOptions> = {}) {
  let now = T0;
  const app = createApp({
    service: 'limits',
    logger: false,
    metrics: false,
    tracing: false,
    now: () => now,
    onError: () => {},
    access: createAccessControl({
      authenticators: [(ctx) => PRINCIPALS[ctx.header('authorization')?.slice(7) ?? '']],
      audit: () => {},
    }),
    rateLimits: rateLimits({ store: memoryRateLimitStore() }),
    ...options,
  });
  return { app, advance: (ms: number) => (now += ms) };
}

describe('rate-limit attacks', () => {
  it('IPv6 rotation: addresses inside one /64 share one budget', async () => {
    const { app } = build();
    app.post('/login', { auth: 'public', rateLimit: { limit: 1, window: '5m', name: 'login' } }, () => 'ok');
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++)
      statuses.push((await app.request('/login', { method: 'POST', sourceIp: `2001:db8:1:2::${i}` })).status);
    // One network, one budget: only the first should pass.
    expect(statuses).toEqual([200, 429, 429, 429, 429]);
  });

  it('budget drain: one IP past its own limit cannot spend the global budget', async () => {
    const { app } = build();
    app.post(
      '/search',
      {
        auth: 'public',
        rateLimit: [
          { limit: 2, window: '1m', by: 'ip', name: 'per-ip' },
          { limit: 5, window: '1m', by: 'global', name: 'all' },
        ],
      },
      () => 'ok',
    );
    for (let i = 0; i < 10; i++) await app.request('/search', { method: 'POST', sourceIp: '198.51.100.66' });
    // The attacker was admitted twice; the victim, never seen before, should be admitted.
    const victim = await app.request('/search', { method: 'POST', sourceIp: '192.0.2.1' });
    expect(victim.status).toBe(200);
  });

  it("cross-tenant user id: one tenant's API key named ci cannot spend another tenant's ci budget", async () => {
    const { app } = build();
    app.post('/transfers', { auth: {}, rateLimit: 'sensitive' }, () => 'ok');
    const as = (who: string) =>
      app.request('/transfers', { method: 'POST', headers: { authorization: `Bearer ${who}` } });
    for (let i = 0; i < 10; i++) expect((await as('globex-ci')).status).toBe(200);
    // acme has not made a single request.
    expect((await as('acme-ci')).status).toBe(200);
  });

  it('store failure with logger off: fail-open admits and fail-closed answers 503, never a 500', async () => {
    const broken: RateLimitStore = {
      consume: async (_key, rule) => failed(rule, 'store_error', new Error('DynamoDB is down')),
    };
    const { app } = build({ rateLimits: rateLimits({ store: broken }) });
    app.post(
      '/open',
      { auth: 'public', rateLimit: { limit: 5, window: '1m', onStoreError: 'open' } },
      () => 'ran',
    );
    app.post('/closed', { auth: 'public', rateLimit: { limit: 5, window: '1m' } }, () => 'ran');
    const open = await app.request('/open', { method: 'POST' });
    const closed = await app.request('/closed', { method: 'POST' });
    expect([open.status, closed.status]).toEqual([200, 503]);
  });

  it('path variants reach the same route and the same key, or no route at all', async () => {
    const { app } = build();
    app.post('/login', { auth: 'public', rateLimit: { limit: 1, window: '5m' } }, () => 'ok');
    expect((await app.request('/login', { method: 'POST' })).status).toBe(200);
    for (const path of ['/login/', '/Login', '/login%2F', '/%6Cogin', '/login?x=1', '//login'])
      for (const source of ['apigw-http', 'apigw-rest', 'function-url', 'alb'] as const) {
        const res = await app.request(path, { method: 'POST', source });
        expect([404, 429, 400]).toContain(res.status);
      }
  });

  it('every HTTP source gives the same key for the same client; spoofed X-Forwarded-For is ignored', async () => {
    const { app } = build();
    app.post('/login', { auth: 'public', rateLimit: { limit: 1, window: '5m' } }, () => 'ok');
    expect((await app.request('/login', { method: 'POST', sourceIp: '198.51.100.7' })).status).toBe(200);
    for (const source of ['apigw-http', 'apigw-rest', 'function-url', 'alb', 'alb-multi'] as const) {
      const res = await app.request('/login', {
        method: 'POST',
        source,
        sourceIp: '198.51.100.7',
        headers: { 'x-forwarded-for': '10.9.9.9', 'X-Forwarded-For': '10.8.8.8' },
      });
      expect(res.status, source).toBe(429);
    }
  });

  it('HEAD on a GET route spends the GET budget', async () => {
    const { app } = build();
    app.get('/report', { auth: 'public', rateLimit: { limit: 1, window: '5m' } }, () => 'ok');
    expect((await app.request('/report', { method: 'HEAD' })).status).toBe(200);
    expect((await app.request('/report', { method: 'GET' })).status).toBe(429);
  });

  it('policy names cannot inject headers; a bad name stops the app at start-up', () => {
    const { app } = build();
    app.post(
      '/x',
      { auth: 'public', rateLimit: { limit: 1, window: '1m', name: 'a\r\nset-cookie: x=1' } },
      () => 1,
    );
    expect(() => app.compile()).toThrow(/name must be/);
    expect(() =>
      build({
        rateLimits: rateLimits({
          store: memoryRateLimitStore(),
          policies: { 'a"b': { limit: 1, window: '1m' } },
        }),
      }),
    ).toThrow(/name must be/);
  });

  it('the 503 of a failing store and the 429 carry no internals', async () => {
    const broken: RateLimitStore = {
      consume: async (_key, rule) =>
        failed(
          rule,
          'store_error',
          new Error('arn:aws:dynamodb:eu-west-1:123456789012:table/sec AccessDenied'),
        ),
    };
    const app = createApp({
      service: 's',
      metrics: false,
      tracing: false,
      rateLimits: rateLimits({ store: broken }),
    });
    app.post('/c', { rateLimit: { limit: 1, window: '1m' } }, () => 'ok');
    const res = await app.request('/c', { method: 'POST' });
    expect(res.status).toBe(503);
    expect(res.text()).not.toMatch(/arn:|AccessDenied|DynamoDB/);
  });

  it('a request refused by the limit never reaches validation or the handler, and pending headers do not leak between requests', async () => {
    const { app } = build();
    let runs = 0;
    app.post('/once', { auth: 'public', rateLimit: { limit: 1, window: '1m', name: 'once' } }, () => ++runs);
    app.post('/free', { auth: 'public' }, () => 'free');
    await app.request('/once', { method: 'POST' });
    await app.request('/once', { method: 'POST' });
    expect(runs).toBe(1);
    const free = await app.request('/free', { method: 'POST' });
    expect(free.headers.get('ratelimit')).toBeNull();
    expect(free.headers.get('ratelimit-policy')).toBeNull();
  });
});
