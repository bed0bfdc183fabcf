import { createHash } from 'node:crypto';
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { Principal } from '../context/principal.js';
import { ConfigurationError, UnauthorizedError } from '../errors/errors.js';
import type { Authenticator } from './api-gateway.js';
import { createJwksCache, type JwksCacheOptions } from './jwks-cache.js';
import { type ClaimMapping, principalFromClaims } from './principal.js';
import type { RevocationStore } from './revocation.js';

/** Signature algorithms Lift accepts; `none` is never one of them. */
export type JwtAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'HS256'
  | 'HS384'
  | 'HS512';

/** An issuer of tokens Lift verifies itself. */
export interface JwtIssuerOptions {
  /** The `iss` claim, exactly. */
  readonly issuer: string;
  /** Accepted `aud` values; `null` to accept any, which must be said explicitly. */
  readonly audience: string | readonly string[] | null;
  /** The algorithms this issuer signs with; a token with any other `alg` is refused. */
  readonly algorithms: readonly JwtAlgorithm[];
  /** Where its public keys are (RS/ES/EdDSA). */
  readonly jwksUri?: string;
  /** Or its public keys, given here (RS/ES/EdDSA). */
  readonly jwks?: Jwks;
  /** Shared secrets (HS*); several may be active during a rotation. At least 32 characters each. */
  readonly secrets?: readonly string[];
}

/** A Cognito user pool; issuer and keys follow from the pool id. */
export interface CognitoIssuerOptions {
  readonly cognito: {
    readonly userPoolId: string;
    /** Which tokens are accepted: Cognito issues `id` and `access` tokens, which must not be confused. */
    readonly tokenUse: 'access' | 'id';
    /** App client ids accepted (`client_id` of access tokens, `aud` of id tokens); `null` to accept any. */
    readonly clientId: string | readonly string[] | null;
  };
  /** The pool's keys, given here instead of fetched (offline use). */
  readonly jwks?: Jwks;
}

/** Options of {@link jwtAuthenticator}. */
export interface JwtAuthenticatorOptions {
  readonly issuers: readonly (JwtIssuerOptions | CognitoIssuerOptions)[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 30). */
  readonly leewaySeconds?: number;
  /** Which claims make the principal (default: `sub`, `custom:tenant_id`, `cognito:groups`, `scope`...). */
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

type Verify = (token: string) => Promise<Record<string, unknown>>;
// aws-jwt-verify's verifiers, seen through the one call Lift makes (their generics need no second argument here).
interface SimpleVerifier {
  verify(token: string): Promise<Record<string, unknown>>;
}

const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const ASYMMETRIC = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);

function invalid(cause?: unknown): UnauthorizedError {
  return new UnauthorizedError('Invalid token', {
    headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Verifies bearer tokens itself: RS/ES/EdDSA through aws-jwt-verify (JWKS or given keys, Cognito
 * user pools included), HS* through jose with each active secret. Each issuer pins its algorithms;
 * `exp` is required and must be a finite number; `nbf` and `iat` are checked with a small leeway.
 * A verified token is remembered (bounded, keyed by its hash) until it expires, so a repeated token
 * costs a hash and a map lookup. No `Authorization: Bearer` header: not this method (the next
 * authenticator may apply). A bad token: 401, whatever was wrong with it.
 */
export function jwtAuthenticator(options: JwtAuthenticatorOptions): Authenticator {
  if (!Array.isArray(options?.issuers) || options.issuers.length === 0) {
    throw new ConfigurationError('jwtAuthenticator: list at least one issuer');
  }
  const leeway = options.leewaySeconds ?? 30;
  const now = options.now ?? Date.now;
  const jwksCache = createJwksCache({
    ...options.jwks,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const byIssuer = new Map<string, { algorithms: ReadonlySet<string>; verify: Verify }>();

  for (const config of options.issuers) {
    if ('cognito' in config) {
      const { userPoolId, tokenUse, clientId } = config.cognito;
      const region = /^([a-z]{2}-[a-z]+-\d)_[A-Za-z0-9]+$/.exec(userPoolId)?.[1];
      if (region === undefined)
        throw new ConfigurationError(`jwtAuthenticator: "${userPoolId}" is not a Cognito user pool id`);
      const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
      const verifier = CognitoJwtVerifier.create(
        {
          userPoolId,
          tokenUse,
          clientId: clientId === null ? null : [clientId].flat(),
          graceSeconds: leeway,
        },
        { jwksCache },
      );
      if (config.jwks !== undefined) jwksCache.addJwks(`${issuer}/.well-known/jwks.json`, config.jwks);
      byIssuer.set(issuer, {
        algorithms: new Set(['RS256']),
        verify: (t) => (verifier as unknown as SimpleVerifier).verify(t),
      });
      continue;
    }
    const { issuer, audience, algorithms } = config;
    if (typeof issuer !== 'string' || issuer === '')
      throw new ConfigurationError('jwtAuthenticator: every issuer needs "issuer"');
    if (audience === undefined)
      throw new ConfigurationError(
        `jwtAuthenticator: ${issuer} needs "audience" (null to accept any, on purpose)`,
      );
    if (!Array.isArray(algorithms) || algorithms.length === 0)
      throw new ConfigurationError(`jwtAuthenticator: ${issuer} must pin its "algorithms"`);
    const hmac = algorithms.filter((a) => a.startsWith('HS'));
    const asymmetric = algorithms.filter((a) => ASYMMETRIC.has(a));
    if (hmac.length + asymmetric.length !== algorithms.length)
      throw new ConfigurationError(`jwtAuthenticator: ${issuer} names an unsupported algorithm`);
    if (hmac.length > 0 && asymmetric.length > 0) {
      // One issuer, one kind of key: mixing them is how algorithm-confusion attacks start.
      throw new ConfigurationError(`jwtAuthenticator: ${issuer} mixes HMAC and public-key algorithms`);
    }
    let verify: Verify;
    if (hmac.length > 0) {
      const secrets: readonly string[] = config.secrets ?? [];
      if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length < 32)) {
        throw new ConfigurationError(
          `jwtAuthenticator: ${issuer} needs "secrets" of at least 32 characters for ${hmac.join(', ')}`,
        );
      }
      const keys = secrets.map((s) => new TextEncoder().encode(s));
      verify = async (token) => {
        let lastError: unknown;
        for (const key of keys) {
          try {
            const { payload } = await jwtVerify(token, key, {
              algorithms: hmac,
              issuer,
              ...(audience === null ? {} : { audience: [audience].flat() }),
              clockTolerance: leeway,
              requiredClaims: ['exp'],
              currentDate: new Date(now()),
            });
            return payload as Record<string, unknown>;
          } catch (error) {
            lastError = error;
          }
        }
        throw lastError;
      };
    } else {
      const jwksUri =
        config.jwksUri ?? (config.jwks === undefined ? undefined : `lift-static-keys:${issuer}`);
      if (jwksUri === undefined)
        throw new ConfigurationError(`jwtAuthenticator: ${issuer} needs "jwksUri" or "jwks"`);
      if (config.jwks !== undefined) jwksCache.addJwks(jwksUri, config.jwks);
      const verifier = JwtVerifier.create(
        { issuer, audience: audience === null ? null : [audience].flat(), jwksUri, graceSeconds: leeway },
        { jwksCache },
      );
      verify = (token) => (verifier as unknown as SimpleVerifier).verify(token);
    }
    byIssuer.set(issuer, { algorithms: new Set(algorithms), verify });
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

  const check = async (token: string): Promise<Principal> => {
    let alg: unknown;
    let iss: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch (error) {
      throw invalid(error);
    }
    const issuer = typeof iss === 'string' ? byIssuer.get(iss) : undefined;
    if (issuer === undefined || typeof alg !== 'string' || !issuer.algorithms.has(alg)) throw invalid();
    let claims: Record<string, unknown>;
    try {
      claims = await issuer.verify(token);
    } catch (error) {
      throw invalid(error);
    }
    // Libraries treat `exp` as optional; Lift does not, and a token that never expires is refused.
    const nowSeconds = now() / 1000;
    const { exp, nbf, iat } = claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp) || exp + leeway <= nowSeconds) throw invalid();
    if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf) || nbf - leeway > nowSeconds))
      throw invalid();
    if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat) || iat - leeway > nowSeconds))
      throw invalid();
    const principal = principalFromClaims(claims, 'jwt', options.mapping);
    if (principal === undefined) throw invalid();
    return principal;
  };

  return async (ctx) => {
    const header = ctx.header('authorization');
    if (header === undefined || !/^bearer /i.test(header)) return undefined;
    const token = header.slice(7).trim();
    if (token.length > 8192 || !TOKEN.test(token)) throw invalid();
    if (cacheSize === 0) {
      const principal = await check(token);
      await refuseRevoked(principal);
      return principal;
    }
    const key = createHash('sha256').update(token).digest('base64');
    const hit = verified.get(key);
    if (hit !== undefined) {
      verified.delete(key);
      if (hit.exp * 1000 > now()) {
        if (now() - hit.revocationCheckedAt > revocationCacheMs) {
          await refuseRevoked(hit.principal);
          hit.revocationCheckedAt = now();
        }
        verified.set(key, hit);
        return hit.principal;
      }
    }
    const principal = await check(token);
    await refuseRevoked(principal);
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value as string);
    verified.set(key, { principal, exp: principal.claims.exp as number, revocationCheckedAt: now() });
    return principal;
  };
}
