/** What {@link createMasker} hides. */
export interface MaskOptions {
  /** Field names whose values are replaced whole (compared case-insensitively, ignoring `-` and `_`). */
  readonly keys?: readonly string[];
  /** Replace the default key list instead of adding to it. */
  readonly replaceDefaultKeys?: boolean;
}

/** Field names masked by default. */
export const DEFAULT_MASKED_KEYS: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'authorization',
  'cookie',
  'setCookie',
  'apiKey',
  'xApiKey',
  'clientSecret',
  'privateKey',
  'cardNumber',
  'cvv',
  'cvc',
  'pan',
  'ssn',
  'iban',
];

const REDACTED = '***';
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const API_KEY = /\blift_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\b/g;
const EMAIL = /\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g;
// 13 to 19 digits, optionally grouped by spaces or dashes, as card numbers are written.
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// One cheap test decides whether a string can hold anything maskText replaces; the digit run is
// the shortest card number, so ids with a few digits (UUIDs) skip the four replacements.
const MAYBE_SENSITIVE = /eyJ|lift_|@|(?:\d[ -]?){12}\d/;

/** Masks secrets inside free text: JWTs and API keys whole, card numbers to their last four, emails partly. */
export function maskText(text: string): string {
  if (text.length < 6 || !MAYBE_SENSITIVE.test(text)) return text;
  let out = text.replace(JWT, REDACTED).replace(API_KEY, REDACTED);
  out = out.replace(CARD, (match) => {
    const digits = match.replace(/[ -]/g, '');
    return digits.length >= 13 && luhn(digits) ? `****${digits.slice(-4)}` : match;
  });
  return out.replace(EMAIL, (_m, first: string, domain: string) => `${first}***@${domain}`);
}

const normalise = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

/** Masks one field: `***` when the key is sensitive, else the value masked as {@link createMasker} does. */
export type FieldMasker = (key: string, value: unknown) => unknown;

/**
 * The per-field form of {@link createMasker}, for writers that build their output field by field
 * (the logger): no copy of the whole record, no cycle bookkeeping for plain values.
 */
export function createFieldMasker(options: MaskOptions = {}): FieldMasker {
  const keys = new Set(
    [...(options.replaceDefaultKeys === true ? [] : DEFAULT_MASKED_KEYS), ...(options.keys ?? [])]
      .map(normalise)
      .filter((key) => key !== ''),
  );
  // Field names repeat from line to line; decide each once.
  const decided = new Map<string, boolean>();
  const sensitive = (key: string): boolean => {
    let answer = decided.get(key);
    if (answer === undefined) {
      answer = keys.has(normalise(key));
      if (decided.size < 10_000) decided.set(key, answer);
    }
    return answer;
  };
  const field = (key: string, value: unknown, seen: WeakSet<object> | undefined): unknown =>
    sensitive(key) && value !== undefined && value !== null && value !== '' ? REDACTED : walk(value, seen);
  const walk = (value: unknown, seen: WeakSet<object> | undefined): unknown => {
    if (typeof value === 'string') return maskText(value);
    if (typeof value !== 'object' || value === null) return value;
    const visited = seen ?? new WeakSet<object>();
    if (visited.has(value)) return '[Circular]';
    visited.add(value);
    if (Array.isArray(value)) return value.map((item) => walk(item, visited));
    if (value instanceof Error) {
      return {
        name: value.name,
        message: maskText(value.message),
        ...(value.stack === undefined ? {} : { stack: maskText(value.stack) }),
      };
    }
    if (value instanceof Date) return value.toISOString();
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      out[key] = field(key, (value as Record<string, unknown>)[key], visited);
    return out;
  };
  return (key, value) => field(key, value, undefined);
}

/**
 * Builds a masking function: returns a masked copy (the caller's objects are never changed), walking
 * nested objects and arrays; values under sensitive keys become `***`, strings anywhere are scanned
 * for JWTs, API keys, card numbers and emails. Cycles are cut.
 */
export function createMasker(options: MaskOptions = {}): (value: unknown) => unknown {
  const field = createFieldMasker(options);
  // A key no list holds, so only the value rules apply at the top.
  return (value) => field('', value);
}
