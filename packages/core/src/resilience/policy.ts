/**
 * One policy per dependency: deadline-bound retries around a circuit breaker around a per-attempt
 * timeout (cockatiel's), all stopping when the request's signal aborts. Retries are Lift's own, not
 * cockatiel's: cockatiel 3's retry waits cannot be cut short by a signal or refused near a deadline.
 */
import { TimeoutStrategy, timeout } from 'cockatiel';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { type RetryOptions, type RetryPlan, retryDelay, retryPlan, sleep } from './backoff.js';
import { type BreakerOptions, type CircuitBreaker, circuitBreaker } from './breaker.js';
import { abortReason, DependencyTimeoutError, dependencyError, type FaultKind, faultOf } from './faults.js';
import { currentScope } from './scope.js';

/** Options of {@link resiliencePolicy}. */
export interface ResiliencePolicyOptions {
  /** The dependency's name: the breaker's key, a log field and a metric dimension (`payments`). */
  readonly name: string;
  /** Retries (default 3 attempts, full jitter from 50 ms, 1 s cap); `false` for one attempt. */
  readonly retry?: RetryOptions | false;
  /** The dependency's circuit breaker (default on, see {@link circuitBreaker}); `false` for none. */
  readonly breaker?: BreakerOptions | false;
  /**
   * Longest time one attempt may take, in ms (default 5000). Each attempt's timeout is also cut to
   * the time the request has left, so it fires before the deadline.
   */
  readonly timeoutMs?: number;
}

/** A result that is an answer from the dependency, but a failed one (an HTTP 429 or 5xx). */
export interface ResultFault {
  readonly kind: Exclude<FaultKind, 'aborted'>;
  /** The dependency's `Retry-After`, in ms. */
  readonly retryAfterMs?: number | undefined;
}

/** Options of one {@link ResiliencePolicy.execute}. */
export interface ExecuteOptions<T> {
  /** Aborts the call (default: the current request's signal, see {@link withRequestScope}). */
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds left before the deadline (default: the current request's budget, else none). */
  readonly budgetMs?: number | undefined;
  /**
   * Whether repeating the call is harmless (default true). A call that is not is retried only when
   * the dependency cannot have acted on it: throttled, or the connection refused.
   */
  readonly idempotent?: boolean;
  /** `false`: one attempt only (a body that cannot be sent twice). */
  readonly retry?: false;
  /** Tells a failed answer from a good one (`fetch`: 429 and 5xx); good answers return at once. */
  readonly classify?: (result: T) => ResultFault | undefined;
  /** Releases a failed answer that is about to be retried (`fetch`: cancels its body). */
  readonly discard?: (result: T) => unknown;
}

/** One attempt's view: abort on `signal`, which fires at the attempt's timeout or the deadline. */
export interface Attempt {
  readonly signal: AbortSignal;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/** Retries, breaker and timeouts for one dependency. */
export interface ResiliencePolicy {
  readonly name: string;
  /** The dependency's circuit breaker, if it has one. */
  readonly breaker: CircuitBreaker | undefined;
  /**
   * Runs `call` with retries, breaker and timeout. A thrown fault that survives its retries becomes a
   * 503 `DEPENDENCY_THROTTLED`/`DEPENDENCY_UNAVAILABLE` (with `Retry-After`) or a 504
   * `DEPENDENCY_TIMEOUT`, the original as `cause`; other errors are rethrown as they are. A failed
   * answer (see `classify`) that survives is returned. When the request's signal aborts, its reason
   * is thrown at once.
   */
  execute<T>(call: (attempt: Attempt) => Promise<T>, options?: ExecuteOptions<T>): Promise<T>;
}

const KNOWN = ['name', 'retry', 'breaker', 'timeoutMs'];

/** Outcome of one attempt, before deciding whether to retry. */
type Outcome<T> = { readonly value: T; readonly fault?: ResultFault } | { readonly error: unknown };

/**
 * A policy for calls to one dependency, checked now: `resiliencePolicy({ name: 'payments' })` at
 * module load, then `payments.execute(...)` or `resilientFetch(payments)` per request.
 */
export function resiliencePolicy(options: ResiliencePolicyOptions): ResiliencePolicy {
  refuseUnknownOptions(options, KNOWN, 'resiliencePolicy');
  const where = `resiliencePolicy(${JSON.stringify(options?.name)})`;
  const plan: RetryPlan = retryPlan(options.retry, where);
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new ConfigurationError(`${where}: timeoutMs must be a positive number`);
  const breaker = options.breaker === false ? undefined : circuitBreaker(options.name, options.breaker);
  const name = options.name;

  async function attemptOnce<T>(
    call: (attempt: Attempt) => Promise<T>,
    attempt: number,
    budget: number,
    signal: AbortSignal | undefined,
    classify: ExecuteOptions<T>['classify'],
  ): Promise<Outcome<T>> {
    const limit = Math.max(1, Math.min(timeoutMs, budget));
    const timed = timeout(limit, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    const run = (inner: AbortSignal) =>
      timed.execute(
        ({ signal: attemptSignal }) =>
          // The attempt's own signal stops at its return; the request's goes on covering a body read.
          call({
            signal: signal === undefined ? attemptSignal : AbortSignal.any([signal, attemptSignal]),
            attempt,
          }),
        inner,
      );
    try {
      const value =
        breaker === undefined
          ? await run(signal ?? new AbortController().signal)
          : await breaker.execute(run, signal, (result) => classify?.(result)?.kind === 'unavailable');
      const fault = classify?.(value);
      return fault === undefined ? { value } : { value, fault };
    } catch (error) {
      return { error };
    }
  }

  return {
    name,
    breaker,
    async execute<T>(call: (attempt: Attempt) => Promise<T>, run: ExecuteOptions<T> = {}): Promise<T> {
      const scope = currentScope();
      const signal = run.signal ?? scope?.signal;
      const started = Date.now();
      const given = run.budgetMs;
      const budget = () =>
        given !== undefined
          ? given - (Date.now() - started)
          : (scope?.budgetMs() ?? Number.POSITIVE_INFINITY);
      for (let attempt = 1; ; attempt++) {
        if (aborted(signal)) throw abortReason(signal);
        const left = budget();
        if (left <= 0) throw new DependencyTimeoutError(name);
        const began = Date.now();
        const outcome = await attemptOnce(call, attempt, left, signal, run.classify);
        const took = Date.now() - began;
        if (aborted(signal)) throw abortReason(signal);
        let fault: FaultKind | undefined;
        let retryAfter: number | undefined;
        if ('error' in outcome) {
          fault = faultOf(outcome.error);
        } else if (outcome.fault === undefined) {
          return outcome.value;
        } else {
          fault = outcome.fault.kind;
          retryAfter = outcome.fault.retryAfterMs;
        }
        const safe =
          run.retry !== false && (run.idempotent !== false || fault === 'throttled' || refused(outcome));
        const delay =
          fault === undefined || !safe ? undefined : retryDelay(plan, attempt, budget(), retryAfter, took);
        if (delay === undefined) {
          if ('value' in outcome) return outcome.value;
          throw dependencyError(outcome.error, name, { signal });
        }
        if ('value' in outcome) await run.discard?.(outcome.value);
        await sleep(delay, signal);
      }
    },
  };
}

function aborted(signal: AbortSignal | undefined): signal is AbortSignal {
  return signal?.aborted === true;
}

function refused(outcome: Outcome<unknown>): boolean {
  if (!('error' in outcome)) return false;
  let error = outcome.error as { code?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; depth < 5 && error !== undefined && error !== null; depth++) {
    if (error.code === 'ECONNREFUSED') return true;
    error = error.cause as typeof error;
  }
  return false;
}
