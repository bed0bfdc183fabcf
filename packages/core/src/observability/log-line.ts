import type { LambdaContext } from '../context/lambda.js';

/** Log levels, as Powertools names them. */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';

/** @internal Each level's rank, as Powertools ranks them. */
export const RANK: Record<LogLevel, number> = {
  TRACE: 6,
  DEBUG: 8,
  INFO: 12,
  WARN: 16,
  ERROR: 20,
  CRITICAL: 24,
  SILENT: 28,
};

/** Request keys, written right after Powertools' keys, in this order. */
export const REQUEST_KEYS = [
  'request_id',
  'correlation_id',
  'tenant_id',
  'user_id',
  'route',
  'method',
  'status',
  'duration_ms',
] as const;

/** The fields of a log call or of a child logger. */
export type Fields = Readonly<Record<string, unknown>>;

/** @internal What one invocation's lines share: cold start, fixed keys, level and the kept lines. */
export interface Invocation {
  coldStart: boolean;
  /** The invocation's fixed keys, serialised once: `"service":...` up to the trace ids. */
  fixed: string;
  level: number;
  buffer: string[];
}

/** Keys the logger writes itself; a call's field of the same name is dropped rather than duplicated. */
const FIXED_KEYS: ReadonlySet<string> = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'trace_id',
]);

/** @internal Keys a call's fields never add at the end: the fixed keys and the request keys, which go first. */
export const PLACED_KEYS: ReadonlySet<string> = new Set([...FIXED_KEYS, ...REQUEST_KEYS]);

/** @internal Whether a value is left out of a line: `undefined`, `null` or `''`. */
export function empty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** A structured JSON logger writing Powertools-compatible lines. */
export interface Logger {
  trace(message: string, ...extra: (Fields | Error)[]): void;
  debug(message: string, ...extra: (Fields | Error)[]): void;
  info(message: string, ...extra: (Fields | Error)[]): void;
  warn(message: string, ...extra: (Fields | Error)[]): void;
  error(message: string, ...extra: (Fields | Error)[]): void;
  critical(message: string, ...extra: (Fields | Error)[]): void;
  /** A logger adding these keys to every line (request keys go in Powertools' order, the rest after). */
  child(fields: Fields): Logger;
  /**
   * Starts an invocation: Lambda keys, cold start, the X-Ray trace id Lambda set (read from
   * `_X_AMZN_TRACE_ID` unless `request` carries `xrayTraceId`, given when the caller has read it
   * already), the request's W3C trace id (`trace_id`, when given), the sampling decision, an empty
   * buffer.
   */
  addContext(
    context: LambdaContext | undefined,
    request?: { readonly traceId?: string | undefined; readonly xrayTraceId?: string | undefined },
  ): void;
  /** Whether a level would be written now. */
  enabled(level: LogLevel): boolean;
}
