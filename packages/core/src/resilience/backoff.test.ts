/** Full-jitter backoff and its bound by the deadline: the waits are drawn where they should be. */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/errors.js';
import { retryDelay, retryPlan, sleep } from './backoff.js';

describe('retryPlan', () => {
  it('defaults: 3 attempts, 50 ms base, 1 s cap, 100 ms per attempt', () => {
    const plan = retryPlan(undefined, 'test');
    expect([plan.maxAttempts, plan.baseDelayMs, plan.maxDelayMs, plan.minAttemptMs]).toEqual([
      3, 50, 1000, 100,
    ]);
    expect(retryPlan(false, 'test').maxAttempts).toBe(1);
  });

  it('refuses bad options at start-up, naming the caller', () => {
    expect(() => retryPlan({ maxAttempts: 0 }, 'payments')).toThrow(ConfigurationError);
    expect(() => retryPlan({ maxAttempts: 2.5 }, 'payments')).toThrow(/payments: retry.maxAttempts/);
    expect(() => retryPlan({ baseDelayMs: -1 }, 'payments')).toThrow(/baseDelayMs/);
    expect(() => retryPlan({ maxDelayMs: Number.NaN }, 'payments')).toThrow(/maxDelayMs/);
    expect(() => retryPlan({ attempts: 3 } as never, 'payments')).toThrow(/attempts/);
  });
});

describe('retryDelay: full jitter', () => {
  const at = (random: number) =>
    retryPlan(
      { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000, minAttemptMs: 0, random: () => random },
      't',
    );

  it('retry n waits in [0, min(cap, base × 2^(n-1)))', () => {
    for (let retry = 1; retry < 10; retry++) {
      const ceiling = Math.min(1000, 100 * 2 ** (retry - 1));
      expect(retryDelay(at(0), retry, Number.POSITIVE_INFINITY)).toBe(0);
      const top = retryDelay(at(0.999_999), retry, Number.POSITIVE_INFINITY) as number;
      expect(top).toBeLessThan(ceiling);
      expect(top).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  it('draws spread over the whole range (not a fixed or half jitter)', () => {
    const plan = retryPlan({ maxAttempts: 5, baseDelayMs: 400, maxDelayMs: 400, minAttemptMs: 0 }, 't');
    const draws = Array.from({ length: 2000 }, () => retryDelay(plan, 1, Number.POSITIVE_INFINITY) as number);
    expect(Math.min(...draws)).toBeLessThan(40);
    expect(Math.max(...draws)).toBeGreaterThan(360);
    expect(draws.every((d) => d >= 0 && d < 400)).toBe(true);
  });

  it('stops when the attempts are used up', () => {
    const plan = at(0.5);
    expect(retryDelay(plan, 9, Number.POSITIVE_INFINITY)).toBeDefined();
    expect(retryDelay(plan, 10, Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('never waits past the deadline: the wait and one attempt must fit in the budget', () => {
    const plan = retryPlan({ baseDelayMs: 100, minAttemptMs: 100, random: () => 0.5 }, 't');
    // Retry 1 waits 50 ms; it needs 150 ms before the deadline.
    expect(retryDelay(plan, 1, 150)).toBe(50);
    expect(retryDelay(plan, 1, 149)).toBeUndefined();
    expect(retryDelay(plan, 1, 0)).toBeUndefined();
    expect(retryDelay(plan, 1, -5)).toBeUndefined();
  });

  it('expects a retry to take as long as the failed attempt did, when that is longer', () => {
    const plan = retryPlan({ baseDelayMs: 100, minAttemptMs: 100, random: () => 0.5 }, 't');
    expect(retryDelay(plan, 1, 500, undefined, 450)).toBe(50);
    expect(retryDelay(plan, 1, 499, undefined, 450)).toBeUndefined();
    expect(retryDelay(plan, 1, 150, undefined, 10)).toBe(50);
  });

  it('honours Retry-After up to the cap, and gives up rather than wait longer', () => {
    const plan = retryPlan({ maxDelayMs: 1000, minAttemptMs: 0, random: () => 0 }, 't');
    expect(retryDelay(plan, 1, Number.POSITIVE_INFINITY, 800)).toBe(800);
    expect(retryDelay(plan, 1, Number.POSITIVE_INFINITY, 1500)).toBeUndefined();
    // ...and a Retry-After that does not fit before the deadline is not waited for either.
    expect(retryDelay(plan, 1, 500, 800)).toBeUndefined();
  });
});

describe('sleep', () => {
  it('waits, and stops at once with the reason when the signal aborts', async () => {
    const started = performance.now();
    await sleep(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    const controller = new AbortController();
    const reason = new Error('deadline');
    setTimeout(() => controller.abort(reason), 10);
    const waiting = performance.now();
    await expect(sleep(5000, controller.signal)).rejects.toBe(reason);
    expect(performance.now() - waiting).toBeLessThan(500);
    await expect(sleep(10, controller.signal)).rejects.toBe(reason);
    await expect(sleep(0)).resolves.toBeUndefined();
  });
});
