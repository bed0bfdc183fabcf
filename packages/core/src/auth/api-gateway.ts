import type { Context, RequestInput } from '../context/context.js';
import type { Principal } from '../context/principal.js';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { type ClaimMapping, claimReader, createPrincipal } from './principal.js';
import { describedAs } from './scheme.js';

/** Finds the caller of a request, or `undefined` when this method does not apply; throws 401 for bad credentials. */
export type Authenticator = (
  ctx: Context<RequestInput, object>,
) => Principal | undefined | Promise<Principal | undefined>;

function authorizer(ctx: Context<RequestInput, object>): Record<string, unknown> | undefined {
  const context = (ctx.event as { requestContext?: { authorizer?: unknown } }).requestContext;
  const value = context?.authorizer;
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

// HTTP API JWT authorizers pass array claims as "[a b c]" strings.
function unbracket(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(claims)) {
    out[k] =
      typeof v === 'string' && v.startsWith('[') && v.endsWith(']')
        ? v.slice(1, -1).split(' ').filter(Boolean)
        : v;
  }
  return out;
}

/** Options of {@link trustApiGatewayJwt} and {@link trustApiGatewayLambdaAuthorizer}. */
export interface TrustApiGatewayOptions {
  /** Which claims (or context fields) make the principal; see `ClaimMapping`. */
  readonly mapping?: ClaimMapping;
}

// An option these authenticators do not have (`tenants`, say) must not look as if it applied.
function checkOptions(options: TrustApiGatewayOptions, name: string): void {
  refuseUnknownOptions(options, ['mapping'], name);
}

/**
 * Trusts the claims of a token API Gateway already verified: an HTTP API JWT authorizer
 * (`requestContext.authorizer.jwt`) or a REST API Cognito authorizer (`requestContext.authorizer.claims`).
 * Use it only when every route of the API has that authorizer; Lift does not verify the token again.
 * Each source's way of flattening list claims is undone for that source only: the HTTP API's
 * `"[a b c]"` strings become arrays, and the REST API's comma-joined `cognito:groups` (`"admin,users"`)
 * is split on commas, through a `roleSeparator` of `','` that `mapping.roleSeparator` overrides.
 */
export function trustApiGatewayJwt(options: TrustApiGatewayOptions = {}): Authenticator {
  checkOptions(options, 'trustApiGatewayJwt');
  const http = claimReader(options.mapping, 'trustApiGatewayJwt');
  // REST Cognito authorizers hand every claim over as a string, joining a list with commas.
  const rest = claimReader({ roleSeparator: ',', ...options.mapping }, 'trustApiGatewayJwt');
  return describedAs(
    (ctx) => {
      const auth = authorizer(ctx);
      const jwt = asRecord(auth?.jwt);
      const httpClaims = asRecord(jwt?.claims);
      if (httpClaims !== undefined) {
        const merged = unbracket(httpClaims);
        // The authorizer reports granted scopes apart from the claims.
        if (Array.isArray(jwt?.scopes) && merged.scope === undefined) merged.scope = jwt.scopes;
        return http(merged, 'apigw-jwt');
      }
      const restClaims = ctx.source === 'apigw-rest' ? asRecord(auth?.claims) : undefined;
      return restClaims === undefined ? undefined : rest(restClaims, 'apigw-jwt');
    },
    { type: 'gateway', via: 'jwt' },
  );
}

/**
 * Trusts a Lambda authorizer's context: `requestContext.authorizer.lambda` (HTTP API) or the
 * authorizer's `principalId` and context fields (REST API). The authorizer decides what is in it.
 * The user id is read from `principalId`, `sub` or `userId` (they must agree when several are set).
 * A REST authorizer's context holds no arrays: pass `mapping.roleSeparator` if it joins roles.
 */
export function trustApiGatewayLambdaAuthorizer(options: TrustApiGatewayOptions = {}): Authenticator {
  checkOptions(options, 'trustApiGatewayLambdaAuthorizer');
  const read = claimReader(
    { userId: ['principalId', 'sub', 'userId'], ...options.mapping },
    'trustApiGatewayLambdaAuthorizer',
  );
  return describedAs(
    (ctx) => {
      const auth = authorizer(ctx);
      const fields =
        asRecord(auth?.lambda) ??
        (ctx.source === 'apigw-rest' && auth?.principalId !== undefined ? auth : undefined);
      return fields === undefined ? undefined : read(fields, 'apigw-lambda');
    },
    { type: 'gateway', via: 'lambda' },
  );
}

/**
 * Trusts IAM (SigV4) callers API Gateway authenticated, from the listed AWS accounts only: for
 * service-to-service calls across accounts. The principal's id is the caller's ARN.
 */
export function trustApiGatewayIam(options: {
  readonly accounts: readonly string[];
  readonly roles?: readonly string[];
}): Authenticator {
  refuseUnknownOptions(options, ['accounts', 'roles'], 'trustApiGatewayIam');
  if (
    !Array.isArray(options?.accounts) ||
    options.accounts.length === 0 ||
    !options.accounts.every((a) => /^\d{12}$/.test(a))
  ) {
    throw new ConfigurationError('trustApiGatewayIam: list the 12-digit AWS account ids allowed to call');
  }
  const roles = options.roles ?? [];
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && r !== ''))
    throw new ConfigurationError('trustApiGatewayIam: "roles" must list role names');
  const accounts = new Set(options.accounts);
  return describedAs(
    (ctx) => {
      const context = (ctx.event as { requestContext?: Record<string, unknown> }).requestContext;
      const iam =
        asRecord(asRecord(context?.authorizer)?.iam) ??
        (ctx.source === 'apigw-rest' ? asRecord(context?.identity) : undefined);
      const accountId = typeof iam?.accountId === 'string' ? iam.accountId : undefined;
      const userArn = typeof iam?.userArn === 'string' ? iam.userArn : undefined;
      if (accountId === undefined || userArn === undefined || typeof iam?.accessKey !== 'string')
        return undefined;
      if (!accounts.has(accountId)) return undefined;
      return createPrincipal({ userId: userArn, accountId, roles, authMethod: 'iam', claims: iam });
    },
    { type: 'gateway', via: 'iam' },
  );
}
