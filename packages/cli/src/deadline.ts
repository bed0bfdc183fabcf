/**
 * Bounds on what the CLI waits for. Lambda ends an invocation at the function's timeout, and an init
 * that outlasts its 10 seconds is retried within the first invocation's timeout; `lift dev` and
 * `lift invoke` run the same code locally, and without such bounds a handler or a module top level
 * that never settled hung them for good (a reload that hung blocked every later one).
 */
import { HandlerTimeoutError } from './errors.js';

/** The function timeout `lift dev` and `lift invoke` give a handler unless told (`--timeout-ms`). */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** How long Lambda lets an on-demand function's init run before it retries it in the first invocation. */
export const LAMBDA_INIT_TIMEOUT_MS = 10_000;

/**
 * `work`, or a rejection with `late()` once `ms` have passed without it settling (no bound when `ms`
 * is not a finite number). `late` may also stop the work (abort a request). The timer is cleared as
 * soon as `work` settles; a rejection of `work` after the deadline is handled here, not left unhandled.
 */
export async function settleWithin<T>(work: T | PromiseLike<T>, ms: number, late: () => Error): Promise<T> {
  if (!Number.isFinite(ms)) return await work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      try {
        reject(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A handler's answer, or a {@link HandlerTimeoutError} once the function's timeout has passed. Only
 * the wait ends there: the handler's own work goes on in the background, where Lambda would stop it.
 */
export function answerWithin<T>(work: T | PromiseLike<T>, timeoutMs: number): Promise<T> {
  return settleWithin(work, timeoutMs, () => new HandlerTimeoutError(timeoutMs));
}
