/**
 * A local stand-in for Amazon Cognito user pools with passwordless email sign-in, for the dev loop:
 * the real `@aws-sdk/client-cognito-identity-provider` client talks to it unchanged (only the
 * endpoint differs) and gets tokens shaped and signed as a real pool's. See README.md beside this file.
 */
import { Mailbox, type MailMessage } from '../mailbox.js';
import { loadSigningKey } from './keys.js';
import { cognitoOperations } from './operations.js';
import { PoolDirectory, type StandInPool, type UserPool } from './pools.js';
import { listen } from './server.js';
import { SignIn } from './sign-in.js';
import { TokenIssuer } from './tokens.js';

export type { MailListener, MailMessage, OutgoingMail } from '../mailbox.js';
export { Mailbox } from '../mailbox.js';
export type { StandInClient, StandInPool } from './pools.js';
export { maskEmail, otpCodeFrom } from './sign-in.js';
export { CognitoError } from './wire.js';

/** Options of {@link startCognitoStandIn}. */
export interface CognitoStandInOptions {
  /** The pools to stand in for, each with its app clients (at least one pool). */
  readonly pools: readonly StandInPool[];
  /** Port on 127.0.0.1 (default 0: a free one). */
  readonly port?: number;
  /** The clock in ms (default `Date.now`); tests pass one they move, to expire codes and tokens. */
  readonly now?: () => number;
  /**
   * How long a sign-in session, and so its emailed code, lasts (default 180 000: 3 minutes,
   * Cognito's default `AuthSessionValidity`).
   */
  readonly codeTtlMs?: number;
  /** Wrong codes a session takes before it is dead (default 3). */
  readonly maxAttempts?: number;
  /** Lifetime of ID and access tokens in seconds (default 3600, Cognito's default). */
  readonly tokenTtlSeconds?: number;
  /** Lifetime of refresh tokens in seconds (default 30 days, Cognito's default). */
  readonly refreshTokenTtlSeconds?: number;
  /** Called with every email the stand-in sends (a dev server prints sign-in codes with it). */
  readonly onMail?: (message: MailMessage) => void;
  /** The mailbox to deliver to (default a new one), to share one between stand-ins. */
  readonly mailbox?: Mailbox;
  /**
   * Keep the RSA signing key in this file (made on first start, mode 0600), so tokens issued
   * before a restart still verify after it. Without it, each start makes a new key.
   */
  readonly keyFile?: string;
  /** Where failures of the stand-in itself are reported (default `console.error`). */
  readonly log?: (line: string) => void;
}

/** What a client and a token verifier need to know about one pool. */
export interface CognitoStandInPoolInfo {
  readonly id: string;
  readonly region: string;
  /** The `iss` of its tokens: `https://cognito-idp.<region>.amazonaws.com/<poolId>`, as on AWS. */
  readonly issuer: string;
  /** Where its key set is served (the stand-in's, not AWS's). */
  readonly jwksUrl: string;
  readonly clientIds: readonly string[];
}

/** A running stand-in. */
export interface CognitoStandIn {
  /** Give it to the SDK client as `endpoint` (`http://127.0.0.1:<port>`). */
  readonly endpoint: string;
  /** The region of the first pool, for the SDK client's `region`. */
  readonly region: string;
  readonly pools: readonly CognitoStandInPoolInfo[];
  /** Every email sent, newest first. */
  readonly mailbox: Mailbox;
  /** Where the key set of `poolId` is served; throws for a pool the stand-in does not have. */
  jwksUrl(poolId: string): string;
  /**
   * Signs an ID token of `poolId` for its first app client, as a sign-in would, without the emailed
   * code: for the dev dashboard's minter. The user with `email` is created (confirmed, with `sub`
   * when given) if the pool has none.
   */
  mintIdToken(poolId: string, request: IdTokenRequest): Promise<MintedIdToken>;
  /** Stops listening; the users, sessions and refresh tokens are gone with it. */
  close(): Promise<void>;
}

/** Who {@link CognitoStandIn.mintIdToken} mints for. */
export interface IdTokenRequest {
  readonly email: string;
  /** The sub of a user made now (default a random UUID); must match an existing user's. */
  readonly sub?: string;
  /** Stored as the user's `custom:tenant_id`, the attribute Lift reads the tenant from. */
  readonly tenant?: string;
  /** Put in the token as `cognito:groups`. */
  readonly groups?: readonly string[];
  readonly ttlSeconds?: number;
}

/** What {@link CognitoStandIn.mintIdToken} made. */
export interface MintedIdToken {
  readonly token: string;
  readonly sub: string;
  readonly email: string;
  /** Whether the user was created for this token. */
  readonly created: boolean;
  /** The token's `aud`: the pool's first app client. */
  readonly clientId: string;
}

const DEFAULTS = {
  codeTtlMs: 3 * 60_000,
  maxAttempts: 3,
  tokenTtlSeconds: 3600,
  refreshTokenTtlSeconds: 30 * 24 * 3600,
} as const;

/** Starts a Cognito user pool stand-in listening on 127.0.0.1. */
export async function startCognitoStandIn(options: CognitoStandInOptions): Promise<CognitoStandIn> {
  const now = options.now ?? Date.now;
  const codeTtlMs = positiveInteger('codeTtlMs', options.codeTtlMs ?? DEFAULTS.codeTtlMs);
  const maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? DEFAULTS.maxAttempts);
  const tokenTtlSeconds = positiveInteger(
    'tokenTtlSeconds',
    options.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds,
  );
  const refreshTokenTtlSeconds = positiveInteger(
    'refreshTokenTtlSeconds',
    options.refreshTokenTtlSeconds ?? DEFAULTS.refreshTokenTtlSeconds,
  );
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`port must be a port number from 0 to 65535, got ${String(port)}`);
  }
  const pools = new PoolDirectory(options.pools);
  const key = await loadSigningKey(options.keyFile);
  const mailbox = options.mailbox ?? new Mailbox({ now });
  const tokens = new TokenIssuer(key, { now, tokenTtlSeconds, refreshTokenTtlSeconds });
  const signIn = new SignIn(pools, tokens, { now, codeTtlMs, maxAttempts, mailbox });

  let endpoint = '';
  const jwksUrlOf = (pool: UserPool) => `${endpoint}/${pool.id}/.well-known/jwks.json`;
  const server = await listen(
    {
      operations: cognitoOperations({ pools, tokens, signIn, now }),
      log: options.log ?? ((line) => console.error(line)),
      wellKnown: (poolId, document) => {
        const pool = pools.byId(poolId);
        if (pool === undefined) return undefined;
        if (document === 'jwks.json') return { keys: [key.published] };
        return openIdConfiguration(pool, jwksUrlOf(pool));
      },
    },
    port,
  );
  endpoint = server.url;
  // Subscribed once listening, so a failed start leaves no listener on a shared mailbox.
  const stopMail = options.onMail === undefined ? undefined : mailbox.onMessage(options.onMail);
  const [first] = pools.pools;

  return {
    endpoint,
    region: first?.region ?? '',
    pools: pools.pools.map((pool) => ({
      id: pool.id,
      region: pool.region,
      issuer: pool.issuer,
      jwksUrl: jwksUrlOf(pool),
      clientIds: pool.clientIds,
    })),
    mailbox,
    jwksUrl(poolId) {
      const pool = pools.byId(poolId);
      if (pool === undefined) throw new Error(`The Cognito stand-in has no pool ${poolId}`);
      return jwksUrlOf(pool);
    },
    async mintIdToken(poolId, request) {
      const pool = pools.byId(poolId);
      const clientId = pool?.clientIds[0];
      if (pool === undefined || clientId === undefined)
        throw new Error(`The Cognito stand-in has no pool ${poolId}`);
      let user = pool.find(request.email);
      const created = user === undefined;
      if (user === undefined) user = pool.create(request.email, [], now(), request.sub);
      else if (request.sub !== undefined && user.sub !== request.sub)
        throw new Error(
          `${request.email} already exists in ${poolId} with sub ${user.sub}, not ${request.sub}`,
        );
      if (request.tenant !== undefined) pool.setCustomAttribute(user, 'custom:tenant_id', request.tenant);
      const token = await tokens.idToken(pool, clientId, user, {
        ...(request.groups === undefined ? {} : { groups: request.groups }),
        ...(request.ttlSeconds === undefined ? {} : { ttlSeconds: request.ttlSeconds }),
      });
      return { token, sub: user.sub, email: user.email, created, clientId };
    },
    async close() {
      stopMail?.();
      await server.close();
    },
  };
}

/**
 * A pool's OpenID configuration: what a verifier reads (issuer, key set, algorithm). The endpoints
 * of a pool domain (authorize, token, userInfo) are left out: the stand-in has no hosted sign-in.
 */
function openIdConfiguration(pool: UserPool, jwksUri: string): object {
  return {
    id_token_signing_alg_values_supported: ['RS256'],
    issuer: pool.issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['code', 'token'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}
