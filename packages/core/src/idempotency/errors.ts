import { BadRequestError, ConflictError, HttpError, type HttpErrorOptions } from '../errors/errors.js';

/**
 * 409 `IDEMPOTENCY_IN_PROGRESS`: another run holds the key's lock (a request with the same key is
 * still being handled). Carries `Retry-After`; a record runner reports the record failed, so the
 * source delivers it again later.
 */
export class IdempotencyConflictError extends ConflictError {
  override readonly code: string = 'IDEMPOTENCY_IN_PROGRESS';
  /** @param retryAfterSeconds when the caller may try again (sets `Retry-After`, default 1) */
  constructor(retryAfterSeconds = 1, options: HttpErrorOptions = {}) {
    super('A request with this idempotency key is still in progress', {
      ...options,
      headers: { ...options.headers, 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

/**
 * 422 `IDEMPOTENCY_KEY_REUSED`: the key was first used with another payload. Retrying cannot help;
 * the client must use a new key for a different request.
 */
export class IdempotencyMismatchError extends HttpError {
  /** @param options safe details, cause */
  constructor(options: HttpErrorOptions = {}) {
    super(
      422,
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was already used with a different request payload',
      options,
    );
  }
}

/**
 * 409 `IDEMPOTENCY_RESULT_TOO_LARGE`, answered to a repeat of a request that completed but whose
 * response was too large to store for replay (over the store's `maxItemBytes`). The original caller
 * got its response; the work is never run twice, so a repeat cannot be answered with it. `details`
 * holds the original status. No `Retry-After`: retrying the same key gives the same answer.
 */
export class ResultTooLargeError extends ConflictError {
  override readonly code: string = 'IDEMPOTENCY_RESULT_TOO_LARGE';
  /** The status the original request was answered with. */
  readonly resultStatus: number;
  /** @param resultStatus the status the original request was answered with, reported in `details` */
  constructor(resultStatus: number, options: HttpErrorOptions = {}) {
    super(
      'The request with this idempotency key completed, but its response was too large to store for replay',
      { details: { status: resultStatus }, ...options },
    );
    this.resultStatus = resultStatus;
  }
}

/**
 * 400 `IDEMPOTENCY_KEY_INVALID`: the key (or the tenant it is scoped by) is empty, too long, not
 * well-formed Unicode, or holds control characters.
 */
export class InvalidIdempotencyKeyError extends BadRequestError {
  override readonly code: string = 'IDEMPOTENCY_KEY_INVALID';
}
