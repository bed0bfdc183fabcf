import { createHash } from 'node:crypto';
import { type DecomposedJwt, decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { Principal } from '../context/principal.js';
import {
  ConfigurationError,
  refuseUnknownOptions,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../errors/errors.js';
import type { Authenticator } from './api-gateway.js';
import { createJwksCache, type JwksCacheOptions, JwksUnavailableError } from './jwks-cache.js';
import {
  type CognitoIssuerOptions,
  configureIssuer,
  type Issuer,
  type JwtIssuerOptions,
} from './jwt-issuers.js';
import { type ClaimMapping, claimReader } from './principal.js';
import type { RevocationStore } from './revocation.js';
import { describedAs } from './scheme.js';

// How long a verified token may be answered from the cache before its signature is checked again.
const VERIFIED_FOR_MS = 5 * 60_000;

export type { CognitoIssuerOptions, IssuerTenants, JwtAlgorithm, JwtIssuerOptions } from './jwt-issuers.js';

/** Options of {@link jwtAuthenticator}. */
export interface JwtAuthenticatorOptions {
  readonly issuers: readonly (JwtIssuerOptions | CognitoIssuerOptions)[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 30). */
  readonly leewaySeconds?: number;
  /**
   * Which claims make the principal (default: `sub`, `custom:tenant_id` or `tenant_id`,
   * `cognito:groups` or `roles`, `scope` or `scp`); an issuer's own `mapping` overrides it field by field.
   */
  readonly mapping?: ClaimMapping;
  /** Verified tokens remembered, so a repeated token is not verified again (default 10,000; 0 turns it off). */
  readonly cacheSize?: number;
  /** JWKS refresh rules. */
  readonly jwks?: JwksCacheOptions;
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
  /** Refuse revoked tokens (by `jti`, or users revoked after issue); the answer is cached for `cacheMs` (default 30 s). */
  readonly revocation?: { readonly store: RevocationStore; readonly cacheMs?: number };
}

/** Clock skew `jwtAuthenticator` allows on `exp`, `nbf` and `iat` unless told otherwise, in seconds. */
export const DEFAULT_LEEWAY_SECONDS = 30;

const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const OPTION_KEYS = new Set([
  'issuers',
  'leewaySeconds',
  'mapping',
  'cacheSize',
  'jwks',
  'now',
  'revocation',
]);

// A key set that could not be fetched says nothing about the token: 503, so a client retries
// rather than signing in again; anything else wrong with a token is a 401.
function refused(cause: unknown): UnauthorizedError | ServiceUnavailableError {
  if (cause instanceof JwksUnavailableError)
    return new ServiceUnavailableError('Token keys unavailable', { headers: { 'retry-after': '1' }, cause });
  return invalid(cause);
}

function invalid(cause?: unknown): UnauthorizedError {
  return new UnauthorizedError('Invalid token', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Verifies bearer tokens itself: RS/ES/EdDSA through aws-jwt-verify (JWKS or given keys, Cognito
 * user pools included), HS* through jose with each active secret. Each issuer pins its algorithms;
 * a protected header with `crit` is refused, as Lift understands no critical extension; `exp` is
 * required and must be a finite number; `nbf` and `iat` are checked with a small leeway. Each issuer
 * reads the principal with its own `mapping` and may be limited to the `tenants` it speaks for.
 * A verified token is remembered (bounded, keyed by its hash) until it expires, so a repeated token
 * costs a hash and a map lookup. No `Authorization: Bearer` header: not this method (the next
 * authenticator may apply). A bad token: 401, whatever was wrong with it.
 */
export function jwtAuthenticator(options: JwtAuthenticatorOptions): Authenticator {
  if (!Array.isArray(options?.issuers) || options.issuers.length === 0) {
    throw new ConfigurationError('jwtAuthenticator: list at least one issuer');
  }
  refuseUnknownOptions(options, OPTION_KEYS, 'jwtAuthenticator');
  // Checked here too, so a bad shared mapping is reported once, not per issuer.
  claimReader(options.mapping, 'jwtAuthenticator');
  const leeway = options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  const now = options.now ?? Date.now;
  const jwksCache = createJwksCache({
    ...options.jwks,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const byIssuer = new Map<string, Issuer>();
  for (const config of options.issuers) {
    const issuer = configureIssuer(config, { leeway, now, jwksCache, mapping: options.mapping });
    // Two entries for one `iss` would leave one's tenants or mapping silently unused.
    if (byIssuer.has(issuer.issuer))
      throw new ConfigurationError(`jwtAuthenticator: ${issuer.issuer} is listed twice`);
    byIssuer.set(issuer.issuer, issuer);
  }

  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, { principal: Principal; exp: number; revocationCheckedAt: number }>();
  const revocation = options.revocation;
  const revocationCacheMs = revocation?.cacheMs ?? 30_000;
  const refuseRevoked = async (principal: Principal): Promise<void> => {
    if (revocation === undefined) return;
    const { jti, iat } = principal.claims;
    const revoked = await revocation.store.isRevoked({
      jti: typeof jti === 'string' ? jti : undefined,
      userId: principal.userId,
      iat: typeof iat === 'number' ? iat : undefined,
    });
    if (revoked) throw invalid();
  };

  // The checks after the signature: Lift's own rules on times, the principal, the issuer's tenants.
  const accept = (issuer: Issuer, claims: Record<string, unknown>): Principal => {
    // Libraries treat `exp` as optional; Lift does not, and a token that never expires is refused.
    const nowSeconds = now() / 1000;
    const { exp, nbf, iat } = claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp) || exp + leeway <= nowSeconds) throw invalid();
    if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf) || nbf - leeway > nowSeconds))
      throw invalid();
    if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat) || iat - leeway > nowSeconds))
      throw invalid();
    const principal = issuer.read(claims, 'jwt');
    if (principal === undefined) throw invalid();
    const allowsTenant = issuer.allowsTenant;
    if (allowsTenant !== undefined) {
      // A partner issuer speaks for its tenants only; a token naming none is not one of them.
      let allowed: boolean;
      try {
        allowed = principal.tenantId !== undefined && allowsTenant(principal.tenantId);
      } catch (error) {
        throw invalid(error);
      }
      if (!allowed) throw invalid();
      return Object.freeze({ ...principal, tenantScope: allowsTenant });
    }
    return principal;
  };

  // A principal at once when the issuer's keys are held (no await on the hot path), else a promise.
  const check = (token: string): Principal | Promise<Principal> => {
    let jwt: DecomposedJwt;
    try {
      // Decoded once, by aws-jwt-verify's parser, which its verifiers are then handed.
      jwt = decomposeUnverifiedJwt(token);
    } catch (error) {
      throw invalid(error);
    }
    const { header, payload } = jwt;
    // RFC 7515 §4.1.11: a recipient must refuse critical extensions it does not understand, and Lift
    // understands none. aws-jwt-verify ignores `crit`, so it is refused here for every algorithm.
    if (Object.hasOwn(header, 'crit')) throw invalid();
    const alg = header.alg;
    const iss = payload.iss;
    const issuer = typeof iss === 'string' ? byIssuer.get(iss) : undefined;
    if (issuer === undefined || typeof alg !== 'string' || !issuer.algorithms.has(alg)) throw invalid();
    let claims: Record<string, unknown> | Promise<Record<string, unknown>>;
    try {
      claims = issuer.verify(jwt, token);
    } catch (error) {
      throw refused(error);
    }
    if (claims instanceof Promise)
      return claims.then(
        (verified) => accept(issuer, verified),
        (error: unknown) => {
          throw refused(error);
        },
      );
    return accept(issuer, claims);
  };
  const checkUnrevoked = (token: string): Principal | Promise<Principal> => {
    const principal = check(token);
    if (revocation === undefined) return principal;
    return Promise.resolve(principal).then(async (p) => {
      await refuseRevoked(p);
      return p;
    });
  };

  // A verified token is served from the cache until it expires, but never longer than
  // VERIFIED_FOR_MS: a token signed with a key since rotated or withdrawn (a long `exp` on a leaked
  // key) is checked against the current keys again within that time.
  const remember = (key: string, principal: Principal): Principal => {
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
    const exp = Math.min(principal.claims.exp as number, (now() + VERIFIED_FOR_MS) / 1000);
    verified.set(key, { principal, exp, revocationCheckedAt: now() });
    return principal;
  };

  return describedAs(
    (ctx): Principal | undefined | Promise<Principal | undefined> => {
      const header = ctx.header('authorization');
      if (header === undefined || !/^bearer /i.test(header)) return undefined;
      const token = header.slice(7).trim();
      if (token.length > 8192 || !TOKEN.test(token)) throw invalid();
      if (cacheSize === 0) return checkUnrevoked(token);
      const key = createHash('sha256').update(token).digest('base64');
      const hit = verified.get(key);
      if (hit !== undefined) {
        verified.delete(key);
        if (hit.exp * 1000 > now()) {
          if (revocation === undefined || now() - hit.revocationCheckedAt <= revocationCacheMs) {
            verified.set(key, hit);
            return hit.principal;
          }
          // Put back only once the store says it is not revoked: a revoked token leaves the cache.
          return refuseRevoked(hit.principal).then(() => {
            hit.revocationCheckedAt = now();
            verified.set(key, hit);
            return hit.principal;
          });
        }
      }
      const principal = checkUnrevoked(token);
      return principal instanceof Promise
        ? principal.then((p) => remember(key, p))
        : remember(key, principal);
    },
    {
      type: 'jwt',
      issuers: [...byIssuer.keys()],
      trusts: [...byIssuer.values()].map(({ issuer, audience, tokenUse, keysGiven }) => ({
        issuer,
        audience,
        ...(tokenUse === undefined ? {} : { tokenUse }),
        ...(keysGiven === true ? { keys: 'given' as const } : {}),
      })),
    },
  );
}
