import { createHash, createHmac } from 'node:crypto';

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

/** What is signed. Path and query are given decoded; encoding is part of the canonical form. */
export interface CanonicalInput {
  readonly method: string;
  /** The path, percent-decoded (`/orders/a b`). */
  readonly path: string;
  /** Decoded query pairs, in any order. */
  readonly query: readonly (readonly [string, string])[];
  /** The signed headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Epoch seconds. */
  readonly timestamp: number;
  readonly nonce: string;
  readonly body: Uint8Array;
}

const encode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The canonical request, one field per line:
 * scheme, METHOD, path (each decoded segment RFC 3986-encoded), query (pairs encoded, sorted by key
 * then value, joined by `&`), signed headers (`name:value` with trimmed values, sorted by name, joined
 * by `;`), timestamp, nonce, and the hex SHA-256 of the body.
 */
export function canonicalRequest(input: CanonicalInput): string {
  const path = input.path.split('/').map(encode).join('/');
  const query = input.query
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = Object.keys(input.headers)
    .map((name) => name.toLowerCase())
    .sort()
    .map((name) => `${name}:${(input.headers[name] ?? '').trim()}`)
    .join(';');
  const bodyHash = createHash('sha256').update(input.body).digest('hex');
  return [
    SIGNING_SCHEME,
    input.method.toUpperCase(),
    path,
    query,
    headers,
    String(input.timestamp),
    input.nonce,
    bodyHash,
  ].join('\n');
}

/** HMAC-SHA256 of the canonical request, base64url. */
export function signCanonical(secret: string, canonical: string): string {
  return createHmac('sha256', secret).update(canonical).digest('base64url');
}
