import { timingSafeEqual } from 'node:crypto';
import type { Authenticator } from '../auth/api-gateway.js';
import type { Principal } from '../context/principal.js';
import { ConfigurationError, UnauthorizedError } from '../errors/errors.js';
import { canonicalRequest, SIGNATURE_HEADERS, signCanonical } from './canonical.js';
import type { NonceStore } from './nonces.js';

/** A signing key as the service knows it: its secrets (several during a rotation) and who holds it. */
export interface SigningKey {
  readonly secrets: readonly string[];
  /** Who holds the key (the principal's user id). */
  readonly name: string;
  /** The account the key is bound to. */
  readonly accountId?: string;
  readonly tenantId?: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
}

/** Options of {@link signatureAuthenticator}. */
export interface SignatureAuthenticatorOptions {
  /** Finds a key by id (from configuration or Secrets Manager). */
  readonly keys: (keyId: string) => SigningKey | undefined | Promise<SigningKey | undefined>;
  /** Where used nonces are remembered (use the DynamoDB store when more than one instance runs). */
  readonly nonces: NonceStore;
  /** How far a request's timestamp may be from now, in seconds (default 300). */
  readonly windowSeconds?: number;
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;

function refused(): UnauthorizedError {
  return new UnauthorizedError('Invalid signature');
}

/**
 * Verifies HMAC-SHA256 request signatures (see `canonicalRequest` for the exact form): the key id
 * names a secret (any active one of a rotation), the timestamp must be within the window, the
 * signature is compared in constant time, and only then is the nonce claimed, so a replay, even
 * sent to two instances at once, is accepted exactly once. Requests without a signature are left to
 * the next authenticator.
 */
export function signatureAuthenticator(options: SignatureAuthenticatorOptions): Authenticator {
  if (typeof options?.keys !== 'function' || typeof options.nonces?.claim !== 'function') {
    throw new ConfigurationError('signatureAuthenticator needs "keys" and "nonces"');
  }
  const window = options.windowSeconds ?? 300;
  const now = options.now ?? Date.now;
  return async (ctx) => {
    const signature = ctx.header(SIGNATURE_HEADERS.signature);
    if (signature === undefined) return undefined;
    const keyId = ctx.header(SIGNATURE_HEADERS.keyId);
    const timestamp = Number(ctx.header(SIGNATURE_HEADERS.timestamp));
    const nonce = ctx.header(SIGNATURE_HEADERS.nonce) ?? '';
    const names = (ctx.header(SIGNATURE_HEADERS.signedHeaders) ?? '').split(';').filter((n) => n !== '');
    if (keyId === undefined || !Number.isInteger(timestamp) || !NONCE.test(nonce)) throw refused();
    if (Math.abs(now() / 1000 - timestamp) > window) throw refused();
    const key = await options.keys(keyId);
    if (key === undefined) throw refused();
    const headers: Record<string, string> = {};
    for (const name of names) {
      const value = ctx.header(name);
      if (value === undefined) throw refused();
      headers[name.toLowerCase()] = value;
    }
    const query: [string, string][] = [];
    const lists = ctx.queryMulti();
    for (const k in lists) for (const v of [lists[k] as string | string[]].flat()) query.push([k, v]);
    const canonical = canonicalRequest({
      method: ctx.method,
      path: ctx.sentPath(),
      query,
      headers,
      timestamp,
      nonce,
      body: ctx.rawBody,
    });
    const presented = Buffer.from(signature);
    const valid = key.secrets.some((secret) => {
      const expected = Buffer.from(signCanonical(secret, canonical));
      return expected.length === presented.length && timingSafeEqual(expected, presented);
    });
    if (!valid) throw refused();
    if (!(await options.nonces.claim(keyId, nonce, timestamp + window))) throw refused();
    const principal: Principal = Object.freeze({
      userId: key.name,
      tenantId: key.tenantId,
      accountId: key.accountId,
      roles: Object.freeze([...(key.roles ?? [])]),
      scopes: Object.freeze([...(key.scopes ?? [])]),
      authMethod: 'signature' as const,
      claims: Object.freeze({ keyId }),
    });
    return principal;
  };
}
