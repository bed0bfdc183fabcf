/**
 * What went wrong with a call to another service, and the answer Lift gives its own caller for it:
 * throttling and outages are a 503 with `Retry-After`, a dependency that does not answer in time a
 * 504, each with a stable code. The request's own deadline passing is answered by the app (504).
 */
import { GatewayTimeoutError, type HttpErrorOptions, ServiceUnavailableError } from '../errors/errors.js';

/** How a call failed, as far as retrying and answering go. */
export type FaultKind = 'throttled' | 'unavailable' | 'timeout' | 'aborted';

function retryAfterHeader(seconds: number, options: HttpErrorOptions): Record<string, string> {
  return { ...options.headers, 'retry-after': String(Math.max(1, Math.ceil(seconds))) };
}

/**
 * 503 `DEPENDENCY_THROTTLED`: a service this request needs refused it for capacity (DynamoDB's
 * `ProvisionedThroughputExceededException`, `ThrottlingException`, an HTTP 429). The caller did not
 * cause it, so it is a 503 rather than a 429, with `Retry-After`.
 */
export class DependencyThrottledError extends ServiceUnavailableError {
  override readonly code = 'DEPENDENCY_THROTTLED';
  /** The dependency's name (for logs; not sent to the caller). */
  readonly dependency: string;
  /** The `Retry-After` sent, in seconds. */
  readonly retryAfterSeconds: number;
  /**
   * @param dependency the dependency's name, for logs
   * @param retryAfterSeconds when the caller may try again (default 1; rounded up, at least 1)
   */
  constructor(dependency: string, retryAfterSeconds = 1, options: HttpErrorOptions = {}) {
    super('A service this request needs is busy; try again shortly', {
      ...options,
      headers: retryAfterHeader(retryAfterSeconds, options),
    });
    this.dependency = dependency;
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/**
 * 503 `DEPENDENCY_UNAVAILABLE`: a service this request needs failed (a 5xx, a refused or reset
 * connection) or its circuit breaker is open; with `Retry-After`.
 */
export class DependencyUnavailableError extends ServiceUnavailableError {
  override readonly code = 'DEPENDENCY_UNAVAILABLE';
  /** The dependency's name (for logs; not sent to the caller). */
  readonly dependency: string;
  /** `circuit-open` when the breaker refused the call without trying it. */
  readonly reason: 'failed' | 'circuit-open';
  /** The `Retry-After` sent, in seconds. */
  readonly retryAfterSeconds: number;
  /**
   * @param dependency the dependency's name, for logs
   * @param retryAfterSeconds when the caller may try again (default 1; rounded up, at least 1)
   */
  constructor(
    dependency: string,
    retryAfterSeconds = 1,
    options: HttpErrorOptions & { readonly reason?: 'failed' | 'circuit-open' } = {},
  ) {
    super('A service this request needs is unavailable; try again shortly', {
      ...options,
      headers: retryAfterHeader(retryAfterSeconds, options),
    });
    this.dependency = dependency;
    this.reason = options.reason ?? 'failed';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/**
 * 504 `DEPENDENCY_TIMEOUT`: a service this request needs did not answer within its timeout (which
 * fires before the request's own deadline).
 */
export class DependencyTimeoutError extends GatewayTimeoutError {
  override readonly code = 'DEPENDENCY_TIMEOUT';
  /** The dependency's name (for logs; not sent to the caller). */
  readonly dependency: string;
  /** @param dependency the dependency's name, for logs */
  constructor(dependency: string, options: HttpErrorOptions = {}) {
    super('A service this request needs did not answer in time', options);
    this.dependency = dependency;
  }
}

/** AWS error names that mean "slow down" (the SDK's own list, DynamoDB's among them). */
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'ERR_HTTP2_STREAM_ERROR',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

/**
 * Classifies an error from an AWS SDK call or a `fetch`: `throttled` (429, the throttling
 * exceptions), `unavailable` (5xx, refused/reset connections, DNS failures), `timeout` (a connection
 * or request timeout), `aborted` (a signal aborted the call); `undefined` for everything else, which
 * is not retried (4xx, validation, a failed condition).
 */
export function faultOf(error: unknown, depth = 0): FaultKind | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : 0;
  if (name === 'AbortError') return 'aborted';
  if (status === 429 || THROTTLING.has(name) || e.$retryable?.throttling === true) return 'throttled';
  // The code before the name: the SDK's Node handler renames ECONNRESET and EPIPE errors
  // `TimeoutError`, but a reset connection is an outage (503), not a slow answer (504).
  if (NETWORK_CODES.has(code)) return 'unavailable';
  // cockatiel's TaskCancelledError (a per-attempt timeout) is recognised by its flag.
  if (
    TIMEOUT_NAMES.has(name) ||
    TIMEOUT_CODES.has(code) ||
    (error as { isTaskCancelledError?: unknown }).isTaskCancelledError === true
  )
    return 'timeout';
  if (status >= 500 || e.$fault === 'server') return 'unavailable';
  // fetch reports network failures as a TypeError whose cause carries the code.
  return depth < 5 && e.cause !== undefined ? faultOf(e.cause, depth + 1) : undefined;
}

/**
 * Milliseconds a `Retry-After` header asks for (delay-seconds or an HTTP date), `undefined` when
 * there is none or it cannot be read. Negative dates count as 0.
 */
export function retryAfterMs(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error a call that was aborted by `signal` rejects with: its reason, as `fetch` does. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * The error to answer a failed call to `dependency` with: the abort reason when `signal` (the
 * request's) was aborted; a {@link DependencyThrottledError}, {@link DependencyUnavailableError} or
 * {@link DependencyTimeoutError} (with the original as `cause`) for a fault; the error itself for
 * anything else.
 */
export function dependencyError(
  error: unknown,
  dependency: string,
  options: { readonly signal?: AbortSignal | undefined; readonly retryAfterMs?: number | undefined } = {},
): unknown {
  if (options.signal?.aborted === true) return abortReason(options.signal);
  const seconds = options.retryAfterMs === undefined ? 1 : options.retryAfterMs / 1000;
  switch (faultOf(error)) {
    case 'throttled':
      return new DependencyThrottledError(dependency, seconds, { cause: error });
    case 'unavailable':
      return new DependencyUnavailableError(dependency, seconds, { cause: error });
    case 'timeout':
    case 'aborted':
      return new DependencyTimeoutError(dependency, { cause: error });
    default:
      return error;
  }
}
