/**
 * The policy on a fake clock: retries that stop before the deadline and never sleep past it,
 * per-attempt timeouts that fire before it, the request's abort, which calls are repeated, and the
 * breaker in front of the attempts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, GatewayTimeoutError } from '../errors/errors.js';
import { DependencyThrottledError, DependencyTimeoutError, DependencyUnavailableError } from './faults.js';
import { type Attempt, resiliencePolicy } from './policy.js';
import { withRequestScope } from './scope.js';

const outage = () =>
  Object.assign(new Error('boom'), { $fault: 'server', $metadata: { httpStatusCode: 500 } });
const throttle = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
const refused = () =>
  new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) });

/** A call that never answers, but stops (as fetch and the SDK do) when its signal aborts. */
function hang({ signal }: Attempt): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
}

let t0 = 0;
const elapsed = () => Date.now() - t0;
/** Settles `promise` while the fake clock runs, and says when it settled. */
async function settle<T>(promise: Promise<T>): Promise<{ at: number; value?: T; error?: unknown }> {
  const outcome = promise.then(
    (value) => ({ at: elapsed(), value }),
    (error: unknown) => ({ at: elapsed(), error }),
  );
  await vi.runAllTimersAsync();
  return outcome;
}

let names = 0;
const noBreaker = { breaker: false } as const;

beforeEach(() => {
  vi.useFakeTimers();
  t0 = Date.now();
});
afterEach(async () => {
  vi.useRealTimers();
  // A finished request stays the current scope until the next one starts (see scope.ts): end each
  // test with one that has no deadline, so no test reads the budget another left behind.
  await withRequestScope({ signal: new AbortController().signal, budgetMs: () => Infinity }, async () => {});
});

describe('retries bounded by the deadline', () => {
  it('retries a fault and returns the first success', async () => {
    const policy = resiliencePolicy({ name: `p${++names}`, ...noBreaker, retry: { random: () => 0 } });
    const call = vi.fn(async ({ attempt }: Attempt) => {
      if (attempt < 3) throw outage();
      return 'ok';
    });
    expect((await settle(policy.execute(call))).value).toBe('ok');
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('stops before the deadline: no wait ends later than one attempt before it', async () => {
    const policy = resiliencePolicy({
      name: `p${++names}`,
      ...noBreaker,
      retry: { maxAttempts: 20, baseDelayMs: 100, maxDelayMs: 400, minAttemptMs: 100, random: () => 0.99 },
    });
    const starts: number[] = [];
    const call = async () => {
      starts.push(elapsed());
      await new Promise((resolve) => setTimeout(resolve, 150));
      throw outage();
    };
    const result = await settle(policy.execute(call, { budgetMs: 1500 }));
    expect(result.error).toBeInstanceOf(DependencyUnavailableError);
    // Each attempt fails after 150 ms; the waits are 99, 198, 396 ms. The fourth attempt starts at
    // 1143 (its wait ended with 357 ms left) and fails at 1293; the next wait (396 ms) and an attempt
    // as long as the last (150 ms) do not fit in the 207 ms left, so the fault is answered then.
    expect(starts).toEqual([0, 249, 597, 1143]);
    expect(result.at).toBe(1293);
    for (const start of starts) expect(start + 100).toBeLessThanOrEqual(1500);
    expect(result.at).toBeLessThan(1500);
  });

  it('a Retry-After longer than the cap, or than the time left, is answered at once', async () => {
    const policy = resiliencePolicy({ name: `p${++names}`, ...noBreaker, retry: { maxDelayMs: 500 } });
    const answer = { status: 429 };
    const call = vi.fn(async () => answer);
    const classify = () => ({ kind: 'throttled' as const, retryAfterMs: 2000 });
    const result = await settle(policy.execute(call, { classify }));
    expect([result.value, result.at, call.mock.calls.length]).toEqual([answer, 0, 1]);
    const shortOfTime = await settle(
      policy.execute(call, { classify: () => ({ kind: 'throttled', retryAfterMs: 400 }), budgetMs: 300 }),
    );
    expect([shortOfTime.value, shortOfTime.at, call.mock.calls.length]).toEqual([answer, 0, 2]);
  });

  it('reads the budget of the current request when none is given', async () => {
    const policy = resiliencePolicy({ name: `p${++names}`, ...noBreaker, timeoutMs: 10_000 });
    const controller = new AbortController();
    const deadline = Date.now() + 700;
    const scope = { signal: controller.signal, budgetMs: () => deadline - Date.now() };
    const result = await settle(withRequestScope(scope, () => policy.execute(hang)));
    expect(result.error).toBeInstanceOf(DependencyTimeoutError);
    expect(result.at).toBe(700);
  });
});

describe('timeouts fire before the deadline', () => {
  it('an attempt is cut to the time left, so a hang answers 504 at the deadline, not after', async () => {
    const policy = resiliencePolicy({ name: `p${++names}`, ...noBreaker, timeoutMs: 5000 });
    const result = await settle(policy.execute(hang, { budgetMs: 800 }));
    expect(result.error).toBeInstanceOf(DependencyTimeoutError);
    expect((result.error as DependencyTimeoutError).status).toBe(504);
    expect(result.at).toBe(800);
  });

  it('attempts that time out are retried while there is time, then answered 504', async () => {
    const policy = resiliencePolicy({
      name: `p${++names}`,
      ...noBreaker,
      timeoutMs: 200,
      retry: { maxAttempts: 5, random: () => 0 },
    });
    const signals: AbortSignal[] = [];
    const result = await settle(
      policy.execute(
        (attempt) => {
          signals.push(attempt.signal);
          return hang(attempt);
        },
        { budgetMs: 1000 },
      ),
    );
    expect(result.error).toBeInstanceOf(DependencyTimeoutError);
    // Five attempts of 200 ms fill the budget exactly; each was aborted when it timed out.
    expect(result.at).toBe(1000);
    expect(signals).toHaveLength(5);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });
});

describe("the request's signal", () => {
  it('an abort during an attempt or a wait rejects at once with its reason', async () => {
    const policy = resiliencePolicy({
      name: `p${++names}`,
      ...noBreaker,
      retry: { baseDelayMs: 5000, maxDelayMs: 5000, random: () => 0.9 },
    });
    const controller = new AbortController();
    const reason = new GatewayTimeoutError();
    setTimeout(() => controller.abort(reason), 300);
    const during = await settle(policy.execute(hang, { signal: controller.signal }));
    expect([during.error, during.at]).toEqual([reason, 300]);

    const later = new AbortController();
    t0 = Date.now();
    setTimeout(() => later.abort(reason), 300);
    const call = vi.fn(() => Promise.reject(outage()));
    const waiting = await settle(policy.execute(call, { signal: later.signal }));
    expect([waiting.error, waiting.at, call.mock.calls.length]).toEqual([reason, 300, 1]);
  });
});

describe('which calls are repeated', () => {
  it('a call that is not idempotent is retried only when it cannot have been acted on', async () => {
    const policy = resiliencePolicy({ name: `p${++names}`, ...noBreaker, retry: { random: () => 0 } });
    const once = vi.fn(() => Promise.reject(outage()));
    expect((await settle(policy.execute(once, { idempotent: false }))).error).toBeInstanceOf(
      DependencyUnavailableError,
    );
    expect(once).toHaveBeenCalledTimes(1);
    const throttled = vi.fn(() => Promise.reject(throttle()));
    expect((await settle(policy.execute(throttled, { idempotent: false }))).error).toBeInstanceOf(
      DependencyThrottledError,
    );
    expect(throttled).toHaveBeenCalledTimes(3);
    const notConnected = vi.fn(() => Promise.reject(refused()));
    await settle(policy.execute(notConnected, { idempotent: false }));
    expect(notConnected).toHaveBeenCalledTimes(3);
    const noRetry = vi.fn(() => Promise.reject(throttle()));
    await settle(policy.execute(noRetry, { retry: false }));
    expect(noRetry).toHaveBeenCalledTimes(1);
  });

  it('errors that are not faults are thrown as they are, without retrying', async () => {
    const policy = resiliencePolicy({ name: `p${++names}`, ...noBreaker });
    const bug = new Error('a bug');
    const call = vi.fn(() => Promise.reject(bug));
    expect((await settle(policy.execute(call))).error).toBe(bug);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('a failed answer is discarded before each retry and the last one returned', async () => {
    const policy = resiliencePolicy({ name: `p${++names}`, ...noBreaker, retry: { random: () => 0 } });
    const discard = vi.fn();
    const result = await settle(
      policy.execute(async ({ attempt }) => ({ status: 503, attempt }), {
        classify: () => ({ kind: 'unavailable' }),
        discard,
      }),
    );
    expect(result.value).toEqual({ status: 503, attempt: 3 });
    expect(discard.mock.calls.map(([r]) => (r as { attempt: number }).attempt)).toEqual([1, 2]);
  });
});

describe('the breaker in front of the attempts', () => {
  it('opens after the threshold and then refuses without calling', async () => {
    const policy = resiliencePolicy({
      name: `p${++names}`,
      retry: false,
      breaker: { failureThreshold: 2, halfOpenAfterMs: 5000, logger: false, metrics: false },
    });
    const call = vi.fn(() => Promise.reject(outage()));
    await settle(policy.execute(call));
    await settle(policy.execute(call));
    expect(policy.breaker?.state).toBe('open');
    const result = await settle(policy.execute(call));
    expect(result.error).toBeInstanceOf(DependencyUnavailableError);
    expect((result.error as DependencyUnavailableError).reason).toBe('circuit-open');
    expect((result.error as DependencyUnavailableError).headers).toEqual({ 'retry-after': '5' });
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('throttling does not open it', async () => {
    const policy = resiliencePolicy({
      name: `p${++names}`,
      retry: false,
      breaker: { failureThreshold: 1, logger: false, metrics: false },
    });
    for (let i = 0; i < 3; i++) await settle(policy.execute(() => Promise.reject(throttle())));
    expect(policy.breaker?.state).toBe('closed');
  });
});

describe('options', () => {
  it('are checked at start-up', () => {
    expect(() => resiliencePolicy({ name: `p${++names}`, timeoutMs: 0, ...noBreaker })).toThrow(
      ConfigurationError,
    );
    expect(() => resiliencePolicy({ name: `p${++names}`, retries: 2 } as never)).toThrow(/retries/);
    expect(() => resiliencePolicy({ name: `p${++names}`, retry: { maxAttempts: 99 } })).toThrow(
      /maxAttempts/,
    );
  });
});
