/**
 * JSON pieces for lines written on every request (log lines, EMF blobs), built by concatenation:
 * a call to `JSON.stringify` costs about 100 ns even for a short string, and serialising an object
 * built for the purpose costs more than writing its members straight away.
 */

// Anything JSON.stringify would escape or rewrite: quotes, backslashes, control characters, and
// surrogates (a lone one is written as `\udxxx`). Strings without them are written as they are.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what JSON escapes.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON, exactly as `JSON.stringify` writes it. */
export function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * A value as JSON, exactly as `JSON.stringify` writes it (so `undefined`, functions and symbols
 * give `undefined`, and a bigint throws), with the common scalars written without calling it.
 */
export function jsonValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return JSON.stringify(value);
  }
}

/**
 * A member's value as JSON, exactly as `JSON.stringify` writes it under `key`: a value with a `toJSON`
 * method gets the key as `JSON.stringify` gives it (rare, so written through it), anything else as
 * {@link jsonValue} writes it.
 */
export function jsonValueAt(key: string, value: unknown): string | undefined {
  if (typeof (value as { toJSON?: unknown } | null | undefined)?.toJSON !== 'function')
    return jsonValue(value);
  // A computed key defines an own property, `__proto__` included.
  const member = JSON.stringify({ [key]: value });
  return member === '{}' ? undefined : member.slice(jsonString(key).length + 2, -1);
}

const DAY_MS = 86_400_000;
let cachedSecond = Number.NaN;
let secondPrefix = '';
// `000` to `999`, each written on first use: a timestamp in the same second as the one before costs
// a lookup and a concatenation, not the number-to-text conversions of every digit group.
const DIGITS3: (string | undefined)[] = new Array(1000).fill(undefined);

function threeDigits(n: number): string {
  let digits = DIGITS3[n];
  if (digits === undefined) {
    digits = n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`;
    DIGITS3[n] = digits;
  }
  return digits;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** `YYYY-MM-DDTHH:MM:SS.` of the second `ms` falls in; undefined outside years 0000–9999. */
function secondOf(ms: number): string | undefined {
  const day = Math.floor(ms / DAY_MS);
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (!Number.isFinite(ms) || y < 0 || y > 9999) return undefined;
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const min = Math.floor(rest / 60_000);
  rest -= min * 60_000;
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}T${pad2(h)}:${pad2(min)}:${pad2(Math.floor(rest / 1000))}.`;
}

/**
 * `new Date(ms).toISOString()`, computed: the first `toISOString` of a process costs about a
 * millisecond (Lambda's first request pays it) and each later one most of a microsecond. Everything
 * up to the second is worked out once per second (days to civil date, as in H. Hinnant's
 * algorithm); years outside 0000–9999 fall back to `Date`, which writes them with a sign.
 */
export function isoTimestamp(time: number): string {
  // Date keeps whole milliseconds, dropping a fraction towards zero.
  const ms = Math.trunc(time);
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const prefix = secondOf(ms);
    if (prefix === undefined) return new Date(ms).toISOString();
    cachedSecond = second;
    secondPrefix = prefix;
  }
  return `${secondPrefix}${threeDigits(ms - second * 1000)}Z`;
}

let epochSecond = Number.NaN;
let epochSecondText = '';

/**
 * `String(time)` of an epoch-milliseconds time, as an EMF blob's `Timestamp` holds it. `Date.now()`
 * is past the small-integer range, so `String` of it runs the double-to-text conversion on every
 * blob; here the digits up to the second are written once per second and the last three looked up.
 */
export function epochMillisText(time: number): string {
  if (!Number.isSafeInteger(time) || time < 1000) return String(time);
  const second = Math.floor(time / 1000);
  if (second !== epochSecond) {
    epochSecond = second;
    epochSecondText = String(second);
  }
  return epochSecondText + threeDigits(time - second * 1000);
}
