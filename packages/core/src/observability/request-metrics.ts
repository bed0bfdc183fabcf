import type { Context, RequestInput } from '../context/context.js';
import type { LambdaContext } from '../context/lambda.js';
import type { Metrics } from './metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
let coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === 'on-demand';

/**
 * Records one request's EMF metrics and flushes them, errors included: `latency` (Milliseconds) and
 * `requests` (Count), dimensioned by route pattern, method and status class only, so a raw path or an
 * odd method can never multiply the series; the principal's tenant only when `tenantDimension` is set.
 */
export function recordRequestMetrics(
  metrics: Metrics,
  ctx: Context<RequestInput, object>,
  now: number,
  tenantDimension: boolean,
): void {
  const status = ctx.res?.status ?? 500;
  metrics.addDimension('route', ctx.route ?? 'unmatched');
  metrics.addDimension('method', METHODS.has(ctx.method) ? ctx.method : 'OTHER');
  metrics.addDimension('status_class', `${Math.floor(status / 100)}xx`);
  const tenant = ctx.principal?.tenantId;
  if (tenantDimension && tenant !== undefined) metrics.addDimension('tenant', tenant);
  metrics.addMetric('latency', 'Milliseconds', now - ctx.startedAt);
  metrics.addMetric('requests', 'Count', 1);
  metrics.flush();
}

/**
 * On the first invocation of an on-demand environment, writes `ColdStart` in a blob of its own,
 * dimensioned by function name (as Powertools does), so it never shares the request's dimensions.
 */
export function recordColdStart(metrics: Metrics, lambda: LambdaContext | undefined): void {
  if (!coldStart) return;
  coldStart = false;
  if (lambda !== undefined) metrics.addDimension('function_name', lambda.functionName);
  metrics.addMetric('ColdStart', 'Count', 1);
  metrics.flush();
}
