import { describe, expect, it } from 'vitest';
import { ConfigurationError, InvalidEventError } from '../errors/errors.js';
import { records } from '../events/feature.js';
import { idempotency } from '../idempotency/routes.js';
import { memoryIdempotencyStore } from '../idempotency/store.js';
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
});
