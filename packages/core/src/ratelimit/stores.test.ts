/**
 * One contract for every rate-limit store, run against the memory store and the DynamoDB store
 * (dynalite, or DynamoDB Local with LIFT_TEST_DYNAMODB=local), with and without a lease; then what
 * only the DynamoDB store does: its item layout, sharing one window between instances, deciding
 * locally when it can, and the conditional write that returns the stored item when it fails.
 */
import { createHash } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { securityTable } from '../auth/security-table.js';
import { useTestDynamoDB } from '../test-support/dynamodb-client.js';
import { mostInAnyWindow } from '../test-support/sliding-window.js';
import { admits, type RateLimitStore } from './decision.js';
import { type DynamoRateLimitStore, dynamoRateLimitStore, MAX_SLOTS_PER_WRITE } from './dynamo-store.js';
import { memoryRateLimitStore } from './memory-store.js';
import { checkRule, type RateLimitRule } from './rule.js';

const db = useTestDynamoDB();

const dynamo = (): DynamoRateLimitStore =>
  dynamoRateLimitStore({ table: securityTable, client: db.client(), timeoutMs: 5000 });

let n = 0;
const fresh = (label: string) => `${label}-${++n}-${Math.random().toString(36).slice(2)}`;
const T0 = Date.parse('2026-11-23T10:00:00Z');

type Extra = (limit: number) => Pick<RateLimitRule, 'lease'>;
const none: Extra = () => ({});
const stores: [string, () => RateLimitStore, Extra][] = [
  ['memory', () => memoryRateLimitStore(), none],
  ['dynamodb', dynamo, none],
  ['dynamodb, leased', dynamo, (limit) => ({ lease: { size: Math.min(2, limit), maxMs: 1000 } })],
  [
    'dynamodb through the document client',
    () =>
      dynamoRateLimitStore({
        table: securityTable,
        client: DynamoDBDocumentClient.from(db.client()),
        timeoutMs: 5000,
      }),
    none,
  ],
];

for (const [kind, make, extra] of stores) {
  // A lease holds its admissions up to maxMs longer; the contract below is written for that slack.
  const leased = extra(1).lease !== undefined;
  const slack = leased ? 1000 : 0;
  describe(`rate-limit store (${kind})`, () => {
    it('admits `limit` requests, then limits with the time until the first leaves the window', async () => {
      const store = make();
      const rule = checkRule('test', { limit: 3, window: '10s', name: 'login', ...extra(3) });
      const key = fresh('ip');
      const seen = [];
      for (const at of [0, 1000, 2000, 3000]) seen.push(await store.consume(key, rule, { now: T0 + at }));
      expect(seen.map((d) => d.outcome)).toEqual(['allowed', 'allowed', 'allowed', 'limited']);
      expect(seen.map((d) => d.remaining)).toEqual([2, 1, 0, 0]);
      const limited = seen[3];
      // The first admission (at 0, held to 0 + slack) leaves the window at 10 s + slack.
      expect(limited?.retryAfterSeconds).toBe(7 + slack / 1000);
      expect(limited?.resetSeconds).toBe(7 + slack / 1000);
      expect(limited).toMatchObject({ limit: 3, policy: 'login', windowSeconds: 10 });
      expect(seen[0]?.retryAfterSeconds).toBeUndefined();
      // Allowed: capacity frees when the earliest admission leaves.
      expect(seen[1]?.resetSeconds).toBe(9 + slack / 1000);
    });

    // Not for a lease: its unspent admissions are lost, so it admits less than the window allows.
    it.skipIf(leased)(
      'slides: an admission frees its place exactly one window after it, no sooner',
      async () => {
        const store = make();
        const rule = checkRule('test', { limit: 3, window: '10s', ...extra(3) });
        const key = fresh('user');
        const at = async (ms: number) => (await store.consume(key, rule, { now: T0 + ms })).outcome;
        expect(await at(0)).toBe('allowed');
        expect(await at(4000)).toBe('allowed');
        expect(await at(8000)).toBe('allowed');
        expect(await at(9999 + slack)).toBe('limited');
        expect(await at(10_000 + slack)).toBe('allowed');
        expect(await at(13_999 + slack)).toBe('limited');
        expect(await at(14_000 + slack)).toBe('allowed');
      },
    );

    it('has no burst at window edges: `limit` at the end of one window, none at the start of the next', async () => {
      const store = make();
      const rule = checkRule('test', { limit: 5, window: '5m', ...extra(5) });
      const key = fresh('edge');
      const end = 299_000; // the last second of a fixed 5-minute window starting at T0
      const outcomes: string[] = [];
      for (let i = 0; i < 5; i++) outcomes.push((await store.consume(key, rule, { now: T0 + end })).outcome);
      for (let i = 0; i < 5; i++)
        outcomes.push((await store.consume(key, rule, { now: T0 + 301_000 + i })).outcome);
      expect(outcomes).toEqual([...Array(5).fill('allowed'), ...Array(5).fill('limited')]);
      expect((await store.consume(key, rule, { now: T0 + end + 300_000 + slack })).outcome).toBe('allowed');
    });

    it('keeps keys, policy names and rule shapes apart', async () => {
      const store = make();
      const one = checkRule('test', { limit: 1, window: '1m', name: 'a', ...extra(1) });
      const other = checkRule('test', { limit: 1, window: '1m', name: 'b', ...extra(1) });
      const wider = checkRule('test', { limit: 2, window: '1m', name: 'a', ...extra(2) });
      const key = fresh('k');
      const now = T0;
      expect((await store.consume(key, one, { now })).outcome).toBe('allowed');
      expect((await store.consume(key, one, { now })).outcome).toBe('limited');
      expect((await store.consume(`${key}-other`, one, { now })).outcome).toBe('allowed');
      expect((await store.consume(key, other, { now })).outcome).toBe('allowed');
      expect((await store.consume(key, wider, { now })).outcome).toBe('allowed');
    });

    it('stores a very long key by its hash, still apart from others', async () => {
      const store = make();
      const rule = checkRule('test', { limit: 1, window: '1m', ...extra(1) });
      const long = fresh('x').repeat(500);
      expect((await store.consume(long, rule, { now: T0 })).outcome).toBe('allowed');
      expect((await store.consume(long, rule, { now: T0 })).outcome).toBe('limited');
      expect((await store.consume(`${long}y`, rule, { now: T0 })).outcome).toBe('allowed');
    });
  });
}

describe('DynamoDB rate-limit store', () => {
  it('keeps one item per window in the security table: one timestamp per admission, TTL for cleanup', async () => {
    const store = dynamo();
    const rule = checkRule('test', { limit: 3, window: '1m', name: 'auth' });
    const key = fresh('ip');
    await store.consume(key, rule, { now: T0 });
    await store.consume(key, rule, { now: T0 + 5 });
    const { Item } = await db.client().send(
      new GetItemCommand({
        TableName: securityTable.tableName(),
        Key: { PK: { S: `RATELIMIT#auth#${key}` }, SK: { S: 'RATELIMIT#3/60000' } },
        ConsistentRead: true,
      }),
    );
    const slots = Object.keys(Item ?? {})
      .filter((k) => /^s\d+$/.test(k))
      .map((k) => Number(Item?.[k]?.N))
      .sort((a, b) => a - b);
    expect(slots).toEqual([T0, T0 + 5]);
    expect(Number(Item?.expiresAt?.N)).toBeGreaterThan((T0 + 60_000) / 1000);
  });

  it('shares one window between instances: what one admits, the other counts', async () => {
    const a = dynamo();
    const b = dynamo();
    const rule = checkRule('test', { limit: 4, window: '1m' });
    const key = fresh('shared');
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++)
      outcomes.push((await (i % 2 === 0 ? a : b).consume(key, rule, { now: T0 + i })).outcome);
    expect(outcomes.filter((o) => o === 'allowed')).toHaveLength(4);
    expect(outcomes.slice(0, 4)).toEqual(Array(4).fill('allowed'));
  });

  it('concurrent instances never admit more than the limit', async () => {
    const instances = Array.from({ length: 6 }, dynamo);
    const rule = checkRule('test', { limit: 10, window: '1m' });
    const key = fresh('crowd');
    const decisions = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (instances[i % instances.length] as DynamoRateLimitStore).consume(key, rule, { now: T0 + 1 }),
      ),
    );
    const allowed = decisions.filter((d) => d.outcome === 'allowed').length;
    expect(allowed).toBeLessThanOrEqual(10);
    // Every refusal is a decision, not a failure (a crowd of 6 never exhausts the retries here).
    expect(decisions.filter((d) => d.outcome !== 'allowed' && d.outcome !== 'limited')).toEqual([]);
    expect(allowed).toBe(10);
  });

  it('refuses without a call once it has seen the window full, and asks again when it may have room', async () => {
    const store = dynamo();
    const rule = checkRule('test', { limit: 2, window: '10s' });
    const key = fresh('known-full');
    await store.consume(key, rule, { now: T0 });
    await store.consume(key, rule, { now: T0 + 1 });
    const before = store.stats();
    const refused = await store.consume(key, rule, { now: T0 + 2 });
    expect(refused).toMatchObject({ outcome: 'limited', local: true });
    expect(store.stats().calls).toBe(before.calls);
    expect((await store.consume(key, rule, { now: T0 + 10_000 })).local).toBe(false);
    expect(store.stats().calls).toBe(before.calls + 1);
  });

  it('makes one conditional write per decision while its view is current', async () => {
    const store = dynamo();
    const rule = checkRule('test', { limit: 50, window: '1m' });
    const key = fresh('one-write');
    for (let i = 0; i < 50; i++) await store.consume(key, rule, { now: T0 + i });
    // The first write guesses a slot of an item that does not exist yet, so it cannot miss either.
    expect(store.stats()).toEqual({ decisions: 50, local: 0, calls: 50 });
  });

  it('after losing a slot to another instance, retries from the stored item the failed write returned', async () => {
    const a = dynamo();
    const b = dynamo();
    const rule = checkRule('test', { limit: 2, window: '1m' });
    const key = fresh('race');
    // a learns the state (both slots free after its write: one used), then b takes the other slot.
    await a.consume(key, rule, { now: T0 });
    await b.consume(key, rule, { now: T0 + 1 });
    const before = a.stats().calls;
    // a's view says one slot is free; it is not: the write fails and a learns the window is full.
    const decision = await a.consume(key, rule, { now: T0 + 2 });
    expect(decision).toMatchObject({ outcome: 'limited', local: false });
    // DynamoDB (and DynamoDB Local) return the item with the failed condition; dynalite does not,
    // and the store reads it instead.
    expect(a.stats().calls - before).toBe(db.server().kind === 'dynamodb-local' ? 1 : 2);
  });

  it('leases: one write takes several admissions, spent here without calls until maxMs', async () => {
    const store = dynamo();
    const rule = checkRule('test', { limit: 10, window: '1m', lease: { size: 4, maxMs: 500 } });
    const key = fresh('hot');
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await store.consume(key, rule, { now: T0 + i * 10 }));
    expect(decisions.map((d) => d.local)).toEqual([false, true, true, true]);
    expect(decisions.map((d) => d.remaining)).toEqual([9, 8, 7, 6]);
    expect(store.stats()).toMatchObject({ decisions: 4, local: 3, calls: 1 });
    // Past maxMs a lease is not spent any more; the next decision takes a new one.
    await store.consume(key, rule, { now: T0 + 40 });
    const late = await store.consume(key, rule, { now: T0 + 40 + 501 });
    // Only 2 of the 10 were left (two leases of 4), so the third lease has 2: one spent, one spare.
    expect(late).toMatchObject({ outcome: 'allowed', local: false, remaining: 1 });
    // 6 admissions were spent, but the 3 the second lease did not spend are lost: they count in the
    // window until it ends, so another instance finds it full.
    const other = dynamo();
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push((await other.consume(key, rule, { now: T0 + 2000 })).outcome);
    expect(outcomes).toEqual(Array(4).fill('limited'));
  });

  it('concurrent decisions in one instance share one lease instead of each taking one', async () => {
    const store = dynamo();
    const rule = checkRule('test', { limit: 100, window: '1m', lease: { size: 10, maxMs: 1000 } });
    const key = fresh('coalesce');
    const decisions = await Promise.all(
      Array.from({ length: 10 }, () => store.consume(key, rule, { now: T0 })),
    );
    expect(decisions.every((d) => d.outcome === 'allowed')).toBe(true);
    expect(store.stats().calls).toBe(1);
  });
});

// Each found in review; each test fails on the store as it was before the fix.
describe('DynamoDB rate-limit store: review fixes', () => {
  it('a lease larger than one write can hold takes 64 slots, in a condition DynamoDB accepts (300 operators, 4 KB)', async () => {
    // A client that records what the store sends (DynamoDB Local refuses the larger condition;
    // dynalite does not check, so the test checks the expression itself too).
    const sent: { ConditionExpression?: string }[] = [];
    const recording = {
      send: (command: { input: { ConditionExpression?: string } }, options?: unknown) => {
        sent.push(command.input);
        return db.client().send(command as never, options as never);
      },
    } as unknown as DynamoDBClient;
    const store = dynamoRateLimitStore({ table: securityTable, client: recording, timeoutMs: 5000 });
    // The default lease of a 1000 limit is 100 admissions.
    const rule = checkRule('test', { limit: 1000, window: '1h', lease: true });
    expect(rule.lease?.size).toBe(100);
    const key = fresh('big-lease');
    const first = await store.consume(key, rule, { now: T0 });
    expect(first).toMatchObject({ outcome: 'allowed', local: false, remaining: 999 });
    const condition = sent[0]?.ConditionExpression ?? '';
    const operators = condition.match(/attribute_not_exists|\bOR\b|\bAND\b|<=/g)?.length ?? 0;
    expect(operators).toBeLessThanOrEqual(300);
    expect(Buffer.byteLength(condition)).toBeLessThanOrEqual(4096);
    for (let i = 1; i < MAX_SLOTS_PER_WRITE; i++)
      expect((await store.consume(key, rule, { now: T0 + 1 })).local).toBe(true);
    expect(store.stats()).toMatchObject({ decisions: MAX_SLOTS_PER_WRITE, calls: 1 });
    expect((await store.consume(key, rule, { now: T0 + 2 })).local).toBe(false);
  });

  it('losing the slot on every try is `limited`, not a store error that a fail-open rule would admit', async () => {
    // A crowd that always wins: every write fails its condition and the item returned has room.
    let sends = 0;
    const crowd = {
      send: async () => {
        sends++;
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
          Item: {},
        });
      },
    } as unknown as DynamoDBClient;
    const store = dynamoRateLimitStore({ table: securityTable, client: crowd, timeoutMs: 5000 });
    const rule = checkRule('test', { limit: 5, window: '1m', name: 'ai', onStoreError: 'open' });
    const decision = await store.consume(fresh('crowd'), rule, { now: T0 });
    expect(decision).toMatchObject({ outcome: 'limited', local: false, remaining: 0 });
    expect(admits(decision, rule)).toBe(false);
    expect(sends).toBeGreaterThan(1);
  });

  it('a lease is not spent by a decision dated before the lease was taken', async () => {
    const plain = checkRule('test', { limit: 2, window: '10s', name: 'dated' });
    const leased = checkRule('test', {
      limit: 2,
      window: '10s',
      name: 'dated',
      lease: { size: 2, maxMs: 1000 },
    });
    const key = fresh('dated');
    const admitted: number[] = [];
    const take = async (store: RateLimitStore, rule: typeof plain, at: number) => {
      const d = await store.consume(key, rule, { now: T0 + at });
      if (d.outcome === 'allowed') admitted.push(T0 + at);
      return d.outcome;
    };
    // Another instance fills the window at 0; this one takes both slots at 10 s (one spare).
    expect(await take(dynamo(), plain, 0)).toBe('allowed');
    expect(await take(dynamo(), plain, 0)).toBe('allowed');
    const store = dynamo();
    expect(await take(store, leased, 10_000)).toBe('allowed');
    // A request that read the clock at 9 s: its window still holds both admissions made at 0.
    expect(await take(store, leased, 9_000)).toBe('limited');
    expect(mostInAnyWindow(admitted, 10_000)).toBeLessThanOrEqual(2);
    // The spare is still there for requests dated within the lease.
    expect(await take(store, leased, 10_500)).toBe('allowed');
  });

  it('a key shaped like a stored hash does not share the window of the long key it hashes to', async () => {
    const store = dynamo();
    const rule = checkRule('test', { limit: 1, window: '1m' });
    const long = fresh('long').repeat(40);
    expect(long.length).toBeGreaterThan(256);
    const forged = `sha256:${createHash('sha256').update(long).digest('hex')}`;
    expect((await store.consume(long, rule, { now: T0 })).outcome).toBe('allowed');
    expect((await dynamo().consume(forged, rule, { now: T0 })).outcome).toBe('allowed');
    expect((await dynamo().consume(long, rule, { now: T0 })).outcome).toBe('limited');
  });
});
