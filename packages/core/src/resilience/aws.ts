/**
 * AWS SDK v3 clients that answer before the deadline: connection and request timeouts on the Node
 * HTTP handler, and a retry strategy (the SDK's own `RetryStrategyV2` interface) with full jitter that
 * never starts a retry that could not finish before the current request's deadline. Nothing here
 * loads the SDK: the settings are plain objects any client takes.
 */
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { type RetryOptions, type RetryPlan, retryDelay, retryPlan } from './backoff.js';
import { remainingBudgetMs } from './scope.js';

/** The SDK's retry token, as its retry middleware reads it. */
export interface AwsRetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

/** What the SDK's retry middleware tells a strategy about a failed attempt. */
export interface AwsRetryErrorInfo {
  readonly errorType: 'TRANSIENT' | 'THROTTLING' | 'SERVER_ERROR' | 'CLIENT_ERROR';
  readonly retryAfterHint?: Date;
}

/** A retry strategy in the SDK's `RetryStrategyV2` shape: pass it as a client's `retryStrategy`. */
export interface AwsRetryStrategy {
  acquireInitialRetryToken(retryTokenScope: string): Promise<AwsRetryToken>;
  refreshRetryTokenForRetry(token: AwsRetryToken, errorInfo: AwsRetryErrorInfo): Promise<AwsRetryToken>;
  recordSuccess(token: AwsRetryToken): void;
}

/** A token that also knows when its attempt starts (after its delay), to time that attempt. */
interface TimedToken extends AwsRetryToken {
  readonly attemptStartsAt?: number;
}

function token(count: number, delay: number): TimedToken {
  return { getRetryCount: () => count, getRetryDelay: () => delay, attemptStartsAt: Date.now() + delay };
}

/**
 * The SDK's retries, bounded by the deadline: throttling, transient errors (timeouts, resets, 500,
 * 502, 503, 504) and other 5xx are retried after a full-jitter wait, honouring `Retry-After`; client
 * errors never are. A retry is refused when its wait and the time it would take (as long as the
 * failed attempt took, at least `minAttemptMs`) do not fit in the time the current request has left
 * ({@link withRequestScope}), so the last error comes back at once, before the deadline. The wait
 * itself is the SDK's, which stops when the call's `abortSignal` aborts. Default: 3 attempts, 50 ms
 * base, 1 s cap.
 */
export function deadlineRetryStrategy(options: RetryOptions = {}): AwsRetryStrategy {
  const plan: RetryPlan = retryPlan(options, 'deadlineRetryStrategy');
  return {
    async acquireInitialRetryToken() {
      return token(0, 0);
    },
    async refreshRetryTokenForRetry(previous, info) {
      if (info.errorType === 'CLIENT_ERROR') throw new Error('not retryable');
      const retry = previous.getRetryCount() + 1;
      const now = Date.now();
      const hint = info.retryAfterHint === undefined ? undefined : info.retryAfterHint.getTime() - now;
      const started = (previous as TimedToken).attemptStartsAt;
      const delay = retryDelay(
        plan,
        retry,
        remainingBudgetMs(),
        hint === undefined ? undefined : Math.max(0, hint),
        started === undefined ? undefined : now - started,
      );
      if (delay === undefined) throw new Error('no time or attempts left for a retry');
      return token(retry, delay);
    },
    recordSuccess() {},
  };
}

/** Options of {@link awsClientDefaults}. */
export interface AwsClientDefaultsOptions {
  /** Time to establish a connection, in ms (default 1000). */
  readonly connectionTimeoutMs?: number;
  /** Time for one attempt, from sending to the whole answer, in ms (default 2000). */
  readonly requestTimeoutMs?: number;
  /** The retry strategy's options ({@link deadlineRetryStrategy}). */
  readonly retry?: RetryOptions;
}

/** Client settings from {@link awsClientDefaults}: spread them into any AWS SDK v3 client's config. */
export interface AwsClientDefaults {
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    readonly throwOnRequestTimeout: true;
  };
  readonly retryStrategy: AwsRetryStrategy;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigurationError(`awsClientDefaults: ${what} must be a positive number`);
  return value;
}

/**
 * Timeouts and deadline-bound retries for an AWS SDK v3 client:
 * `new DynamoDBClient({ ...awsClientDefaults() })`. Without them an endpoint that accepts a
 * connection and never answers holds a call for minutes (the SDK's socket timeout), and retries can
 * run past the Lambda deadline. `requestTimeout` throws (`throwOnRequestTimeout`), so a slow attempt
 * is retried or answered instead of only warned about.
 */
export function awsClientDefaults(options: AwsClientDefaultsOptions = {}): AwsClientDefaults {
  refuseUnknownOptions(options, ['connectionTimeoutMs', 'requestTimeoutMs', 'retry'], 'awsClientDefaults');
  return {
    requestHandler: {
      connectionTimeout: positive(options.connectionTimeoutMs, 1000, 'connectionTimeoutMs'),
      requestTimeout: positive(options.requestTimeoutMs, 2000, 'requestTimeoutMs'),
      throwOnRequestTimeout: true,
    },
    retryStrategy: deadlineRetryStrategy(options.retry),
  };
}
