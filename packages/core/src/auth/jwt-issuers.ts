import { JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { jwtVerify } from 'jose';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { GIVEN_KEYS_PREFIX, type LiftJwksCache } from './jwks-cache.js';
import { type ClaimMapping, type ClaimReader, claimReader, DEFAULT_CLAIM_MAPPING } from './principal.js';

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

/** The tenants an issuer may speak for: their ids, or a test of a tenant id (which must return `true`). */
export type IssuerTenants = readonly string[] | ((tenantId: string) => boolean);

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
  /** Or its public keys, given here (RS/ES/EdDSA): used as they are, never fetched again. */
  readonly jwks?: Jwks;
  /** Shared secrets (HS*); several may be active during a rotation. At least 32 characters each. */
  readonly secrets?: readonly string[];
  /** Which claims make the principal for this issuer's tokens, over the authenticator's `mapping`. */
  readonly mapping?: ClaimMapping;
  /** Only these tenants: a token of this issuer naming another tenant, or none, is refused. */
  readonly tenants?: IssuerTenants;
  /**
   * For an issuer limited by `tenants`: the claims, besides the registered ones (`iss`, `sub`,
   * `exp`...) and those the mapping reads, that it may assert in `principal.claims`. Its other
   * claims are dropped, so a partner cannot name, say, the `companyIds` a permission's context is
   * checked against. Default: none.
   */
  readonly trustedClaims?: readonly string[];
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
  /**
   * The pool's keys, given here instead of fetched (offline use, tests): never fetched nor refreshed,
   * so a token naming another key is a 401 and the pool (or `lift dev`'s stand-in) is never asked.
   */
  readonly jwks?: Jwks;
  /** Which claims make the principal for this pool's tokens, over the authenticator's `mapping`. */
  readonly mapping?: ClaimMapping;
  /** Only these tenants: a token of this pool naming another tenant, or none, is refused. */
  readonly tenants?: IssuerTenants;
  /** As for {@link JwtIssuerOptions.trustedClaims}. */
  readonly trustedClaims?: readonly string[];
}

/** One configured issuer, as the authenticator uses it per token. */
export interface Issuer {
  /** The `iss` its tokens carry. */
  readonly issuer: string;
  /** The `alg` values its tokens may carry. */
  readonly algorithms: ReadonlySet<string>;
  /**
   * Checks signature, issuer, audience and times of the token (`jwt` is `token` decomposed, not yet
   * trusted); returns the claims, at once when the keys are held, or throws.
   */
  readonly verify: (jwt: DecomposedJwt, token: string) => Claims | Promise<Claims>;
  /** Makes the principal from the verified claims. */
  readonly read: ClaimReader;
  /** Whether this issuer may speak for a tenant; `undefined` when it may speak for any. */
  readonly allowsTenant: ((tenantId: string) => boolean) | undefined;
  /** The `aud` values accepted (a Cognito pool's: its app clients); `null` when any is. */
  readonly audience: readonly string[] | null;
  /** A Cognito pool's token use. */
  readonly tokenUse?: 'id' | 'access';
  /** Whether its keys were given in the options (`jwks`): never fetched, so no stand-in signs for it. */
  readonly keysGiven?: boolean;
}

/** What every issuer shares: the authenticator's settings. */
export interface IssuerSettings {
  /** Clock skew allowed, in seconds. */
  readonly leeway: number;
  /** Clock in epoch ms. */
  readonly now: () => number;
  /** The keys of every issuer, fetched or given. */
  readonly jwksCache: LiftJwksCache;
  /** The authenticator's mapping, which an issuer's own overrides field by field. */
  readonly mapping: ClaimMapping | undefined;
}

type Claims = Record<string, unknown>;

interface KeyedIssuer {
  readonly issuer: string;
  readonly audience: string[] | null;
  readonly jwksUri: string;
  readonly graceSeconds: number;
}

/**
 * aws-jwt-verify's verifier for one issuer, handed the token the authenticator already decomposed
 * (with aws-jwt-verify's own parser), so a token is decoded once, not once per library. When the
 * key is held and fresh, the check runs without an await: the same key lookup, key object cache,
 * signature check and claim checks as `verify`, through aws-jwt-verify's synchronous path.
 */
class DecomposedJwtVerifier extends JwtVerifier<KeyedIssuer, KeyedIssuer, false> {
  readonly #config: KeyedIssuer;
  readonly #keys: LiftJwksCache;

  constructor(config: KeyedIssuer, keys: LiftJwksCache) {
    super(config, keys);
    this.#config = config;
    this.#keys = keys;
    // aws-jwt-verify keeps a key object per issuer and `kid` until told the keys changed: it is told
    // of every fetch (re-adding the set just fetched), so a key replaced under its `kid` is dropped.
    keys.onFetched((uri, jwks) => {
      if (uri === config.jwksUri) this.cacheJwks(jwks);
    });
  }

  check(jwt: DecomposedJwt): JwtPayload | Promise<JwtPayload> {
    const config = this.#config;
    if (this.#keys.holdsFresh(config.jwksUri, jwt.header.kid))
      return this.verifyDecomposedJwtSync(jwt, config.jwksUri, config);
    return this.verifyDecomposedJwt(jwt, config.jwksUri, config);
  }
}

const ASYMMETRIC = new Set(['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'EdDSA']);
// A misspelt option (`tenant:` for `tenants:`) would otherwise leave a partner issuer unrestricted.
const JWT_KEYS = new Set([
  'issuer',
  'audience',
  'algorithms',
  'jwksUri',
  'jwks',
  'secrets',
  'mapping',
  'tenants',
  'trustedClaims',
]);
const COGNITO_KEYS = new Set(['cognito', 'jwks', 'mapping', 'tenants', 'trustedClaims']);
// Claims every JWT or Cognito token may carry about itself; never grants.
const REGISTERED_CLAIMS = [
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'auth_time',
  'token_use',
  'client_id',
  'username',
  'cognito:username',
  'event_id',
  'origin_jti',
];

function checkKeys(config: object, allowed: ReadonlySet<string>, name: string): void {
  refuseUnknownOptions(config, allowed, `jwtAuthenticator: ${name}`);
}

function tenantTest(tenants: IssuerTenants | undefined, name: string): Issuer['allowsTenant'] {
  if (tenants === undefined) return undefined;
  if (typeof tenants === 'function') {
    // Only `true` allows: an async test (a promise), a stray truthy value or a throw refuses.
    return (tenantId) => {
      try {
        return tenants(tenantId) === true;
      } catch {
        return false;
      }
    };
  }
  if (
    !Array.isArray(tenants) ||
    tenants.length === 0 ||
    !tenants.every((t) => typeof t === 'string' && t !== '')
  ) {
    throw new ConfigurationError(
      `jwtAuthenticator: ${name} "tenants" must list tenant ids or be a function (omit it to allow any tenant)`,
    );
  }
  const allowed = new Set(tenants);
  return (tenantId) => allowed.has(tenantId);
}

/**
 * Which claims of a limited issuer reach the principal: the registered ones, those the mapping
 * reads, and those listed as trusted. `undefined` (keep every claim) for an issuer of any tenant.
 */
function keptClaims(
  config: JwtIssuerOptions | CognitoIssuerOptions,
  mapping: ClaimMapping,
  name: string,
): ReadonlySet<string> | undefined {
  const trusted: unknown = config.trustedClaims;
  if (
    trusted !== undefined &&
    (!Array.isArray(trusted) || !trusted.every((c) => typeof c === 'string' && c !== ''))
  )
    throw new ConfigurationError(`jwtAuthenticator: ${name} "trustedClaims" must list claim names`);
  if (config.tenants === undefined) {
    if (trusted !== undefined)
      throw new ConfigurationError(
        `jwtAuthenticator: ${name} "trustedClaims" limits an issuer that has "tenants"`,
      );
    return undefined;
  }
  const effective = { ...DEFAULT_CLAIM_MAPPING, ...mapping };
  const read = [
    effective.userId,
    effective.tenantId,
    effective.accountId,
    effective.roles,
    effective.scopes,
  ].flat();
  return new Set([...REGISTERED_CLAIMS, ...read, ...((trusted as string[] | undefined) ?? [])]);
}

function claimsOf(config: JwtIssuerOptions | CognitoIssuerOptions, name: string, settings: IssuerSettings) {
  const mapping = { ...settings.mapping, ...config.mapping };
  const read = claimReader(mapping, `jwtAuthenticator: ${name}`);
  const kept = keptClaims(config, mapping, name);
  return {
    read:
      kept === undefined
        ? read
        : (((claims, authMethod) => {
            const own: Record<string, unknown> = {};
            for (const key of Object.keys(claims)) if (kept.has(key)) own[key] = claims[key];
            return read(own, authMethod);
          }) satisfies ClaimReader),
    allowsTenant: tenantTest(config.tenants, name),
  };
}

function cognitoIssuer(config: CognitoIssuerOptions, settings: IssuerSettings): Issuer {
  const { userPoolId, tokenUse, clientId } = config.cognito ?? {};
  const region =
    typeof userPoolId === 'string' ? /^([a-z]{2}-[a-z]+-\d)_[A-Za-z0-9]+$/.exec(userPoolId)?.[1] : undefined;
  if (region === undefined)
    throw new ConfigurationError(`jwtAuthenticator: "${userPoolId}" is not a Cognito user pool id`);
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  checkKeys(config, COGNITO_KEYS, issuer);
  refuseUnknownOptions(
    config.cognito,
    ['userPoolId', 'tokenUse', 'clientId'],
    `jwtAuthenticator: ${issuer} cognito`,
  );
  if (tokenUse !== 'access' && tokenUse !== 'id')
    throw new ConfigurationError(`jwtAuthenticator: ${issuer} cognito.tokenUse must be 'access' or 'id'`);
  const clientIds = clientId === null ? null : [clientId].flat();
  // What aws-jwt-verify's CognitoJwtVerifier checks, on the token decomposed once: the pool's issuer
  // and keys, then token use and app client (its `audience` is null: the client id is checked here).
  // Keys given in the options replace the pool's (offline use): a made-up kid must not reach out to it.
  const jwksUri =
    config.jwks === undefined ? `${issuer}/.well-known/jwks.json` : `${GIVEN_KEYS_PREFIX}${issuer}`;
  const verifier = new DecomposedJwtVerifier(
    { issuer, audience: null, jwksUri, graceSeconds: settings.leeway },
    settings.jwksCache,
  );
  const cognitoFields = { tokenUse, clientId: clientIds };
  const checkCognito = (claims: JwtPayload): Claims => {
    validateCognitoJwtFields(claims, cognitoFields);
    return claims;
  };
  if (config.jwks !== undefined) settings.jwksCache.addJwks(jwksUri, config.jwks);
  return {
    issuer,
    algorithms: new Set(['RS256']),
    audience: clientId === null || clientId === undefined ? null : [clientId].flat(),
    tokenUse,
    ...(config.jwks === undefined ? {} : { keysGiven: true }),
    verify: (jwt) => {
      const claims = verifier.check(jwt);
      return claims instanceof Promise ? claims.then(checkCognito) : checkCognito(claims);
    },
    ...claimsOf(config, issuer, settings),
  };
}

function listed(audience: JwtIssuerOptions['audience']): readonly string[] | null {
  return audience === null ? null : [audience].flat();
}

function hmacVerify(
  issuer: string,
  audience: JwtIssuerOptions['audience'],
  hmac: string[],
  secrets: readonly string[],
  settings: IssuerSettings,
): Issuer['verify'] {
  const keys = secrets.map((s) => new TextEncoder().encode(s));
  return async (_jwt, token) => {
    let lastError: unknown;
    for (const key of keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: hmac,
          issuer,
          ...(audience === null ? {} : { audience: [audience].flat() }),
          clockTolerance: settings.leeway,
          requiredClaims: ['exp'],
          currentDate: new Date(settings.now()),
        });
        return payload as Record<string, unknown>;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  };
}

/**
 * Checks one issuer's options (a `ConfigurationError` naming it for anything unsafe or unknown) and
 * builds its verifier, claim reader and tenant test.
 */
export function configureIssuer(
  config: JwtIssuerOptions | CognitoIssuerOptions,
  settings: IssuerSettings,
): Issuer {
  if (typeof config !== 'object' || config === null)
    throw new ConfigurationError('jwtAuthenticator: every issuer must be an object');
  if ('cognito' in config) return cognitoIssuer(config, settings);
  const { issuer, audience, algorithms } = config;
  if (typeof issuer !== 'string' || issuer === '')
    throw new ConfigurationError('jwtAuthenticator: every issuer needs "issuer"');
  checkKeys(config, JWT_KEYS, issuer);
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
  const claims = claimsOf(config, issuer, settings);
  if (hmac.length > 0) {
    const secrets: readonly string[] = config.secrets ?? [];
    if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length < 32)) {
      throw new ConfigurationError(
        `jwtAuthenticator: ${issuer} needs "secrets" of at least 32 characters for ${hmac.join(', ')}`,
      );
    }
    const verify = hmacVerify(issuer, audience, hmac, secrets, settings);
    return { issuer, algorithms: new Set(algorithms), audience: listed(audience), verify, ...claims };
  }
  const jwksUri = config.jwksUri ?? (config.jwks === undefined ? undefined : `${GIVEN_KEYS_PREFIX}${issuer}`);
  if (jwksUri === undefined)
    throw new ConfigurationError(`jwtAuthenticator: ${issuer} needs "jwksUri" or "jwks"`);
  if (config.jwks !== undefined) settings.jwksCache.addJwks(jwksUri, config.jwks);
  const verifier = new DecomposedJwtVerifier(
    {
      issuer,
      audience: audience === null ? null : [audience].flat(),
      jwksUri,
      graceSeconds: settings.leeway,
    },
    settings.jwksCache,
  );
  return {
    issuer,
    algorithms: new Set(algorithms),
    audience: listed(audience),
    ...(config.jwksUri === undefined ? { keysGiven: true } : {}),
    verify: (jwt) => verifier.check(jwt),
    ...claims,
  };
}
