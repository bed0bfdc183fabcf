import type { Authenticator } from '../auth/api-gateway.js';
import type { Context, RequestInput } from '../context/context.js';
import { isHeaderName } from '../context/headers.js';
import type { LambdaContext } from '../context/lambda.js';
import type { Principal } from '../context/principal.js';
import { ConfigurationError, HttpError, refuseUnknownOptions } from '../errors/errors.js';
import { isInstance } from '../errors/instance.js';
import { errorMessage, loggableError, reportOnStderr, safeRead, safeText } from '../errors/report.js';
import { createLogger, type Logger } from '../observability/logger.js';
import {
  type AuthorizerEventKind,
  type AuthorizerRequest,
  authorizerRuntime,
  readAuthorizerEvent,
} from './events.js';
import {
  type AuthorizerPolicyDocument,
  type AuthorizerRoute,
  compileRoutes,
  evaluatePolicy,
  principalPolicy,
} from './policy.js';
import {
  type AuthorizerContext,
  checkCopiedClaims,
  principalContext,
  unrepresentable,
} from './principal-context.js';

/** Options of {@link createAuthorizer}. */
export interface AuthorizerOptions {
  /** Tried in order, as by `createAccessControl`: the first that finds a principal wins. */
  readonly authenticators: readonly Authenticator[];
  /**
   * Per-route rules. Without them every authenticated caller is allowed the whole stage. With them
   * the policy allows exactly the routes whose rule lets the principal in and denies the rest; a
   * request matching no rule is denied (403).
   */
  readonly routes?: readonly AuthorizerRoute[];
  /**
   * Answer HTTP API payload 2.0 events with a simple response (`{ isAuthorized, context }`), as the
   * authorizer's "simple responses" setting expects. REST and payload 1.0 events always get a policy.
   */
  readonly simpleResponse?: boolean;
  /**
   * Required with `routes` and `simpleResponse` together, and only then: you confirm that the HTTP
   * API caches this authorizer's answers per route (`$context.routeKey` among its identity sources)
   * or not at all (TTL 0). A simple response has no policy, so a cached `true` for one route would
   * otherwise be reused for every other.
   */
  readonly cacheKeyedByRoute?: boolean;
  /** The header a TOKEN authorizer's token is presented as (default `authorization`). */
  readonly tokenHeader?: string;
  /**
   * Joins the principal's roles in the context (default `,`). The app reading it passes the same one:
   * `trustApiGatewayLambdaAuthorizer({ mapping: { roleSeparator: ',' } })`.
   */
  readonly roleSeparator?: string;
  /** Claims of the principal to copy into the context too, when they are strings, numbers or booleans. */
  readonly claims?: readonly string[];
  /** Service name in the log lines (default `POWERTOOLS_SERVICE_NAME`, else the function name). */
  readonly service?: string;
  /** Where the decision lines go (default `createLogger({ service })`); `false` for none. */
  readonly logger?: Logger | false;
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

/** An IAM-policy answer: REST APIs, and HTTP APIs without simple responses. */
export interface AuthorizerPolicyResult {
  /** The user id. */
  readonly principalId: string;
  /** What the caller may invoke: the same whichever route asked (see `routes`). */
  readonly policyDocument: AuthorizerPolicyDocument;
  /** The principal, for `trustApiGatewayLambdaAuthorizer` in the app behind. */
  readonly context: AuthorizerContext;
}

/** A simple answer: HTTP APIs with simple responses enabled. */
export interface AuthorizerSimpleResult {
  /** Whether the route asked may be called. */
  readonly isAuthorized: boolean;
  /** The principal, when authorized. */
  readonly context?: AuthorizerContext;
}

/** What the authorizer answers API Gateway. */
export type AuthorizerResult = AuthorizerPolicyResult | AuthorizerSimpleResult;

/** The Lambda handler of an authorizer. */
export type AuthorizerHandler = (event: unknown, lambdaContext?: LambdaContext) => Promise<AuthorizerResult>;

const OPTION_KEYS = [
  'authenticators',
  'routes',
  'simpleResponse',
  'cacheKeyedByRoute',
  'tokenHeader',
  'roleSeparator',
  'claims',
  'service',
  'logger',
  'now',
];
const WHERE = 'createAuthorizer';

/** The error API Gateway turns into a 401; any other thrown error is a 500. */
const UNAUTHORIZED = 'Unauthorized';
/** What is thrown for every other failure: generic, since the caller never sees why. */
const FAILED = 'Authorizer error';

function check(options: AuthorizerOptions) {
  refuseUnknownOptions(options, OPTION_KEYS, WHERE);
  if (typeof options !== 'object' || options === null)
    throw new ConfigurationError(`${WHERE}: options must be an object`);
  const { authenticators, simpleResponse, cacheKeyedByRoute, roleSeparator, now } = options;
  if (
    !Array.isArray(authenticators) ||
    authenticators.length === 0 ||
    !authenticators.every((a) => typeof a === 'function')
  )
    throw new ConfigurationError(`${WHERE}: "authenticators" must list at least one authenticator`);
  for (const [name, value] of [
    ['simpleResponse', simpleResponse],
    ['cacheKeyedByRoute', cacheKeyedByRoute],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean')
      throw new ConfigurationError(`${WHERE}: "${name}" must be a boolean`);
  }
  const rules = options.routes === undefined ? undefined : compileRoutes(options.routes, WHERE);
  if (rules !== undefined && simpleResponse === true && cacheKeyedByRoute !== true)
    throw new ConfigurationError(
      `${WHERE}: route rules with simple responses: a simple response has no policy, so API Gateway would reuse one route's answer for every route of the caller. Add $context.routeKey to the authorizer's identity sources (or set its TTL to 0) and pass cacheKeyedByRoute: true`,
    );
  if (cacheKeyedByRoute !== undefined && (rules === undefined || simpleResponse !== true))
    throw new ConfigurationError(
      `${WHERE}: "cacheKeyedByRoute" applies only to "routes" with "simpleResponse"`,
    );
  const tokenHeader = options.tokenHeader ?? 'authorization';
  if (typeof tokenHeader !== 'string' || !isHeaderName(tokenHeader.toLowerCase()))
    throw new ConfigurationError(`${WHERE}: "tokenHeader" must be a header name`);
  const separator = roleSeparator ?? ',';
  if (typeof separator !== 'string' || separator === '')
    throw new ConfigurationError(`${WHERE}: "roleSeparator" must be a non-empty string`);
  if (now !== undefined && typeof now !== 'function')
    throw new ConfigurationError(`${WHERE}: "now" must be a function`);
  const service =
    options.service ??
    (process.env.POWERTOOLS_SERVICE_NAME || process.env.AWS_LAMBDA_FUNCTION_NAME || 'service_undefined');
  if (typeof service !== 'string' || service.trim() === '')
    throw new ConfigurationError(`${WHERE}: "service" must be a non-empty string`);
  const logger = options.logger;
  if (logger !== undefined && logger !== false && typeof logger?.addContext !== 'function')
    throw new ConfigurationError(`${WHERE}: "logger" must come from createLogger() or be false`);
  return {
    authenticators,
    rules,
    simple: simpleResponse === true,
    tokenHeader: tokenHeader.toLowerCase(),
    separator,
    claims: checkCopiedClaims(options.claims, WHERE),
    service,
    logger: logger === false ? undefined : (logger ?? createLogger({ service })),
    now: now ?? Date.now,
  };
}

type Decision = 'allow' | 'deny' | 'unauthorized' | 'error';

interface Outcome {
  readonly decision: Decision;
  readonly reason: string;
  readonly principal?: Principal | undefined;
  readonly error?: unknown;
}

/**
 * Turns Lift authenticators into an API Gateway Lambda authorizer: REST TOKEN and REQUEST
 * authorizers, and HTTP API authorizers (payload 1.0 and 2.0, IAM-policy or simple responses). The
 * event is read through Lift's own adapters into a `Context`, so the authenticators see headers,
 * query and cookies exactly as they would in an app, and a credential sent twice is refused the same
 * way. A TOKEN event carries only the token: it is presented as the header `tokenHeader`.
 *
 * Answers:
 * - a principal: a policy for the whole stage, or with `routes` exactly the routes the principal may
 *   call (the same policy whatever route asked, so API Gateway's cache can reuse it safely), with the
 *   principal in `context` as `trustApiGatewayLambdaAuthorizer` reads it; a simple response says
 *   whether the route asked is allowed;
 * - no or bad credentials (an authenticator's 4xx): `Error('Unauthorized')`, which API Gateway
 *   answers with a 401, or `{ isAuthorized: false }` (a 403) for simple responses;
 * - anything else (a key store or JWKS endpoint that fails, a malformed event, a principal the
 *   context cannot carry): a generic error, which API Gateway answers with a 500 and does not cache.
 *   Never an allow.
 *
 * Each decision is one log line (`authorizer`): decision, reason, route, user and tenant, never a
 * credential.
 */
export function createAuthorizer(options: AuthorizerOptions): AuthorizerHandler {
  const config = check(options);
  const { authenticators, rules, logger } = config;
  const runtime = authorizerRuntime(config.service, config.now, logger);

  const authenticate = async (ctx: Context<RequestInput, object>): Promise<Principal | undefined> => {
    for (const authenticator of authenticators) {
      const found = await authenticator(ctx);
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const log = (outcome: Outcome, fields: Record<string, unknown>) => {
    if (logger === undefined) return;
    const { decision, reason, principal, error } = outcome;
    try {
      const line = {
        ...fields,
        decision,
        reason,
        user_id: principal?.userId,
        tenant_id: principal?.tenantId,
        auth_method: principal?.authMethod,
        ...(error === undefined ? {} : { error: loggableError(error) }),
      };
      if (decision === 'error') logger.error('authorizer', line);
      else logger.info('authorizer', line);
    } catch (failure) {
      // The decision stands whether or not its line could be written (a principal or cause that
      // cannot be read, a logger that fails); the line goes to stderr instead.
      reportOnStderr(
        'authorizer',
        config.service,
        { decision, reason: safeText(reason), log_failure: errorMessage(failure) },
        error === undefined ? failure : error,
      );
    }
  };

  const decide = async (request: AuthorizerRequest): Promise<AuthorizerResult> => {
    const { ctx, kind } = request;
    const simple = config.simple && kind === 'http-v2';
    const fields = (status: number | undefined) => ({
      request_id: ctx.requestId,
      method: ctx.method,
      route: request.route,
      path: request.arn.path,
      authorizer: kind satisfies AuthorizerEventKind,
      status,
    });

    let principal: Principal | undefined;
    try {
      principal = await authenticate(ctx);
    } catch (error) {
      if (isInstance(error, HttpError) && safeRead(() => error.status < 500) === true) {
        const cause = safeRead(() => error.cause);
        log(
          { decision: 'unauthorized', reason: errorMessage(error), error: cause },
          fields(simple ? 403 : 401),
        );
        if (simple) return { isAuthorized: false };
        throw new Error(UNAUTHORIZED);
      }
      log({ decision: 'error', reason: 'an authenticator failed', error }, fields(500));
      throw new Error(FAILED);
    }
    if (principal === undefined) {
      log({ decision: 'unauthorized', reason: 'no credentials' }, fields(simple ? 403 : 401));
      if (simple) return { isAuthorized: false };
      throw new Error(UNAUTHORIZED);
    }

    let policy: AuthorizerPolicyDocument;
    let context: AuthorizerContext;
    try {
      const problem = unrepresentable(principal, config.separator);
      if (problem !== undefined) throw new Error(problem);
      policy = await principalPolicy(principal, request.arn, rules);
      context = principalContext(principal, config.separator, config.claims);
    } catch (error) {
      log({ decision: 'error', reason: 'no answer for the principal', principal, error }, fields(500));
      throw new Error(FAILED);
    }
    const allowed = evaluatePolicy(policy, request.arnText);
    log(
      {
        decision: allowed ? 'allow' : 'deny',
        reason: allowed ? 'allowed' : 'no rule allows this route',
        principal,
      },
      fields(allowed ? undefined : 403),
    );
    if (simple) return allowed ? { isAuthorized: true, context } : { isAuthorized: false };
    return { principalId: principal.userId, policyDocument: policy, context };
  };

  return async (event, lambdaContext) => {
    logger?.addContext(lambdaContext);
    let request: AuthorizerRequest;
    try {
      request = readAuthorizerEvent(event, lambdaContext, { tokenHeader: config.tokenHeader, runtime });
    } catch (error) {
      log({ decision: 'error', reason: 'unreadable event', error }, { status: 500 });
      throw new Error(FAILED);
    }
    try {
      return await decide(request);
    } finally {
      // Releases the deadline timer of `ctx.signal`, if an authenticator asked for it.
      request.ctx.dispose();
    }
  };
}
