/**
 * Choice-based sign-in (`USER_AUTH`) with an email one-time password, and token refresh: the
 * `InitiateAuth` and `RespondToAuthChallenge` the app calls, with Cognito's sessions and errors.
 */
import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Mailbox } from '../mailbox.js';
import { isEmail, type PoolDirectory, type StandInUser, type UserPool } from './pools.js';
import type { TokenIssuer } from './tokens.js';
import {
  CognitoError,
  invalidParameter,
  missingParameter,
  notAuthorized,
  optionalString,
  type RequestBody,
  requiredString,
  stringMap,
} from './wire.js';

/** Clock, limits and mailbox of {@link SignIn}. */
export interface SignInSettings {
  readonly now: () => number;
  /** How long a session, and so its code, lasts: Cognito's `AuthSessionValidity`. */
  readonly codeTtlMs: number;
  /** Wrong codes a session takes before it is dead. */
  readonly maxAttempts: number;
  readonly mailbox: Mailbox;
}

/** Every `AuthFlow` the API knows: a known but unimplemented one gets a different message than a typo. */
const AUTH_FLOWS = [
  'USER_SRP_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
  'CUSTOM_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'USER_AUTH',
];

/** The first factors `USER_AUTH` can offer; the stand-in offers EMAIL_OTP alone. */
const FIRST_FACTORS = new Set(['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP', 'WEB_AUTHN']);
const IMPLEMENTED = 'USER_AUTH with EMAIL_OTP, REFRESH_TOKEN_AUTH and REFRESH_TOKEN';

/**
 * Cognito's passwordless sign-in codes are 8 digits (its MFA and verification codes are 6); an app
 * whose code field takes 6 digits would fail against the real pool, so it fails here first.
 */
const CODE_DIGITS = 8;

type Challenge = 'SELECT_CHALLENGE' | 'EMAIL_OTP';

/** One session token of an authentication flow. */
interface AuthSession {
  readonly pool: UserPool;
  readonly clientId: string;
  readonly user: StandInUser;
  readonly challenge: Challenge;
  readonly code?: string;
  readonly expiresAt: number;
  failures: number;
  /** `used` once answered (a session answers one challenge), `failed` after too many wrong codes. */
  state: 'open' | 'used' | 'failed';
}

/** The address as Cognito shows where it sent a code: `a***@e***.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  return `${email.charAt(0)}***@${domain.charAt(0)}***${dot > 0 ? domain.slice(dot) : ''}`;
}

/** The text of the sign-in email; the code follows `Your code is ` for people and tests alike. */
export function otpEmailText(code: string, ttlMs: number, poolId: string): string {
  const minutes = ttlMs / 60_000;
  const lifetime = Number.isInteger(minutes)
    ? `${minutes} minute${minutes === 1 ? '' : 's'}`
    : `${Math.round(ttlMs / 1000)} seconds`;
  return [
    `Your code is ${code}`,
    '',
    `Enter it in the app to sign in. It expires in ${lifetime}.`,
    '',
    `(Sent by the Lift Cognito stand-in for user pool ${poolId}; no email left this machine.)`,
  ].join('\n');
}

/** The code in a sign-in email from the stand-in, or undefined when the text has none. */
export function otpCodeFrom(text: string): string | undefined {
  return new RegExp(`Your code is (\\d{${CODE_DIGITS}})`).exec(text)?.[1];
}

/** The sign-in operations over the stand-in's pools. */
export class SignIn {
  readonly #pools: PoolDirectory;
  readonly #tokens: TokenIssuer;
  readonly #settings: SignInSettings;
  readonly #sessions = new Map<string, AuthSession>();

  constructor(pools: PoolDirectory, tokens: TokenIssuer, settings: SignInSettings) {
    this.#pools = pools;
    this.#tokens = tokens;
    this.#settings = settings;
  }

  /** `InitiateAuth`. */
  async initiateAuth(body: RequestBody): Promise<object> {
    const clientId = requiredString(body, 'ClientId');
    const authFlow = requiredString(body, 'AuthFlow');
    const pool = this.#pools.byClient(clientId);
    const parameters = stringMap(body, 'AuthParameters');
    switch (authFlow) {
      case 'USER_AUTH':
        return this.#userAuth(pool, clientId, parameters);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN': {
        const refreshToken = parameters.REFRESH_TOKEN;
        if (!refreshToken) throw missingParameter('REFRESH_TOKEN');
        return {
          ChallengeParameters: {},
          AuthenticationResult: await this.#tokens.refresh(pool, clientId, refreshToken),
        };
      }
      default:
        if (AUTH_FLOWS.includes(authFlow)) {
          throw invalidParameter(
            `${authFlow} flow not enabled for this client (the Lift Cognito stand-in implements ${IMPLEMENTED})`,
          );
        }
        throw invalidParameter(
          `1 validation error detected: Value '${authFlow}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [${AUTH_FLOWS.join(', ')}]`,
        );
    }
  }

  /** `RespondToAuthChallenge`. */
  async respondToAuthChallenge(body: RequestBody): Promise<object> {
    const clientId = requiredString(body, 'ClientId');
    const challengeName = requiredString(body, 'ChallengeName');
    const pool = this.#pools.byClient(clientId);
    if (challengeName !== 'SELECT_CHALLENGE' && challengeName !== 'EMAIL_OTP') {
      throw invalidParameter(
        `The Lift Cognito stand-in does not implement the ${challengeName} challenge; it implements SELECT_CHALLENGE and EMAIL_OTP`,
      );
    }
    const responses = stringMap(body, 'ChallengeResponses');
    const username = responses.USERNAME;
    if (!username) throw missingParameter('USERNAME');
    const sessionId = optionalString(body, 'Session');
    if (!sessionId) throw missingParameter('Session');
    const session = this.#openSession(sessionId, clientId, challengeName);
    if (pool.find(username) !== session.user) throw notAuthorized('Invalid session for the user.');

    if (session.challenge === 'SELECT_CHALLENGE') {
      const answer = responses.ANSWER;
      if (!answer) throw missingParameter('ANSWER');
      if (answer !== 'EMAIL_OTP') {
        throw invalidParameter(`${answer} is not one of the AvailableChallenges of this session: EMAIL_OTP`);
      }
      session.state = 'used';
      return this.#sendCode(pool, clientId, session.user);
    }

    const code = responses.EMAIL_OTP_CODE;
    if (!code) throw missingParameter('EMAIL_OTP_CODE');
    if (!sameCode(code, session.code ?? '')) {
      session.failures += 1;
      if (session.failures >= this.#settings.maxAttempts) session.state = 'failed';
      // Errors carry no session: the app retries with the one it has, until it is dead.
      throw new CognitoError('CodeMismatchException', 'Invalid code or auth state for the user.');
    }
    // Marked before the tokens are signed (which awaits), so a replay racing this call is refused.
    session.state = 'used';
    return {
      ChallengeParameters: {},
      AuthenticationResult: await this.#tokens.signIn(pool, clientId, session.user),
    };
  }

  /** `USER_AUTH`: straight to the code with `PREFERRED_CHALLENGE: EMAIL_OTP`, else a choice. */
  #userAuth(pool: UserPool, clientId: string, parameters: Readonly<Record<string, string>>): object {
    const username = parameters.USERNAME;
    if (!username) throw missingParameter('USERNAME');
    const preferred = parameters.PREFERRED_CHALLENGE;
    if (preferred !== undefined && !FIRST_FACTORS.has(preferred)) {
      throw invalidParameter(
        `PREFERRED_CHALLENGE ${preferred} is not one of ${[...FIRST_FACTORS].join(', ')}`,
      );
    }
    const user = pool.find(username) ?? this.#autoSignUp(pool, username);
    if (preferred === 'EMAIL_OTP') return this.#sendCode(pool, clientId, user);
    // A preferred factor the user cannot use falls back to the choice, as Cognito does.
    return {
      ChallengeName: 'SELECT_CHALLENGE',
      Session: this.#newSession({ pool, clientId, user, challenge: 'SELECT_CHALLENGE' }),
      ChallengeParameters: {},
      AvailableChallenges: ['EMAIL_OTP'],
    };
  }

  #autoSignUp(pool: UserPool, username: string): StandInUser {
    // The stand-in answers whether the user exists; hiding that is the service's job (see the README).
    if (!pool.autoSignUp || !isEmail(username)) {
      throw new CognitoError('UserNotFoundException', 'User does not exist.');
    }
    return pool.create(username, [], this.#settings.now());
  }

  /** Makes a code, mails it, and answers the `EMAIL_OTP` challenge with a new session. */
  #sendCode(pool: UserPool, clientId: string, user: StandInUser): object {
    const code = randomInt(0, 10 ** CODE_DIGITS)
      .toString()
      .padStart(CODE_DIGITS, '0');
    const session = this.#newSession({ pool, clientId, user, challenge: 'EMAIL_OTP', code });
    this.#settings.mailbox.deliver({
      to: user.email,
      subject: 'Your sign-in code',
      text: otpEmailText(code, this.#settings.codeTtlMs, pool.id),
    });
    return {
      ChallengeName: 'EMAIL_OTP',
      Session: session,
      ChallengeParameters: {
        CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL',
        CODE_DELIVERY_DESTINATION: maskEmail(user.email),
      },
    };
  }

  #newSession(fields: Omit<AuthSession, 'expiresAt' | 'failures' | 'state'>): string {
    const now = this.#settings.now();
    // Sessions past their lifetime are dropped here, so abandoned sign-ins do not pile up.
    for (const [id, session] of this.#sessions) {
      if (now >= session.expiresAt) this.#sessions.delete(id);
    }
    // Opaque and long, as Cognito's (which are encrypted blobs of several hundred characters).
    const id = randomBytes(64).toString('base64');
    this.#sessions.set(id, {
      ...fields,
      expiresAt: now + this.#settings.codeTtlMs,
      failures: 0,
      state: 'open',
    });
    return id;
  }

  /** The session to answer, or the error Cognito gives for it. */
  #openSession(id: string, clientId: string, challengeName: Challenge): AuthSession {
    const session = this.#sessions.get(id);
    if (session === undefined || session.clientId !== clientId) {
      throw notAuthorized('Invalid session for the user.');
    }
    if (this.#settings.now() >= session.expiresAt) {
      this.#sessions.delete(id);
      throw notAuthorized('Invalid session for the user, session is expired.');
    }
    if (session.state === 'used') {
      throw notAuthorized('Invalid session for the user, session can only be used once.');
    }
    if (session.state === 'failed') throw notAuthorized('Invalid session for the user.');
    if (session.challenge !== challengeName) {
      throw invalidParameter(`This session answers the ${session.challenge} challenge, not ${challengeName}`);
    }
    return session;
  }
}

/** Compares in constant time, as a real service must; here it costs nothing to do it right. */
function sameCode(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
