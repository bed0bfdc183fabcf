/**
 * `@lift/core/observability`: a Powertools-compatible JSON logger with masking, the access-log
 * middleware and an audit sink. (EMF metrics, tracing and error reporting are still being built.)
 */
export { accessLog, auditLogSink } from './access-log.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel, REQUEST_KEYS } from './logger.js';
export { createMasker, DEFAULT_MASKED_KEYS, type MaskOptions, maskText } from './masking.js';
