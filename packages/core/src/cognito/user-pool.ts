import { createHash } from 'node:crypto';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';

/** What {@link defineUserPool} takes. */
export interface UserPoolSpec {
  /** The pool's name; `lift dev` makes a local pool of that name, the CDK constructs deploy one. */
  readonly name: string;
  /** The environment variable holding the pool id (default `USER_POOL_ID`). */
  readonly idFromEnv?: string;
  /** The environment variable holding the app client id (default `USER_POOL_CLIENT_ID`). */
  readonly clientIdFromEnv?: string;
  /**
   * How users sign in. `'email-otp'`: passwordless, a one-time code sent by email (Cognito's
   * choice-based `USER_AUTH` flow, `EMAIL_OTP`). New emails are signed up and confirmed on the spot
   * (the deployed pool has a pre-sign-up trigger doing the same), since owning the email is proven
   * by the code anyway.
   */
  readonly signIn: 'email-otp';
}

/** A user pool declared once in code. */
export interface UserPoolDefinition extends Required<UserPoolSpec> {
  readonly kind: 'lift:cognito-user-pool';
  /** The pool id from the environment; a `ConfigurationError` naming the variable if unset. */
  poolId(): string;
  /** The app client id from the environment; a `ConfigurationError` naming the variable if unset. */
  clientId(): string;
}

const NAME = /^[\w\s+=,.@-]{1,128}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The ids `lift dev` gives the pool named `name` and its app client, stable across restarts: what
 * {@link UserPoolDefinition.poolId} and `clientId()` answer under `lift dev` (`LIFT_DEV=1`) when the
 * variables are unset, so a service can read them while it loads, before the local pool exists.
 */
export function localUserPoolIds(name: string): { readonly poolId: string; readonly clientId: string } {
  const digest = createHash('sha256').update(`lift-dev-user-pool:${name}`).digest();
  const region = process.env.AWS_REGION || 'us-east-1';
  const alnum = (bytes: Buffer, alphabet: string) =>
    [...bytes].map((b) => alphabet[b % alphabet.length] as string).join('');
  return {
    poolId: `${region}_${alnum(digest.subarray(0, 9), 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`,
    clientId: alnum(digest.subarray(9, 35), 'abcdefghijklmnopqrstuvwxyz0123456789'),
  };
}

function fromEnv(variable: string, what: string, pool: string, local: 'poolId' | 'clientId'): string {
  const value = process.env[variable];
  if ((value === undefined || value === '') && process.env.LIFT_DEV === '1')
    return localUserPoolIds(pool)[local];
  if (value === undefined || value === '')
    throw new ConfigurationError(
      `User pool ${pool}: ${variable} (the ${what}) is not set; lift dev sets it, the CDK stack sets it when deployed`,
    );
  return value;
}

/** Declares a user pool; the spec is checked now, so a mistake fails at module load. */
export function defineUserPool(spec: UserPoolSpec): UserPoolDefinition {
  refuseUnknownOptions(spec, ['name', 'idFromEnv', 'clientIdFromEnv', 'signIn'], 'defineUserPool');
  if (typeof spec.name !== 'string' || !NAME.test(spec.name))
    throw new ConfigurationError(`defineUserPool: "${spec.name}" is not a valid pool name`);
  if (spec.signIn !== 'email-otp')
    throw new ConfigurationError(`defineUserPool: signIn must be 'email-otp' (the only flow Lift serves)`);
  const idFromEnv = spec.idFromEnv ?? 'USER_POOL_ID';
  const clientIdFromEnv = spec.clientIdFromEnv ?? 'USER_POOL_CLIENT_ID';
  for (const variable of [idFromEnv, clientIdFromEnv])
    if (!ENV_NAME.test(variable))
      throw new ConfigurationError(`defineUserPool: "${variable}" is not an environment variable name`);
  return Object.freeze({
    kind: 'lift:cognito-user-pool' as const,
    name: spec.name,
    signIn: spec.signIn,
    idFromEnv,
    clientIdFromEnv,
    poolId: () => fromEnv(idFromEnv, 'pool id', spec.name, 'poolId'),
    clientId: () => fromEnv(clientIdFromEnv, 'app client id', spec.name, 'clientId'),
  });
}

/** Whether a value is a {@link UserPoolDefinition} (how `lift dev` finds a service's pools). */
export function isUserPoolDefinition(value: unknown): value is UserPoolDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'lift:cognito-user-pool'
  );
}

/**
 * The issuer entry for `jwtAuthenticator({ issuers: [userPoolIssuer(pool, 'id')] })`: the pool's
 * tokens of one use (`id` or `access`, never both), for the pool's app client only.
 */
export function userPoolIssuer(
  pool: UserPoolDefinition,
  tokenUse: 'id' | 'access',
): {
  readonly cognito: {
    readonly userPoolId: string;
    readonly tokenUse: 'id' | 'access';
    readonly clientId: string;
  };
} {
  return { cognito: { userPoolId: pool.poolId(), tokenUse, clientId: pool.clientId() } };
}
