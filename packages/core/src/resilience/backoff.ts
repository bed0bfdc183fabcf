/**
 * Retry timing: full-jitter exponential backoff, bounded by the request's deadline. A retry whose wait
 * plus the time an attempt takes (as long as the last one, at least `minAttemptMs`) would pass the
 * deadline is not attempted; the caller gets the last answer at once instead of an answer after, or
 * a retry cut short by, the deadline.
 */
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { abortReason } from './faults.js';

/** When and how often to retry. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3; 1 turns retrying off). */
  readonly maxAttempts?: number;
  /**
   * Full jitter: retry n waits a random time in [0, min(`maxDelayMs`, `baseDelayMs` × 2^(n-1))).
   * Default 50 ms.
   */
  readonly baseDelayMs?: number;
  /**
   * The longest wait (default 1000 ms). A `Retry-After` asking for more is not honoured by waiting:
   * the call is not retried and its caller gets the answer (and its `Retry-After`).
   */
  readonly maxDelayMs?: number;
  /**
   * The least time an attempt needs (default 100 ms): a retry is only made when, after its wait, at
   * least this much, and at least as long as the failed attempt took, is left before the deadline.
   */
  readonly minAttemptMs?: number;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`); inject one in tests. */
  readonly random?: () => number;
}

/** {@link RetryOptions} with every default applied. */
export interface RetryPlan {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly minAttemptMs: number;
  readonly random: () => number;
}

const KNOWN = ['maxAttempts', 'baseDelayMs', 'maxDelayMs', 'minAttemptMs', 'random'];

function nonNegative(value: number | undefined, fallback: number, what: string, where: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigurationError(`${where}: ${what} must be a non-negative number`);
  return value;
}

/** Checks retry options once, at start-up, naming `where`; `false` means one attempt. */
export function retryPlan(
  options: RetryOptions | false | undefined,
  where: string,
  defaults: Partial<RetryPlan> = {},
): RetryPlan {
  if (options === false) return retryPlan({ maxAttempts: 1 }, where, defaults);
  refuseUnknownOptions(options, KNOWN, `${where} retry`);
  const given = options ?? {};
  const maxAttempts = given.maxAttempts ?? defaults.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 20)
    throw new ConfigurationError(`${where}: retry.maxAttempts must be an integer from 1 to 20`);
  const random = given.random ?? defaults.random ?? Math.random;
  if (typeof random !== 'function') throw new ConfigurationError(`${where}: retry.random must be a function`);
  return {
    maxAttempts,
    baseDelayMs: nonNegative(given.baseDelayMs, defaults.baseDelayMs ?? 50, 'retry.baseDelayMs', where),
    maxDelayMs: nonNegative(given.maxDelayMs, defaults.maxDelayMs ?? 1000, 'retry.maxDelayMs', where),
    minAttemptMs: nonNegative(given.minAttemptMs, defaults.minAttemptMs ?? 100, 'retry.minAttemptMs', where),
    random,
  };
}

/**
 * The wait before retry number `retry` (1 for the first retry), or `undefined` when it must not be
 * made: the attempts are used up, a `Retry-After` asks for more than `maxDelayMs`, or the wait plus
 * the time the retry is expected to take does not fit in `budgetMs`, the time left before the
 * deadline. That time is `lastAttemptMs`, how long the failed attempt took, and at least
 * `minAttemptMs`: a dependency that took 400 ms to say "throttled" will not say "fine" in 50.
 */
export function retryDelay(
  plan: RetryPlan,
  retry: number,
  budgetMs: number,
  retryAfter?: number,
  lastAttemptMs?: number,
): number | undefined {
  if (retry >= plan.maxAttempts) return undefined;
  if (retryAfter !== undefined && retryAfter > plan.maxDelayMs) return undefined;
  const ceiling = Math.min(plan.maxDelayMs, plan.baseDelayMs * 2 ** (retry - 1));
  const jitter = Math.floor(plan.random() * ceiling);
  const delay = Math.max(jitter, Math.ceil(retryAfter ?? 0));
  const attempt = Math.max(plan.minAttemptMs, lastAttemptMs ?? 0);
  return delay + attempt <= budgetMs ? delay : undefined;
}

/** Waits `ms`; rejects with the abort reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
