import type { Context, RequestInput } from '../context/context.js';
import type { LambdaContext } from '../context/lambda.js';
import { COLD_START_BLOB, hasBlobWriters, type Metrics, REQUEST_BLOB } from './metrics.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// Status classes by hundreds, written once.
const STATUS_CLASSES: readonly string[] = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];
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
  const route = ctx.route ?? 'unmatched';
  const method = METHODS.has(ctx.method) ? ctx.method : 'OTHER';
  const statusClass = STATUS_CLASSES[Math.floor(status / 100)] ?? `${Math.floor(status / 100)}xx`;
  const tenant = tenantDimension ? ctx.principal?.tenantId : undefined;
  const latency = now - ctx.startedAt;
  // Metrics from createMetrics write the same blob without collecting it first, when they can.
  if (hasBlobWriters(metrics) && metrics[REQUEST_BLOB](route, method, statusClass, tenant, latency)) return;
  metrics.addDimension('route', route);
  metrics.addDimension('method', method);
  metrics.addDimension('status_class', statusClass);
  if (tenant !== undefined) metrics.addDimension('tenant', tenant);
  metrics.addMetric('latency', 'Milliseconds', latency);
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
  // Metrics from createMetrics write the same blob without the general machinery, when they can.
  const functionName = lambda?.functionName;
  if (
    hasBlobWriters(metrics) &&
    (lambda === undefined || typeof functionName === 'string') &&
    metrics[COLD_START_BLOB](functionName)
  )
    return;
  if (lambda !== undefined) metrics.addDimension('function_name', lambda.functionName);
  metrics.addMetric('ColdStart', 'Count', 1);
  metrics.flush();
}
