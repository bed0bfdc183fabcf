import { LiftResponse } from '../context/response.js';
import { IdempotencyConflictError, IdempotencyMismatchError, ResultTooLargeError } from './errors.js';
import type { IdempotencyStore, StoredResult } from './store.js';

/** The header a replayed response carries (`Idempotent-Replayed: true`). */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** Options of {@link runIdempotent}. Times are epoch milliseconds. */
export interface RunIdempotentOptions {
  /** Until when the run holds the key: the Lambda deadline. */
  readonly lockUntil: number;
  /** When the record may be forgotten: now + ttl. */
  readonly expiresAt: number;
  /** The time now. */
  readonly now: number;
  /** The request's deadline signal; bounds every store call. */
  readonly signal?: AbortSignal | undefined;
  /** `Retry-After` of the 409 answered while another run holds the key (default 1 second). */
  readonly retryAfterSeconds?: number;
}

/**
 * What happened to the result of a run: `stored` for replay; `not_stored` (a 5xx, a thrown error,
 * or `toStored` said not to; the lock was released); `too_large` (only a marker was stored, repeats
 * get a {@link ResultTooLargeError}); `fenced_out` (the run outlived its lock and another run took
 * the key, so nothing was written); `failed` (the store could not be written after the work ran: the
 * caller still gets its answer, the lock stays until `lockUntil`, `error` says why; log it).
 */
export type SaveOutcome = 'stored' | 'not_stored' | 'too_large' | 'fenced_out' | 'failed';

/** What {@link runIdempotent} did. */
export type IdempotentOutcome<T> =
  | { readonly kind: 'ran'; readonly value: T; readonly saved: SaveOutcome; readonly error?: unknown }
  | { readonly kind: 'replayed'; readonly stored: StoredResult };

/**
 * Runs `run` once per key across every instance sharing `store`:
 *
 * - the first call takes the key, runs, and stores `toStored(value)`; the value is returned;
 * - a repeat with the same payload hash returns the stored result without running (`replayed`);
 * - a repeat while the first holds the key throws a 409 {@link IdempotencyConflictError};
 * - the same key with another payload hash throws a 422 {@link IdempotencyMismatchError};
 * - a repeat of a run whose result was too large to store throws a 409 {@link ResultTooLargeError}.
 *
 * When `run` throws, or `toStored` returns `undefined` or a 5xx, nothing is stored and the lock is
 * released so a retry runs at once. A store failure before the run propagates (the work has not
 * run); after the run it never hides the value: the outcome says `failed`.
 */
export async function runIdempotent<T>(
  store: IdempotencyStore,
  key: string,
  payloadHash: string,
  options: RunIdempotentOptions,
  run: () => Promise<T>,
  toStored: (value: T) => StoredResult | undefined,
): Promise<IdempotentOutcome<T>> {
  const { signal } = options;
  const begun = await store.begin(key, {
    payloadHash,
    lockUntil: options.lockUntil,
    expiresAt: options.expiresAt,
    now: options.now,
    signal,
  });
  switch (begun.status) {
    case 'completed':
      return { kind: 'replayed', stored: begun.record };
    case 'in_progress':
      throw new IdempotencyConflictError(options.retryAfterSeconds ?? 1);
    case 'mismatch':
      throw new IdempotencyMismatchError();
    case 'unreplayable':
      throw new ResultTooLargeError(begun.resultStatus);
    case 'started':
      break;
  }
  const { fence } = begun;
  const release = () => store.release(key, fence, { signal }).catch(() => undefined);
  let value: T;
  try {
    value = await run();
  } catch (error) {
    // A failed release leaves the lock until lockUntil, as a crash would; the run's error matters.
    await release();
    throw error;
  }
  let stored: StoredResult | undefined;
  try {
    stored = toStored(value);
  } catch (error) {
    // The work ran: its value is still the answer, only it cannot be kept.
    await release();
    return { kind: 'ran', value, saved: 'failed', error };
  }
  if (stored === undefined || stored.status >= 500) {
    await release();
    return { kind: 'ran', value, saved: 'not_stored' };
  }
  try {
    const saved = await store.complete(key, fence, stored, { expiresAt: options.expiresAt, signal });
    return { kind: 'ran', value, saved };
  } catch (error) {
    return { kind: 'ran', value, saved: 'failed', error };
  }
}

// Headers that belong to one request, never to a replay: a session cookie set with `ctx.header`,
// the request id, and the rate-limit state, which the repeat's own request states.
const PER_REQUEST = new Set([
  'set-cookie',
  'x-request-id',
  'date',
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
]);

const encodeBytes = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * The part of a handler's response kept for replay, or `undefined` for a 5xx (never stored). Text
 * bodies are kept as they are, byte bodies as base64 (`bodyEncoding: 'base64'`). Headers are kept
 * but for those of one request (`Set-Cookie`, `X-Request-Id`, `Date`, the `RateLimit` fields and
 * `Retry-After`); cookies set with `ctx.cookie` are kept apart by `Context` and never reach it.
 */
export function storedResultOf(response: LiftResponse): StoredResult | undefined {
  if (response.status >= 500) return undefined;
  const { body } = response;
  const headers: Record<string, string> = {};
  for (const name in response.headers)
    if (!PER_REQUEST.has(name)) headers[name] = response.headers[name] as string;
  if (body instanceof Uint8Array)
    return {
      status: response.status,
      headers,
      body: encodeBytes(body),
      bodyEncoding: 'base64',
    };
  return { status: response.status, headers, body };
}

/** The response a stored result replays as, with `Idempotent-Replayed: true`. */
export function replayResponse(stored: StoredResult): LiftResponse {
  const body =
    stored.body !== null && stored.bodyEncoding === 'base64'
      ? new Uint8Array(Buffer.from(stored.body, 'base64'))
      : stored.body;
  return new LiftResponse(stored.status, { ...stored.headers, [REPLAYED_HEADER]: 'true' }, body);
}
