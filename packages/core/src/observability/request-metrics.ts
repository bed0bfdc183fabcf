import type { MiddlewareHooks } from '../app/compose.js';
import type { Metrics } from './metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
let coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === 'on-demand';

/** Options of {@link requestMetrics}. */
export interface RequestMetricsOptions {
  readonly metrics: Metrics;
  /** Add the principal's tenant as a dimension (default false: one series per tenant gets expensive). */
  readonly tenantDimension?: boolean;
  readonly now?: () => number;
}

/**
 * Per-request EMF metrics, flushed at the end of every request, errors included: `latency`
 * (Milliseconds) and `requests` (Count), dimensioned by route pattern, method and status class only,
 * so a raw path or an odd method can never multiply the series; the tenant only when asked for.
 * A cold start adds `ColdStart` in a blob of its own, dimensioned by function name.
 */
export function requestMetrics(options: RequestMetricsOptions): MiddlewareHooks<object> {
  const { metrics } = options;
  const now = options.now ?? Date.now;
  const started = new WeakMap<object, number>();
  return {
    before(ctx) {
      started.set(ctx, now());
      if (coldStart) {
        coldStart = false;
        if (ctx.lambda !== undefined) metrics.addDimension('function_name', ctx.lambda.functionName);
        metrics.addMetric('ColdStart', 'Count', 1);
        metrics.flush();
      }
    },
    after(ctx) {
      const status = ctx.res?.status ?? 500;
      metrics.addDimension('route', ctx.route ?? 'unmatched');
      metrics.addDimension('method', METHODS.has(ctx.method) ? ctx.method : 'OTHER');
      metrics.addDimension('status_class', `${Math.floor(status / 100)}xx`);
      const tenant = ctx.principal?.tenantId;
      if (options.tenantDimension === true && tenant !== undefined) metrics.addDimension('tenant', tenant);
      metrics.addMetric('latency', 'Milliseconds', now() - (started.get(ctx) ?? now()));
      metrics.addMetric('requests', 'Count', 1);
      metrics.flush();
    },
  };
}
