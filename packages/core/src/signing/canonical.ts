import { createHash, createHmac } from 'node:crypto';
import { isHeaderName, isHeaderValue } from '../context/headers.js';

/** The scheme name, first line of every canonical request. */
export const SIGNING_SCHEME = 'LIFT-HMAC-SHA256';

/** Request headers a signed request carries. */
export const SIGNATURE_HEADERS = {
  keyId: 'x-lift-key-id',
  timestamp: 'x-lift-timestamp',
  nonce: 'x-lift-nonce',
  signedHeaders: 'x-lift-signed-headers',
  signature: 'x-lift-signature',
} as const;

/**
 * The headers that change what a request means, signed by default whenever a request carries them:
 * the body's media type, the tenant access control reads (`x-tenant-id`), and the idempotency key.
 * The verifier refuses a request that carries one of them unsigned.
 */
export const DEFAULT_SIGNED_HEADERS: readonly string[] = Object.freeze([
  'content-type',
  'x-tenant-id',
  'idempotency-key',
]);

/** What a key id may look like (signer and verifier check it alike, the verifier before any lookup). */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

/** What a nonce may look like. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** What is signed. */
export interface CanonicalInput {
  /** The key id the request names; signed so that a second id for the same key cannot reuse it. */
  readonly keyId: string;
  /** The HTTP method (signed upper case). */
  readonly method: string;
  /** The path as sent, still percent-encoded (`/files/a%2Fb`, `/orders/a%20b`). */
  readonly path: string;
  /** Decoded query pairs in arrival order (the order of a repeated key's values is signed). */
  readonly query: readonly (readonly [string, string])[];
  /** The signed headers by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
  /** Epoch seconds. */
  readonly timestamp: number;
  /** 16-128 of `A-Z a-z 0-9 _ -`, never reused by a signer. */
  readonly nonce: string;
  /** The body bytes as sent. */
  readonly body: Uint8Array;
}

/** Whether a string is a header name as signed: an RFC 9110 token, lower case. */
export function isSignableHeaderName(name: string): boolean {
  return isHeaderName(name);
}

/** RFC 3986 encoding: everything but unreserved characters. Throws a `URIError` on a lone surrogate. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical form of a percent-encoded path: split on `/`, each segment decoded strictly and
 * RFC 3986-encoded again. A `%2F` stays inside its segment, so it never reads as `/`; `%7E` and `~`,
 * `%41` and `A` are the same. Throws a `TypeError` on malformed percent-encoding.
 */
export function canonicalPath(path: string): string {
  if (!path.startsWith('/')) throw new TypeError('The path must start with "/"');
  try {
    return path
      .split('/')
      .map((segment) => encode(decodeURIComponent(segment)))
      .join('/');
  } catch {
    throw new TypeError('Malformed percent-encoding in path');
  }
}

/**
 * The canonical query: pairs encoded, sorted by encoded key only and stably, so the values of a
 * repeated key keep their order (`to=a&to=b` is not `to=b&to=a`).
 */
export function canonicalQuery(pairs: readonly (readonly [string, string])[]): string {
  let encoded: [string, string][];
  try {
    encoded = pairs.map(([k, v]) => [encode(k), encode(v)]);
  } catch {
    throw new TypeError('Unencodable query');
  }
  // Array.prototype.sort is stable, which is what keeps a key's values in arrival order.
  encoded.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return encoded.map(([k, v]) => `${k}=${v}`).join('&');
}

// Leading and trailing HTTP whitespace only, as HTTP clients strip it; other spaces are signed.
const trimHttp = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, '');

/**
 * The canonical request: these lines joined by `\n`, none of which can contain a line break.
 *
 * ```text
 * LIFT-HMAC-SHA256
 * <key id>
 * <method>                             exactly as sent
 * <canonical path>                     see canonicalPath
 * <canonical query>                    see canonicalQuery
 * <signed header names>                lower case, sorted, joined by ";" (empty line when none)
 * <name>:<value>                       one line per signed header, in the order above, value trimmed
 * <timestamp>                          epoch seconds
 * <nonce>
 * <hex SHA-256 of the body>
 * ```
 *
 * The list of names fixes how many header lines follow, and values may not contain CR, LF or NUL,
 * so no header value can pass for another header. Throws a `TypeError` for input that has no
 * canonical form (malformed key id, method, path, header name or value, timestamp or nonce).
 */
export function canonicalRequest(input: CanonicalInput): string {
  if (!KEY_ID_PATTERN.test(input.keyId)) throw new TypeError('Invalid key id');
  if (!METHOD.test(input.method)) throw new TypeError('Invalid method');
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0) throw new TypeError('Invalid timestamp');
  if (!NONCE_PATTERN.test(input.nonce)) throw new TypeError('Invalid nonce');
  const names = Object.keys(input.headers).sort();
  const lines = names.map((name) => {
    const value = input.headers[name] as string;
    if (!isSignableHeaderName(name)) throw new TypeError(`Invalid header name ${JSON.stringify(name)}`);
    // A line break in a value could forge a line of the canonical form.
    if (!isHeaderValue(value)) throw new TypeError(`Header ${name} contains CR, LF or NUL`);
    return `${name}:${trimHttp(value)}`;
  });
  return [
    SIGNING_SCHEME,
    input.keyId,
    // As sent: methods are case-sensitive, and a `post` reaches other routes than a `POST`.
    input.method,
    canonicalPath(input.path),
    canonicalQuery(input.query),
    names.join(';'),
    ...lines,
    String(input.timestamp),
    input.nonce,
    createHash('sha256').update(input.body).digest('hex'),
  ].join('\n');
}

/** HMAC-SHA256 of the canonical request, base64url. */
export function signCanonical(secret: string, canonical: string): string {
  return createHmac('sha256', secret).update(canonical).digest('base64url');
}
