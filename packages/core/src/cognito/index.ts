/**
 * `@lift/core/cognito`: user pools declared once in code (`lift dev` runs a local stand-in, the CDK
 * constructs deploy them) and Cognito's passwordless email sign-in. Verify the tokens it issues with
 * `jwtAuthenticator` from `@lift/core/auth` and `userPoolIssuer`. The AWS SDK is imported on first use.
 */
export {
  type EmailSignIn,
  emailSignIn,
  InvalidCodeError,
  SignInExpiredError,
  type SignInTokens,
} from './email-sign-in.js';
export {
  defineUserPool,
  isUserPoolDefinition,
  localUserPoolIds,
  type UserPoolDefinition,
  type UserPoolSpec,
  userPoolIssuer,
} from './user-pool.js';
