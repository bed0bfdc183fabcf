import type { LambdaContext } from '../context/lambda.js';
import { ConfigurationError } from '../errors/errors.js';
import { isoTimestamp, jsonString, jsonValue } from './json.js';
import {
  createFieldMasking,
  type FieldMasker,
  type FieldMasking,
  type MaskOptions,
  maskText,
} from './masking.js';

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

/** Keys a call's fields never add at the end: the fixed keys and the request keys, which go first. */
const PLACED_KEYS: ReadonlySet<string> = new Set([...FIXED_KEYS, ...REQUEST_KEYS]);

const NO_FIELDS: Fields = Object.freeze({});

/**
 * The X-Ray trace id (`Root`) of an `_X_AMZN_TRACE_ID` value: what follows the first `Root=` that
 * has anything before the next `;` (as `/Root=([^;]+)/` finds it), looked up without a regex since
 * it runs on every request on Lambda.
 */
export function xrayRoot(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (let at = header.indexOf('Root='); at !== -1; at = header.indexOf('Root=', at + 1)) {
    const start = at + 5;
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    if (end > start) return header.slice(start, end);
  }
  return undefined;
}

/**
 * Where a logger from {@link createLogger} keeps its access-line writer (framework use: see
 * `writeAccessLine`). Not part of {@link Logger}, so any logger can still stand in.
 */
export const ACCESS_LINE: unique symbol = Symbol('lift.accessLine');

/**
 * Writes the line `info('request', fields)` (`error` from status 500) would write, byte for byte,
 * for fields holding `notes` and then the request keys (`REQUEST_KEYS`, in their order), without
 * building the fields object.
 */
export type AccessLineWriter = (
  notes: Readonly<Record<string, unknown>> | undefined,
  requestId: unknown,
  correlationId: unknown,
  tenantId: unknown,
  userId: unknown,
  route: unknown,
  method: unknown,
  status: number,
  durationMs: unknown,
) => void;

/** A logger from {@link createLogger}, with its access-line writer. */
export type LiftLogger = Logger & { readonly [ACCESS_LINE]: AccessLineWriter };

/** Whether a logger carries the access-line writer of {@link createLogger}. */
export function hasAccessLineWriter(logger: Logger): logger is LiftLogger {
  return typeof (logger as Partial<LiftLogger>)[ACCESS_LINE] === 'function';
}

// Route patterns and methods repeat from line to line: their masked JSON is kept, up to a bound.
const REPEATED_VALUES_KEPT = 500;

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

function formatError(error: Error, mask: FieldMasker): Record<string, unknown> {
  return {
    name: error.name,
    location: location(error.stack),
    message: mask('message', error.message),
    stack: mask('stack', error.stack),
    ...(error.cause === undefined
      ? {}
      : {
          cause: error.cause instanceof Error ? formatError(error.cause, mask) : mask('cause', error.cause),
        }),
  };
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

/**
 * A logger whose lines match Powertools Logger key for key: level, message, timestamp, service,
 * cold_start, function_arn, function_memory_size, function_name, function_request_id,
 * sampling_rate, xray_trace_id, trace_id (the request's W3C trace, when known), then Lift's request keys and the call's own fields; empty values
 * dropped, errors as `{ name, location, message, stack }`. Everything but the fixed keys is masked
 * before it is written.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const service = options.service ?? process.env.POWERTOOLS_SERVICE_NAME ?? 'service_undefined';
  const baseLevel = RANK[resolveLevel(options.level)];
  const sampleRate = options.sampleRate ?? Number(process.env.POWERTOOLS_LOGGER_SAMPLE_RATE ?? 0);
  if (!Number.isFinite(sampleRate) || sampleRate < 0 || sampleRate > 1)
    throw new ConfigurationError('createLogger: sampleRate must be between 0 and 1');
  const masking: FieldMasking | undefined =
    options.mask === false ? undefined : createFieldMasking(options.mask);
  const maskField: FieldMasker = masking === undefined ? (_key, value) => value : masking.field;
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const buffering = options.bufferBelowLevel ?? true;
  const invocation: Invocation = {
    coldStart: false,
    fixed: '',
    level: baseLevel,
    buffer: [],
  };
  const serviceField = `"service":${jsonString(service)}`;
  const samplingField = `,"sampling_rate":${jsonValue(sampleRate)}`;
  const field = (key: string, value: unknown) => (empty(value) ? '' : `,"${key}":${jsonValue(value)}`);
  // The function's own keys are the same for every invocation of an environment; written once, and
  // so is everything before them.
  let functionOf: LambdaContext | undefined;
  let functionFields = '';
  let head = '';
  let headCold: boolean | undefined;
  let headFunction: string | undefined;
  const start = (
    context: LambdaContext | undefined,
    traceId: string | undefined,
    requestTraceId: string | undefined,
  ) => {
    // Everything from `service` to the trace ids is the same on every line of an invocation, so it is
    // serialised once here rather than on every line.
    if (
      context !== undefined &&
      (functionOf === undefined || functionOf.invokedFunctionArn !== context.invokedFunctionArn)
    ) {
      functionOf = context;
      functionFields =
        field('function_arn', context.invokedFunctionArn) +
        field('function_memory_size', context.memoryLimitInMB) +
        field('function_name', context.functionName);
    }
    const functionPart = context === undefined ? '' : functionFields;
    if (invocation.coldStart !== headCold || functionPart !== headFunction) {
      headCold = invocation.coldStart;
      headFunction = functionPart;
      head = `${serviceField},"cold_start":${invocation.coldStart}${functionPart}`;
    }
    invocation.fixed = `${context === undefined ? head : head + field('function_request_id', context.awsRequestId)}${samplingField}${field('xray_trace_id', traceId)}${field('trace_id', requestTraceId)}`;
  };
  start(undefined, undefined, undefined);

  // `,"key":value`, or nothing for a value JSON leaves out (a function, a symbol).
  const member = (key: string, value: unknown): string => {
    const json = jsonValue(value);
    return json === undefined ? '' : `,${jsonString(key)}:${json}`;
  };
  const ownMember = (key: string, value: unknown): string =>
    empty(value)
      ? ''
      : member(key, value instanceof Error ? formatError(value, maskField) : maskField(key, value));

  // Writes a finished line: kept while below the level (written only if an error follows), else
  // written, after the kept lines when it is an error.
  const deliver = (rank: number, below: boolean, text: string): void => {
    if (below) {
      if (invocation.buffer.length < 200) invocation.buffer.push(text);
      return;
    }
    if (rank >= RANK.ERROR && invocation.buffer.length > 0) {
      for (const buffered of invocation.buffer) write(buffered);
      invocation.buffer.length = 0;
    }
    write(text);
  };

  const make = (persistent: Fields): Logger => {
    const emit = (level: Exclude<LogLevel, 'SILENT'>, message: string, extras: (Fields | Error)[]) => {
      const rank = RANK[level];
      const below = rank < invocation.level;
      if (below && !buffering) return;
      let own: Fields = {};
      if (extras.length === 1 && !(extras[0] instanceof Error)) own = extras[0] as Fields;
      else if (extras.length > 0) {
        const merged: Record<string, unknown> = {};
        for (const extra of extras) {
          if (extra instanceof Error) merged.error = extra;
          else Object.assign(merged, extra);
        }
        own = merged;
      }
      // The call's fields win over the logger's; request keys first, in their order, then the rest in
      // the order given, empty values dropped. Written member by member: no object is built only to
      // be serialised.
      let members = '';
      for (const key of REQUEST_KEYS) {
        const value = Object.hasOwn(own, key) ? own[key] : persistent[key];
        if (!empty(value)) members += member(key, maskField(key, value));
      }
      if (persistent !== NO_FIELDS) {
        for (const key in persistent) {
          // Own keys only, as Object.entries gives them: nothing inherited reaches a line.
          if (!Object.hasOwn(persistent, key) || PLACED_KEYS.has(key) || Object.hasOwn(own, key)) continue;
          members += ownMember(key, persistent[key]);
        }
      }
      for (const key in own) {
        if (!Object.hasOwn(own, key) || PLACED_KEYS.has(key)) continue;
        members += ownMember(key, own[key]);
      }
      deliver(
        rank,
        below,
        `{"level":"${level}","message":${jsonString(typeof message === 'string' ? message : String(message))},"timestamp":"${isoTimestamp(now())}",${invocation.fixed}${members}}`,
      );
    };
    return {
      trace: (m, ...e) => emit('TRACE', m, e),
      debug: (m, ...e) => emit('DEBUG', m, e),
      info: (m, ...e) => emit('INFO', m, e),
      warn: (m, ...e) => emit('WARN', m, e),
      error: (m, ...e) => emit('ERROR', m, e),
      critical: (m, ...e) => emit('CRITICAL', m, e),
      child: (fields) => make({ ...persistent, ...fields }),
      addContext(context, request) {
        invocation.coldStart = coldStartPending;
        coldStartPending = false;
        start(
          context,
          request !== undefined && 'xrayTraceId' in request
            ? request.xrayTraceId
            : xrayRoot(process.env._X_AMZN_TRACE_ID),
          request?.traceId,
        );
        invocation.level =
          sampleRate > 0 && random() < sampleRate ? Math.min(baseLevel, RANK.DEBUG) : baseLevel;
        invocation.buffer.length = 0;
      },
      enabled: (level) => RANK[level] >= invocation.level && level !== 'SILENT',
    };
  };
  const root = make(NO_FIELDS);
  // Not enumerable: a wrapper spread from this logger (`{ ...logger, info }`) must not carry the
  // writer, or the access line would bypass the wrapper's own `info`.
  return Object.defineProperty(root, ACCESS_LINE, {
    value: accessLineWriter({ masking, now, buffering, invocation, ownMember, deliver }),
  }) as LiftLogger;
}

/** What {@link accessLineWriter} shares with the logger it writes for. */
interface AccessLineParts {
  readonly masking: FieldMasking | undefined;
  readonly now: () => number;
  readonly buffering: boolean;
  readonly invocation: Invocation;
  readonly ownMember: (key: string, value: unknown) => string;
  readonly deliver: (rank: number, below: boolean, text: string) => void;
}

/**
 * The access line, written as `emit` writes `info('request', fields)` on a logger with no
 * persistent fields (see {@link AccessLineWriter}), with what never changes worked out once: the
 * keys, which keys are masked, and the JSON of route patterns and methods, which repeat.
 */
function accessLineWriter(parts: AccessLineParts): AccessLineWriter {
  const { masking, now, buffering, invocation, ownMember, deliver } = parts;
  const prefixes = REQUEST_KEYS.map((key) => `,"${key}":`);
  const sensitive = REQUEST_KEYS.map((key) => masking?.sensitive(key) ?? false);
  const repeated = REQUEST_KEYS.map(() => new Map<string, string>());
  // `,"key":value` of a non-empty value, masked as `maskField` masks it.
  const member = (index: number, value: unknown): string => {
    let json: string | undefined;
    if (masking === undefined) json = jsonValue(value);
    else if (sensitive[index] === true) json = '"***"';
    else if (typeof value === 'string') json = jsonString(maskText(value));
    else if (typeof value === 'number') json = Number.isFinite(value) ? String(value) : 'null';
    else json = jsonValue(masking.field(REQUEST_KEYS[index] as string, value));
    return json === undefined ? '' : `${prefixes[index]}${json}`;
  };
  const repeatedMember = (index: number, value: unknown): string => {
    if (typeof value !== 'string') return member(index, value);
    const kept = repeated[index] as Map<string, string>;
    let text = kept.get(value);
    if (text === undefined) {
      text = member(index, value);
      if (kept.size < REPEATED_VALUES_KEPT) kept.set(value, text);
    }
    return text;
  };
  const at = (index: number, value: unknown) => (empty(value) ? '' : member(index, value));
  return (notes, requestId, correlationId, tenantId, userId, route, method, status, durationMs) => {
    const error = status >= 500;
    const rank = error ? RANK.ERROR : RANK.INFO;
    const below = rank < invocation.level;
    if (below && !buffering) return;
    let members = `${at(0, requestId)}${at(1, correlationId)}${at(2, tenantId)}${at(3, userId)}${empty(route) ? '' : repeatedMember(4, route)}${empty(method) ? '' : repeatedMember(5, method)}${member(6, status)}${at(7, durationMs)}`;
    if (notes !== undefined) {
      for (const key in notes) {
        if (!Object.hasOwn(notes, key) || PLACED_KEYS.has(key)) continue;
        members += ownMember(key, notes[key]);
      }
    }
    deliver(
      rank,
      below,
      `${error ? '{"level":"ERROR"' : '{"level":"INFO"'},"message":"request","timestamp":"${isoTimestamp(now())}",${invocation.fixed}${members}}`,
    );
  };
}
