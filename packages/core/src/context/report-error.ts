import { loggableError, reportOnStderr } from '../errors/report.js';
import type { Context, RequestInput } from './context.js';

/**
 * The default error reporter: through the app's logger when it has one (an ERROR line with the
 * request keys, masked, flushing the invocation's debug buffer), else one JSON line on stderr.
 */
export function logUnhandledError(error: unknown, ctx: Context<RequestInput, object>): void {
  if (ctx.hasLogger) {
    ctx.log.error('Request failed', loggableError(error));
    return;
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
