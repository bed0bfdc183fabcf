import type { LambdaContext } from '../context/lambda.js';
import { ConfigurationError } from '../errors/errors.js';
import { createMasker, type MaskOptions } from './masking.js';

/** Log levels, as Powertools names them. */
export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL' | 'SILENT';

const RANK: Record<LogLevel, number> = {
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

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default: `POWERTOOLS_SERVICE_NAME`, else `service_undefined` (as Powertools). */
  readonly service?: string;
  /** Level when `AWS_LAMBDA_LOG_LEVEL` is not set; it wins over `POWERTOOLS_LOG_LEVEL` and `LOG_LEVEL`. */
  readonly level?: LogLevel;
  /** Share of invocations logged at DEBUG (0 to 1; default `POWERTOOLS_LOGGER_SAMPLE_RATE` or 0). */
  readonly sampleRate?: number;
  /** Masking of sensitive fields and values; `false` turns it off. */
  readonly mask?: MaskOptions | false;
  /** Keep lines below the level for the current invocation and write them when an error is logged (default true). */
  readonly bufferBelowLevel?: boolean;
  /** Where lines go (default stdout). */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

type Fields = Readonly<Record<string, unknown>>;

interface Invocation {
  coldStart: boolean;
  lambda: Fields;
  traceId: string | undefined;
  level: number;
  buffer: string[];
}

let coldStartPending = process.env.AWS_LAMBDA_INITIALIZATION_TYPE?.trim() === 'on-demand';

function resolveLevel(code: LogLevel | undefined): LogLevel {
  const fromLambda = process.env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase();
  const lambda = fromLambda === 'FATAL' ? 'CRITICAL' : fromLambda;
  for (const candidate of [
    lambda,
    code,
    process.env.POWERTOOLS_LOG_LEVEL?.toUpperCase(),
    process.env.LOG_LEVEL?.toUpperCase(),
  ]) {
    if (candidate !== undefined && candidate in RANK) return candidate as LogLevel;
  }
  return 'INFO';
}

/** `file:line` of the first frame with a location, as Powertools reports it. */
function location(stack: string | undefined): string {
  const match = /\((.*):(\d+):(\d+)\)/.exec(stack ?? '');
  return match === null ? '' : `${match[1]}:${match[2]}`;
}

function formatError(error: Error): Record<string, unknown> {
  return {
    name: error.name,
    location: location(error.stack),
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined
      ? {}
      : { cause: error.cause instanceof Error ? formatError(error.cause) : error.cause }),
  };
}

let lastMs = Number.NaN;
let lastIso = '';
/** ISO timestamps, formatted once per millisecond: many lines share one. */
function isoTimestamp(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function empty(value: unknown): boolean {
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
  /** Starts an invocation: Lambda keys, cold start, trace id, the sampling decision, an empty buffer. */
  addContext(context: LambdaContext): void;
  /** Whether a level would be written now. */
  enabled(level: LogLevel): boolean;
}

/**
 * A logger whose lines match Powertools Logger key for key: level, message, timestamp, service,
 * cold_start, function_arn, function_memory_size, function_name, function_request_id,
 * sampling_rate, xray_trace_id, then Lift's request keys and the call's own fields; empty values
 * dropped, errors as `{ name, location, message, stack }`. Everything but the fixed keys is masked
 * before it is written.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const service = options.service ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'service_undefined';
  const baseLevel = RANK[resolveLevel(options.level)];
  const sampleRate = options.sampleRate ?? Number(process.env.POWERTOOLS_LOGGER_SAMPLE_RATE ?? 0);
  if (!Number.isFinite(sampleRate) || sampleRate < 0 || sampleRate > 1)
    throw new ConfigurationError('createLogger: sampleRate must be between 0 and 1');
  const mask = options.mask === false ? (value: unknown) => value : createMasker(options.mask);
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const buffering = options.bufferBelowLevel ?? true;
  const invocation: Invocation = {
    coldStart: false,
    lambda: {},
    traceId: undefined,
    level: baseLevel,
    buffer: [],
  };

  const make = (persistent: Fields): Logger => {
    const emit = (level: Exclude<LogLevel, 'SILENT'>, message: string, extras: (Fields | Error)[]) => {
      const rank = RANK[level];
      const below = rank < invocation.level;
      if (below && !buffering) return;
      const own: Record<string, unknown> = {};
      for (const extra of extras) {
        if (extra instanceof Error) own.error = formatError(extra);
        else for (const [k, v] of Object.entries(extra)) own[k] = v instanceof Error ? formatError(v) : v;
      }
      // Built in order without ever adding an empty value: deleting keys afterwards would turn the
      // object into a slow dictionary for JSON.stringify.
      const line: Record<string, unknown> = {
        level,
        message: typeof message === 'string' ? message : String(message),
        timestamp: isoTimestamp(now()),
        service,
        cold_start: invocation.coldStart,
      };
      const lambda = invocation.lambda;
      for (const key in lambda) if (!empty(lambda[key])) line[key] = lambda[key];
      line.sampling_rate = sampleRate;
      if (invocation.traceId !== undefined) line.xray_trace_id = invocation.traceId;
      const rest = mask({ ...persistent, ...own }) as Record<string, unknown>;
      for (const key of REQUEST_KEYS) if (!empty(rest[key])) line[key] = rest[key];
      for (const key in rest) if (line[key] === undefined && !empty(rest[key])) line[key] = rest[key];
      const text = JSON.stringify(line);
      if (below) {
        // Kept for this invocation; written only if an error follows.
        if (invocation.buffer.length < 200) invocation.buffer.push(text);
        return;
      }
      if (rank >= RANK.ERROR && invocation.buffer.length > 0) {
        for (const buffered of invocation.buffer) write(buffered);
        invocation.buffer.length = 0;
      }
      write(text);
    };
    return {
      trace: (m, ...e) => emit('TRACE', m, e),
      debug: (m, ...e) => emit('DEBUG', m, e),
      info: (m, ...e) => emit('INFO', m, e),
      warn: (m, ...e) => emit('WARN', m, e),
      error: (m, ...e) => emit('ERROR', m, e),
      critical: (m, ...e) => emit('CRITICAL', m, e),
      child: (fields) => make({ ...persistent, ...fields }),
      addContext(context) {
        invocation.coldStart = coldStartPending;
        coldStartPending = false;
        invocation.lambda = {
          function_arn: context.invokedFunctionArn,
          function_memory_size: context.memoryLimitInMB,
          function_name: context.functionName,
          function_request_id: context.awsRequestId,
        };
        invocation.traceId = /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? '')?.[1];
        invocation.level =
          sampleRate > 0 && random() < sampleRate ? Math.min(baseLevel, RANK.DEBUG) : baseLevel;
        invocation.buffer = [];
      },
      enabled: (level) => RANK[level] >= invocation.level && level !== 'SILENT',
    };
  };
  return make({});
}
