import type { LambdaContext } from '../context/lambda.js';
import { ConfigurationError, HttpError } from '../errors/errors.js';
import { isInstance } from '../errors/instance.js';
import {
  CAUSE_CHAIN_CUT,
  CAUSES_KEPT,
  safeRead,
  UNSERIALIZABLE,
  writerThatNeverThrows,
} from '../errors/report.js';
import { writeStdoutLine } from '../stdout/stdout.js';
import { ACCESS_LINE, accessLineWriter, type LiftLogger } from './access-line.js';
import { isoTimestamp, jsonString, jsonValue, jsonValueAt } from './json.js';
import {
  empty,
  type Fields,
  type Invocation,
  type Logger,
  type LogLevel,
  PLACED_KEYS,
  RANK,
  REQUEST_KEYS,
} from './log-line.js';
import { createFieldMasking, type FieldMasker, type FieldMasking, type MaskOptions } from './masking.js';

export { type Logger, type LogLevel, REQUEST_KEYS } from './log-line.js';

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

const bigintsAsDigits = (_key: string, value: unknown) => (typeof value === 'bigint' ? String(value) : value);

// A part of an error, masked, as JSON can hold it, so one bad part never takes the rest of the error
// with it: bigints as their digits, anything else JSON cannot write (a `toJSON` that throws, a cycle
// when masking is off) or that cannot even be read (a revoked proxy) as a marker.
function maskedPart(mask: FieldMasker, key: string, value: unknown): unknown {
  let masked: unknown;
  try {
    masked = mask(key, value);
    JSON.stringify(masked);
    return masked;
  } catch {
    // Masking itself failed (a part that cannot be read), or JSON cannot write what it gave.
  }
  if (masked === undefined && value !== undefined) return UNSERIALIZABLE;
  try {
    return JSON.parse(JSON.stringify(masked, bigintsAsDigits) ?? 'null');
  } catch {
    return UNSERIALIZABLE;
  }
}

// Every part read as it may be read: a getter that throws, or a proxy's trap, drops only that part.
function formatError(error: Error, mask: FieldMasker, depth = 0): Record<string, unknown> {
  const stack = safeRead(() => error.stack);
  const details = isInstance(error, HttpError) ? safeRead(() => error.details) : undefined;
  const cause = safeRead(() => error.cause);
  return {
    name: safeRead(() => error.name),
    location: location(typeof stack === 'string' ? stack : undefined),
    message: mask(
      'message',
      safeRead(() => error.message),
    ),
    stack: mask('stack', stack),
    // What a typed error says beyond its message (a validation failure's field issues): without it,
    // a record refused by its schema would be logged without the field that failed.
    ...(details === undefined ? {} : { details: maskedPart(mask, 'details', details) }),
    ...(cause === undefined
      ? {}
      : {
          cause: !isInstance(cause, Error)
            ? maskedPart(mask, 'cause', cause)
            : depth < CAUSES_KEPT
              ? formatError(cause, mask, depth + 1)
              : CAUSE_CHAIN_CUT,
        }),
  };
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
  const write = writerThatNeverThrows(options.write ?? writeStdoutLine, 'Log', service);
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
  // `prefix` is the member's `,"key":`, written out at each call: one concatenation a field, not three.
  const field = (prefix: string, value: unknown) => (empty(value) ? '' : prefix + jsonValue(value));
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
        field(',"function_arn":', context.invokedFunctionArn) +
        field(',"function_memory_size":', context.memoryLimitInMB) +
        field(',"function_name":', context.functionName);
    }
    const functionPart = context === undefined ? '' : functionFields;
    if (invocation.coldStart !== headCold || functionPart !== headFunction) {
      headCold = invocation.coldStart;
      headFunction = functionPart;
      head = `${serviceField},"cold_start":${invocation.coldStart}${functionPart}`;
    }
    invocation.fixed = `${context === undefined ? head : head + field(',"function_request_id":', context.awsRequestId)}${samplingField}${field(',"xray_trace_id":', traceId)}${field(',"trace_id":', requestTraceId)}`;
  };
  start(undefined, undefined, undefined);

  // `,"key":value`, or nothing for a value JSON leaves out (a function, a symbol).
  const member = (key: string, value: unknown): string => {
    let json: string | undefined;
    try {
      json = jsonValueAt(key, value);
    } catch {
      // What JSON cannot hold (a bigint, a cycle with masking off, a `toJSON` that throws) must not
      // cost the line: bigints as their digits, anything else as a marker.
      json = safeRead(() => JSON.stringify(value, bigintsAsDigits));
      json ??= jsonString(UNSERIALIZABLE);
    }
    return json === undefined ? '' : `,${jsonString(key)}:${json}`;
  };
  const ownMember = (key: string, value: unknown): string => {
    if (empty(value)) return '';
    let shown: unknown;
    try {
      shown = isInstance(value, Error) ? formatError(value, maskField) : maskField(key, value);
    } catch {
      // A field that cannot be read to be masked (a revoked proxy) is marked, not the line lost.
      shown = UNSERIALIZABLE;
    }
    return member(key, shown);
  };

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
      if (extras.length === 1 && !isInstance(extras[0], Error)) own = extras[0] as Fields;
      else if (extras.length > 0) {
        const merged: Record<string, unknown> = {};
        for (const extra of extras) {
          if (isInstance(extra, Error)) merged.error = extra;
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
        // Setting an array's length is a runtime call even when it is already 0.
        if (invocation.buffer.length > 0) invocation.buffer.length = 0;
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
