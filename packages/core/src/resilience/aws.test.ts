/**
 * The AWS SDK settings: the retry strategy the SDK's retry middleware calls, bounded by the current
 * request's deadline, and the client defaults. Their effect on a real client is in
 * `dynamodb/faults.test.ts`.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../errors/errors.js';
import { type AwsRetryToken, awsClientDefaults, deadlineRetryStrategy } from './aws.js';
import { withRequestScope } from './scope.js';

const scopeWith = (budget: number) => ({ signal: new AbortController().signal, budgetMs: () => budget });

afterEach(async () => {
  await withRequestScope(scopeWith(Number.POSITIVE_INFINITY), async () => {});
});

async function retries(budget: number, type: 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR') {
  const strategy = deadlineRetryStrategy({ random: () => 0.5, baseDelayMs: 100, minAttemptMs: 100 });
  return withRequestScope(scopeWith(budget), async () => {
    let token: AwsRetryToken = await strategy.acquireInitialRetryToken('');
    const delays: number[] = [];
    for (;;) {
      try {
        token = await strategy.refreshRetryTokenForRetry(token, { errorType: type });
      } catch {
        return delays;
      }
      delays.push(token.getRetryDelay());
    }
  });
}

describe('deadlineRetryStrategy', () => {
  it('retries throttling, transient and server errors with full jitter, up to the attempts', async () => {
    expect(await retries(Number.POSITIVE_INFINITY, 'THROTTLING')).toEqual([50, 100]);
    expect(await retries(Number.POSITIVE_INFINITY, 'TRANSIENT')).toEqual([50, 100]);
    expect(await retries(Number.POSITIVE_INFINITY, 'SERVER_ERROR')).toEqual([50, 100]);
  });

  it('never retries a client error', async () => {
    expect(await retries(Number.POSITIVE_INFINITY, 'CLIENT_ERROR')).toEqual([]);
  });

  it('refuses a retry that could not finish before the deadline', async () => {
    // Retry 1 waits 50 ms and needs 100 ms for its attempt.
    expect(await retries(149, 'THROTTLING')).toEqual([]);
    expect(await retries(150, 'THROTTLING')).toEqual([50]);
  });

  it('times each attempt: a slow failure needs as much time again for its retry', async () => {
    vi.useFakeTimers();
    try {
      const strategy = deadlineRetryStrategy({ random: () => 0, minAttemptMs: 50 });
      const first = await strategy.acquireInitialRetryToken('');
      vi.advanceTimersByTime(400);
      await expect(
        withRequestScope(scopeWith(399), () =>
          strategy.refreshRetryTokenForRetry(first, { errorType: 'THROTTLING' }),
        ),
      ).rejects.toThrow();
      const second = await withRequestScope(scopeWith(400), () =>
        strategy.refreshRetryTokenForRetry(first, { errorType: 'THROTTLING' }),
      );
      expect(second.getRetryCount()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('honours a Retry-After hint up to the cap, never past the deadline', async () => {
    const strategy = deadlineRetryStrategy({ random: () => 0, maxDelayMs: 1000, minAttemptMs: 100 });
    const first = await strategy.acquireInitialRetryToken('');
    const hint = (ms: number) => ({
      errorType: 'THROTTLING' as const,
      retryAfterHint: new Date(Date.now() + ms),
    });
    const next = await strategy.refreshRetryTokenForRetry(first, hint(600));
    expect(next.getRetryDelay()).toBeGreaterThanOrEqual(590);
    expect(next.getRetryDelay()).toBeLessThanOrEqual(600);
    await expect(strategy.refreshRetryTokenForRetry(first, hint(5000))).rejects.toThrow();
    await expect(
      withRequestScope(scopeWith(500), () => strategy.refreshRetryTokenForRetry(first, hint(600))),
    ).rejects.toThrow();
  });
});

describe('awsClientDefaults', () => {
  it('a 1 s connection timeout, a 2 s request timeout that throws, and the strategy', () => {
    const defaults = awsClientDefaults();
    expect(defaults.requestHandler).toEqual({
      connectionTimeout: 1000,
      requestTimeout: 2000,
      throwOnRequestTimeout: true,
    });
    expect(typeof defaults.retryStrategy.refreshRetryTokenForRetry).toBe('function');
    expect(
      awsClientDefaults({ connectionTimeoutMs: 200, requestTimeoutMs: 700 }).requestHandler,
    ).toMatchObject({
      connectionTimeout: 200,
      requestTimeout: 700,
    });
  });

  it('refuses bad options', () => {
    expect(() => awsClientDefaults({ requestTimeoutMs: 0 })).toThrow(ConfigurationError);
    expect(() => awsClientDefaults({ connectionTimeoutMs: Number.POSITIVE_INFINITY })).toThrow(
      /connectionTimeoutMs/,
    );
    expect(() => awsClientDefaults({ socketTimeout: 1 } as never)).toThrow(/socketTimeout/);
    expect(() => awsClientDefaults({ retry: { maxAttempts: 0 } })).toThrow(/maxAttempts/);
  });
});
