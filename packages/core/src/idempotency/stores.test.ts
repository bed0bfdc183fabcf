/**
 * The idempotency store contract, run against the memory store and the DynamoDB store (dynalite,
 * or DynamoDB Local with LIFT_TEST_DYNAMODB=local), and the engine over both: concurrency across two
 * store instances with their own clients (as two Lambda instances), lock expiry, fencing, sizes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityTable } from '../auth/security-table.js';
import { ensureTables } from '../dynamodb/ensure.js';
import { type DynamoDBServer, localClientConfig, startTestDynamoDB } from '../testing/dynamodb.js';
import { dynamoIdempotencyStore } from './dynamo.js';
import { runIdempotent } from './engine.js';
import { IdempotencyConflictError, IdempotencyMismatchError, ResultTooLargeError } from './errors.js';
import { idempotencyKey, payloadHash } from './keys.js';
import {
  completedItemBytes,
  DYNAMODB_ITEM_LIMIT,
  encodeResult,
  type IdempotencyStore,
  memoryIdempotencyStore,
  type StoredResult,
} from './store.js';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const LOCK = 30_000;
const TTL = 3_600_000;
let counter = 0;
const freshKey = (label: string) =>
  idempotencyKey({ tenant: 't1', scope: 'POST /payments', key: `${label}-${process.pid}-${counter++}` });
const hashA = payloadHash({ amount: 100, currency: 'EUR' });
const hashB = payloadHash({ amount: 200, currency: 'EUR' });
const at = (now: number, extra: { lockUntil?: number; expiresAt?: number } = {}) => ({
  now,
  lockUntil: extra.lockUntil ?? now + LOCK,
  expiresAt: extra.expiresAt ?? now + TTL,
});
const ok = (body: string): StoredResult => ({
  status: 201,
  headers: { 'content-type': 'application/json' },
  body,
});

const label = process.env.LIFT_TEST_DYNAMODB === 'local' ? 'DynamoDB Local' : 'dynalite';
let server: DynamoDBServer | undefined;
const raws: DynamoDBClient[] = [];
/** A new client of its own, as a separate Lambda instance has. */
function newClient(): DynamoDBDocumentClient {
  const raw = new DynamoDBClient(localClientConfig((server as DynamoDBServer).endpoint));
  raws.push(raw);
  return DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
}
/** A client that records the name of each command it sends. */
function countingClient(calls: string[]): DynamoDBDocumentClient {
  const real = newClient();
  return {
    send: (command: { constructor: { name: string } }, options?: unknown) => {
      calls.push(command.constructor.name);
      return (real.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
    },
  } as unknown as DynamoDBDocumentClient;
}

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

const kinds: [string, (options?: { maxItemBytes?: number }) => IdempotencyStore, () => IdempotencyStore][] = [
  [
    'memory',
    (options) => memoryIdempotencyStore(options),
    () => {
      throw new Error('a memory store is not shared');
    },
  ],
  [
    `dynamodb (${label})`,
    (options) => dynamoIdempotencyStore({ table: securityTable, client: newClient(), ...options }),
    () => dynamoIdempotencyStore({ table: securityTable, client: newClient() }),
  ],
];

for (const [kind, make, another] of kinds) {
  describe(`idempotency store contract (${kind})`, () => {
    it('first begin starts, a repeat in flight is in progress, after complete a repeat replays', async () => {
      const store = make();
      const key = freshKey('basic');
      const begun = await store.begin(key, { payloadHash: hashA, ...at(T0) });
      expect(begun.status).toBe('started');
      const fence = (begun as { fence: string }).fence;
      expect(fence).toMatch(/^[0-9a-f-]{36}$/);
      expect(await store.begin(key, { payloadHash: hashA, ...at(T0 + 10) })).toEqual({
        status: 'in_progress',
        lockUntil: T0 + LOCK,
      });
      const result = {
        ...ok('{"id":"p-1"}'),
        headers: { 'content-type': 'application/json', location: '/p/1' },
      };
      expect(await store.complete(key, fence, result, { expiresAt: T0 + TTL })).toBe('stored');
      expect(await store.begin(key, { payloadHash: hashA, ...at(T0 + 20) })).toEqual({
        status: 'completed',
        record: result,
      });
      // Completing again, or with the fence after completion, changes nothing.
      expect(await store.complete(key, fence, ok('other'), { expiresAt: T0 + TTL })).toBe('fenced_out');
      expect(await store.begin(key, { payloadHash: hashA, ...at(T0 + 30) })).toEqual({
        status: 'completed',
        record: result,
      });
    });

    it('the same key with a different payload hash is a mismatch, in flight and after completion', async () => {
      const store = make();
      const key = freshKey('mismatch');
      const begun = await store.begin(key, { payloadHash: hashA, ...at(T0) });
      expect(await store.begin(key, { payloadHash: hashB, ...at(T0 + 1) })).toEqual({ status: 'mismatch' });
      await store.complete(key, (begun as { fence: string }).fence, ok('{}'), { expiresAt: T0 + TTL });
      expect(await store.begin(key, { payloadHash: hashB, ...at(T0 + 2) })).toEqual({ status: 'mismatch' });
      // Also once the lock expired: the key stays bound to its first payload until the record expires.
      const crashed = freshKey('mismatch-crashed');
      await store.begin(crashed, { payloadHash: hashA, ...at(T0) });
      expect(await store.begin(crashed, { payloadHash: hashB, ...at(T0 + LOCK + 1) })).toEqual({
        status: 'mismatch',
      });
    });

    it('a crashed run (begin, never complete) frees the key when its lock expires (the Lambda deadline)', async () => {
      const store = make();
      const key = freshKey('crash');
      expect(
        (await store.begin(key, { payloadHash: hashA, ...at(T0, { lockUntil: T0 + 1000 }) })).status,
      ).toBe('started');
      expect((await store.begin(key, { payloadHash: hashA, ...at(T0 + 999) })).status).toBe('in_progress');
      // At the deadline the lock no longer holds.
      const retried = await store.begin(key, { payloadHash: hashA, ...at(T0 + 1000) });
      expect(retried.status).toBe('started');
      expect(
        await store.complete(key, (retried as { fence: string }).fence, ok('"retry"'), {
          expiresAt: T0 + TTL,
        }),
      ).toBe('stored');
      expect(await store.begin(key, { payloadHash: hashA, ...at(T0 + 2000) })).toMatchObject({
        status: 'completed',
        record: { body: '"retry"' },
      });
    });

    it('fencing: a run that outlived its lock cannot complete after a newer run took the key', async () => {
      const store = make();
      const key = freshKey('fence');
      const a = (await store.begin(key, { payloadHash: hashA, ...at(T0, { lockUntil: T0 + 1000 }) })) as {
        fence: string;
      };
      const b = (await store.begin(key, { payloadHash: hashA, ...at(T0 + 1500) })) as {
        status: string;
        fence: string;
      };
      expect(b.status).toBe('started');
      expect(b.fence).not.toBe(a.fence);
      // A is late: its result is refused, and its release does not free B's lock.
      expect(await store.complete(key, a.fence, ok('"from A"'), { expiresAt: T0 + TTL })).toBe('fenced_out');
      await store.release(key, a.fence);
      expect((await store.begin(key, { payloadHash: hashA, ...at(T0 + 1600) })).status).toBe('in_progress');
      expect(await store.complete(key, b.fence, ok('"from B"'), { expiresAt: T0 + TTL })).toBe('stored');
      expect(await store.begin(key, { payloadHash: hashA, ...at(T0 + 1700) })).toMatchObject({
        status: 'completed',
        record: { body: '"from B"' },
      });
    });

    it('release frees the key at once for the same payload, not for another', async () => {
      const store = make();
      const key = freshKey('release');
      const begun = (await store.begin(key, { payloadHash: hashA, ...at(T0) })) as { fence: string };
      await store.release(key, begun.fence);
      expect(await store.begin(key, { payloadHash: hashB, ...at(T0 + 1) })).toEqual({ status: 'mismatch' });
      expect((await store.begin(key, { payloadHash: hashA, ...at(T0 + 2) })).status).toBe('started');
    });

    it('a record expires at its expiresAt, never before its lock', async () => {
      const store = make();
      const key = freshKey('expiry');
      const begun = (await store.begin(key, {
        payloadHash: hashA,
        now: T0,
        lockUntil: T0 + 5000,
        // Shorter than the lock: the lock's end applies, or a duplicate could start while A runs.
        expiresAt: T0 + 1000,
      })) as { fence: string };
      expect((await store.begin(key, { payloadHash: hashB, ...at(T0 + 4999) })).status).toBe('mismatch');
      expect(await store.complete(key, begun.fence, ok('"done"'), { expiresAt: T0 + 10_000 })).toBe('stored');
      expect((await store.begin(key, { payloadHash: hashA, ...at(T0 + 9999) })).status).toBe('completed');
      // Expired (DynamoDB's TTL may not have deleted it yet): the key is new again, for any payload.
      expect((await store.begin(key, { payloadHash: hashB, ...at(T0 + 10_000) })).status).toBe('started');
    });

    it('keys are independent: another tenant or route with the same client key', async () => {
      const store = make();
      const client = `same-${process.pid}-${counter++}`;
      const keys = [
        idempotencyKey({ tenant: 't1', scope: 'POST /payments', key: client }),
        idempotencyKey({ tenant: 't2', scope: 'POST /payments', key: client }),
        idempotencyKey({ scope: 'POST /payments', key: client }),
        idempotencyKey({ tenant: 't1', scope: 'POST /refunds', key: client }),
        idempotencyKey({ tenant: 't1', scope: 'sqs:orders', key: client }),
      ];
      expect(new Set(keys).size).toBe(keys.length);
      for (const key of keys)
        expect((await store.begin(key, { payloadHash: hashA, ...at(T0) })).status).toBe('started');
    });

    it('binary bodies round-trip as base64', async () => {
      const store = make();
      const key = freshKey('binary');
      const begun = (await store.begin(key, { payloadHash: hashA, ...at(T0) })) as { fence: string };
      const result: StoredResult = {
        status: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from([0, 255, 1, 254]).toString('base64'),
        bodyEncoding: 'base64',
      };
      await store.complete(key, begun.fence, result, { expiresAt: T0 + TTL });
      expect(await store.begin(key, { payloadHash: hashA, ...at(T0 + 1) })).toEqual({
        status: 'completed',
        record: result,
      });
      const empty = freshKey('null-body');
      const e = (await store.begin(empty, { payloadHash: hashA, ...at(T0) })) as { fence: string };
      await store.complete(empty, e.fence, { status: 204, headers: {}, body: null }, { expiresAt: T0 + TTL });
      expect(await store.begin(empty, { payloadHash: hashA, ...at(T0 + 1) })).toEqual({
        status: 'completed',
        record: { status: 204, headers: {}, body: null },
      });
    });

    it('a result over the item limit is not stored; a marker is, and repeats are told why', async () => {
      const store = make({ maxItemBytes: 4096 });
      const key = freshKey('large');
      const begun = (await store.begin(key, { payloadHash: hashA, ...at(T0) })) as { fence: string };
      expect(await store.complete(key, begun.fence, ok('x'.repeat(5000)), { expiresAt: T0 + TTL })).toBe(
        'too_large',
      );
      expect(await store.begin(key, { payloadHash: hashA, ...at(T0 + 1) })).toEqual({
        status: 'unreplayable',
        reason: 'too_large',
        resultStatus: 201,
      });
      // Just under the limit is stored: the measure is an upper bound of what DynamoDB counts.
      const fits = freshKey('fits');
      const f = (await store.begin(fits, { payloadHash: hashA, ...at(T0) })) as { fence: string };
      expect(await store.complete(fits, f.fence, ok('y'.repeat(3500)), { expiresAt: T0 + TTL })).toBe(
        'stored',
      );
    });

    it('a write near DynamoDB’s 400 KB limit succeeds at the default limit, one over it becomes a marker', async () => {
      const store = make();
      const key = freshKey('default-limit');
      const begun = (await store.begin(key, { payloadHash: hashA, ...at(T0) })) as { fence: string };
      // Multi-byte characters: the limit is in UTF-8 bytes, not characters.
      expect(await store.complete(key, begun.fence, ok('é'.repeat(199_000)), { expiresAt: T0 + TTL })).toBe(
        'stored',
      );
      expect(await store.begin(key, { payloadHash: hashA, ...at(T0 + 1) })).toMatchObject({
        status: 'completed',
      });
      const big = freshKey('over-default');
      const b = (await store.begin(big, { payloadHash: hashA, ...at(T0) })) as { fence: string };
      expect(await store.complete(big, b.fence, ok('é'.repeat(205_000)), { expiresAt: T0 + TTL })).toBe(
        'too_large',
      );
    });

    it('of 20 simultaneous begins exactly one starts', async () => {
      const stores = kind === 'memory' ? [make()] : [another(), another()];
      const key = freshKey('race');
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (stores[i % stores.length] as IdempotencyStore).begin(key, { payloadHash: hashA, ...at(T0) }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'started')).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === 'in_progress')).toHaveLength(19);
    });

    it('20 concurrent identical runs (over two instances for DynamoDB): the work runs once, each caller gets its result or a 409', async () => {
      const stores = kind === 'memory' ? [make()] : [another(), another()];
      const key = freshKey('engine-race');
      let runs = 0;
      const attempt = (i: number) =>
        runIdempotent(
          stores[i % stores.length] as IdempotencyStore,
          key,
          hashA,
          at(T0 + i),
          async () => {
            runs++;
            await new Promise((resolve) => setTimeout(resolve, 400));
            return { id: 'p-1', run: runs };
          },
          (value) => ok(JSON.stringify(value)),
        ).then(
          (outcome) => (outcome.kind === 'ran' ? JSON.stringify(outcome.value) : outcome.stored.body),
          (error: unknown) => {
            if (error instanceof IdempotencyConflictError) return 'conflict';
            throw error;
          },
        );
      const first = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(i)));
      // Once the first finished, every repeat replays it.
      const later = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(i)));
      expect(runs).toBe(1);
      const answer = JSON.stringify({ id: 'p-1', run: 1 });
      // The one that ran, and any that came after it finished (a slow machine), got its answer.
      expect(first.filter((a) => a === answer).length).toBeGreaterThanOrEqual(1);
      expect(first.filter((a) => a === answer || a === 'conflict')).toHaveLength(20);
      expect(first.filter((a) => a === 'conflict').length).toBeGreaterThan(0);
      expect(later.every((a) => a === answer)).toBe(true);
    });

    it('engine: 5xx and thrown runs are not stored and free the key; a mismatch is a 422; too large is a 409 for repeats', async () => {
      const store = make({ maxItemBytes: 4096 });
      const key = freshKey('engine');
      let runs = 0;
      const server5xx = await runIdempotent(
        store,
        key,
        hashA,
        at(T0),
        async () => ++runs,
        () => ({
          status: 503,
          headers: {},
          body: null,
        }),
      );
      expect(server5xx).toEqual({ kind: 'ran', value: 1, saved: 'not_stored' });
      const notStored = await runIdempotent(
        store,
        key,
        hashA,
        at(T0 + 1),
        async () => ++runs,
        () => undefined,
      );
      expect(notStored.kind).toBe('ran');
      await expect(
        runIdempotent(
          store,
          key,
          hashA,
          at(T0 + 2),
          async () => {
            runs++;
            throw new Error('boom');
          },
          () => ok('never'),
        ),
      ).rejects.toThrow('boom');
      // Each failure released the lock: the next attempt runs at once, and its 2xx is stored.
      const stored = await runIdempotent(
        store,
        key,
        hashA,
        at(T0 + 3),
        async () => ++runs,
        (v) => ok(String(v)),
      );
      expect(stored).toEqual({ kind: 'ran', value: 4, saved: 'stored' });
      expect(
        await runIdempotent(
          store,
          key,
          hashA,
          at(T0 + 4),
          async () => ++runs,
          (v) => ok(String(v)),
        ),
      ).toEqual({
        kind: 'replayed',
        stored: ok('4'),
      });
      expect(runs).toBe(4);
      const mismatch = runIdempotent(
        store,
        key,
        hashB,
        at(T0 + 5),
        async () => ++runs,
        (v) => ok(String(v)),
      );
      await expect(mismatch).rejects.toBeInstanceOf(IdempotencyMismatchError);
      await expect(mismatch).rejects.toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });

      const large = freshKey('engine-large');
      const original = await runIdempotent(
        store,
        large,
        hashA,
        at(T0),
        async () => 'x'.repeat(5000),
        (v) => ok(v),
      );
      // The original caller still gets its answer.
      expect(original).toMatchObject({ kind: 'ran', saved: 'too_large' });
      expect((original as { value: string }).value).toHaveLength(5000);
      const repeat = runIdempotent(
        store,
        large,
        hashA,
        at(T0 + 1),
        async () => ++runs,
        (v) => ok(String(v)),
      );
      await expect(repeat).rejects.toBeInstanceOf(ResultTooLargeError);
      await expect(repeat).rejects.toMatchObject({
        status: 409,
        code: 'IDEMPOTENCY_RESULT_TOO_LARGE',
        details: { status: 201 },
      });
      expect(runs).toBe(4);
    });
  });
}

describe(`DynamoDB calls per request (${label})`, () => {
  it('first request: one conditional Put, one conditional Update; replay: the Put (plus a Get only where the server does not return the old item)', async () => {
    const calls: string[] = [];
    const store = dynamoIdempotencyStore({ table: securityTable, client: countingClient(calls) });
    const key = freshKey('calls');
    await runIdempotent(
      store,
      key,
      hashA,
      at(T0),
      async () => 'v',
      (v) => ok(v),
    );
    expect(calls).toEqual(['PutCommand', 'UpdateCommand']);
    calls.length = 0;
    expect(
      (
        await runIdempotent(
          store,
          key,
          hashA,
          at(T0 + 1),
          async () => 'w',
          (v) => ok(v),
        )
      ).kind,
    ).toBe('replayed');
    // DynamoDB (and DynamoDB Local) return the item on the error: one call. dynalite ignores
    // ReturnValuesOnConditionCheckFailure, so a strongly consistent Get follows there.
    expect(calls).toEqual(label === 'dynalite' ? ['PutCommand', 'GetCommand'] : ['PutCommand']);
  });

  it('the size measure bounds what the server counts: the largest result it accepts at 409 600 bytes is written', async () => {
    const store = dynamoIdempotencyStore({
      table: securityTable,
      client: newClient(),
      maxItemBytes: DYNAMODB_ITEM_LIMIT,
    });
    const key = freshKey('bound');
    const begun = (await store.begin(key, { payloadHash: hashA, ...at(T0) })) as { fence: string };
    const empty = completedItemBytes(key, begun.fence, encodeResult(ok('')));
    const body = 'z'.repeat(DYNAMODB_ITEM_LIMIT - empty);
    expect(completedItemBytes(key, begun.fence, encodeResult(ok(body)))).toBe(DYNAMODB_ITEM_LIMIT);
    expect(await store.complete(key, begun.fence, ok(body), { expiresAt: T0 + TTL })).toBe('stored');
    expect(await store.begin(key, { payloadHash: hashA, ...at(T0 + 1) })).toMatchObject({
      status: 'completed',
      record: { body },
    });
  });
});
