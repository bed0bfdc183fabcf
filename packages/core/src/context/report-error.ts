import { loggableError, reportOnStderr, safeRead, safeText } from '../errors/report.js';
import type { Context, RequestInput } from './context.js';

/**
 * The default error reporter: through the app's logger when it has one (an ERROR line with the
 * request keys, masked, flushing the invocation's debug buffer), else one JSON line on stderr.
 */
export function logUnhandledError(error: unknown, ctx: Context<RequestInput, object>): void {
  if (ctx.hasLogger) {
    try {
      ctx.log.error('Request failed', loggableError(error));
      return;
    } catch {
      // The logger could not write it (a `write` that throws): the line goes to stderr instead.
    }
  }
  reportOnStderr(
    'Request failed',
    ctx.service,
    {
      request_id: ctx.requestId,
      method: ctx.method,
      route: ctx.route,
    },
    error,
  );
}

/** @internal An app's `onError` hook: what it returns is ignored, a promise included. */
export type ErrorHook = (error: unknown, ctx: Context<RequestInput, object>) => unknown;

/**
 * @internal Calls `onError` for a 5xx. A hook that throws, or returns a promise that rejects, must not
 * turn the 500 into a crash nor lose the failure it was given: stderr gets one line with that failure
 * and what the hook threw. Shared by `createApp` and the Middy adapter.
 */
export function guardedErrorHook(
  onError: ErrorHook,
  service: string,
): (error: unknown, ctx: Context<RequestInput, object>) => void {
  const fallback = (failure: unknown, error: unknown, ctx: Context<RequestInput, object>) =>
    reportOnStderr(
      'Request failed, and onError threw',
      service,
      { request_id: ctx.requestId, on_error: safeText(failure) },
      error,
    );
  return (error, ctx) => {
    try {
      const done = onError(error, ctx);
      const then = safeRead(() => (done as { then?: unknown } | null | undefined)?.then);
      if (typeof then === 'function')
        (then as Promise<unknown>['then']).call(done, undefined, (failure: unknown) =>
          fallback(failure, error, ctx),
        );
    } catch (failure) {
      fallback(failure, error, ctx);
    }
  };
}
