import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '../errors/errors.js';
import { canonicalRequest, SIGNATURE_HEADERS, signCanonical } from './canonical.js';

/** What {@link signRequest} signs. */
export interface SignRequestOptions {
  readonly keyId: string;
  readonly secret: string;
  readonly method: string;
  readonly url: string | URL;
  /** Request headers; those listed in `signHeaders` are covered by the signature. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Header names to sign (default: `content-type` when present). */
  readonly signHeaders?: readonly string[];
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

/** Signs a request for a Lift service; returns the headers to add to it. */
export function signRequest(options: SignRequestOptions): Record<string, string> {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(options.keyId))
    throw new ConfigurationError('signRequest: invalid key id');
  const url = typeof options.url === 'string' ? new URL(options.url) : options.url;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  const names = (options.signHeaders ?? (headers['content-type'] === undefined ? [] : ['content-type'])).map(
    (n) => n.toLowerCase(),
  );
  const signed: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value === undefined)
      throw new ConfigurationError(`signRequest: header "${name}" is to be signed but not set`);
    signed[name] = value;
  }
  const timestamp = Math.floor((options.now ?? Date.now)() / 1000);
  const nonce = randomBytes(16).toString('base64url');
  const body =
    options.body === undefined
      ? new Uint8Array()
      : typeof options.body === 'string'
        ? new TextEncoder().encode(options.body)
        : options.body;
  const canonical = canonicalRequest({
    method: options.method,
    path: url.pathname.split('/').map(decodeURIComponent).join('/'),
    query: [...url.searchParams],
    headers: signed,
    timestamp,
    nonce,
    body,
  });
  return {
    [SIGNATURE_HEADERS.keyId]: options.keyId,
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signedHeaders]: names.join(';'),
    [SIGNATURE_HEADERS.signature]: signCanonical(options.secret, canonical),
  };
}

/**
 * A `fetch` that signs every request: for service-to-service calls to a Lift service. Bodies must be
 * strings or bytes (what is signed must be known before sending).
 */
export function signedFetch(options: {
  readonly keyId: string;
  readonly secret: string;
  readonly signHeaders?: readonly string[];
  readonly fetch?: typeof globalThis.fetch;
}): (url: string | URL, init?: RequestInit) => Promise<Response> {
  const send = options.fetch ?? globalThis.fetch;
  return (url, init = {}) => {
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new ConfigurationError('signedFetch: the body must be a string or bytes');
    }
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const added = signRequest({
      keyId: options.keyId,
      secret: options.secret,
      method: init.method ?? 'GET',
      url,
      headers,
      ...(body === undefined || body === null ? {} : { body }),
      ...(options.signHeaders === undefined ? {} : { signHeaders: options.signHeaders }),
    });
    return send(url, { ...init, headers: { ...headers, ...added } });
  };
}
