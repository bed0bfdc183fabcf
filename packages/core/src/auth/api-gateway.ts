import type { Context, RequestInput } from '../context/context.js';
import type { Principal } from '../context/principal.js';
import { ConfigurationError } from '../errors/errors.js';
import { type ClaimMapping, principalFromClaims } from './principal.js';

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

/**
 * Trusts the claims of a token API Gateway already verified: an HTTP API JWT authorizer
 * (`requestContext.authorizer.jwt`) or a REST API Cognito authorizer (`requestContext.authorizer.claims`).
 * Use it only when every route of the API has that authorizer; Lift does not verify the token again.
 */
export function trustApiGatewayJwt(options: { readonly mapping?: ClaimMapping } = {}): Authenticator {
  return (ctx) => {
    const auth = authorizer(ctx);
    const jwt = asRecord(auth?.jwt);
    const claims =
      asRecord(jwt?.claims) ?? (ctx.source === 'apigw-rest' ? asRecord(auth?.claims) : undefined);
    if (claims === undefined) return undefined;
    const merged = unbracket(claims);
    // The authorizer reports granted scopes apart from the claims.
    if (Array.isArray(jwt?.scopes) && merged.scope === undefined) merged.scope = jwt.scopes;
    return principalFromClaims(merged, 'apigw-jwt', options.mapping);
  };
}

/**
 * Trusts a Lambda authorizer's context: `requestContext.authorizer.lambda` (HTTP API) or the
 * authorizer's `principalId` and context fields (REST API). The authorizer decides what is in it.
 */
export function trustApiGatewayLambdaAuthorizer(
  options: { readonly mapping?: ClaimMapping } = {},
): Authenticator {
  const mapping: ClaimMapping = { userId: ['principalId', 'sub', 'userId'], ...options.mapping };
  return (ctx) => {
    const auth = authorizer(ctx);
    const fields =
      asRecord(auth?.lambda) ??
      (ctx.source === 'apigw-rest' && auth?.principalId !== undefined ? auth : undefined);
    return fields === undefined ? undefined : principalFromClaims(fields, 'apigw-lambda', mapping);
  };
}

/**
 * Trusts IAM (SigV4) callers API Gateway authenticated, from the listed AWS accounts only: for
 * service-to-service calls across accounts. The principal's id is the caller's ARN.
 */
export function trustApiGatewayIam(options: {
  readonly accounts: readonly string[];
  readonly roles?: readonly string[];
}): Authenticator {
  if (
    !Array.isArray(options?.accounts) ||
    options.accounts.length === 0 ||
    !options.accounts.every((a) => /^\d{12}$/.test(a))
  ) {
    throw new ConfigurationError('trustApiGatewayIam: list the 12-digit AWS account ids allowed to call');
  }
  const accounts = new Set(options.accounts);
  const roles = Object.freeze([...(options.roles ?? [])]);
  return (ctx) => {
    const context = (ctx.event as { requestContext?: Record<string, unknown> }).requestContext;
    const iam =
      asRecord(asRecord(context?.authorizer)?.iam) ??
      (ctx.source === 'apigw-rest' ? asRecord(context?.identity) : undefined);
    const accountId = typeof iam?.accountId === 'string' ? iam.accountId : undefined;
    const userArn = typeof iam?.userArn === 'string' ? iam.userArn : undefined;
    if (accountId === undefined || userArn === undefined || typeof iam?.accessKey !== 'string')
      return undefined;
    if (!accounts.has(accountId)) return undefined;
    return Object.freeze({
      userId: userArn,
      tenantId: undefined,
      accountId,
      roles,
      scopes: Object.freeze([]),
      authMethod: 'iam' as const,
      claims: Object.freeze({ ...iam }),
    });
  };
}
