import type { Context, RequestInput } from '../context/context.js';
import { ACCESS_LINE, hasAccessLineWriter } from './access-line.js';
import type { Logger } from './log-line.js';

/**
 * Writes the access-log line of a finished request: route pattern (never the raw path, which would
 * leak ids into log queries), method, status, duration, request and correlation ids, and the
 * principal's user and tenant ids. 5xx lines are errors, which also flushes the debug buffer.
 * A logger from `createLogger` writes it with its own writer, which builds no fields object
 * (the same line, byte for byte); any other logger gets `info`/`error` with the fields.
 */
export function writeAccessLine(logger: Logger, ctx: Context<RequestInput, object>, now: number): void {
  const status = ctx.res?.status ?? 500;
  const principal = ctx.principal;
  // Requests no route matched share one name, so probes for random paths stay one series.
  const route = ctx.route ?? 'unmatched';
  if (hasAccessLineWriter(logger)) {
    logger[ACCESS_LINE](
      ctx.annotations,
      ctx.requestId,
      ctx.readHeader('x-correlation-id'),
      principal?.tenantId,
      principal?.userId,
      route,
      ctx.method,
      status,
      now - ctx.startedAt,
    );
    return;
  }
  const fields = {
    // First, so an annotation can never replace one of the line's own fields.
    ...ctx.annotations,
    request_id: ctx.requestId,
    correlation_id: ctx.readHeader('x-correlation-id'),
    tenant_id: principal?.tenantId,
    user_id: principal?.userId,
    route,
    method: ctx.method,
    status,
    duration_ms: now - ctx.startedAt,
  };
  if (status >= 500) logger.error('request', fields);
  else logger.info('request', fields);
}
