import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { BadRequestError, ConfigurationError } from '../errors/errors.js';
import { InvalidIdempotencyKeyError } from './errors.js';

/** The longest key, tenant and scope accepted, in UTF-16 code units (as `string.length` counts). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
// The composed key stays far below DynamoDB's 2048-byte partition key limit.
const MAX_COMPOSED_BYTES = 1024;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (C0, DEL, C1).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkPart(value: string, what: string, fail: (message: string) => Error): void {
  if (typeof value !== 'string' || value.length === 0) throw fail(`${what} is empty`);
  if (value.length > MAX_IDEMPOTENCY_KEY_LENGTH)
    throw fail(`${what} is longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  if (CONTROL.test(value)) throw fail(`${what} contains control characters`);
  // A lone surrogate would be stored as U+FFFD, so two different keys could collide.
  if (LONE_SURROGATE.test(value)) throw fail(`${what} is not well-formed Unicode`);
}

/**
 * The key a store holds for one request: the client's key scoped by tenant and by route (or record
 * source), so two tenants, or two routes, using the same client key never share a record.
 *
 * The result is `<tenant>#<scope>#<key>` with tenant and scope percent-encoded (so neither can hold
 * `#`, and the parts cannot run into each other); an absent tenant is the empty string, which no
 * given tenant can be. The key and tenant are refused (400 {@link InvalidIdempotencyKeyError}) when
 * empty, longer than 255 characters, holding control characters or not well-formed; a bad scope is
 * the app's mistake ({@link ConfigurationError}).
 *
 * @param parts.tenant the verified principal's tenant, when the app is multi-tenant
 * @param parts.scope what the key is scoped to: the route (`POST /payments`) or source (`sqs:orders`)
 * @param parts.key the client's key (the `Idempotency-Key` header, a message field)
 */
export function idempotencyKey(parts: {
  readonly tenant?: string | undefined;
  readonly scope: string;
  readonly key: string;
}): string {
  checkPart(parts.scope, 'idempotencyKey: scope', (m) => new ConfigurationError(m));
  checkPart(parts.key, 'Idempotency key', (m) => new InvalidIdempotencyKeyError(m));
  if (parts.tenant !== undefined)
    checkPart(parts.tenant, 'Idempotency key tenant', (m) => new InvalidIdempotencyKeyError(m));
  const composed = `${encodeURIComponent(parts.tenant ?? '')}#${encodeURIComponent(parts.scope)}#${parts.key}`;
  if (Buffer.byteLength(composed) > MAX_COMPOSED_BYTES)
    throw new InvalidIdempotencyKeyError('Idempotency key, tenant and scope are too long together');
  return composed;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TTL = /^(\d{1,9})(ms|s|m|h|d)$/;

/**
 * A duration in milliseconds from `'500ms'`, `'30s'`, `'10m'`, `'24h'`, `'7d'` or a number of
 * milliseconds. Anything else (zero, negative, fractional strings, unknown units) is a
 * {@link ConfigurationError}.
 */
export function parseTtl(ttl: string | number): number {
  if (typeof ttl === 'number') {
    if (Number.isSafeInteger(ttl) && ttl > 0) return ttl;
    throw new ConfigurationError(`idempotency ttl: ${ttl} is not a positive whole number of milliseconds`);
  }
  const match = typeof ttl === 'string' ? TTL.exec(ttl) : null;
  const amount = Number(match?.[1]);
  if (match === null || amount <= 0) {
    throw new ConfigurationError(
      `idempotency ttl: ${JSON.stringify(ttl)} is not a duration like '30s', '10m', '24h' or '7d'`,
    );
  }
  return amount * (UNITS[match[2] as string] as number);
}

/**
 * SHA-256 (hex) of a payload, so a repeat can be told from a different request under the same key.
 * JSON values are hashed in their RFC 8785 (JCS) canonical form, with the `canonicalize` package:
 * keys sorted, no whitespace, numbers in their shortest round-trip form, so key order and formatting
 * do not matter but every value does. Bytes (`Uint8Array`) are hashed as they are, and `undefined`
 * (no payload) has its own hash; the three never collide. A value JSON cannot represent exactly
 * (a lone surrogate, `NaN`, a cycle) is a 400 {@link BadRequestError}.
 */
export function payloadHash(value: unknown): string {
  const hash = createHash('sha256');
  if (value === undefined) return hash.update('none\n').digest('hex');
  if (value instanceof Uint8Array) return hash.update('bytes\n').update(value).digest('hex');
  let canonical: string | undefined;
  try {
    canonical = canonicalize(value);
  } catch (error) {
    throw new BadRequestError('The request payload cannot be represented as canonical JSON', {
      cause: error,
    });
  }
  // A function or symbol: nothing JSON would carry.
  if (canonical === undefined) return hash.update('none\n').digest('hex');
  return hash.update('json\n').update(canonical).digest('hex');
}
