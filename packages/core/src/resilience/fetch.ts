import { retryAfterMs } from './faults.js';
import type { ResiliencePolicy, ResultFault } from './policy.js';

/** Anything shaped like `fetch`: `fetch` itself, `tracedFetch(ctx)`, `signedFetch(...)`. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** How a response failed: 429 is throttling, 500/502/503/504 an outage; anything else is an answer. */
export function responseFault(response: Response): ResultFault | undefined {
  const status = response.status;
  if (status !== 429 && status !== 500 && status !== 502 && status !== 503 && status !== 504)
    return undefined;
  return {
    kind: status === 429 ? 'throttled' : 'unavailable',
    retryAfterMs: retryAfterMs(response.headers.get('retry-after')),
  };
}

/**
 * A `fetch` whose calls go through `policy`: a timeout per attempt that fires before the deadline,
 * retries of 429, 500, 502, 503, 504 and network errors with full jitter (honouring `Retry-After`,
 * never past the deadline), and the dependency's circuit breaker. The signal is `init.signal`, else
 * the current request's. It composes with the other fetch wrappers in either order:
 * `resilientFetch(payments, tracedFetch(ctx))`.
 *
 * Answers: a response, even a failed one that survived its retries (check `status`); a thrown 503
 * `DEPENDENCY_UNAVAILABLE` for network errors and an open circuit, a 504 `DEPENDENCY_TIMEOUT` for
 * attempts that timed out, or the abort reason when the request's signal aborted. `POST` and `PATCH`
 * are retried only when the server cannot have acted (429, a refused connection), unless
 * `idempotent: true` is given; a streamed body is never retried.
 */
export function resilientFetch(
  policy: ResiliencePolicy,
  send: FetchLike = (url, init) => globalThis.fetch(url, init),
  options: { readonly idempotent?: boolean } = {},
): FetchLike {
  return (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const replayable = !(init.body instanceof ReadableStream);
    return policy.execute(({ signal }) => send(url, { ...init, signal }), {
      signal: init.signal ?? undefined,
      idempotent: options.idempotent ?? IDEMPOTENT.has(method),
      ...(replayable ? {} : { retry: false as const }),
      classify: responseFault,
      discard: (response) => response.body?.cancel().catch(() => undefined),
    });
  };
}
