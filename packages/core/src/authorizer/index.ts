/**
 * `@lift/core/authorizer`: API Gateway Lambda authorizers built from Lift's authenticators (JWT and
 * Cognito, API keys, signed requests), for REST TOKEN and REQUEST authorizers and HTTP API
 * authorizers. The principal travels to the app behind in the authorizer context, where
 * `trustApiGatewayLambdaAuthorizer` reads it back.
 */
export {
  type AuthorizerHandler,
  type AuthorizerOptions,
  type AuthorizerPolicyResult,
  type AuthorizerResult,
  type AuthorizerSimpleResult,
  createAuthorizer,
} from './authorizer.js';
export {
  type AuthorizerPolicyDocument,
  type AuthorizerPolicyStatement,
  type AuthorizerRoute,
  arnMatches,
  evaluatePolicy,
} from './policy.js';
export { AUTHORIZER_CONTEXT_KEYS, type AuthorizerContext } from './principal-context.js';
