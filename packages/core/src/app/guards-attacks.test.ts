/** Attacks on the guards around handlers: FIFO queues, key functions, handler-built responses, inline limits. */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { LiftResponse } from '../context/response.js';
import { records } from '../events/feature.js';
import { idempotency } from '../idempotency/routes.js';
import { memoryIdempotencyStore } from '../idempotency/store.js';
import { rateLimits } from '../ratelimit/limits.js';
import { memoryRateLimitStore } from '../ratelimit/memory-store.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { sqsEvent } from '../testing/records.js';
import { createApp } from './app.js';

describe('attacks on the guards', () => {
  it('handler-built response: the RateLimit headers reach a LiftResponse the handler built', async () => {
    const app = createApp({
      records: records(),
      logger: false,
      metrics: false,
      tracing: false,
      rateLimits: rateLimits({ store: memoryRateLimitStore() }),
    });
    app.get(
      '/raw',
      { rateLimit: { limit: 5, window: '1m', name: 'raw' } },
      () => new LiftResponse(200, { 'content-type': 'text/plain' }, 'x'),
    );
    const res = await app.request('/raw');
    expect(res.headers.get('ratelimit')).toBe('"raw";r=4;t=60');
  });

  it('FIFO: a message whose key is in flight elsewhere fails, and the rest of its group is not started', async () => {
    let open = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const store = memoryIdempotencyStore();
    const mk = (wait?: Promise<void>) => {
      const seen: string[] = [];
      const app = createApp({
        records: records(),
        logger: false,
        metrics: false,
        tracing: false,
        idempotency: idempotency({ store }),
      });
      app.sqs(
        'orders.fifo',
        { body: z.object({ orderId: z.string() }), idempotency: { key: (m) => m.body.orderId } },
        async (m) => {
          seen.push(m.messageId);
          await wait;
        },
      );
      return { app, seen };
    };
    const busy = mk(gate);
    const other = mk();
    const running = busy.app.handler(
      sqsEvent([{ body: '{"orderId":"o-1"}', messageId: 'x', groupId: 'g' }], { queue: 'orders.fifo' }),
      fakeLambdaContext(),
    );
    await new Promise((r) => setTimeout(r, 10));
    const during = await other.app.handler(
      sqsEvent(
        [
          { body: '{"orderId":"o-1"}', messageId: 'dup', groupId: 'g' },
          { body: '{"orderId":"o-2"}', messageId: 'next', groupId: 'g' },
          { body: '{"orderId":"o-3"}', messageId: 'elsewhere', groupId: 'h' },
        ],
        { queue: 'orders.fifo' },
      ),
      fakeLambdaContext(),
    );
    expect(during).toEqual({ batchItemFailures: [{ itemIdentifier: 'dup' }, { itemIdentifier: 'next' }] });
    expect(other.seen).toEqual(['elsewhere']);
    open();
    await running;
  });

  it('a key function that throws fails only its record', async () => {
    const app = createApp({
      records: records(),
      logger: false,
      metrics: false,
      tracing: false,
      idempotency: idempotency({ store: memoryIdempotencyStore() }),
    });
    const seen: string[] = [];
    app.sqs(
      'q',
      {
        idempotency: {
          key: (m) => {
            if (m.body === 'bad') throw new Error('no key');
            return m.body;
          },
        },
      },
      (m) => {
        seen.push(m.body);
      },
    );
    const r = await app.handler(
      sqsEvent(
        [
          { body: 'bad', messageId: 'b' },
          { body: 'good', messageId: 'g' },
        ],
        { queue: 'q' },
      ),
      fakeLambdaContext(),
    );
    expect(r).toEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(seen).toEqual(['good']);
  });
});

describe('rate-limit fallback collision', () => {
  it('double count: two unnamed inline limits (by ip, by user) never count an anonymous request twice', async () => {
    const app = createApp({
      records: records(),
      logger: false,
      metrics: false,
      tracing: false,
      rateLimits: rateLimits({ store: memoryRateLimitStore() }),
    });
    app.post(
      '/x',
      {
        rateLimit: [
          { limit: 4, window: '1m', by: 'ip' },
          { limit: 4, window: '1m', by: 'user' },
        ],
      },
      () => 'ok',
    );
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await app.request('/x', { method: 'POST' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});
