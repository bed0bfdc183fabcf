/**
 * `@lift/core/observability`: a Powertools-compatible JSON logger with masking, EMF metrics, error
 * reporting and tracing. `createApp` wires the logger, the access log, per-request metrics and
 * request spans in by default (see {@link ObservabilityOptions}).
 */
export { type AuditEvent, type AuditSink, auditLogSink } from './audit.js';
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
export type { LoggerMetricsOptions } from './parts.js';
export type { ObservabilityOptions } from './pipeline.js';
export {
  isPowertoolsLogger,
  type PowertoolsLoggerLike,
  type PowertoolsLoggerOptions,
  powertoolsLogger,
} from './powertools.js';
export {
  type FetchLike,
  parseTraceparent,
  parseXRayHeader,
  type TraceContext,
  tracedFetch,
  traceHeaders,
  traceOf,
  xrayTraceId,
} from './tracing.js';
