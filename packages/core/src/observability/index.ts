/**
 * `@lift/core/observability`: a Powertools-compatible JSON logger with masking, the access-log
 * middleware, an audit sink, EMF metrics and per-request metrics, error reporting and tracing.
 */
export { accessLog, auditLogSink } from './access-log.js';
export { createErrorReporter, type ErrorReport, type ErrorReporterOptions } from './error-reporter.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel, REQUEST_KEYS } from './logger.js';
export { createMasker, DEFAULT_MASKED_KEYS, type MaskOptions, maskText } from './masking.js';
export {
  createMetrics,
  EMF_LIMITS,
  METRIC_UNITS,
  type Metrics,
  type MetricsOptions,
  type MetricUnit,
} from './metrics.js';
export { type RequestMetricsOptions, requestMetrics } from './request-metrics.js';
export {
  type FetchLike,
  parseTraceparent,
  parseXRayHeader,
  type TraceContext,
  tracedFetch,
  traceHeaders,
  traceOf,
  tracing,
  xrayTraceId,
} from './tracing.js';
