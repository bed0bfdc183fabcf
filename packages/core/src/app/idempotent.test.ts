/**
 * Route and queue idempotency through the app: replays, 409 in flight, 422 on another payload,
 * tenants apart, errors and invalid requests never stored; and over two app instances sharing
 * DynamoDB (dynalite, or DynamoDB Local with LIFT_TEST_DYNAMODB=local), 20 concurrent identical
 * requests run the handler once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createAccessControl } from '../auth/access-control.js';
import { securityTable } from '../auth/security-table.js';
import type { Principal } from '../context/principal.js';
import { ensureTables } from '../dynamodb/ensure.js';
import { records } from '../events/feature.js';
import { dynamoIdempotencyStore } from '../idempotency/dynamo.js';
import { idempotency } from '../idempotency/routes.js';
import { type IdempotencyStore, memoryIdempotencyStore } from '../idempotency/store.js';
import { testPrincipal } from '../test-support/principals.js';
import { type DynamoDBServer, localClientConfig, startTestDynamoDB } from '../testing/dynamodb.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { sqsEvent } from '../testing/records.js';
import { createApp } from './app.js';

const tenantOf: Record<string, Principal> = Object.fromEntries(
  ['t-1', 't-2'].map((tenantId) => [tenantId, testPrincipal('u', tenantId)]),
);

function paymentsApp(store: IdempotencyStore, gate?: Promise<void>) {
  let runs = 0;
  const app = createApp({
    records: records(),
    service: 'payments',
    logger: false,
    metrics: false,
    tracing: false,
    onError: () => {},
    idempotency: idempotency({ store }),
    access: createAccessControl({
      authenticators: [(ctx) => tenantOf[ctx.header('authorization')?.slice(7) ?? '']],
      audit: () => {},
    }),
  });
  app.post(
    '/payments',
    { auth: {}, body: z.object({ amount: z.number().int().positive() }), idempotency: { ttl: '1h' } },
    async (ctx) => {
      runs++;
      await gate;
      if (ctx.body.amount === 13) throw new Error('unlucky');
      return ctx.json(201, { id: `pay-${runs}`, amount: ctx.body.amount });
    },
  );
  return { app, runs: () => runs };
}

const pay = (key: string | undefined, body: string, tenant = 't-1', extra: Record<string, string> = {}) => ({
  method: 'POST',
  body,
  headers: {
    authorization: `Bearer ${tenant}`,
    'content-type': 'application/json',
    ...(key === undefined ? {} : { 'idempotency-key': key }),
    ...extra,
  },
});

describe('route idempotency', () => {
  it('runs once; a repeat replays the stored response marked Idempotent-Replayed; key order and whitespace do not matter', async () => {
    const { app, runs } = paymentsApp(memoryIdempotencyStore());
    const first = await app.request('/payments', pay('k1', '{"amount":100}'));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await app.request('/payments', pay('k1', '{ "amount" : 100 }'));
    expect(again.status).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(runs()).toBe(1);
  });

  it('the same key with another payload is a 422; without a key the route runs each time', async () => {
    const { app, runs } = paymentsApp(memoryIdempotencyStore());
    await app.request('/payments', pay('k2', '{"amount":100}'));
    const other = await app.request('/payments', pay('k2', '{"amount":200}'));
    expect(other.status).toBe(422);
    expect(other.json()).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    await app.request('/payments', pay(undefined, '{"amount":100}'));
    await app.request('/payments', pay(undefined, '{"amount":100}'));
    expect(runs()).toBe(3);
  });

  it('a repeat while the first is in flight gets a 409 with Retry-After', async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const { app, runs } = paymentsApp(memoryIdempotencyStore(), gate);
    const first = app.request('/payments', pay('k3', '{"amount":100}'));
    await new Promise((r) => setTimeout(r, 10));
    const during = await app.request('/payments', pay('k3', '{"amount":100}'));
    expect(during.status).toBe(409);
    expect(during.headers.get('retry-after')).toBe('1');
    open();
    expect((await first).status).toBe(201);
    expect(runs()).toBe(1);
  });

  it('cross-tenant key collision: the same key from two tenants runs for each', async () => {
    const { app, runs } = paymentsApp(memoryIdempotencyStore());
    const a = await app.request('/payments', pay('shared', '{"amount":100}', 't-1'));
    const b = await app.request('/payments', pay('shared', '{"amount":100}', 't-2'));
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(a.json()).not.toEqual(b.json());
    expect(runs()).toBe(2);
  });

  it('a thrown error (500) and an invalid body (422) are never stored: the key is free for the retry', async () => {
    const { app, runs } = paymentsApp(memoryIdempotencyStore());
    expect((await app.request('/payments', pay('k4', '{"amount":13}'))).status).toBe(500);
    expect((await app.request('/payments', pay('k4', '{"amount":13}'))).status).toBe(500);
    expect(runs()).toBe(2);
    expect((await app.request('/payments', pay('k5', '{"amount":-1}'))).status).toBe(422);
    expect((await app.request('/payments', pay('k5', '{"amount":-1}'))).status).toBe(422);
    expect(runs()).toBe(2);
  });

  it('repeated Idempotency-Key headers are ambiguous: 400, and nothing runs', async () => {
    const { app, runs } = paymentsApp(memoryIdempotencyStore());
    const both = await app.request('/payments', {
      ...pay(undefined, '{"amount":100}'),
      headers: {
        authorization: 'Bearer t-1',
        'content-type': 'application/json',
        'idempotency-key': ['a', 'b'],
      },
    });
    expect(both.status).toBe(400);
    expect(runs()).toBe(0);
    expect((await app.request('/payments', pay('', '{"amount":100}'))).status).toBe(400);
  });

  it('required: a request without a key is refused; a key function reads where the app says', async () => {
    const app = createApp({
      records: records(),
      logger: false,
      metrics: false,
      tracing: false,
      idempotency: idempotency({ store: memoryIdempotencyStore() }),
    });
    let runs = 0;
    app.post('/strict', { idempotency: { required: true } }, () => ++runs);
    app.post('/by-query', { idempotency: { key: (ctx) => ctx.queryAll('op')[0] } }, () => ++runs);
    expect((await app.request('/strict', { method: 'POST' })).status).toBe(400);
    await app.request('/by-query?op=x', { method: 'POST' });
    const replay = await app.request('/by-query?op=x', { method: 'POST' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(runs).toBe(1);
  });

  it('refuses mistakes at start-up', () => {
    const bare = createApp({ records: records(), logger: false, metrics: false, tracing: false });
    bare.post('/x', { idempotency: true }, () => 'ok');
    expect(() => bare.compile()).toThrow(
      /POST \/x declares idempotency but the app has none: createApp\(\{ idempotency: idempotency\(/,
    );
    const app = createApp({
      records: records(),
      logger: false,
      metrics: false,
      tracing: false,
      idempotency: idempotency({ store: memoryIdempotencyStore() }),
    });
    app.post('/y', { idempotency: { key: 'cookie:k' as 'header:k' } }, () => 'ok');
    expect(() => app.compile()).toThrow(/'header:<name>' or a function/);
    expect(() =>
      createApp({
        records: records(),
        idempotency: idempotency({ store: memoryIdempotencyStore(), ttl: 'forever' }),
      }),
    ).toThrow(/ttl/);
  });
});

describe('queue idempotency', () => {
  const Order = z.object({ orderId: z.string(), total: z.number() });
  const queueApp = (store: IdempotencyStore, gate?: Promise<void>) => {
    const seen: string[] = [];
    const app = createApp({
      records: records(),
      logger: false,
      metrics: false,
      tracing: false,
      idempotency: idempotency({ store }),
    });
    app.sqs('orders', { body: Order, idempotency: { key: (m) => m.body.orderId } }, async (m) => {
      seen.push(m.body.orderId);
      await gate;
    });
    return { app, seen };
  };

  it('a redelivered message is acknowledged without running again; another payload under its key fails', async () => {
    const { app, seen } = queueApp(memoryIdempotencyStore());
    const order = JSON.stringify({ orderId: 'o-1', total: 5 });
    const first = await app.handler(sqsEvent([{ body: order }], { queue: 'orders' }), fakeLambdaContext());
    expect(first).toEqual({ batchItemFailures: [] });
    const event = sqsEvent(
      [
        { body: order, messageId: 'again' },
        { body: JSON.stringify({ orderId: 'o-1', total: 6 }), messageId: 'changed' },
      ],
      { queue: 'orders' },
    );
    expect(await app.handler(event, fakeLambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: 'changed' }],
    });
    expect(seen).toEqual(['o-1']);
  });

  it('a message whose key is in flight elsewhere is reported failed, to be retried', async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const store = memoryIdempotencyStore();
    const busy = queueApp(store, gate);
    const other = queueApp(store);
    const order = JSON.stringify({ orderId: 'o-2', total: 5 });
    const running = busy.app.handler(sqsEvent([{ body: order }], { queue: 'orders' }), fakeLambdaContext());
    await new Promise((r) => setTimeout(r, 10));
    const during = await other.app.handler(
      sqsEvent([{ body: order, messageId: 'dup' }], { queue: 'orders' }),
      fakeLambdaContext(),
    );
    expect(during).toEqual({ batchItemFailures: [{ itemIdentifier: 'dup' }] });
    open();
    expect(await running).toEqual({ batchItemFailures: [] });
    expect(other.seen).toEqual([]);
  });
});

describe(`two app instances on one DynamoDB (${process.env.LIFT_TEST_DYNAMODB === 'local' ? 'DynamoDB Local' : 'dynalite'})`, () => {
  let server: DynamoDBServer | undefined;
  const raws: DynamoDBClient[] = [];
  const store = () => {
    const raw = new DynamoDBClient(localClientConfig((server as DynamoDBServer).endpoint));
    raws.push(raw);
    return dynamoIdempotencyStore({ table: securityTable, client: DynamoDBDocumentClient.from(raw) });
  };
  beforeAll(async () => {
    server = await startTestDynamoDB();
    const raw = new DynamoDBClient(localClientConfig(server.endpoint));
    raws.push(raw);
    await ensureTables(raw, [securityTable]);
  }, 120_000);
  afterAll(async () => {
    for (const raw of raws) raw.destroy();
    await server?.close();
  });

  it('20 concurrent identical requests: the handler runs once, each caller gets the first response or a 409', async () => {
    const a = paymentsApp(store(), new Promise((r) => setTimeout(r, 200)));
    const b = paymentsApp(store(), new Promise((r) => setTimeout(r, 200)));
    const key = `race-${process.pid}-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).app.request('/payments', pay(key, '{"amount":100}')),
      ),
    );
    expect(a.runs() + b.runs()).toBe(1);
    // One ran; the others were refused while it ran (409) or replayed its answer once it had finished.
    const created = answers.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    expect(created).toHaveLength(1);
    for (const r of answers) {
      if (r.status === 201) expect(r.json()).toEqual(created[0]?.json());
      else expect(r.status).toBe(409);
    }
    expect(answers.filter((r) => r.status === 409).length).toBeGreaterThan(0);
    const replay = await a.app.request('/payments', pay(key, '{"amount":100}'));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json()).toEqual(created[0]?.json());
    expect(a.runs() + b.runs()).toBe(1);
  });
});
