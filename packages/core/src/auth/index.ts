/**
 * `@lift/core/auth`: who the caller is and what they may do. Access control (deny by default, roles,
 * scopes, permissions with context, tenant isolation, audit) and authenticators that trust API
 * Gateway's own checks when the deployer opts in.
 */

export { type AuditEvent, type AuditSink, auditLogSink } from '../observability/audit.js';
export { type AccessControlOptions, createAccessControl, type TenantFields } from './access-control.js';
export {
  type Authenticator,
  type TrustApiGatewayOptions,
  trustApiGatewayIam,
  trustApiGatewayJwt,
  trustApiGatewayLambdaAuthorizer,
} from './api-gateway.js';
export {
  type ApiKeyRecord,
  type ApiKeyStore,
  apiKeyAuthenticator,
  dynamoApiKeyStore,
  type IssueApiKeyOptions,
  issueApiKey,
  memoryApiKeyStore,
} from './api-keys.js';
export {
  createJwksCache,
  JwkNotFoundError,
  type JwksCacheOptions,
  JwksUnavailableError,
} from './jwks-cache.js';
export {
  type CognitoIssuerOptions,
  DEFAULT_LEEWAY_SECONDS,
  type IssuerTenants,
  type JwtAlgorithm,
  type JwtAuthenticatorOptions,
  type JwtIssuerOptions,
  jwtAuthenticator,
} from './jwt.js';
export {
  type AuthMethod,
  type ClaimMapping,
  createPrincipal,
  DEFAULT_CLAIM_MAPPING,
  type Principal,
  type PrincipalFields,
  principalFromClaims,
} from './principal.js';
export {
  dynamoRevocationStore,
  memoryRevocationStore,
  type RevocationStore,
  type RevocationSubject,
} from './revocation.js';
export { DEFAULT_ROLE_HIERARCHY, type RoleHierarchy, roleExpander } from './roles.js';
export { securityTable } from './security-table.js';
