/**
 * What a decision says when DynamoDB cannot answer, and the headers of every outcome. A stopped
 * server, a port nobody listens on and a server that accepts but never answers all give `store_error`
 * or `timeout` within the store's `timeoutMs`, never `limited`, and `admits()` follows the rule's
 * `onStoreError`. The `RateLimit` headers are checked as exact strings, from both stores.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityTable } from '../auth/security-table.js';
import { ensureTables } from '../dynamodb/ensure.js';
import { useTestDynamoDB } from '../test-support/dynamodb-client.js';
import { freePort, localClientConfig, startTestDynamoDB } from '../testing/dynamodb.js';
import { admits, type Decision, type RateLimitStore } from './decision.js';
import { type DynamoRateLimitStore, dynamoRateLimitStore } from './dynamo-store.js';
import { rateLimitHeaders } from './headers.js';
import { memoryRateLimitStore } from './memory-store.js';
import { type CheckedRule, checkRule } from './rule.js';

const TIMEOUT_MS = 300;
// What a loaded machine may add to a timer and a rejected connection.
const SLACK_MS = 250;
const open = checkRule('test', { limit: 5, window: '5m', name: 'ai', onStoreError: 'open' });
const closed = checkRule('test', { limit: 5, window: '5m', name: 'auth', onStoreError: 'closed' });
const leasedOpen = checkRule('test', {
  limit: 5,
  window: '5m',
  name: 'ai-leased',
  onStoreError: 'open',
  lease: { size: 2, maxMs: 1000 },
});
let n = 0;
const fresh = () => `client-${++n}-${Math.random().toString(36).slice(2)}`;

/** Times one decision. */
async function timed(store: RateLimitStore, rule: CheckedRule): Promise<[Decision, number]> {
  const start = performance.now();
  const decision = await store.consume(fresh(), rule, { now: Date.now() });
  return [decision, performance.now() - start];
}

/** A decision the store could not make: not a limit, in time, and let through only by an open rule. */
function expectUndecided(decision: Decision, ms: number, rule: CheckedRule): void {
  expect(['store_error', 'timeout']).toContain(decision.outcome);
  expect(decision.error).toBeDefined();
  expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  expect(admits(decision, rule)).toBe(rule.onStoreError === 'open');
  // Only the policy: there is no window state to report.
  expect(rateLimitHeaders(decision)).toEqual({
    'ratelimit-policy': `"${rule.name}";q=5;w=300`,
  });
}

describe('a DynamoDB that stopped', () => {
  it('a server stopped after serving: store_error or timeout within timeoutMs, never limited; open admits, closed refuses', async () => {
    const server = await startTestDynamoDB();
    const raw = new DynamoDBClient(localClientConfig(server.endpoint));
    try {
      await ensureTables(raw, [securityTable]);
      const store = dynamoRateLimitStore({ table: securityTable, client: raw, timeoutMs: TIMEOUT_MS });
      // Warm, as a Lambda instance is: the SDK loaded and a connection open.
      expect((await timed(store, closed))[0].outcome).toBe('allowed');
      await server.close();
      for (const rule of [open, closed, leasedOpen, closed, open]) {
        const [decision, ms] = await timed(store, rule);
        expectUndecided(decision, ms, rule);
      }
      expect(store.stats().local).toBe(0);
    } finally {
      raw.destroy();
      await server.close();
    }
  });

  it('a port nobody listens on: store_error or timeout within timeoutMs, never limited', async () => {
    const raw = new DynamoDBClient(localClientConfig(`http://127.0.0.1:${await freePort()}`));
    try {
      const store = dynamoRateLimitStore({ table: securityTable, client: raw, timeoutMs: TIMEOUT_MS });
      await timed(store, open); // loads the SDK, which timeoutMs does not bound
      for (const rule of [open, closed, leasedOpen]) {
        const [decision, ms] = await timed(store, rule);
        expectUndecided(decision, ms, rule);
      }
    } finally {
      raw.destroy();
    }
  });

  describe('a server that accepts connections and never answers', () => {
    let hung: Server | undefined;
    const sockets = new Set<Socket>();
    let raw: DynamoDBClient | undefined;
    beforeAll(async () => {
      hung = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => hung?.listen(0, '127.0.0.1', () => resolve()));
      const { port } = hung.address() as { port: number };
      raw = new DynamoDBClient(localClientConfig(`http://127.0.0.1:${port}`));
    });
    afterAll(async () => {
      raw?.destroy();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hung?.close(resolve));
    });
    const store = (): DynamoRateLimitStore =>
      dynamoRateLimitStore({ table: securityTable, client: raw as DynamoDBClient, timeoutMs: TIMEOUT_MS });

    it('timeout after timeoutMs; open admits, closed refuses', async () => {
      const s = store();
      for (const rule of [open, closed]) {
        const [decision, ms] = await timed(s, rule);
        expect(decision.outcome).toBe('timeout');
        expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
        expectUndecided(decision, ms, rule);
      }
    });

    // Regression: decisions waiting for the lease another is taking each waited timeoutMs in turn,
    // so the eighth of eight concurrent decisions answered after 8 x timeoutMs.
    it('eight concurrent decisions on one leased key all answer within timeoutMs', async () => {
      const s = store();
      const key = fresh();
      const start = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const decision = await s.consume(key, leasedOpen, { now: Date.now() });
          return [decision, performance.now() - start] as const;
        }),
      );
      for (const [decision, ms] of answers) expectUndecided(decision, ms, leasedOpen);
      expect(s.stats().calls).toBe(1);
    });

    it("the caller's signal ends the wait early, as a timeout", async () => {
      const s = store();
      const start = performance.now();
      const decision = await s.consume(fresh(), closed, { now: Date.now(), signal: AbortSignal.timeout(50) });
      expect(decision.outcome).toBe('timeout');
      expect(performance.now() - start).toBeLessThan(50 + SLACK_MS);
      expect(admits(decision, closed)).toBe(false);
    });
  });
});

describe('RateLimit headers, exact', () => {
  const db = useTestDynamoDB();
  const T0 = Date.parse('2026-11-23T10:00:00Z');
  const stores: [string, () => RateLimitStore][] = [
    ['memory', () => memoryRateLimitStore()],
    ['dynamodb', () => dynamoRateLimitStore({ table: securityTable, client: db.client(), timeoutMs: 5000 })],
  ];
  for (const [kind, make] of stores) {
    it(`${kind}: allowed, then limited with Retry-After`, async () => {
      const store = make();
      const key = fresh();
      const at = async (ms: number) => rateLimitHeaders(await store.consume(key, closed, { now: T0 + ms }));
      expect(await at(0)).toEqual({
        'ratelimit-policy': '"auth";q=5;w=300',
        ratelimit: '"auth";r=4;t=300',
      });
      expect(await at(1000)).toEqual({
        'ratelimit-policy': '"auth";q=5;w=300',
        ratelimit: '"auth";r=3;t=299',
      });
      await at(2000);
      await at(3000);
      expect(await at(4000)).toEqual({
        'ratelimit-policy': '"auth";q=5;w=300',
        ratelimit: '"auth";r=0;t=296',
      });
      // Limited 1.5 s later: the admission at 0 leaves the window in 294.5 s, so 295 (rounded up).
      expect(await at(5500)).toEqual({
        'ratelimit-policy': '"auth";q=5;w=300',
        ratelimit: '"auth";r=0;t=295',
        'retry-after': '295',
      });
    });
  }

  it('store_error and timeout state only the policy; a limited decision never has less than Retry-After: 1', async () => {
    const failedDecision: Decision = {
      outcome: 'store_error',
      limit: 10,
      remaining: 0,
      resetSeconds: 0,
      retryAfterSeconds: undefined,
      local: false,
      policy: 'sensitive',
      windowSeconds: 900,
      error: new Error('down'),
    };
    expect(rateLimitHeaders(failedDecision)).toEqual({ 'ratelimit-policy': '"sensitive";q=10;w=900' });
    expect(rateLimitHeaders({ ...failedDecision, outcome: 'timeout' })).toEqual({
      'ratelimit-policy': '"sensitive";q=10;w=900',
    });
    const store = memoryRateLimitStore();
    const rule = checkRule('test', { limit: 1, window: '1s', name: 'tight' });
    await store.consume('k', rule, { now: T0 });
    expect(rateLimitHeaders(await store.consume('k', rule, { now: T0 + 999 }))).toEqual({
      'ratelimit-policy': '"tight";q=1;w=1',
      ratelimit: '"tight";r=0;t=1',
      'retry-after': '1',
    });
  });

  it('a policy name given to the headers is written as an sf-string, escaped; non-ASCII is refused', async () => {
    const decision = await memoryRateLimitStore().consume('k', closed, { now: T0 });
    expect(rateLimitHeaders(decision, 'a"b\\c')).toEqual({
      'ratelimit-policy': '"a\\"b\\\\c";q=5;w=300',
      ratelimit: '"a\\"b\\\\c";r=4;t=300',
    });
    expect(() => rateLimitHeaders(decision, 'é')).toThrow(TypeError);
  });
});
