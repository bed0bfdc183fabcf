/**
 * The property the limiter exists for: never more than `limit` admissions in any sliding window of
 * length `window`, over many random arrival sequences with a fake clock, crowded at window edges
 * where a fixed window admits twice the limit. The memory store and the DynamoDB store without a
 * lease are also exact: they admit whenever the window has room. Several DynamoDB store instances
 * (each with its own view, as separate Lambda instances) share one window, with and without leases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { securityTable } from '../auth/security-table.js';
import { useTestDynamoDB } from '../test-support/dynamodb-client.js';
import { mostInAnyWindow } from '../test-support/sliding-window.js';
import type { RateLimitStore } from './decision.js';
import { dynamoRateLimitStore } from './dynamo-store.js';
import { memoryRateLimitStore } from './memory-store.js';
import { checkRule } from './rule.js';

// Gaps between arrivals, in ms, crowded where windows begin and end.
const gaps = (windowMs: number) =>
  fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 50 }),
    fc.integer({ min: windowMs - 50, max: windowMs + 50 }),
    fc.integer({ min: 0, max: 2 * windowMs }),
  );

const scenario = fc
  .record({ limit: fc.integer({ min: 1, max: 8 }), seconds: fc.integer({ min: 1, max: 10 }) })
  .chain(({ limit, seconds }) =>
    fc.record({
      limit: fc.constant(limit),
      seconds: fc.constant(seconds),
      gaps: fc.array(gaps(seconds * 1000), { minLength: 1, maxLength: 40 }),
      instances: fc.array(fc.nat({ max: 3 }), { minLength: 40, maxLength: 40 }),
    }),
  );

const T0 = Date.parse('2026-11-23T10:00:00Z');
let run = 0;

/** Runs one arrival sequence; returns the admitted times, checking exactness on the way if asked. */
async function replay(
  stores: readonly RateLimitStore[],
  s: { limit: number; seconds: number; gaps: number[]; instances: number[] },
  lease: boolean,
  exact: boolean,
): Promise<number[]> {
  const windowMs = s.seconds * 1000;
  const rule = checkRule('property', {
    limit: s.limit,
    window: windowMs,
    ...(lease
      ? { lease: { size: Math.max(1, Math.ceil(s.limit / 2)), maxMs: Math.min(500, windowMs) } }
      : {}),
  });
  const key = `run-${++run}-${Math.random()}`;
  const admitted: number[] = [];
  let now = T0;
  for (let i = 0; i < s.gaps.length; i++) {
    now += s.gaps[i] as number;
    const store = stores[(s.instances[i] as number) % stores.length] as RateLimitStore;
    const decision = await store.consume(key, rule, { now });
    expect(['allowed', 'limited']).toContain(decision.outcome);
    const inWindow = admitted.filter((t) => t > now - windowMs).length;
    if (exact) {
      expect(decision.outcome).toBe(inWindow < s.limit ? 'allowed' : 'limited');
      if (decision.outcome === 'allowed') expect(decision.remaining).toBe(s.limit - inWindow - 1);
    }
    if (decision.outcome === 'allowed') admitted.push(now);
  }
  return admitted;
}

describe('no burst at window edges', () => {
  it('the checker catches a fixed window: `limit` at the end of one window and at the start of the next', () => {
    // What a fixed-window counter admits for 5 per 5 minutes: 5 at 4:59 and 5 at 5:01.
    const fixed = [...Array(5).fill(299_000), ...Array(5).fill(301_000)];
    expect(mostInAnyWindow(fixed, 300_000)).toBe(10);
  });

  it('memory store: at most `limit` in any window, and admits whenever there is room', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const admitted = await replay([memoryRateLimitStore()], s, false, true);
        expect(mostInAnyWindow(admitted, s.seconds * 1000)).toBeLessThanOrEqual(s.limit);
      }),
      { numRuns: 1000 },
    );
  });

  describe('DynamoDB store', () => {
    const db = useTestDynamoDB();
    const instances = () =>
      Array.from({ length: 4 }, () =>
        dynamoRateLimitStore({ table: securityTable, client: db.client(), timeoutMs: 5000 }),
      );

    it('four instances sharing a window: at most `limit` in any window, and exact', async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const admitted = await replay(instances(), s, false, true);
          expect(mostInAnyWindow(admitted, s.seconds * 1000)).toBeLessThanOrEqual(s.limit);
        }),
        { numRuns: 60 },
      );
    }, 120_000);

    it('four instances with leases: at most `limit` in any window', async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async (s) => {
          const admitted = await replay(instances(), s, true, false);
          expect(mostInAnyWindow(admitted, s.seconds * 1000)).toBeLessThanOrEqual(s.limit);
        }),
        { numRuns: 60 },
      );
    }, 120_000);
  });
});
