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
// Runs of the characters a JWT is written in; each run is then read segment by segment in linear
// time. A regex with an unbounded class before a literal would backtrack quadratically over text a
// caller controls (`-eyJaaaa-eyJaaaa...`).
const JWT_RUN = /[A-Za-z0-9_.-]{15,}/g;
const API_KEY = /\blift_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\b/g;
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

/**
 * Masks the JWTs in one run of JWT characters: a segment holding `eyJ` at its start or after a `-`
 * with at least five more characters, a next segment of at least five, and a third segment. The
 * segments are visited once each, so the cost is linear in the run.
 */
function maskJwtsInRun(run: string): string {
  const segments = run.split('.');
  let out = '';
  let i = 0;
  while (i < segments.length) {
    const segment = segments[i] as string;
    let start = -1;
    for (let p = segment.indexOf('eyJ'); p !== -1; p = segment.indexOf('eyJ', p + 1)) {
      if (p === 0 || segment[p - 1] === '-') {
        start = p;
        break;
      }
    }
    if (
      start !== -1 &&
      segment.length - start >= 8 &&
      i + 2 < segments.length &&
      (segments[i + 1] as string).length >= 5
    ) {
      out += `${i === 0 ? '' : '.'}${segment.slice(0, start)}${REDACTED}`;
      i += 3;
      continue;
    }
    out += i === 0 ? segment : `.${segment}`;
    i += 1;
  }
  return out;
}

const LOCAL = /[A-Za-z0-9._%+-]/;
const DOMAIN = /[A-Za-z0-9.-]/;
const LETTER = /[A-Za-z]/;
const WORD = /[A-Za-z0-9_]/;

function atWordBoundary(text: string, i: number): boolean {
  const before = i > 0 && WORD.test(text[i - 1] as string);
  return before !== WORD.test(text[i] as string);
}

/**
 * Masks email addresses to their first letter (`a***@example.com`) in one pass: each `@` looks left
 * over local-part characters and right over domain characters, neither of which holds an `@`, so no
 * character is read more than twice, whatever a caller puts in a header or body path.
 */
function maskEmails(text: string): string {
  let out = '';
  let copied = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let runStart = at;
    while (runStart > copied && LOCAL.test(text[runStart - 1] as string)) runStart--;
    // The address starts at the first word boundary of the run (`%@x.com` has none, `a%@x.com` does).
    let start = runStart;
    while (start < at && !atWordBoundary(text, start)) start++;
    let end = at + 1;
    while (end < text.length && DOMAIN.test(text[end] as string)) end++;
    // The longest domain that ends with `.` and two or more letters, not followed by a word
    // character, found in one pass over the domain characters.
    let domainEnd = -1;
    let lastDot = -1;
    let letters = 0;
    let allLetters = false;
    for (let e = at + 1; e <= end; e++) {
      const c = text[e];
      const boundary = e === end ? c === undefined || !WORD.test(c) : c === '.' || c === '-';
      if (boundary && lastDot >= at + 2 && allLetters && letters >= 2) domainEnd = e;
      if (e === end) break;
      if (c === '.') {
        lastDot = e;
        letters = 0;
        allLetters = true;
      } else if (LETTER.test(c as string)) letters++;
      else allLetters = false;
    }
    if (start === at || domainEnd === -1) continue;
    out += `${text.slice(copied, start + 1)}***${text.slice(at, domainEnd)}`;
    copied = domainEnd;
    at = domainEnd - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Masks secrets inside free text: JWTs and API keys whole, card numbers to their last four, emails partly. */
export function maskText(text: string): string {
  if (text.length < 6 || !MAYBE_SENSITIVE.test(text)) return text;
  let out = text.includes('eyJ') ? text.replace(JWT_RUN, maskJwtsInRun) : text;
  out = out.replace(API_KEY, REDACTED);
  out = out.replace(CARD, (match) => {
    const digits = match.replace(/[ -]/g, '');
    return digits.length >= 13 && luhn(digits) ? `****${digits.slice(-4)}` : match;
  });
  return out.includes('@') ? maskEmails(out) : out;
}

const normalise = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

/** Masks one field: `***` when the key is sensitive, else the value masked as {@link createMasker} does. */
export type FieldMasker = (key: string, value: unknown) => unknown;

/** A {@link FieldMasker} and the key test behind it (whether a key's values are replaced whole). */
export interface FieldMasking {
  readonly field: FieldMasker;
  readonly sensitive: (key: string) => boolean;
}

/**
 * The per-field form of {@link createMasker}, for writers that build their output field by field
 * (the logger): no copy of the whole record, no cycle bookkeeping for plain values.
 */
export function createFieldMasker(options: MaskOptions = {}): FieldMasker {
  return createFieldMasking(options).field;
}

/**
 * {@link createFieldMasker} with its key test, for writers whose keys are known in advance (the
 * access line), which decide each key once.
 */
export function createFieldMasking(options: MaskOptions = {}): FieldMasking {
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
  return { field: (key, value) => field(key, value, undefined), sensitive };
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
