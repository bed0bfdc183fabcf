import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidEventError } from '../errors/errors.js';
import { records } from '../events/feature.js';
import { idempotency } from '../idempotency/routes.js';
import { memoryIdempotencyStore } from '../idempotency/store.js';
import { rateLimits } from '../ratelimit/limits.js';
import { memoryRateLimitStore } from '../ratelimit/memory-store.js';
import { sqsEvent } from '../testing/records.js';
import { createApp } from './app.js';

const quiet = { logger: false, metrics: false, tracing: false } as const;

describe('features given as option values', () => {
  it('refuses a record method on an app created without records(), naming the option', () => {
    const app = createApp(quiet);
    for (const register of [
      () => app.sqs('orders', () => {}),
      () => app.schedule('nightly', { rate: '1 day' }, () => {}),
      () => app.eventBridge({ source: 'kefir' }, () => {}),
      () => app.useRecords(async (_record, _ctx, next) => next()),
    ]) {
      expect(register).toThrow(ConfigurationError);
      expect(register).toThrow(
        /createApp\(\{ records: records\(\) \}\) with records from '@lift\/core\/events'/,
      );
    }
    // Nothing was half-registered: the app still lists no schedules and its manifest no records.
    expect(app.schedules()).toEqual([]);
    expect(app.manifest()).toMatchObject({ records: [], eventBridge: [], schedules: [] });
  });

  it('answers a record event to an app without records() with an InvalidEventError, not a crash', async () => {
    const app = createApp(quiet);
    app.get('/', () => 'ok');
    await expect(app.handler(sqsEvent(['x'], { queue: 'orders' }))).rejects.toThrow(InvalidEventError);
  });

  it('serves records with records(), and lists them in the manifest', async () => {
    const seen: string[] = [];
    const app = createApp({ ...quiet, records: records() });
    app.sqs('orders', (message) => {
      seen.push(message.body);
    });
    await app.handler(sqsEvent(['one'], { queue: 'orders' }));
    expect(seen).toEqual(['one']);
    expect(app.manifest().records).toEqual([{ source: 'sqs', name: 'orders', exact: true }]);
  });

  it('refuses the plain objects of earlier versions, naming the factory', () => {
    expect(() => createApp({ idempotency: { store: memoryIdempotencyStore() } as never })).toThrow(
      /takes idempotency\(\{ store, ttl \}\) from '@lift\/core\/idempotency'/,
    );
    expect(() => createApp({ records: {} as never })).toThrow(/takes records\(\) from '@lift\/core\/events'/);
    expect(() => idempotency({ store: memoryIdempotencyStore(), tll: '1h' } as never)).toThrow(/tll/);
    expect(() => idempotency({} as never)).toThrow(/needs a store/);
  });

  it('refuses an SQS registration declaring idempotency on an app without idempotency()', () => {
    const app = createApp({ ...quiet, records: records() });
    expect(() => app.sqs('orders', { idempotency: { key: (m) => m.body } }, () => {})).toThrow(
      /sqs:orders declares idempotency but the app has none/,
    );
  });

  it('refuses a look-alike of a feature value (duck-typed forApp)', () => {
    const fake = { forApp: () => ({ stepFor: () => undefined, describe: () => [] }) };
    expect(() => createApp({ ...quiet, rateLimits: fake as never })).toThrow(/takes rateLimits\(/);
    expect(() =>
      createApp({ ...quiet, rateLimits: { ...rateLimits({ store: memoryRateLimitStore() }) } as never }),
    ).toThrow(/takes rateLimits\(/);
  });

  it('names records() only for events that look like records', async () => {
    const app = createApp(quiet);
    await expect(app.handler({ Records: [{ eventSource: 'aws:sqs' }] })).rejects.toThrow(/records\(\)/);
    await expect(app.handler({ source: 'kefir', 'detail-type': 'X', detail: {} })).rejects.toThrow(
      /records\(\)/,
    );
    const websocket = app.handler({ requestContext: { connectionId: 'c', eventType: 'CONNECT' } });
    await expect(websocket).rejects.toThrow(
      /not an HTTP request nor records \(an object with keys requestContext\)/,
    );
    await expect(app.handler('warm')).rejects.toThrow(/not an HTTP request nor records \(string\)/);
  });

  it('describes a rate-limited route of an app without rateLimits() as the configuration error compile gives', () => {
    const app = createApp(quiet);
    app.post('/login', { rateLimit: { limit: 5, window: '1m' } }, () => 'ok');
    const description = app.describe();
    const route = description.routes[0];
    expect(() => description.rateLimits('POST /login', route?.options.rateLimit)).toThrow(/no rate limits/);
  });
});

describe('mounting an app with features (route)', () => {
  it('refuses a sub-app whose records would be lost', () => {
    const sub = createApp({ ...quiet, records: records() });
    sub.sqs('orders', () => {});
    const parent = createApp({ ...quiet, records: records() });
    expect(() => parent.route('/sub', sub)).toThrow(
      /registers records, which only the app exporting the handler serves/,
    );
  });

  it("refuses a sub-app whose routes would be limited by the parent's policies instead of its own", async () => {
    const sub = createApp({
      ...quiet,
      rateLimits: rateLimits({
        store: memoryRateLimitStore(),
        policies: { tight: { limit: 1, window: '1m' } },
      }),
    });
    sub.get('/x', { rateLimit: 'tight' }, () => 'ok');
    const loose = createApp({
      ...quiet,
      rateLimits: rateLimits({
        store: memoryRateLimitStore(),
        policies: { tight: { limit: 1000, window: '1m' } },
      }),
    });
    expect(() => loose.route('/sub', sub)).toThrow(/has its own rateLimits\(\)/);
    expect(() => createApp(quiet).route('/sub', sub)).toThrow(/would be served with none/);
    // The same value in both apps mounts, and the limit holds through the parent.
    const shared = rateLimits({
      store: memoryRateLimitStore(),
      policies: { tight: { limit: 1, window: '1m' } },
    });
    const inner = createApp({ ...quiet, rateLimits: shared });
    inner.get('/x', { rateLimit: 'tight' }, () => 'ok');
    const outer = createApp({ ...quiet, rateLimits: shared });
    outer.route('/sub', inner);
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await outer.request('/sub/x')).status);
    expect(statuses).toEqual([200, 429]);
  });
});

describe('services sharing one store', () => {
  it("cross-service rate-limit spend: one service cannot use up another's limit", async () => {
    const limits = rateLimits({ store: memoryRateLimitStore() });
    const make = (service: string) => {
      const app = createApp({ ...quiet, service, rateLimits: limits });
      app.post('/login', { rateLimit: { limit: 1, window: '1m', by: 'global' } }, () => 'ok');
      return app;
    };
    const a = make('a');
    const b = make('b');
    expect((await a.request('/login', { method: 'POST' })).status).toBe(200);
    expect((await a.request('/login', { method: 'POST' })).status).toBe(429);
    expect((await b.request('/login', { method: 'POST' })).status).toBe(200);
  });

  it("cross-service replay: one service never answers with another's stored result", async () => {
    const shared = idempotency({ store: memoryIdempotencyStore() });
    const make = (service: string) => {
      const app = createApp({ ...quiet, service, idempotency: shared });
      app.post('/pay', { idempotency: true }, (ctx) => ctx.json(201, { from: service }));
      return app;
    };
    const init = { method: 'POST', headers: { 'idempotency-key': 'k-1' }, json: { amount: 1 } } as const;
    expect((await make('a').request('/pay', init)).json()).toEqual({ from: 'a' });
    expect((await make('b').request('/pay', init)).json()).toEqual({ from: 'b' });
  });
});
