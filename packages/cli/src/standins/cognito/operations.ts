/**
 * The user pools API operations the stand-in answers, by the name that follows
 * `AWSCognitoIdentityProviderService.` in `X-Amz-Target`.
 */
import type { PoolDirectory } from './pools.js';
import type { SignIn } from './sign-in.js';
import type { TokenIssuer } from './tokens.js';
import {
  attributeList,
  CognitoError,
  notAuthorized,
  optionalString,
  type RequestBody,
  requiredString,
} from './wire.js';

/** One operation: the request body in, the response body out, or a thrown {@link CognitoError}. */
export type Operation = (body: RequestBody) => Promise<object>;

/** What the operations work on. */
export interface OperationContext {
  readonly pools: PoolDirectory;
  readonly tokens: TokenIssuer;
  readonly signIn: SignIn;
  readonly now: () => number;
}

/** The operation table. */
export function cognitoOperations({
  pools,
  tokens,
  signIn,
  now,
}: OperationContext): ReadonlyMap<string, Operation> {
  return new Map<string, Operation>([
    ['SignUp', async (body) => signUp(pools, now, body)],
    ['ConfirmSignUp', async (body) => confirmSignUp(pools, body)],
    ['InitiateAuth', (body) => signIn.initiateAuth(body)],
    ['RespondToAuthChallenge', (body) => signIn.respondToAuthChallenge(body)],
    ['GetUser', (body) => getUser(pools, tokens, body)],
    ['RevokeToken', async (body) => revokeToken(pools, tokens, body)],
  ]);
}

/**
 * `SignUp` with the email as `Username`. The password is optional (passwordless users have none)
 * and, when given, is not checked or kept: the stand-in offers no password sign-in. The user is
 * confirmed with a verified email at once, as a pool whose pre sign-up trigger auto-confirms would
 * do, so the dev loop needs no confirmation code; `UserConfirmed: true` tells the app so.
 */
function signUp(pools: PoolDirectory, now: () => number, body: RequestBody): object {
  const clientId = requiredString(body, 'ClientId');
  const username = requiredString(body, 'Username');
  // Read for its type only (a non-string is refused as Cognito would refuse it).
  optionalString(body, 'Password');
  const attributes = attributeList(body, 'UserAttributes');
  const pool = pools.byClient(clientId);
  const user = pool.create(username, attributes, now());
  return { UserConfirmed: true, UserSub: user.sub };
}

/**
 * `ConfirmSignUp`: every user is confirmed already, so this answers what Cognito answers for a
 * confirmed user. An app that calls it only when `SignUp` said `UserConfirmed: false` never does.
 */
function confirmSignUp(pools: PoolDirectory, body: RequestBody): object {
  const clientId = requiredString(body, 'ClientId');
  const username = requiredString(body, 'Username');
  requiredString(body, 'ConfirmationCode');
  const pool = pools.byClient(clientId);
  if (pool.find(username) === undefined) {
    throw new CognitoError('UserNotFoundException', 'Username/client id combination not found.');
  }
  throw notAuthorized('User cannot be confirmed. Current status is CONFIRMED');
}

/** `GetUser` with an access token: the username (the sub) and the attributes. */
async function getUser(pools: PoolDirectory, tokens: TokenIssuer, body: RequestBody): Promise<object> {
  const accessToken = requiredString(body, 'AccessToken');
  const { user } = await tokens.userOf(pools, accessToken);
  const attributes = [...user.attributes].map(([Name, Value]) => ({ Name, Value }));
  return {
    Username: user.sub,
    UserAttributes: [
      { Name: 'sub', Value: user.sub },
      // Attribute values are strings in the API, unlike the boolean claim in the ID token.
      { Name: 'email_verified', Value: 'true' },
      ...attributes,
    ],
  };
}

/** `RevokeToken` with a refresh token: it and the access tokens issued from it stop working. */
function revokeToken(pools: PoolDirectory, tokens: TokenIssuer, body: RequestBody): object {
  const token = requiredString(body, 'Token');
  const clientId = requiredString(body, 'ClientId');
  pools.byClient(clientId);
  tokens.revoke(clientId, token);
  return {};
}
