import { isoTimestamp, jsonString, jsonValue, jsonValueAt } from './json.js';
import { empty, type Invocation, type Logger, PLACED_KEYS, RANK, REQUEST_KEYS } from './log-line.js';
import { type FieldMasking, maskText } from './masking.js';

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

/** @internal What {@link accessLineWriter} shares with the logger it writes for. */
export interface AccessLineParts {
  readonly masking: FieldMasking | undefined;
  readonly now: () => number;
  readonly buffering: boolean;
  readonly invocation: Invocation;
  readonly ownMember: (key: string, value: unknown) => string;
  readonly deliver: (rank: number, below: boolean, text: string) => void;
}

/**
 * @internal The access line, written as `emit` writes `info('request', fields)` on a logger with no
 * persistent fields (see {@link AccessLineWriter}), with what never changes worked out once: the
 * keys, which keys are masked, and the JSON of route patterns and methods, which repeat.
 */
export function accessLineWriter(parts: AccessLineParts): AccessLineWriter {
  const { masking, now, buffering, invocation, ownMember, deliver } = parts;
  const prefixes = REQUEST_KEYS.map((key) => `,"${key}":`);
  const sensitive = REQUEST_KEYS.map((key) => masking?.sensitive(key) ?? false);
  const repeated = REQUEST_KEYS.map(() => new Map<string, string>());
  // `,"key":value` of a non-empty value, masked as `maskField` masks it.
  const member = (index: number, value: unknown): string => {
    let json: string | undefined;
    if (masking === undefined) json = jsonValueAt(REQUEST_KEYS[index] as string, value);
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
