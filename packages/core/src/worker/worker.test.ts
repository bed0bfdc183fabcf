import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import { ConfigurationError, InvalidEventError } from '../errors/errors.js';
import { records } from '../events/feature.js';
import type { RecordHost } from '../events/methods.js';
import { idempotency } from '../idempotency/routes.js';
import { memoryIdempotencyStore } from '../idempotency/store.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { useProductionObservability } from '../test-support/environment.js';
import { albEvent, functionUrlEvent, httpApiEvent, restApiEvent } from '../testing/events.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { scheduleEvent, sqsEvent } from '../testing/records.js';
import { createWorker } from './worker.js';

const lambda = () => fakeLambdaContext({ timeoutMs: 30_000 });
const quiet = () => createWorker({ service: 'worker-test', logger: false, metrics: false });

describe('createWorker', () => {
  it('shares its record methods with an app: one function registers a consumer on either', async () => {
    const seen: string[] = [];
    const consumeOrders = <H extends RecordHost<Record<string, unknown>>>(host: H): H =>
      host.sqs('orders', (message) => {
        seen.push(message.body);
      });
    const worker = consumeOrders(quiet());
    const app = consumeOrders(
      createApp({ service: 'app', records: records(), logger: false, metrics: false, tracing: false }),
    );
    // Chaining keeps each owner's own type.
    expect(typeof worker.schedules).toBe('function');
    expect(typeof app.get).toBe('function');
    await worker.handler(sqsEvent([{ body: 'w' }], { queue: 'orders' }), lambda());
    await app.handler(sqsEvent([{ body: 'a' }], { queue: 'orders' }), lambda());
    expect(seen).toEqual(['w', 'a']);
  });

  it('serves an SQS batch and answers with the failed messages only', async () => {
    const Order = z.object({ id: z.string() });
    const seen: string[] = [];
    const worker = quiet().sqs('orders', { body: Order }, (message) => {
      if (message.body.id === 'bad') throw new Error('refused');
      seen.push(message.body.id);
    });
    const event = sqsEvent(
      [{ body: '{"id":"a"}' }, { body: '{"id":"bad"}' }, { body: 'not json' }, { body: '{"id":"b"}' }],
      { queue: 'orders' },
    );
    const ids = (event.Records as { messageId: string }[]).map((r) => r.messageId);
    const out = await worker.handler(event, lambda());
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: ids[1] }, { itemIdentifier: ids[2] }] });
    expect(seen).toEqual(['a', 'b']);
  });

  it('runs record middleware and fires declared schedules; its manifest reads like an app', async () => {
    const order: string[] = [];
    const worker = quiet()
      .useRecords(async (_record, _ctx, next) => {
        order.push('middleware');
        await next();
      })
      .schedule('nightly', { cron: '0 3 * * ? *' }, () => {
        order.push('nightly');
      })
      .sqs('jobs-*', () => {
        order.push('job');
      });
    await worker.handler(scheduleEvent('nightly'), lambda());
    await worker.handler(sqsEvent([{ body: 'x' }], { queue: 'jobs-eu' }), lambda());
    expect(order).toEqual(['middleware', 'nightly', 'middleware', 'job']);
    expect(worker.schedules().map((s) => s.name)).toEqual(['nightly']);
    expect(worker.manifest()).toMatchObject({
      service: 'worker-test',
      routes: [],
      cors: undefined,
      records: [{ source: 'sqs', name: 'jobs-*', exact: false }],
      schedules: [{ name: 'nightly' }],
    });
  });

  it('refuses an HTTP request by name, for every HTTP event shape', async () => {
    const worker = quiet().sqs('orders', () => {});
    const events = [
      httpApiEvent({ path: '/' }),
      functionUrlEvent({ path: '/' }),
      restApiEvent({ path: '/' }),
      albEvent({ path: '/' }),
    ];
    for (const event of events)
      await expect(worker.handler(event, lambda())).rejects.toThrow(
        new InvalidEventError(
          'Unsupported event: an HTTP request, and a worker serves none (createApp serves HTTP)',
        ),
      );
    await expect(worker.handler({ something: 'else' }, lambda())).rejects.toBeInstanceOf(InvalidEventError);
  });

  it('does not take records or authorizer payloads that carry HTTP-looking keys for requests', async () => {
    const seen: string[] = [];
    const worker = quiet().sqs('orders', (m) => {
      seen.push(m.body);
    });
    // A stray requestContext on an SQS event is no HTTP request, as the app's adapters decide.
    const batch = { ...sqsEvent([{ body: 'kept' }], { queue: 'orders' }), requestContext: { http: {} } };
    expect(await worker.handler(batch, lambda())).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual(['kept']);
    const authorizer = { type: 'REQUEST', methodArn: 'arn:x', httpMethod: 'GET', requestContext: {} };
    await expect(worker.handler(authorizer, lambda())).rejects.toThrow(/not an HTTP request nor a record/);
  });

  it('refuses HTTP options by name, unknown options, and registrations once it has served', async () => {
    expect(() => createWorker({ securityHeaders: false } as never)).toThrow(
      /createWorker: unknown option "securityHeaders"; a worker serves no HTTP, its options are service, /,
    );
    expect(() => createWorker({ records: {} } as never)).toThrow(/unknown option "records"/);
    expect(() => createWorker({ servce: 'x' } as never)).toThrow(/createWorker: unknown option "servce"/);
    expect(() => createWorker({ service: '' })).toThrow(/createWorker option "service"/);
    expect(() => createWorker({ logger: {} as never })).toThrow(/createWorker option "logger"/);
    expect(() => createWorker({ logger: null as never })).toThrow(/createWorker option "logger"/);
    expect(() => createWorker({ metrics: null as never })).toThrow(/createWorker option "metrics"/);
    expect(() => createWorker({ service: null as never })).toThrow(/createWorker option "service"/);
    expect(() => createWorker([] as never)).toThrow(/createWorker: options must be an object/);
    expect(() => createWorker({ idempotency: { forApp() {} } as never })).toThrow(
      /createWorker option "idempotency" takes idempotency\(/,
    );
    const worker = quiet().sqs('a', () => {});
    expect(() => worker.sqs('b', () => {})).not.toThrow();
    await worker.handler(sqsEvent([{ body: 'x' }], { queue: 'a' }), lambda());
    expect(() => worker.sqs('c', () => {})).toThrow(ConfigurationError);
    expect(() => worker.useRecords(42 as never)).toThrow(/frozen/);
  });

  it('runs an idempotent queue once per key, and names createWorker when idempotency is missing', async () => {
    expect(() => quiet().sqs('orders', { idempotency: { key: (m) => m.body } }, () => {})).toThrow(
      /but the worker has none: createWorker\(\{ idempotency: idempotency\(/,
    );
    let runs = 0;
    const worker = createWorker({
      logger: false,
      metrics: false,
      idempotency: idempotency({ store: memoryIdempotencyStore() }),
    }).sqs('orders', { idempotency: { key: (m) => m.body } }, () => {
      runs++;
    });
    await worker.handler(sqsEvent([{ body: 'k1' }], { queue: 'orders' }), lambda());
    await worker.handler(sqsEvent([{ body: 'k1' }, { body: 'k2' }], { queue: 'orders' }), lambda());
    expect(runs).toBe(2);
  });
});

describe('a worker observes its records', () => {
  useProductionObservability();

  it('logs and measures the records as an app does', async () => {
    const lines: string[] = [];
    const write = (line: string) => {
      lines.push(line);
    };
    const worker = createWorker({
      service: 'billing',
      logger: createLogger({ service: 'billing', write }),
      metrics: createMetrics({ namespace: 'billing', service: 'billing', write }),
    }).sqs('orders', { body: z.object({ total: z.number() }) }, () => {
      throw new Error('boom');
    });
    await worker.handler(
      sqsEvent([{ body: '{"total":1}' }, { body: '{"total":"1"}' }], { queue: 'orders' }),
      lambda(),
    );
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    // A message refused by its schema is logged with the field that failed, not only "failed validation".
    const refused = parsed.find(
      (l) => l.message === 'Record failed' && JSON.stringify(l).includes('validation'),
    );
    expect(refused?.error).toMatchObject({
      name: 'UnprocessableError',
      details: { issues: [expect.objectContaining({ path: expect.stringContaining('total') })] },
    });
    expect(parsed.some((l) => l.level === 'ERROR' && l.service === 'billing')).toBe(true);
    expect(parsed.find((l) => typeof l._aws === 'object' && 'records' in l)).toMatchObject({
      service: 'billing',
      event_source: 'sqs',
      event_name: 'orders',
      records: 2,
      record_failures: 2,
    });
  });
});
