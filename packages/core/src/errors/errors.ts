/**
 * Typed errors with a stable `code`, an HTTP `status` and a message that is safe to show a caller.
 * Anything that is not an {@link HttpError} is answered as a generic 500; its detail goes only to
 * the app's `onError` hook.
 */

import { isInstance } from './instance.js';

/** One field-level problem, as reported in `details` of a 422 (and of other validation errors). */
export interface FieldIssue {
  /** Where the problem is: `body`, `query`, `params` or `headers`, then the path inside it. */
  readonly path: string;
  /** What is wrong, in words a client developer can act on. */
  readonly message: string;
}

/** Options shared by every {@link HttpError}. */
export interface HttpErrorOptions {
  /** Extra, safe-to-expose data placed in the envelope's `details`. */
  readonly details?: unknown;
  /** The underlying error; never sent to the caller. */
  readonly cause?: unknown;
  /** Response headers that belong to this error (e.g. `Allow`, `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Base class of every error Lift turns into a response with its own status and code. */
export class HttpError extends Error {
  /** HTTP status code of the response. */
  readonly status: number;
  /** Stable, machine-readable code (`NOT_FOUND`, `VALIDATION_FAILED`, ...). */
  readonly code: string;
  /** Safe extra data for the envelope's `details`. */
  readonly details: unknown;
  /** Headers to add to the error response. */
  readonly headers: Readonly<Record<string, string>> | undefined;

  /**
   * Creates an error answered with `status`, `code` and `message` (which must be safe to expose).
   * A 4xx captures no stack trace: it is an answer to the caller, not a fault to debug, and
   * capturing one was most of the cost of answering a 404 (which attackers can ask for at will).
   * Its `cause`, if any, keeps its own stack.
   */
  constructor(status: number, code: string, message: string, options: HttpErrorOptions = {}) {
    const limit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      super(message, options.cause === undefined ? undefined : { cause: options.cause });
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** 400: the request is malformed (bad JSON, bad percent-encoding, forbidden keys). */
export class BadRequestError extends HttpError {
  /** @param message safe description of what is malformed */
  constructor(message = 'Bad request', options?: HttpErrorOptions) {
    super(400, 'BAD_REQUEST', message, options);
  }
}

/** 401: no valid credentials were presented. */
export class UnauthorizedError extends HttpError {
  /** @param message safe description; never says which check failed */
  constructor(message = 'Authentication required', options?: HttpErrorOptions) {
    super(401, 'UNAUTHORIZED', message, options);
  }
}

/** 403: the caller is known but not allowed. */
export class ForbiddenError extends HttpError {
  /** @param message safe description */
  constructor(message = 'Forbidden', options?: HttpErrorOptions) {
    super(403, 'FORBIDDEN', message, options);
  }
}

/** 404: no such route or resource. */
export class NotFoundError extends HttpError {
  /** @param message safe description */
  constructor(message = 'Not found', options?: HttpErrorOptions) {
    super(404, 'NOT_FOUND', message, options);
  }
}

/** 405: the path exists but not for this method; carries the `Allow` header. */
export class MethodNotAllowedError extends HttpError {
  /** The methods the path does answer. */
  readonly allow: readonly string[];
  /** @param allow methods the path answers, placed in the `Allow` header */
  constructor(allow: readonly string[], options: HttpErrorOptions = {}) {
    super(405, 'METHOD_NOT_ALLOWED', 'Method not allowed', {
      ...options,
      headers: { ...options.headers, allow: allow.join(', ') },
    });
    this.allow = allow;
  }
}

/** 409: the request conflicts with the current state (stale version, duplicate, in progress). */
export class ConflictError extends HttpError {
  /** @param message safe description */
  constructor(message = 'Conflict', options?: HttpErrorOptions) {
    super(409, 'CONFLICT', message, options);
  }
}

/** 413: the decoded body is larger than the limit. */
export class PayloadTooLargeError extends HttpError {
  /** @param limitBytes the limit that was exceeded, reported in `details` */
  constructor(limitBytes: number, options: HttpErrorOptions = {}) {
    super(413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${limitBytes} bytes`, {
      details: { limitBytes },
      ...options,
    });
  }
}

/** 415: the body's content type is not one the route accepts. */
export class UnsupportedMediaTypeError extends HttpError {
  /** @param message safe description */
  constructor(message = 'Unsupported media type', options?: HttpErrorOptions) {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', message, options);
  }
}

/** 422: the request is well-formed but fails validation; `details` lists every field issue. */
export class UnprocessableError extends HttpError {
  /** The field-level problems. */
  readonly issues: readonly FieldIssue[];
  /** @param issues every field-level problem found */
  constructor(issues: readonly FieldIssue[], message = 'Validation failed', options: HttpErrorOptions = {}) {
    super(422, 'VALIDATION_FAILED', message, { ...options, details: { issues } });
    this.issues = issues;
  }
}

/** 429: a rate limit was hit. */
export class TooManyRequestsError extends HttpError {
  /** @param retryAfterSeconds when the caller may try again (sets `Retry-After`) */
  constructor(retryAfterSeconds?: number, options: HttpErrorOptions = {}) {
    super(429, 'TOO_MANY_REQUESTS', 'Too many requests', {
      ...options,
      headers:
        retryAfterSeconds === undefined
          ? options.headers
          : { ...options.headers, 'retry-after': String(Math.max(0, Math.ceil(retryAfterSeconds))) },
    });
  }
}

/** 500 raised on purpose (the message is still replaced by a generic one for the caller). */
export class InternalServerError extends HttpError {
  /** @param options cause and details for the `onError` hook */
  constructor(options?: HttpErrorOptions) {
    super(500, 'INTERNAL_ERROR', 'Internal server error', options);
  }
}

/** 503: a dependency is unavailable. */
export class ServiceUnavailableError extends HttpError {
  /** @param message safe description */
  constructor(message = 'Service unavailable', options?: HttpErrorOptions) {
    super(503, 'SERVICE_UNAVAILABLE', message, options);
  }
}

/** 504: the handler did not finish before the Lambda deadline (minus the safety margin). */
export class GatewayTimeoutError extends HttpError {
  /** @param message safe description */
  constructor(message = 'Request timed out', options?: HttpErrorOptions) {
    super(504, 'TIMEOUT', message, options);
  }
}

/**
 * Thrown by `app.handler` when the Lambda payload is not an event Lift serves, or is malformed.
 * It is not an HTTP answer: there is no request to answer, so the invocation fails with this error.
 */
export class InvalidEventError extends Error {
  /** Stable code for logs and tests. */
  readonly code = 'INVALID_EVENT';
  /** @param message what is missing or wrong in the payload */
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/**
 * Thrown by a record handler for a record that will never succeed (an order that no longer exists, a
 * message from a retired version): the record is logged and counted as dropped, and acknowledged, so
 * it is not retried. Any other error reports the record as failed, and the source retries it.
 */
export class PermanentError extends Error {
  /** Stable code for logs and tests. */
  readonly code = 'PERMANENT_FAILURE';
  /** @param message why the record can never be processed */
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/**
 * Thrown by `app.handler` for a batch in which every record failed, when the registration asks for
 * it with `throwOnFullBatchFailure`; also for an asynchronous event (SNS, S3, EventBridge, a
 * schedule) whose handler failed, so Lambda's retries and failure destinations apply.
 */
export class RecordsFailedError extends Error {
  /** Stable code for logs and tests. */
  readonly code = 'RECORDS_FAILED';
  /** @param message how many records failed, and where */
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'RecordsFailedError';
  }
}

/** Thrown at start-up for a mistake in how the app is put together (bad option, duplicate route). */
export class ConfigurationError extends Error {
  /** Stable code for logs and tests. */
  readonly code = 'INVALID_CONFIGURATION';
  /** @param message what to change */
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

/**
 * Refuses the keys of an options object that the API does not have, naming the API (`cors`,
 * `GET /items`...), so a misspelt option fails at start-up instead of looking as if it applied.
 * `undefined` has no keys; anything else that is not an object is refused too.
 */
export function refuseUnknownOptions(options: unknown, known: Iterable<string>, where: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new ConfigurationError(`${where}: options must be an object`);
  const allowed = known instanceof Set ? (known as ReadonlySet<string>) : new Set(known);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) throw new ConfigurationError(`${where}: unknown option "${key}"`);
  }
}

/** The JSON error envelope every error response uses. */
export interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string; details?: unknown };
}

/** Builds the envelope for an error; non-{@link HttpError} values become a generic 500 body. */
export function errorEnvelope(error: unknown, requestId: string): ErrorEnvelope {
  if (!isInstance(error, HttpError)) return genericEnvelope(requestId);
  if (error.status < 500) {
    const body: ErrorEnvelope = { error: { code: error.code, message: error.message, requestId } };
    if (error.details !== undefined) body.error.details = error.details;
    return body;
  }
  // 5xx messages can be specific on purpose (503/504), but details may carry internals.
  const safe = error.status === 500 ? 'Internal server error' : error.message;
  return { error: { code: error.code, message: safe, requestId } };
}

const genericEnvelope = (requestId: string): ErrorEnvelope => ({
  error: { code: 'INTERNAL_ERROR', message: 'Internal server error', requestId },
});

/** The status an error is answered with. */
export function errorStatus(error: unknown): number {
  return isInstance(error, HttpError) ? error.status : 500;
}
