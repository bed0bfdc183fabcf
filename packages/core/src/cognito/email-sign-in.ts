import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import {
  ConfigurationError,
  HttpError,
  ServiceUnavailableError,
  TooManyRequestsError,
} from '../errors/errors.js';
import { instrumentAwsClient } from '../otel/otel.js';
import { lazyPeer } from '../peer/peer.js';
import { awsClientDefaults } from '../resilience/aws.js';
import type { UserPoolDefinition } from './user-pool.js';

const sdk: () => Promise<typeof import('@aws-sdk/client-cognito-identity-provider')> = lazyPeer(
  '@aws-sdk/client-cognito-identity-provider',
  () => import('@aws-sdk/client-cognito-identity-provider'),
  'Cognito email sign-in',
);

/** The tokens of a signed-in user, as Cognito issues them. */
export interface SignInTokens {
  readonly idToken: string;
  readonly accessToken: string;
  /** Absent on a refresh: the refresh token stays the same. */
  readonly refreshToken?: string;
  /** Seconds until the id and access tokens expire. */
  readonly expiresIn: number;
}

/** 401 `INVALID_CODE`: the code is wrong; the same sign-in may try again, up to Cognito's limit. */
export class InvalidCodeError extends HttpError {
  constructor() {
    super(401, 'INVALID_CODE', 'The code is not valid');
  }
}

/** 401 `SIGN_IN_EXPIRED`: the code expired or too many were wrong; start again for a new code. */
export class SignInExpiredError extends HttpError {
  constructor() {
    super(401, 'SIGN_IN_EXPIRED', 'This sign-in has expired; ask for a new code');
  }
}

/** Passwordless sign-in by email code against a user pool; see {@link emailSignIn}. */
export interface EmailSignIn {
  /**
   * Sends a code to `email` and returns the sign-in session to verify it with. It answers the same
   * way whether or not the email had an account (a new one is signed up), so callers cannot probe.
   */
  start(email: string): Promise<{ readonly session: string }>;
  /** Checks the code; tokens on success, {@link InvalidCodeError} or {@link SignInExpiredError} otherwise. */
  verify(email: string, session: string, code: string): Promise<SignInTokens>;
  /** New id and access tokens for a refresh token; {@link SignInExpiredError} once it is revoked or expired. */
  refresh(refreshToken: string): Promise<SignInTokens>;
}

// Cognito's answers, by name, to what the caller should see. Anything unlisted is a 503: the caller
// did nothing wrong, and Cognito's own message never reaches them.
function mapped(error: unknown): unknown {
  const name = (error as { name?: unknown } | null)?.name;
  if (error instanceof HttpError) return error;
  if (name === 'CodeMismatchException') return new InvalidCodeError();
  if (
    name === 'ExpiredCodeException' ||
    name === 'NotAuthorizedException' ||
    name === 'UserNotFoundException'
  )
    return new SignInExpiredError();
  if (
    name === 'TooManyRequestsException' ||
    name === 'LimitExceededException' ||
    name === 'TooManyFailedAttemptsException'
  )
    return new TooManyRequestsError(60);
  return new ServiceUnavailableError('Sign-in is unavailable', {
    cause: error,
    headers: { 'retry-after': '1' },
  });
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

/**
 * Cognito's passwordless email sign-in (`USER_AUTH` with `EMAIL_OTP`) for a pool declared with
 * `signIn: 'email-otp'`: `start` signs the email up if it is new (the pool confirms it; owning the
 * address is proven by the code) and asks Cognito to mail a code; `verify` answers the challenge;
 * `refresh` uses a refresh token. Every Cognito error becomes a Lift error with a stable code.
 */
export function emailSignIn(
  pool: UserPoolDefinition,
  options: { client?: CognitoIdentityProviderClient } = {},
): EmailSignIn {
  if (pool.signIn !== 'email-otp')
    throw new ConfigurationError(`emailSignIn: pool ${pool.name} does not sign in by email`);
  let client: Promise<CognitoIdentityProviderClient> | undefined;
  const cognito = () => {
    client ??=
      options.client !== undefined
        ? Promise.resolve(options.client)
        : sdk().then(({ CognitoIdentityProviderClient }) =>
            instrumentAwsClient(new CognitoIdentityProviderClient({ ...awsClientDefaults() })),
          );
    return client;
  };
  const call = async <T>(
    run: (c: CognitoIdentityProviderClient, s: Awaited<ReturnType<typeof sdk>>) => Promise<T>,
  ) => {
    try {
      const [c, s] = await Promise.all([cognito(), sdk()]);
      return await run(c, s);
    } catch (error) {
      throw mapped(error);
    }
  };
  const tokens = (
    result:
      | {
          IdToken?: string | undefined;
          AccessToken?: string | undefined;
          RefreshToken?: string | undefined;
          ExpiresIn?: number | undefined;
        }
      | undefined,
  ): SignInTokens => {
    if (result?.IdToken === undefined || result.AccessToken === undefined)
      throw new ServiceUnavailableError('Sign-in is unavailable', {
        cause: new Error('Cognito returned no tokens'),
      });
    return {
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      ...(result.RefreshToken === undefined ? {} : { refreshToken: result.RefreshToken }),
      expiresIn: result.ExpiresIn ?? 3600,
    };
  };
  return {
    start: (email) => {
      if (!EMAIL.test(email))
        throw new ConfigurationError('emailSignIn.start: validate the email before calling');
      return call(async (c, s) => {
        const ClientId = pool.clientId();
        try {
          await c.send(
            new s.SignUpCommand({
              ClientId,
              Username: email,
              UserAttributes: [{ Name: 'email', Value: email }],
            }),
          );
        } catch (error) {
          if ((error as { name?: unknown }).name !== 'UsernameExistsException') throw error;
        }
        const out = await c.send(
          new s.InitiateAuthCommand({
            ClientId,
            AuthFlow: 'USER_AUTH',
            AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
          }),
        );
        if (out.ChallengeName !== 'EMAIL_OTP' || out.Session === undefined)
          throw new ServiceUnavailableError('Sign-in is unavailable', {
            cause: new Error(`Cognito answered ${out.ChallengeName ?? 'no challenge'}, not EMAIL_OTP`),
          });
        return { session: out.Session };
      });
    },
    verify: (email, session, code) =>
      call(async (c, s) => {
        const out = await c.send(
          new s.RespondToAuthChallengeCommand({
            ClientId: pool.clientId(),
            ChallengeName: 'EMAIL_OTP',
            Session: session,
            ChallengeResponses: { USERNAME: email, EMAIL_OTP_CODE: code },
          }),
        );
        return tokens(out.AuthenticationResult);
      }),
    refresh: (refreshToken) =>
      call(async (c, s) => {
        const out = await c.send(
          new s.InitiateAuthCommand({
            ClientId: pool.clientId(),
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            AuthParameters: { REFRESH_TOKEN: refreshToken },
          }),
        );
        return tokens(out.AuthenticationResult);
      }),
  };
}
