import { describe, expect, it } from 'vitest';
import { createAccessControl } from '../auth/access-control.js';
import { records } from '../events/feature.js';
import { cors } from '../http/cors.js';
import { rateLimits } from '../ratelimit/limits.js';
import { memoryRateLimitStore } from '../ratelimit/memory-store.js';
import { createApp } from './app.js';

const access = () => createAccessControl({ authenticators: [() => undefined] });

describe('app.manifest()', () => {
  it('lists every route with its access, roles, scopes and the CORS rules that cover it', () => {
    const app = createApp({
      records: records(),
      service: 'shop',
      access: access(),
      rateLimits: rateLimits({ store: memoryRateLimitStore() }),
    });
    app.use(cors({ origins: ['https://shop.example.com'], credentials: true }));
    app.get('/health', { auth: 'public' }, (ctx) => ctx.text('ok'));
    app.post(
      '/orders',
      {
        auth: { roles: ['user'], scopes: ['orders:write'] },
        rateLimit: { limit: 5, window: '1m', by: 'user' },
      },
      (ctx) => ctx.json({}),
    );
    const admin = app.group('/admin');
    admin.use(cors({ origins: ['https://admin.example.com'] }));
    admin.delete('/orders/:id', { auth: {} }, (ctx) => ctx.empty(204));

    const manifest = app.manifest();
    expect(manifest.service).toBe('shop');
    expect(manifest.cors?.origins).toEqual(['https://shop.example.com']);
    expect(manifest.cors?.credentials).toBe(true);
    expect(manifest.routes.map(({ cors: c, ...r }) => ({ ...r, origins: c?.origins }))).toEqual([
      { method: 'GET', pattern: '/health', access: 'public', origins: ['https://shop.example.com'] },
      {
        method: 'POST',
        pattern: '/orders',
        access: 'protected',
        roles: ['user'],
        scopes: ['orders:write'],
        rateLimited: true,
        origins: ['https://shop.example.com'],
      },
      {
        method: 'DELETE',
        pattern: '/admin/orders/:id',
        access: 'protected',
        origins: ['https://admin.example.com'],
      },
    ]);
  });

  it('says routes are open when the app has no access control', () => {
    const app = createApp({ records: records(), service: 'hello' });
    app.get('/', (ctx) => ctx.text('hi'));
    expect(app.manifest().routes).toEqual([{ method: 'GET', pattern: '/', access: 'open' }]);
    expect(app.manifest().cors).toBeUndefined();
  });

  it('a predicate origin is reported as not expressible (origins undefined)', () => {
    const app = createApp({ records: records(), service: 'x' });
    app.use(cors({ origins: (o) => o.endsWith('.example.com') }));
    expect(app.manifest().cors?.origins).toBeUndefined();
  });

  it('lists record registrations with their filters, EventBridge patterns and schedules', () => {
    const app = createApp({ records: records(), service: 'kefir' });
    app.sqs('reminders', async () => {});
    app.sns('alerts-*', async () => {});
    app.s3('photos', { events: ['ObjectCreated:*'], prefix: 'uploads/', suffix: '.jpg' }, async () => {});
    app.dynamodbStream('kefir', { events: ['INSERT'] }, async () => {});
    app.kinesis('clicks', async () => {});
    app.eventBridge({ source: 'kefir.batches', detailType: ['BatchCreated'] }, async () => {});
    app.eventBridge({ source: ['a', 'b'] }, async () => {});
    app.schedule('due-reminders', { rate: '1 minute' }, async () => {});

    const m = app.manifest();
    expect(m.records).toEqual([
      { source: 'sqs', name: 'reminders', exact: true },
      { source: 'sns', name: 'alerts-*', exact: false },
      {
        source: 's3',
        name: 'photos',
        exact: true,
        events: ['ObjectCreated:*'],
        prefix: 'uploads/',
        suffix: '.jpg',
      },
      { source: 'dynamodb', name: 'kefir', exact: true, events: ['INSERT'] },
      { source: 'kinesis', name: 'clicks', exact: true },
    ]);
    expect(m.eventBridge).toEqual([
      { source: ['kefir.batches'], detailType: ['BatchCreated'] },
      { source: ['a', 'b'] },
    ]);
    expect(m.schedules.map((s) => [s.name, s.expression])).toEqual([['due-reminders', 'rate(1 minute)']]);
  });
});
