import { randomBytes } from 'node:crypto';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import {
  canonicalRequest,
  DEFAULT_SIGNED_HEADERS,
  isSignableHeaderName,
  KEY_ID_PATTERN,
  SIGNATURE_HEADERS,
  signCanonical,
} from './canonical.js';

const SIGN_OPTIONS = ['keyId', 'secret', 'method', 'url', 'headers', 'body', 'signHeaders', 'now'];

/** What {@link signRequest} signs. */
export interface SignRequestOptions {
  /** The key id (`A-Z a-z 0-9 . _ -`, 1-128 characters); it is part of what is signed. */
  readonly keyId: string;
  /** The key's secret (the current one during a rotation). */
  readonly secret: string;
  /** The HTTP method. */
  readonly method: string;
  /** The URL the request is sent to; its path is signed percent-encoded, as sent. */
  readonly url: string | URL;
  /** Request headers; those listed in `signHeaders` are covered by the signature. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body exactly as sent (a string is signed as its UTF-8 bytes). */
  readonly body?: string | Uint8Array;
  /**
   * Header names to sign, each of which must be set. Default: those of `DEFAULT_SIGNED_HEADERS`
   * (`content-type`, `x-tenant-id`, `idempotency-key`) the request carries. The verifier refuses a
   * request carrying one of its required headers unsigned, so a list given here should include them.
   */
  readonly signHeaders?: readonly string[];
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

// fetch upper-cases these six whatever case they are given in (Fetch standard, "normalize a
// method"); any other method is sent, and so signed, exactly as written.
const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const sentMethod = (method: string): string =>
  typeof method === 'string' && NORMALIZED.has(method.toUpperCase()) ? method.toUpperCase() : method;

function bytesOf(body: string | Uint8Array | undefined): Uint8Array {
  if (body === undefined) return new Uint8Array();
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

/**
 * Signs a request for a Lift service; returns the headers to add to it (`x-lift-key-id`,
 * `x-lift-timestamp`, `x-lift-nonce`, `x-lift-signed-headers`, `x-lift-signature`). Send the path
 * exactly as `url` spells it: an HTTP client that re-encodes it breaks the signature.
 */
export function signRequest(options: SignRequestOptions): Record<string, string> {
  refuseUnknownOptions(options, SIGN_OPTIONS, 'signRequest');
  if (typeof options.keyId !== 'string' || !KEY_ID_PATTERN.test(options.keyId))
    throw new ConfigurationError('signRequest: invalid key id');
  if (typeof options.secret !== 'string' || options.secret === '')
    throw new ConfigurationError('signRequest: the secret must be a non-empty string');
  const url = typeof options.url === 'string' ? new URL(options.url) : options.url;
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value;
  const wanted = options.signHeaders ?? DEFAULT_SIGNED_HEADERS.filter((n) => headers[n] !== undefined);
  const signed: Record<string, string> = Object.create(null);
  for (const name of wanted.map((n) => n.toLowerCase())) {
    if (!isSignableHeaderName(name))
      throw new ConfigurationError(`signRequest: invalid header name ${JSON.stringify(name)}`);
    const value = headers[name];
    if (value === undefined)
      throw new ConfigurationError(`signRequest: header "${name}" is to be signed but not set`);
    signed[name] = value;
  }
  const timestamp = Math.floor((options.now ?? Date.now)() / 1000);
  const nonce = randomBytes(16).toString('base64url');
  let canonical: string;
  try {
    canonical = canonicalRequest({
      keyId: options.keyId,
      method: sentMethod(options.method),
      path: url.pathname,
      query: [...url.searchParams],
      headers: signed,
      timestamp,
      nonce,
      body: bytesOf(options.body),
    });
  } catch (error) {
    throw new ConfigurationError(`signRequest: ${(error as Error).message}`);
  }
  return {
    [SIGNATURE_HEADERS.keyId]: options.keyId,
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signedHeaders]: Object.keys(signed).sort().join(';'),
    [SIGNATURE_HEADERS.signature]: signCanonical(options.secret, canonical),
  };
}

/**
 * A `fetch` that signs every request: for service-to-service calls to a Lift service. Bodies must be
 * strings or bytes (what is signed must be known before sending). A string body without a
 * `content-type` gets the one `fetch` would add (`text/plain;charset=UTF-8`) set explicitly, so it
 * is signed like any other.
 */
export function signedFetch(options: {
  /** As for {@link signRequest}. */
  readonly keyId: string;
  /** As for {@link signRequest}. */
  readonly secret: string;
  /** As for {@link signRequest}. */
  readonly signHeaders?: readonly string[];
  /** The `fetch` to send with (default the global one, looked up when `signedFetch` is called). */
  readonly fetch?: typeof globalThis.fetch;
}): (url: string | URL, init?: RequestInit) => Promise<Response> {
  refuseUnknownOptions(options, ['keyId', 'secret', 'signHeaders', 'fetch'], 'signedFetch');
  const send = options.fetch ?? globalThis.fetch;
  return (url, init = {}) => {
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new ConfigurationError('signedFetch: the body must be a string or bytes');
    }
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    if (typeof body === 'string' && headers['content-type'] === undefined)
      headers['content-type'] = 'text/plain;charset=UTF-8';
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
