/**
 * Tokens as a user pool issues them: RS256 ID and access tokens with Cognito's claims, and opaque
 * refresh tokens that renew them until they expire or are revoked.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { SigningKey } from './keys.js';
import type { PoolDirectory, StandInUser, UserPool } from './pools.js';
import { CognitoError, notAuthorized } from './wire.js';

/** `AuthenticationResult` as `InitiateAuth` and `RespondToAuthChallenge` return it. */
export interface AuthenticationResult {
  readonly AccessToken: string;
  readonly ExpiresIn: number;
  readonly TokenType: 'Bearer';
  readonly IdToken: string;
  /** Only on sign-in: a refresh returns no new refresh token (no rotation, Cognito's default). */
  readonly RefreshToken?: string;
}

/** Lifetimes and clock of {@link TokenIssuer}. */
export interface TokenSettings {
  readonly now: () => number;
  readonly tokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

/**
 * One authentication: what the tokens of a sign-in and of every refresh after it share, as in
 * Cognito, where `origin_jti` is how revoking a refresh token reaches its access tokens.
 */
interface Grant {
  readonly pool: UserPool;
  readonly clientId: string;
  readonly sub: string;
  readonly originJti: string;
  readonly eventId: string;
  readonly authTime: number;
  readonly expiresAt: number;
}

/** The one scope of tokens from the user pools API (as opposed to the OAuth endpoints). */
const API_SCOPE = 'aws.cognito.signin.user.admin';

/** Issues, renews, revokes and checks tokens for every pool of the stand-in. */
export class TokenIssuer {
  readonly #key: SigningKey;
  readonly #settings: TokenSettings;
  readonly #grants = new Map<string, Grant>();
  /** `origin_jti`s of revoked refresh tokens: their access tokens no longer work on GetUser. */
  readonly #revoked = new Set<string>();

  constructor(key: SigningKey, settings: TokenSettings) {
    this.#key = key;
    this.#settings = settings;
  }

  /** The tokens of a completed sign-in, refresh token included. */
  async signIn(pool: UserPool, clientId: string, user: StandInUser): Promise<AuthenticationResult> {
    const now = this.#settings.now();
    this.#forgetExpired(now);
    const grant: Grant = {
      pool,
      clientId,
      sub: user.sub,
      originJti: randomUUID(),
      eventId: randomUUID(),
      authTime: Math.floor(now / 1000),
      expiresAt: now + this.#settings.refreshTokenTtlSeconds * 1000,
    };
    // Opaque to clients, as Cognito's (an encrypted JWT there); long and random is what matters.
    const refreshToken = randomBytes(48).toString('base64url');
    this.#grants.set(refreshToken, grant);
    return { ...(await this.#issue(grant, user, now)), RefreshToken: refreshToken };
  }

  /** New ID and access tokens for a refresh token (`REFRESH_TOKEN_AUTH` / `REFRESH_TOKEN`). */
  async refresh(pool: UserPool, clientId: string, refreshToken: string): Promise<AuthenticationResult> {
    const now = this.#settings.now();
    const grant = this.#grants.get(refreshToken);
    if (grant === undefined || grant.pool !== pool || grant.clientId !== clientId) {
      throw notAuthorized(
        this.#revoked.has(refreshToken) ? 'Refresh Token has been revoked' : 'Invalid Refresh Token',
      );
    }
    if (now >= grant.expiresAt) {
      this.#grants.delete(refreshToken);
      throw notAuthorized('Refresh Token has expired');
    }
    const user = pool.bySub(grant.sub);
    if (user === undefined) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    return this.#issue(grant, user, now);
  }

  /**
   * `RevokeToken`: the refresh token stops working and so do the access tokens issued from it. A
   * token the stand-in does not know is accepted quietly, as RFC 7009 (token revocation) has it.
   */
  revoke(clientId: string, token: string): void {
    const grant = this.#grants.get(token);
    if (grant === undefined) {
      if (token.split('.').length === 3) {
        throw new CognitoError('UnsupportedTokenTypeException', 'Only refresh tokens can be revoked.');
      }
      return;
    }
    if (grant.clientId !== clientId) {
      throw new CognitoError('UnauthorizedException', 'The token was not issued to this client.');
    }
    this.#grants.delete(token);
    this.#revoked.add(grant.originJti);
    this.#revoked.add(token);
  }

  /**
   * The user an access token stands for (`GetUser`), refused in Cognito's words when it is not an
   * access token of one of these pools, has expired or was revoked.
   */
  async userOf(pools: PoolDirectory, accessToken: string): Promise<{ pool: UserPool; user: StandInUser }> {
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(accessToken, this.#key.publicKey, {
        algorithms: ['RS256'],
        currentDate: new Date(this.#settings.now()),
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw notAuthorized('Access Token has expired');
      throw notAuthorized('Invalid Access Token');
    }
    const pool = typeof claims.iss === 'string' ? pools.byIssuer(claims.iss) : undefined;
    if (pool === undefined || claims.token_use !== 'access' || typeof claims.sub !== 'string') {
      throw notAuthorized('Invalid Access Token');
    }
    if (typeof claims.origin_jti === 'string' && this.#revoked.has(claims.origin_jti)) {
      throw notAuthorized('Access Token has been revoked');
    }
    const user = pool.bySub(claims.sub);
    // A token from before a restart outlives the in-memory user (with a kept key file).
    if (user === undefined) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    return { pool, user };
  }

  /**
   * An ID token for `user` without a sign-in (the dev dashboard's minter): the claims a sign-in's ID
   * token has, plus `cognito:groups` when groups are given, as Cognito adds a user's groups.
   */
  async idToken(
    pool: UserPool,
    clientId: string,
    user: StandInUser,
    options: { readonly groups?: readonly string[]; readonly ttlSeconds?: number } = {},
  ): Promise<string> {
    const now = this.#settings.now();
    const iat = Math.floor(now / 1000);
    const common = {
      sub: user.sub,
      iss: pool.issuer,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      auth_time: iat,
      iat,
      exp: iat + (options.ttlSeconds ?? this.#settings.tokenTtlSeconds),
    };
    const groups =
      options.groups === undefined || options.groups.length === 0
        ? {}
        : { 'cognito:groups': [...options.groups] };
    return this.#sign({ ...idClaimsOf(user, clientId, common), ...groups });
  }

  /** Signs the ID and access tokens of one authentication at `now`. */
  async #issue(grant: Grant, user: StandInUser, now: number): Promise<AuthenticationResult> {
    const iat = Math.floor(now / 1000);
    const ttl = this.#settings.tokenTtlSeconds;
    const common = {
      sub: user.sub,
      iss: grant.pool.issuer,
      origin_jti: grant.originJti,
      event_id: grant.eventId,
      auth_time: grant.authTime,
      iat,
      exp: iat + ttl,
    };
    const idClaims = idClaimsOf(user, grant.clientId, common);
    const accessClaims = {
      ...common,
      client_id: grant.clientId,
      token_use: 'access',
      scope: API_SCOPE,
      username: user.sub,
      jti: randomUUID(),
    };
    const [IdToken, AccessToken] = await Promise.all([this.#sign(idClaims), this.#sign(accessClaims)]);
    return { AccessToken, ExpiresIn: ttl, TokenType: 'Bearer', IdToken };
  }

  /** Cognito's header carries `kid` and `alg` only (no `typ`). */
  #sign(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ kid: this.#key.kid, alg: 'RS256' })
      .sign(this.#key.privateKey);
  }

  /** Drops refresh tokens past their lifetime, so a long dev session does not grow without end. */
  #forgetExpired(now: number): void {
    for (const [token, grant] of this.#grants) {
      if (now >= grant.expiresAt) this.#grants.delete(token);
    }
  }
}

/** An ID token's claims: the user's attributes, then what the pool sets. */
function idClaimsOf(
  user: StandInUser,
  clientId: string,
  common: Record<string, unknown>,
): Record<string, unknown> {
  const profile = Object.fromEntries([...user.attributes].filter(([name]) => name !== 'email'));
  return {
    ...profile,
    ...common,
    aud: clientId,
    token_use: 'id',
    email: user.email,
    // A boolean in ID tokens (a string in GetUser's attributes), as Cognito writes it.
    email_verified: true,
    // Users of email-as-username pools get their sub as username; the email is an alias.
    'cognito:username': user.sub,
    jti: randomUUID(),
  };
}
