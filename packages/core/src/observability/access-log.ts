import type { Context, RequestInput } from '../context/context.js';
import type { Logger } from './logger.js';

/**
 * Writes the access-log line of a finished request: route pattern (never the raw path, which would
 * leak ids into log queries), method, status, duration, request and correlation ids, and the
 * principal's user and tenant ids. 5xx lines are errors, which also flushes the debug buffer.
 */
export function writeAccessLine(logger: Logger, ctx: Context<RequestInput, object>, now: number): void {
  const status = ctx.res?.status ?? 500;
  const fields = {
    // First, so an annotation can never replace one of the line's own fields.
    ...ctx.annotations,
    request_id: ctx.requestId,
    correlation_id: ctx.header('x-correlation-id'),
    tenant_id: ctx.principal?.tenantId,
    user_id: ctx.principal?.userId,
    // Requests no route matched share one name, so probes for random paths stay one series.
    route: ctx.route ?? 'unmatched',
    method: ctx.method,
    status,
    duration_ms: now - ctx.startedAt,
  };
  if (status >= 500) logger.error('request', fields);
  else logger.info('request', fields);
}
