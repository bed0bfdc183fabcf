import type { MiddlewareHooks } from '../app/compose.js';
import type { AuditSink } from '../auth/audit.js';
import type { Logger } from './logger.js';

/**
 * One access-log line per request, for 404, 405 and errors too: route pattern (never the raw path,
 * which would leak ids into log queries and metrics), method, status, duration, request id, and the
 * principal's user and tenant ids. Starts the logger's invocation from the Lambda context.
 */
export function accessLog(options: {
  readonly logger: Logger;
  readonly now?: () => number;
}): MiddlewareHooks<object> {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const started = new WeakMap<object, number>();
  return {
    before(ctx) {
      if (ctx.lambda !== undefined) logger.addContext(ctx.lambda);
      started.set(ctx, now());
    },
    after(ctx) {
      const status = ctx.res?.status ?? 500;
      const fields = {
        request_id: ctx.requestId,
        correlation_id: ctx.header('x-correlation-id'),
        tenant_id: ctx.principal?.tenantId,
        user_id: ctx.principal?.userId,
        // A raw path would put ids into log queries; requests no route matched share one name.
        route: ctx.route ?? 'unmatched',
        method: ctx.method,
        status,
        duration_ms: now() - (started.get(ctx) ?? now()),
      };
      if (status >= 500) logger.error('request', fields);
      else logger.info('request', fields);
    },
  };
}

/** An audit sink writing each event as its own line, never sampled away or filtered by level. */
export function auditLogSink(
  write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`),
): AuditSink {
  return (event) => write(JSON.stringify(event));
}
