import { timingSafeEqual } from 'node:crypto';
import type { Authenticator } from '../auth/api-gateway.js';
import { createPrincipal } from '../auth/principal.js';
import { describedAs } from '../auth/scheme.js';
import type { Principal } from '../context/principal.js';
import { ConfigurationError, refuseUnknownOptions, UnauthorizedError } from '../errors/errors.js';
import {
  canonicalRequest,
  DEFAULT_SIGNED_HEADERS,
  isSignableHeaderName,
  KEY_ID_PATTERN,
  NONCE_PATTERN,
  SIGNATURE_HEADERS,
  signCanonical,
} from './canonical.js';
import type { NonceStore } from './nonces.js';

/** A signing key as the service knows it: its secrets (several during a rotation) and who holds it. */
export interface SigningKey {
  /** The active secrets, at least one; a request signed with any of them verifies. */
  readonly secrets: readonly string[];
  /** Who holds the key (the principal's user id); replay protection is scoped by it. */
  readonly name: string;
  /** The account the key is bound to. */
  readonly accountId?: string;
  /** The tenant the key acts for. */
  readonly tenantId?: string;
  /** The roles the key's holder has. */
  readonly roles?: readonly string[];
  /** The scopes the key's holder has. */
  readonly scopes?: readonly string[];
}

/** Options of {@link signatureAuthenticator}. */
export interface SignatureAuthenticatorOptions {
  /**
   * Finds a key by id (from configuration or Secrets Manager); `undefined` when there is none. Only
   * called with ids that match `A-Z a-z 0-9 . _ -` (1-128), and what it returns is checked, so a
   * lookup in a plain object (`(id) => KEYS[id]`) answers `__proto__` with a 401. If it throws, the
   * request fails with a 500: a key store that cannot answer is a server fault, not a bad signature.
   */
  readonly keys: (keyId: string) => SigningKey | undefined | Promise<SigningKey | undefined>;
  /** Where used nonces are remembered (use the DynamoDB store when more than one instance runs). */
  readonly nonces: NonceStore;
  /** How far a request's timestamp may be from now, in seconds (default 300). */
  readonly windowSeconds?: number;
  /**
   * Headers that must be signed whenever a request carries them; a request with one of them unsigned
   * is refused. Same name and default as the signer's option: `DEFAULT_SIGNED_HEADERS`.
   */
  readonly signHeaders?: readonly string[];
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

const OPTION_KEYS = ['keys', 'nonces', 'windowSeconds', 'signHeaders', 'now'];
const SIGNATURE_SCHEME = {
  type: 'signature',
  header: SIGNATURE_HEADERS.signature,
  headers: Object.values(SIGNATURE_HEADERS),
} as const;

// Digits only, no sign, exponent or leading zero: one spelling per second.
const TIMESTAMP = /^(0|[1-9][0-9]{0,11})$/;

function refused(): UnauthorizedError {
  return new UnauthorizedError('Invalid signature');
}

// Own properties only: a resolver over a plain object hands back Object.prototype for `__proto__`.
function own(value: object, name: string): unknown {
  return Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * What the resolver returned, if it has the shape of a {@link SigningKey}: its secrets, its holder's
 * name (the nonce scope) and the principal it makes, every field read from own properties and
 * checked as every authenticator's are (`createPrincipal`), so an empty tenant cannot slip through.
 */
function resolvedKey(
  value: unknown,
  keyId: string,
): { readonly secrets: readonly string[]; readonly name: string; readonly principal: Principal } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const secrets = own(value, 'secrets');
  const name = own(value, 'name');
  if (!Array.isArray(secrets) || secrets.length === 0 || !secrets.every(isText) || !isText(name))
    return undefined;
  const principal = createPrincipal({
    userId: name,
    tenantId: own(value, 'tenantId'),
    accountId: own(value, 'accountId'),
    roles: own(value, 'roles'),
    scopes: own(value, 'scopes'),
    authMethod: 'signature',
    claims: { keyId },
  });
  return principal === undefined ? undefined : { secrets: [...secrets], name, principal };
}

/** The names in `x-lift-signed-headers`, or `undefined` when the list is malformed. */
function signedNames(header: string | undefined): string[] | undefined {
  if (header === undefined || header === '') return [];
  const names = header.split(';').map((n) => n.toLowerCase());
  if (!names.every(isSignableHeaderName) || new Set(names).size !== names.length) return undefined;
  return names;
}

/**
 * Verifies HMAC-SHA256 request signatures (see `canonicalRequest` for the exact form). In order: the
 * key id, timestamp and nonce must be well-formed and the timestamp within the window; every header
 * of `signHeaders` the request carries must be signed; only then is the key looked up (its shape
 * checked), the signature compared in constant time against each of its secrets, and finally the
 * nonce claimed in the key's scope, so forged requests cannot use up nonces and a replay, even sent
 * to two instances at once or under another id of the same key, is accepted at most once. Every
 * refusal is the same 401 `Invalid signature`. Requests without a signature are left to the next
 * authenticator.
 */
export function signatureAuthenticator(options: SignatureAuthenticatorOptions): Authenticator {
  refuseUnknownOptions(options, OPTION_KEYS, 'signatureAuthenticator');
  if (typeof options?.keys !== 'function' || typeof options.nonces?.claim !== 'function') {
    throw new ConfigurationError('signatureAuthenticator needs "keys" and "nonces"');
  }
  const window = options.windowSeconds ?? 300;
  if (!Number.isInteger(window) || window <= 0)
    throw new ConfigurationError('signatureAuthenticator: "windowSeconds" must be a positive integer');
  const wanted: unknown = options.signHeaders ?? DEFAULT_SIGNED_HEADERS;
  if (!Array.isArray(wanted) || !wanted.every((n) => typeof n === 'string'))
    throw new ConfigurationError('signatureAuthenticator: "signHeaders" must list header names');
  const required = wanted.map((n: string) => n.toLowerCase());
  if (!required.every(isSignableHeaderName))
    throw new ConfigurationError('signatureAuthenticator: "signHeaders" must list header names');
  const now = options.now ?? Date.now;
  return describedAs(async (ctx) => {
    const signature = ctx.header(SIGNATURE_HEADERS.signature);
    if (signature === undefined) return undefined;
    const keyId = ctx.header(SIGNATURE_HEADERS.keyId) ?? '';
    const stamp = ctx.header(SIGNATURE_HEADERS.timestamp) ?? '';
    const nonce = ctx.header(SIGNATURE_HEADERS.nonce) ?? '';
    if (!KEY_ID_PATTERN.test(keyId) || !TIMESTAMP.test(stamp) || !NONCE_PATTERN.test(nonce)) throw refused();
    const timestamp = Number(stamp);
    if (Math.abs(now() / 1000 - timestamp) > window) throw refused();
    const names = signedNames(ctx.header(SIGNATURE_HEADERS.signedHeaders));
    if (names === undefined) throw refused();
    // An unsigned x-tenant-id (or other required header) could be added to a captured request.
    for (const name of required) if (!names.includes(name) && ctx.header(name) !== undefined) throw refused();
    const headers: Record<string, string> = Object.create(null);
    for (const name of names) {
      const value = ctx.header(name);
      if (value === undefined) throw refused();
      headers[name] = value;
    }
    const key = resolvedKey(await options.keys(keyId), keyId);
    if (key === undefined) throw refused();
    const query: [string, string][] = [];
    const lists = ctx.queryMulti();
    for (const k in lists) for (const v of [lists[k] as string | string[]].flat()) query.push([k, v]);
    const body = ctx.rawBody;
    let canonical: string;
    try {
      canonical = canonicalRequest({
        keyId,
        method: ctx.method,
        path: ctx.sentPath(),
        query,
        headers,
        timestamp,
        nonce,
        body,
      });
    } catch {
      // Malformed percent-encoding, a line break in a signed header...: nothing a signer produces.
      throw refused();
    }
    const presented = Buffer.from(signature);
    const valid = key.secrets.some((secret) => {
      const expected = Buffer.from(signCanonical(secret, canonical));
      return expected.length === presented.length && timingSafeEqual(expected, presented);
    });
    if (!valid) throw refused();
    if (!(await options.nonces.claim(key.name, nonce, timestamp + window))) throw refused();
    return key.principal;
  }, SIGNATURE_SCHEME);
}
