import { DEFAULT_BODY_LIMIT } from '../body/body.js';
import type { Context, RequestInput } from '../context/context.js';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { refuseForeignFeature } from '../errors/features.js';
import type { Records } from '../events/feature.js';
import { type RequestIdOptions, requestId } from '../http/request-id.js';
import { type SecurityHeadersOptions, securityHeaders } from '../http/security-headers.js';
import { defaultTimeout, type TimeoutOptions } from '../http/timeout.js';
import type { Idempotency } from '../idempotency/routes.js';
import type { MiddlewareHooks } from '../middleware/compose.js';
import { serviceName } from '../observability/parts.js';
import type { ObservabilityOptions } from '../observability/pipeline.js';
import type { RateLimits } from '../ratelimit/limits.js';
import type { AccessControl } from './access.js';

/** Options of {@link createApp}. Unknown keys are rejected at start-up so typos surface early. */
export interface AppOptions extends ObservabilityOptions {
  /**
   * Service name, used in logs and metrics (default `POWERTOOLS_SERVICE_NAME`, else
   * `AWS_LAMBDA_FUNCTION_NAME`, else `service_undefined`, as Powertools names it).
   */
  readonly service?: string;
  /**
   * Path prefixes to remove before routing: API Gateway custom-domain base path mappings
   * (`/v1` when `api.example.com/v1` maps to this API). The first that matches is removed.
   */
  readonly basePath?: string | readonly string[];
  /** Remove a named stage from HTTP API paths on the execute-api domain (default `true`). */
  readonly stripStage?: boolean;
  /**
   * Largest decoded request body in bytes (default 1 MiB); larger bodies get a 413. `false` leaves
   * only Lambda's own payload limit (6 MB).
   */
  readonly bodyLimit?: number | false;
  /**
   * The request id on every answer (`x-request-id`, a safe incoming one or AWS's): on by default;
   * options to change the header or distrust incoming ids, `false` to turn it off.
   */
  readonly requestId?: RequestIdOptions | false;
  /**
   * Security headers on every answer (HSTS, a restrictive CSP for JSON APIs, nosniff,
   * `X-Frame-Options`, referrer policy, COOP/CORP, permissions policy, `Cache-Control: no-store`):
   * on by default; options change or drop single headers, `false` turns them all off.
   */
  readonly securityHeaders?: SecurityHeadersOptions | false;
  /**
   * Every request is answered before the Lambda deadline: a handler still running at the deadline
   * minus `deadlineMarginMs` gets a 504 with the error envelope (logged, `ctx.signal` aborted) instead
   * of the platform's bare timeout. On by default; `{ maxMs }` bounds it further, `false` turns it
   * off. Synchronous handlers pay nothing for it.
   */
  readonly timeout?: TimeoutOptions | false;
  /** How long before the Lambda deadline `ctx.signal` aborts and timeouts fire, in ms (default 500). */
  readonly deadlineMarginMs?: number;
  /**
   * Called with full detail for every error answered with a 5xx. The default writes one JSON line
   * to stderr; the caller only ever sees a generic message and the request id.
   */
  readonly onError?: (error: unknown, ctx: Context<RequestInput, object>) => void;
  /** Id generator for request ids when AWS supplies none (default `crypto.randomUUID`). */
  readonly generateId?: () => string;
  /** Clock in epoch milliseconds (default `Date.now`); inject a fake one in tests. */
  readonly now?: () => number;
  /**
   * Access control (`createAccessControl` from `@lift/core/auth`). With it, every route must declare
   * `auth`, and the app refuses to start with a message naming any route that does not.
   */
  readonly access?: AccessControl;
  /**
   * Rate limiting: `rateLimits({ store: dynamoRateLimitStore({ table }), policies })` from
   * `@lift/core/ratelimit`. Required once a route declares `rateLimit`.
   */
  readonly rateLimits?: RateLimits;
  /**
   * Idempotency: `idempotency({ store: dynamoIdempotencyStore({ table }), ttl })` from
   * `@lift/core/idempotency`. Required once a route or a queue declares `idempotency`.
   */
  readonly idempotency?: Idempotency;
  /**
   * The record engine: `records()` from `@lift/core/events`. Required to register queues, topics,
   * buckets, EventBridge patterns, schedules and streams (`app.sqs`, `app.schedule`...). Features are
   * option values so that an app carries only the code of what it uses.
   */
  readonly records?: Records;
}

const KNOWN = new Set([
  'service',
  'basePath',
  'stripStage',
  'bodyLimit',
  'deadlineMarginMs',
  'onError',
  'generateId',
  'now',
  'access',
  'logger',
  'accessLog',
  'metrics',
  'tenantMetrics',
  'tracing',
  'requestId',
  'securityHeaders',
  'timeout',
  'rateLimits',
  'idempotency',
  'records',
]);

// Each feature option takes the value its subpath's factory makes; the message names the factory.
const FEATURES = [
  ['rateLimits', "rateLimits({ store, policies }) from '@lift/core/ratelimit'"],
  ['idempotency', "idempotency({ store, ttl }) from '@lift/core/idempotency'"],
  ['records', "records() from '@lift/core/events'"],
] as const;

/** Checks {@link AppOptions} and fills defaults; throws a {@link ConfigurationError} naming the problem. */
export function checkAppOptions(options: AppOptions): {
  service: string;
  basePaths: string[];
  stripStage: boolean;
  bodyLimit: number;
  deadlineMarginMs: number;
} {
  if (typeof options !== 'object' || options === null)
    throw new ConfigurationError('createApp: options must be an object');
  refuseUnknownOptions(options, KNOWN, 'createApp');
  const service = serviceName(options.service, 'createApp');
  const bases =
    options.basePath === undefined
      ? []
      : typeof options.basePath === 'string'
        ? [options.basePath]
        : options.basePath;
  const basePaths = bases.map((base) => {
    if (typeof base !== 'string' || !base.startsWith('/') || base === '/') {
      throw new ConfigurationError(`basePath must start with "/" and not be "/": ${JSON.stringify(base)}`);
    }
    return base.endsWith('/') ? base.slice(0, -1) : base;
  });
  const bodyLimit =
    options.bodyLimit === false ? Number.POSITIVE_INFINITY : (options.bodyLimit ?? DEFAULT_BODY_LIMIT);
  if (options.bodyLimit !== false && (!Number.isInteger(bodyLimit) || bodyLimit < 0)) {
    throw new ConfigurationError('bodyLimit must be a whole number of bytes, or false');
  }
  const deadlineMarginMs = options.deadlineMarginMs ?? 500;
  if (!Number.isFinite(deadlineMarginMs) || deadlineMarginMs < 0) {
    throw new ConfigurationError('deadlineMarginMs must be a non-negative number');
  }
  for (const fn of ['onError', 'generateId', 'now'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') {
      throw new ConfigurationError(`createApp option "${fn}" must be a function`);
    }
  }
  if (options.access !== undefined && typeof options.access?.prepare !== 'function') {
    throw new ConfigurationError('createApp option "access" must come from createAccessControl()');
  }
  for (const [name, factory] of FEATURES) refuseForeignFeature(options[name], name, factory, 'createApp');
  if (options.stripStage !== undefined && typeof options.stripStage !== 'boolean') {
    throw new ConfigurationError('stripStage must be a boolean');
  }
  return {
    service,
    basePaths,
    stripStage: options.stripStage ?? true,
    bodyLimit,
    deadlineMarginMs,
  };
}

/**
 * The protections every app has unless its options turn them off: the request id, the security
 * headers and the deadline, as global middleware. Their own factories check their options.
 */
export function defaultProtections(options: AppOptions): MiddlewareHooks<object>[] {
  const on: MiddlewareHooks<object>[] = [];
  for (const [name, value] of [
    ['requestId', options.requestId],
    ['securityHeaders', options.securityHeaders],
    ['timeout', options.timeout],
  ] as const) {
    if (value !== undefined && value !== false && (typeof value !== 'object' || value === null))
      throw new ConfigurationError(`createApp option "${name}" must be an options object or false`);
  }
  if (options.requestId !== false) on.push(requestId(options.requestId));
  if (options.securityHeaders !== false) on.push(securityHeaders(options.securityHeaders));
  // Innermost of the defaults, so its 504 still gets the request id, the headers and the access line.
  if (options.timeout !== false) on.push(defaultTimeout(options.timeout));
  return on;
}
