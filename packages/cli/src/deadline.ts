/**
 * Bounds on what the CLI waits for. Lambda ends an invocation at the function's timeout and an init
 * after 10 seconds; `lift dev` and `lift invoke` run the same code locally, and without the same
 * bounds a handler or a module top level that never settles hung them for good (a reload that hung
 * blocked every later one).
 */
import { HandlerTimeoutError } from './errors.js';

/** How long Lambda lets an on-demand function's init run. */
export const LAMBDA_INIT_MS = 10_000;

/**
 * `work`, or a rejection with `late()` once `ms` have passed without it settling. `late` may also
 * stop the work (abort a request). The timer is cleared as soon as `work` settles.
 */
export async function settleWithin<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A handler's answer, or a {@link HandlerTimeoutError} once the function's timeout has passed. */
export function answerWithin<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  return settleWithin(work, timeoutMs, () => new HandlerTimeoutError(timeoutMs));
}
