/** Keys, TTLs, payload hashes, errors, response helpers, and the DynamoDB store's fault handling. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { securityTable } from '../auth/security-table.js';
import { LiftResponse } from '../context/response.js';
import { defineTable } from '../dynamodb/table.js';
import {
  BadRequestError,
  ConfigurationError,
  ConflictError,
  errorEnvelope,
  ServiceUnavailableError,
} from '../errors/errors.js';
import { dynamoIdempotencyStore } from './dynamo.js';
import { replayResponse, storedResultOf } from './engine.js';
import {
  IdempotencyConflictError,
  IdempotencyMismatchError,
  InvalidIdempotencyKeyError,
  ResultTooLargeError,
} from './errors.js';
import { idempotencyKey, parseTtl, payloadHash } from './keys.js';
import { memoryIdempotencyStore } from './store.js';

describe('idempotencyKey', () => {
  it('scopes the client key by tenant and route, so neither can collide', () => {
    expect(idempotencyKey({ tenant: 't1', scope: 'POST /payments', key: 'k-1' })).toBe(
      't1#POST%20%2Fpayments#k-1',
    );
    expect(idempotencyKey({ scope: 'sqs:orders', key: 'o-1' })).toBe('#sqs%3Aorders#o-1');
    const keys = [
      idempotencyKey({ tenant: 't1', scope: 'POST /a', key: 'k' }),
      idempotencyKey({ tenant: 't2', scope: 'POST /a', key: 'k' }),
      idempotencyKey({ scope: 'POST /a', key: 'k' }),
      // '#' in a tenant or scope is encoded, so it cannot shift the parts.
      idempotencyKey({ tenant: 't1#POST /a', scope: 'x', key: 'k' }),
      idempotencyKey({ tenant: 't1', scope: 'POST /a#k', key: 'k' }),
      idempotencyKey({ tenant: 't1', scope: 'POST /a', key: 'k#k' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('refuses empty, too long, control characters and lone surrogates with a 400', () => {
    const bad = ['', 'x'.repeat(256), 'a\nb', 'a\u0000b', 'a\u007fb', 'a\u0085b', 'a\ud800b', '\udc00'];
    for (const key of bad) {
      const call = () => idempotencyKey({ tenant: 't1', scope: 'POST /a', key });
      expect(call).toThrow(InvalidIdempotencyKeyError);
      try {
        call();
      } catch (error) {
        expect(error).toBeInstanceOf(BadRequestError);
        expect(error).toMatchObject({ status: 400, code: 'IDEMPOTENCY_KEY_INVALID' });
      }
    }
    expect(idempotencyKey({ scope: 'POST /a', key: 'x'.repeat(255) })).toHaveLength(255 + 13);
    expect(idempotencyKey({ scope: 'POST /a', key: 'emoji-😀-ok' })).toContain('😀');
    expect(() => idempotencyKey({ tenant: '', scope: 'POST /a', key: 'k' })).toThrow(
      InvalidIdempotencyKeyError,
    );
    expect(() => idempotencyKey({ tenant: 't\t1', scope: 'POST /a', key: 'k' })).toThrow(/tenant/);
    expect(() => idempotencyKey({ scope: '', key: 'k' })).toThrow(ConfigurationError);
    // Within every part's limit, but too long together once encoded.
    expect(() => idempotencyKey({ tenant: 'é'.repeat(255), scope: 'é'.repeat(255), key: 'k' })).toThrow(
      /too long together/,
    );
  });
});

describe('parseTtl', () => {
  it('reads durations and milliseconds', () => {
    expect(parseTtl('24h')).toBe(86_400_000);
    expect(parseTtl('10m')).toBe(600_000);
    expect(parseTtl('7d')).toBe(604_800_000);
    expect(parseTtl('30s')).toBe(30_000);
    expect(parseTtl('250ms')).toBe(250);
    expect(parseTtl(5000)).toBe(5000);
  });

  it('refuses nonsense at start-up', () => {
    for (const bad of [
      '',
      '0h',
      '-1h',
      '1.5h',
      '24',
      'h',
      '24 h',
      '1w',
      '24H',
      '1e3ms',
      0,
      -5,
      1.5,
      Number.NaN,
      Infinity,
    ]) {
      expect(() => parseTtl(bad as string), String(bad)).toThrow(ConfigurationError);
    }
    expect(() => parseTtl(undefined as unknown as string)).toThrow(ConfigurationError);
  });
});

describe('payloadHash', () => {
  it('ignores key order and whitespace, never values', () => {
    const a = payloadHash(JSON.parse('{"amount": 100, "currency":"EUR", "items":[{"b":1,"a":2}]}'));
    const b = payloadHash(JSON.parse('{"items":[{"a":2,"b":1}],"currency":"EUR","amount":100}'));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(b);
    // Numbers in canonical form: 1.0 and 1e2 are the numbers 1 and 100.
    expect(payloadHash(JSON.parse('{"n":1.0,"m":1e2}'))).toBe(payloadHash({ m: 100, n: 1 }));
    for (const other of [
      { amount: 101, currency: 'EUR', items: [{ a: 2, b: 1 }] },
      { amount: '100', currency: 'EUR', items: [{ a: 2, b: 1 }] },
      { amount: 100, currency: 'EUR', items: [{ a: 2, b: 1 }], extra: null },
      { amount: 100, currency: 'EUR', items: [{ a: 1, b: 2 }] },
      { amount: 100, currency: 'EUR', items: [{ a: 2, b: 1 }, {}] },
    ])
      expect(payloadHash(other)).not.toBe(a);
    // Array order is a value.
    expect(payloadHash([1, 2])).not.toBe(payloadHash([2, 1]));
  });

  it('keeps JSON, bytes and no payload apart', () => {
    const hashes = [
      payloadHash(undefined),
      payloadHash(null),
      payloadHash(''),
      payloadHash('abc'),
      payloadHash(new TextEncoder().encode('abc')),
      payloadHash(new TextEncoder().encode('"abc"')),
      payloadHash(new Uint8Array()),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(payloadHash(new Uint8Array([1, 2]))).toBe(payloadHash(Buffer.from([1, 2])));
  });

  it('refuses what has no canonical JSON with a 400, and survives deep nesting', () => {
    expect(() => payloadHash(JSON.parse('{"a":"\\ud800"}'))).toThrow(BadRequestError);
    expect(() => payloadHash({ n: Number.NaN })).toThrow(BadRequestError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => payloadHash(cycle)).toThrow(BadRequestError);
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(payloadHash(deep)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('errors', () => {
  it('have stable codes, statuses and safe envelopes', () => {
    const conflict = new IdempotencyConflictError();
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_IN_PROGRESS',
      headers: { 'retry-after': '1' },
    });
    expect(new IdempotencyConflictError(2.2).headers).toEqual({ 'retry-after': '3' });
    expect(errorEnvelope(conflict, 'r-1')).toEqual({
      error: { code: 'IDEMPOTENCY_IN_PROGRESS', message: conflict.message, requestId: 'r-1' },
    });
    const mismatch = new IdempotencyMismatchError();
    expect(mismatch).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    const large = new ResultTooLargeError(201);
    expect(large).toBeInstanceOf(ConflictError);
    expect(errorEnvelope(large, 'r-2').error).toMatchObject({
      code: 'IDEMPOTENCY_RESULT_TOO_LARGE',
      details: { status: 201 },
    });
    expect(large.headers).toBeUndefined();
  });
});

describe('response helpers', () => {
  it('keep text and bytes, never a 5xx, and mark replays', () => {
    const text = storedResultOf(new LiftResponse(201, { 'content-type': 'application/json' }, '{"id":1}'));
    expect(text).toEqual({ status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":1}' });
    const bytes = new Uint8Array([0, 1, 2, 255]);
    const binary = storedResultOf(new LiftResponse(200, {}, bytes.subarray(1)));
    expect(binary).toEqual({ status: 200, headers: {}, body: 'AQL/', bodyEncoding: 'base64' });
    expect(storedResultOf(new LiftResponse(500, {}, 'x'))).toBeUndefined();
    expect(storedResultOf(new LiftResponse(503, {}, null))).toBeUndefined();
    expect(storedResultOf(new LiftResponse(422, {}, null))).toEqual({ status: 422, headers: {}, body: null });

    const replayed = replayResponse(binary as never);
    expect(replayed.status).toBe(200);
    expect(replayed.headers).toEqual({ 'idempotent-replayed': 'true' });
    expect(replayed.body).toEqual(new Uint8Array([1, 2, 255]));
    expect(replayResponse(text as never).body).toBe('{"id":1}');
  });
});

/** A document client whose `send` does what the test says. */
const fakeClient = (
  send: (command: { input: unknown }, options: { abortSignal?: AbortSignal }) => Promise<unknown>,
) => ({ send }) as unknown as DynamoDBDocumentClient;
const begin = { payloadHash: payloadHash({ a: 1 }), now: 1000, lockUntil: 2000, expiresAt: 5000 };

describe('dynamoIdempotencyStore faults and options', () => {
  it('reads the item DynamoDB returns on a failed condition (wire form): a replay is one call', async () => {
    let calls = 0;
    const store = dynamoIdempotencyStore({
      table: securityTable,
      client: fakeClient(async () => {
        calls++;
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
          Item: {
            PK: { S: 'IDEMPOTENCY#k' },
            SK: { S: 'IDEMPOTENCY' },
            state: { S: 'COMPLETED' },
            payloadHash: { S: begin.payloadHash },
            expiresAtMs: { N: '9000' },
            lockUntil: { N: '0' },
            result: { S: '{"status":200,"headers":{},"body":"hi"}' },
          },
        });
      }),
    });
    expect(await store.begin('k', begin)).toEqual({
      status: 'completed',
      record: { status: 200, headers: {}, body: 'hi' },
    });
    expect(calls).toBe(1);
  });

  it('a call that does not answer in time is a 503 with Retry-After; throttling too', async () => {
    const hanging = dynamoIdempotencyStore({
      table: securityTable,
      timeoutMs: 20,
      client: fakeClient(
        (_command, { abortSignal }) =>
          new Promise((_, reject) =>
            abortSignal?.addEventListener('abort', () => reject(new Error('aborted'))),
          ),
      ),
    });
    const slow = hanging.begin('k', begin);
    await expect(slow).rejects.toBeInstanceOf(ServiceUnavailableError);
    await expect(slow).rejects.toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    const throttled = dynamoIdempotencyStore({
      table: securityTable,
      client: fakeClient(async () => {
        throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
      }),
    });
    await expect(
      throttled.complete('k', 'f', { status: 200, headers: {}, body: null }, { expiresAt: 1 }),
    ).rejects.toMatchObject({
      status: 503,
    });
    const broken = dynamoIdempotencyStore({
      table: securityTable,
      client: fakeClient(async () => {
        throw new Error('AccessDenied');
      }),
    });
    await expect(broken.release('k', 'f')).rejects.toThrow('AccessDenied');
  });

  it("the caller's signal bounds every call", async () => {
    const store = dynamoIdempotencyStore({
      table: securityTable,
      client: fakeClient(
        (_command, { abortSignal }) =>
          new Promise((_, reject) =>
            abortSignal?.addEventListener('abort', () => reject(new Error('aborted'))),
          ),
      ),
    });
    const controller = new AbortController();
    const pending = store.begin('k', { ...begin, signal: controller.signal });
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    // Already aborted: no call at all.
    await expect(store.release('k', 'f', { signal: controller.signal })).rejects.toBe(reason);
    await expect(memoryIdempotencyStore().begin('k', { ...begin, signal: controller.signal })).rejects.toBe(
      reason,
    );
  });

  it('refuses bad options and inputs at once', async () => {
    expect(() => dynamoIdempotencyStore({ table: securityTable, ttl: 1 } as never)).toThrow(
      /unknown option "ttl"/,
    );
    expect(() => dynamoIdempotencyStore({ table: {} as never })).toThrow(ConfigurationError);
    const noTtl = defineTable({ name: 'no-ttl', partitionKey: { name: 'PK', type: 'S' } });
    expect(() => dynamoIdempotencyStore({ table: noTtl })).toThrow(/ttlAttribute/);
    const numeric = defineTable({
      name: 'numeric',
      partitionKey: { name: 'id', type: 'N' },
      ttlAttribute: 'exp',
    });
    expect(() => dynamoIdempotencyStore({ table: numeric })).toThrow(/string \(S\) keys/);
    expect(() => dynamoIdempotencyStore({ table: securityTable, maxItemBytes: 500_000 })).toThrow(
      /maxItemBytes/,
    );
    expect(() => dynamoIdempotencyStore({ table: securityTable, timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => memoryIdempotencyStore({ max: 1 } as never)).toThrow(
      /memoryIdempotencyStore: unknown option/,
    );
    const store = memoryIdempotencyStore();
    await expect(store.begin('k', { ...begin, lockUntil: begin.now })).rejects.toThrow(
      /lockUntil must be after now/,
    );
    await expect(store.begin('k', { ...begin, payloadHash: '' })).rejects.toThrow(/payloadHash/);
    await expect(store.begin('k', { ...begin, now: Number.NaN })).rejects.toThrow(/now must be epoch ms/);
  });

  it('writes only conditional writes, with the documented layout', async () => {
    const inputs: Record<string, unknown>[] = [];
    const store = dynamoIdempotencyStore({
      table: securityTable,
      client: fakeClient(async (command) => {
        inputs.push({ command: command.constructor.name, ...(command.input as object) });
        return {};
      }),
    });
    const begun = (await store.begin('t1#POST%20%2Fp#k', begin)) as { fence: string };
    await store.complete(
      't1#POST%20%2Fp#k',
      begun.fence,
      { status: 201, headers: {}, body: 'ok' },
      { expiresAt: 7200 },
    );
    await store.release('t1#POST%20%2Fp#k', begun.fence);
    expect(inputs).toMatchObject([
      {
        command: 'PutCommand',
        TableName: 'lift-security',
        Item: {
          PK: 'IDEMPOTENCY#t1#POST%20%2Fp#k',
          SK: 'IDEMPOTENCY',
          state: 'IN_PROGRESS',
          payloadHash: begin.payloadHash,
          fence: begun.fence,
          lockUntil: 2000,
          expiresAtMs: 5000,
          expiresAt: 5,
        },
        ConditionExpression:
          'attribute_not_exists(#pk) OR #until <= :now OR (#state = :inProgress AND #lock <= :now AND #hash = :hash)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
      {
        command: 'UpdateCommand',
        Key: { PK: 'IDEMPOTENCY#t1#POST%20%2Fp#k', SK: 'IDEMPOTENCY' },
        ConditionExpression: '#fence = :fence AND #state = :inProgress',
      },
      { command: 'UpdateCommand', UpdateExpression: 'SET #lock = :zero' },
    ]);
    for (const input of inputs) expect(input.ConditionExpression).toBeDefined();
  });
});
