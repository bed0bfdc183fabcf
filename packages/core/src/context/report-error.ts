import type { Context, RequestInput } from './context.js';

/**
 * The default error reporter: through the app's logger when it has one (an ERROR line with the
 * request keys, masked, flushing the invocation's debug buffer), else one JSON line on stderr.
 */
export function logUnhandledError(error: unknown, ctx: Context<RequestInput, object>): void {
  if (ctx.hasLogger) {
    ctx.log.error('Request failed', error instanceof Error ? error : { error: String(error) });
    return;
  }
  const detail =
    error instanceof Error
      ? {
          name: error.name,
          message: error.message,
          stack: error.stack,
          ...(error.cause === undefined ? {} : { cause: String(error.cause) }),
        }
      : { message: String(error) };
  console.error(
    JSON.stringify({
      level: 'ERROR',
      message: 'Request failed',
      service: ctx.service,
      request_id: ctx.requestId,
      method: ctx.method,
      route: ctx.route,
      error: detail,
    }),
  );
}
