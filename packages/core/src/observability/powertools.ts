import type { LambdaContext } from '../context/lambda.js';
import { ConfigurationError } from '../errors/errors.js';
import { isInstance } from '../errors/instance.js';
import { CAUSE_CHAIN_CUT, CAUSES_KEPT, safeRead, safeText, UNSERIALIZABLE } from '../errors/report.js';
import { RANK } from './log-line.js';
import type { Logger, LogLevel } from './logger.js';
import { createFieldMasker, type FieldMasker, type MaskOptions } from './masking.js';

/**
 * What Lift drives of a Powertools `Logger` (`@aws-lambda-powertools/logger` 2.x), matched by shape:
 * Lift never imports Powertools.
 */
export interface PowertoolsLoggerLike {
  trace(message: string, ...extra: unknown[]): void;
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
  critical(message: string, ...extra: unknown[]): void;
  addContext(context: LambdaContext): void;
  appendKeys(attributes: Record<string, unknown>): void;
  getLevelName(): string;
}

/** Options of {@link powertoolsLogger}. */
export interface PowertoolsLoggerOptions {
  /** Masking of sensitive fields and values before they reach Powertools (default on); `false` turns it off. */
  readonly mask?: MaskOptions | false;
}

/** Whether a value is a Powertools `Logger` (by its methods; Lift's own loggers have `enabled` instead). */
export function isPowertoolsLogger(value: unknown): value is PowertoolsLoggerLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.appendKeys === 'function' &&
    typeof v.getLevelName === 'function' &&
    typeof v.addContext === 'function' &&
    typeof v.info === 'function' &&
    typeof v.enabled !== 'function'
  );
}

type Fields = Readonly<Record<string, unknown>>;

// A value masked, or marked when it cannot even be read to be masked (a revoked proxy): one such
// field must not cost the line, nor turn a logged request into a failed one.
function maskedOrMarked(mask: FieldMasker, key: string, value: unknown): unknown {
  try {
    return mask(key, value);
  } catch {
    return UNSERIALIZABLE;
  }
}

// Every part read as it may be read: a getter that throws, or a proxy's trap, drops only that part.
function maskedError(error: Error, mask: FieldMasker, depth = 0): Error {
  const copy = new Error(
    safeText(
      mask(
        'message',
        safeRead(() => error.message),
      ),
    ),
  );
  const name = safeRead(() => error.name);
  if (typeof name === 'string') copy.name = name;
  const stack = mask(
    'stack',
    safeRead(() => error.stack),
  );
  if (typeof stack === 'string') copy.stack = stack;
  else delete copy.stack;
  const cause = safeRead(() => error.cause);
  if (cause !== undefined)
    copy.cause = !isInstance(cause, Error)
      ? maskedOrMarked(mask, 'cause', cause)
      : depth < CAUSES_KEPT
        ? maskedError(cause, mask, depth + 1)
        : CAUSE_CHAIN_CUT;
  return copy;
}

/**
 * Lift's {@link Logger} over a Powertools `Logger`: the access log, error reports and `ctx.log` lines
 * go through it, in Powertools' format with its own keys (service, cold start, function and X-Ray
 * keys), plus the request's keys (request id, route, method, tenant and user ids, the W3C trace id).
 *
 * The request's keys travel with each line as extra attributes, never through `appendKeys`: they
 * cannot outlive their request or reach a line of another one, and keys the team appended itself
 * stay as they were. Values are masked as Lift's own logger masks them before Powertools sees them.
 * `createApp({ logger })` wraps a Powertools logger by itself; call this to set masking options.
 */
export function powertoolsLogger(
  logger: PowertoolsLoggerLike,
  options: PowertoolsLoggerOptions = {},
): Logger {
  if (!isPowertoolsLogger(logger))
    throw new ConfigurationError('powertoolsLogger: expected a Logger from @aws-lambda-powertools/logger');
  const mask: FieldMasker = options.mask === false ? (_key, value) => value : createFieldMasker(options.mask);
  // The request's W3C trace id, set per invocation as Lift's own logger does.
  let traceId: string | undefined;
  const make = (persistent: Fields): Logger => {
    const emit = (
      level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'critical',
      message: string,
      extras: (Fields | Error)[],
    ) => {
      const attributes: Record<string, unknown> = {};
      const errors: Error[] = [];
      if (traceId !== undefined) attributes.trace_id = traceId;
      for (const source of [persistent, ...extras]) {
        if (isInstance(source, Error)) {
          errors.push(maskedError(source, mask));
          continue;
        }
        for (const key of Object.keys(source)) {
          const value = source[key];
          if (value === undefined || value === null || value === '') continue;
          attributes[key] = isInstance(value, Error)
            ? maskedError(value, mask)
            : maskedOrMarked(mask, key, value);
        }
      }
      logger[level](message, attributes, ...errors);
    };
    return {
      trace: (m, ...e) => emit('trace', m, e),
      debug: (m, ...e) => emit('debug', m, e),
      info: (m, ...e) => emit('info', m, e),
      warn: (m, ...e) => emit('warn', m, e),
      error: (m, ...e) => emit('error', m, e),
      critical: (m, ...e) => emit('critical', m, e),
      child: (fields) => make({ ...persistent, ...fields }),
      addContext(context, request) {
        if (context !== undefined) logger.addContext(context);
        traceId = request?.traceId;
      },
      enabled: (level: LogLevel) =>
        level !== 'SILENT' &&
        (RANK[level] ?? 0) >= (RANK[logger.getLevelName().toUpperCase() as LogLevel] ?? 12),
    };
  };
  return make({});
}
