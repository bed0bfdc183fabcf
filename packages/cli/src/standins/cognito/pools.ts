/**
 * The user pools the stand-in serves, their app clients and their users. Users live in memory only:
 * the dev loop makes them again with a sign-up, and a restart starting clean is what a developer
 * expects of a local stand-in.
 */
import { randomUUID } from 'node:crypto';
import { CognitoError, invalidParameter } from './wire.js';

/** One app client of a pool. */
export interface StandInClient {
  /** The client id the app sends as `ClientId`. */
  readonly id: string;
  readonly name?: string;
}

/** One user pool to stand in for. */
export interface StandInPool {
  /** A pool id as Cognito makes them, `<region>_<id>` (`us-east-1_AbCdEf123`); the region comes from it. */
  readonly id: string;
  readonly clients: readonly StandInClient[];
  /**
   * Create the user on `InitiateAuth` for an email nobody signed up with, instead of answering
   * `UserNotFoundException` (default false). A stand-in convenience: real pools never do this.
   */
  readonly autoSignUp?: boolean;
}

/** A user: email-as-username, as pools created with `UsernameAttributes: ['email']` keep them. */
export interface StandInUser {
  /** The user's id, also the username Cognito gives users of email-as-username pools. */
  readonly sub: string;
  readonly email: string;
  /** Every attribute given at sign-up (standard and `custom:`), email included. */
  readonly attributes: ReadonlyMap<string, string>;
  readonly createdAt: number;
}

/** The standard attributes of a user pool's schema (OpenID Connect's, as Cognito has them). */
const STANDARD_ATTRIBUTES = new Set([
  'address',
  'birthdate',
  'email',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
]);

/** Attributes the pool sets itself; a sign-up cannot. */
const POOL_SET_ATTRIBUTES = new Set(['sub', 'email_verified', 'phone_number_verified']);

const POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[0-9A-Za-z]+$/;
const CLIENT_ID = /^[\w+]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Usernames (here: emails) are case-insensitive, as in pools made since 2020. */
function emailKey(email: string): string {
  return email.toLowerCase();
}

/** Whether `text` can be a username of an email-as-username pool. */
export function isEmail(text: string): boolean {
  return EMAIL.test(text);
}

/** One pool's settings and users. */
export class UserPool {
  readonly id: string;
  readonly region: string;
  /** Exactly the `iss` of real Cognito tokens, which services check. */
  readonly issuer: string;
  readonly autoSignUp: boolean;
  readonly clientIds: readonly string[];
  readonly #byEmail = new Map<string, StandInUser>();
  readonly #bySub = new Map<string, StandInUser>();

  constructor(config: StandInPool, region: string) {
    this.id = config.id;
    this.region = region;
    this.issuer = `https://cognito-idp.${region}.amazonaws.com/${config.id}`;
    this.autoSignUp = config.autoSignUp ?? false;
    this.clientIds = config.clients.map((client) => client.id);
  }

  /** The user a `USERNAME` names: their email (any case) or their username, the sub. */
  find(username: string): StandInUser | undefined {
    return this.#byEmail.get(emailKey(username)) ?? this.#bySub.get(username);
  }

  /** Sets `custom:` attributes of a user (as AdminUpdateUserAttributes would), for the dev minter. */
  setCustomAttribute(user: StandInUser, name: `custom:${string}`, value: string): void {
    (user.attributes as Map<string, string>).set(name, value);
  }

  /** The user with this sub. */
  bySub(sub: string): StandInUser | undefined {
    return this.#bySub.get(sub);
  }

  /**
   * Creates a confirmed user with a verified email (see the README: the stand-in confirms sign-ups
   * at once). `attributes` come from `SignUp`'s `UserAttributes`; an `email` there must be the username.
   */
  create(
    email: string,
    attributes: readonly { Name: string; Value: string }[],
    now: number,
    sub: string = randomUUID(),
  ): StandInUser {
    if (!isEmail(email)) throw invalidParameter('Username should be an email.');
    if (this.find(email) !== undefined) {
      throw new CognitoError('UsernameExistsException', 'An account with the given email already exists.');
    }
    const values = new Map<string, string>();
    for (const { Name, Value } of attributes) {
      if (POOL_SET_ATTRIBUTES.has(Name)) {
        throw invalidParameter(`Attributes did not conform to the schema: ${Name}: the user pool sets it`);
      }
      if (!STANDARD_ATTRIBUTES.has(Name) && !Name.startsWith('custom:')) {
        throw invalidParameter(
          `Attributes did not conform to the schema: ${Name}: Attribute does not exist in the schema.`,
        );
      }
      if (Name === 'email' && emailKey(Value) !== emailKey(email)) {
        throw invalidParameter(
          'The email attribute must be the username in a pool that signs in with email.',
        );
      }
      values.set(Name, Value);
    }
    values.set('email', email);
    if (this.#bySub.has(sub)) throw invalidParameter(`A user with sub ${sub} already exists.`);
    const user: StandInUser = { sub, email, attributes: values, createdAt: now };
    this.#byEmail.set(emailKey(email), user);
    this.#bySub.set(user.sub, user);
    return user;
  }
}

/** Every pool, found by client id (as the API finds them) or by issuer (for tokens). */
export class PoolDirectory {
  readonly pools: readonly UserPool[];
  readonly #byClient = new Map<string, UserPool>();
  readonly #byIssuer = new Map<string, UserPool>();

  /** Checks the configuration at start, so a typo fails `lift dev` at once, not the first sign-in. */
  constructor(configs: readonly StandInPool[]) {
    if (configs.length === 0) throw new TypeError('The Cognito stand-in needs at least one pool');
    const pools: UserPool[] = [];
    for (const config of configs) {
      const region = POOL_ID.exec(config.id)?.[1];
      if (region === undefined) {
        throw new TypeError(`Pool id "${config.id}" is not a Cognito pool id like us-east-1_AbCdEf123`);
      }
      const pool = new UserPool(config, region);
      if (this.#byIssuer.has(pool.issuer)) throw new TypeError(`Pool ${config.id} is listed twice`);
      for (const client of config.clients) {
        if (!CLIENT_ID.test(client.id)) {
          throw new TypeError(`Client id "${client.id}" of pool ${config.id} is not a valid client id`);
        }
        // Real client ids are unique across pools; the API finds the pool from the client id alone.
        if (this.#byClient.has(client.id)) throw new TypeError(`Client id ${client.id} is listed twice`);
        this.#byClient.set(client.id, pool);
      }
      this.#byIssuer.set(pool.issuer, pool);
      pools.push(pool);
    }
    this.pools = pools;
  }

  /** The pool of an app client; Cognito's answer for an unknown one otherwise. */
  byClient(clientId: string): UserPool {
    const pool = this.#byClient.get(clientId);
    if (pool === undefined) {
      throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
    }
    return pool;
  }

  byIssuer(issuer: string): UserPool | undefined {
    return this.#byIssuer.get(issuer);
  }

  byId(poolId: string): UserPool | undefined {
    return this.pools.find((pool) => pool.id === poolId);
  }
}
