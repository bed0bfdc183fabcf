import type { Context, RequestInput } from '../context/context.js';
import {
  ConfigurationError,
  refuseUnknownOptions,
  ServiceUnavailableError,
  TooManyRequestsError,
} from '../errors/errors.js';
import { markFeature } from '../errors/features.js';
import { errorMessage } from '../errors/report.js';
import { type AuditSink, auditLogSink } from '../observability/audit.js';
import type { Metrics } from '../observability/metrics.js';
import { admits, type Decision, type RateLimitStore } from './decision.js';
import { rateLimitHeaders } from './headers.js';
import { ipKey } from './ip-key.js';
import { type CheckedRule, checkRule, RATE_LIMIT_PRESETS, type RateLimitRule } from './rule.js';

type AnyContext = Context<RequestInput, object>;

/**
 * Whom a limit counts: the source IP Lift trusts (`ip`), the principal's user or tenant, everyone
 * together (`global`), or a function of the request. A request without the value (no principal for
 * `user`, a function returning `undefined`) is counted by its IP instead, never let through unlimited.
 */
export type RateLimitKey = 'ip' | 'user' | 'tenant' | 'global' | ((ctx: AnyContext) => string | undefined);

/** A rate limit as a route or a named policy declares it: a rule and whom it counts (default `ip`). */
export interface RouteRateLimit extends RateLimitRule {
  readonly by?: RateLimitKey;
}

/**
 * A route's `rateLimit`: a named policy (`'auth'`, `'ai'`, `'sensitive'` or one of the app's
 * `rateLimits.policies`), a limit, or several of either; every one of them is checked.
 */
export type RouteRateLimitOption = string | RouteRateLimit | readonly (string | RouteRateLimit)[];

/** `rateLimits({ store, policies })`: where admissions are counted, and the app's named policies. */
export interface RateLimitsOptions {
  /**
   * The store shared by every instance: `dynamoRateLimitStore({ table })` from `@lift/core/ratelimit`
   * in production. `memoryRateLimitStore()` counts per process, so on Lambda each instance would
   * admit the full limit; use it in tests and single-process servers only.
   */
  readonly store: RateLimitStore;
  /** Named policies routes refer to by name; a name here replaces the preset of the same name. */
  readonly policies?: Readonly<Record<string, RouteRateLimit>>;
}

// Whom each preset counts: logins by IP (the caller has no identity yet), the rest by user.
const PRESET_KEYS: Readonly<Record<keyof typeof RATE_LIMIT_PRESETS, RateLimitKey>> = {
  auth: 'ip',
  ai: 'user',
  sensitive: 'user',
};

/** @internal One limit of a route, as an API description states it. */
export interface RateLimitDescription {
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
  readonly by: 'ip' | 'user' | 'tenant' | 'global' | 'custom';
}

interface PreparedLimit {
  readonly rule: CheckedRule;
  readonly by: RateLimitKey;
  /** Prefix of the key: a named policy is shared by the routes naming it; an inline one is the route's own. */
  readonly scope: string;
}

const KEYS = new Set(['ip', 'user', 'tenant', 'global']);

function prepare(where: string, limit: RouteRateLimit, scope: string): PreparedLimit {
  if (typeof limit !== 'object' || limit === null)
    throw new ConfigurationError(`${where}: a rate limit must be a policy name or { limit, window, by }`);
  const { by = 'ip', ...rule } = limit;
  if (typeof by !== 'function' && !KEYS.has(by as string))
    throw new ConfigurationError(`${where}: by must be 'ip', 'user', 'tenant', 'global' or a function`);
  return { rule: checkRule(where, rule), by, scope };
}

const part = (value: string) => encodeURIComponent(value);

function keyValue(by: RateLimitKey, ctx: AnyContext): string {
  if (by === 'global') return 'global';
  const principal = ctx.principal;
  let value: string | undefined;
  // A user id is unique only within its tenant and the authenticator that issued it (an API key's
  // name, a JWT's sub per issuer): both are part of the key, so one tenant cannot spend another's.
  if (by === 'user' && principal !== undefined)
    value = `${part(principal.tenantId ?? '')}:${part(principal.authMethod)}:${part(principal.userId)}`;
  else if (by === 'tenant') value = principal?.tenantId === undefined ? undefined : part(principal.tenantId);
  else if (typeof by === 'function') {
    value = by(ctx);
    if (value !== undefined && typeof value !== 'string')
      throw new TypeError('A rate limit key function must return a string or undefined');
  }
  if (value !== undefined && value !== '') return `${typeof by === 'function' ? 'fn' : by}:${value}`;
  return `ip:${ipKey(ctx.sourceIp)}`;
}

/** What an app lends its rate limiting: its clock, metrics and audit sink. @internal */
export interface RateLimitsEnv {
  /** The app's service: part of every key, so services sharing a store never share a count. */
  readonly service: string;
  readonly now: () => number;
  readonly metrics: Metrics | undefined;
  readonly audit: AuditSink | undefined;
}

/**
 * An app's rate limiting, as `createApp({ rateLimits: rateLimits({ store, policies }) })` takes it.
 * A value from this module rather than a plain object, so an app that limits nothing never carries
 * the limiter: it enters a bundle only with the import.
 */
export class RateLimits {
  readonly #policies = new Map<string, PreparedLimit>();
  readonly #store: RateLimitStore;

  /** @internal Use {@link rateLimits}. */
  constructor(options: RateLimitsOptions) {
    if (typeof options !== 'object' || options === null || typeof options.store?.consume !== 'function')
      throw new ConfigurationError(
        'rateLimits() needs a store: rateLimits({ store: dynamoRateLimitStore({ table }) })',
      );
    refuseUnknownOptions(options, ['store', 'policies'], 'rateLimits()');
    // What createApp checks at run time: a copy or a look-alike is not the limiter.
    markFeature(this, 'rateLimits');
    this.#store = options.store;
    for (const [name, preset] of Object.entries(RATE_LIMIT_PRESETS))
      this.#policies.set(
        name,
        prepare(
          `rate-limit preset ${name}`,
          { ...preset, by: PRESET_KEYS[name as keyof typeof PRESET_KEYS] },
          `policy:${name}`,
        ),
      );
    for (const [name, policy] of Object.entries(options.policies ?? {}))
      this.#policies.set(name, prepare(`rate-limit policy ${name}`, { name, ...policy }, `policy:${name}`));
  }

  /** @internal The limiter of one app. */
  forApp(env: RateLimitsEnv): RateLimiter {
    return new RateLimiter(this.#store, this.#policies, env);
  }
}

/**
 * Rate limiting for `createApp({ rateLimits })`: the store every instance shares
 * (`dynamoRateLimitStore({ table })`) and the app's named policies, which routes name in `rateLimit`.
 */
export function rateLimits(options: RateLimitsOptions): RateLimits {
  return new RateLimits(options);
}

/** The app's rate limiting: it turns route declarations into the step that enforces them. @internal */
export class RateLimiter {
  private sink: AuditSink | undefined;

  constructor(
    private readonly store: RateLimitStore,
    private readonly policies: ReadonlyMap<string, PreparedLimit>,
    private readonly env: RateLimitsEnv,
  ) {}

  /**
   * The step enforcing a route's `rateLimit`, or `undefined` when it declares none. A mistake (an
   * unknown policy, a bad rule) throws at start-up, naming the route.
   */
  stepFor(
    route: string,
    option: RouteRateLimitOption | undefined,
  ): ((ctx: AnyContext) => Promise<void>) | undefined {
    if (option === undefined) return undefined;
    const limits = this.limitsOf(route, option);
    return (ctx) => this.enforce(this.store, limits, ctx);
  }

  /**
   * @internal What a route's `rateLimit` resolves to, in the order checked: each limit's policy name
   * (as the `RateLimit-Policy` header states it), size, window and whom it counts. For API descriptions.
   */
  describe(route: string, option: RouteRateLimitOption | undefined): RateLimitDescription[] {
    if (option === undefined) return [];
    return this.limitsOf(route, option).map(({ rule, by }) => ({
      name: rule.name,
      limit: rule.limit,
      windowSeconds: rule.windowMs / 1000,
      by: typeof by === 'function' ? 'custom' : by,
    }));
  }

  private limitsOf(route: string, option: RouteRateLimitOption): PreparedLimit[] {
    const list =
      typeof option === 'string' || !Array.isArray(option) ? [option as string | RouteRateLimit] : option;
    if (list.length === 0) throw new ConfigurationError(`${route}: rateLimit lists no limit`);
    const limits = list.map((entry, i) => {
      // An inline limit is its route's own, and apart from the route's other inline limits.
      if (typeof entry !== 'string') return prepare(`${route} rateLimit`, entry, `route:${route}#${i}`);
      const policy = this.policies.get(entry);
      if (policy === undefined)
        throw new ConfigurationError(
          `${route}: no rate-limit policy "${entry}" (presets: auth, ai, sensitive; or declare it in rateLimits({ policies }))`,
        );
      return policy;
    });
    return limits;
  }

  private async enforce(
    store: RateLimitStore,
    limits: readonly PreparedLimit[],
    ctx: AnyContext,
  ): Promise<void> {
    const now = this.env.now();
    const signal = ctx.signal;
    // In the route's order, stopping at the first refusal: a request one limit refuses takes nothing
    // from the others, so a client past its own limit cannot drain a shared (tenant, global) one.
    // Every response states the policies decided (the draft's list form); an error envelope takes
    // these pending headers too.
    const headers: Record<string, string> = {};
    let refused: { decision: Decision; limit: PreparedLimit } | undefined;
    for (const limit of limits) {
      const key = `${part(this.env.service)}#${limit.scope}#${keyValue(limit.by, ctx)}`;
      const decision = await store.consume(key, limit.rule, {
        now,
        signal,
      });
      if (decision.outcome === 'store_error' || decision.outcome === 'timeout')
        this.storeFailed(ctx, decision, limit);
      for (const [name, value] of Object.entries(rateLimitHeaders(decision))) {
        if (name === 'retry-after') continue;
        const previous = headers[name];
        headers[name] = previous === undefined ? value : `${previous}, ${value}`;
      }
      if (!admits(decision, limit.rule)) {
        refused = { decision, limit };
        break;
      }
    }
    for (const name in headers) ctx.header(name, headers[name] as string);
    if (refused === undefined) return;
    const { decision } = refused;
    ctx.annotate('rate_limit', decision.policy);
    if (decision.outcome !== 'limited')
      throw new ServiceUnavailableError('Rate limit unavailable', { headers: { 'retry-after': '1' } });
    this.env.metrics?.addMetric('rate_limited', 'Count', 1);
    if (decision.policy === 'sensitive') this.auditLimited(ctx, decision);
    throw new TooManyRequestsError(decision.retryAfterSeconds);
  }

  private storeFailed(ctx: AnyContext, decision: Decision, limit: PreparedLimit): void {
    const fail = limit.rule.onStoreError;
    this.env.metrics?.addMetric('rate_limit_store_errors', 'Count', 1);
    // Logging never changes the answer: without a logger the failure is only counted.
    if (ctx.hasLogger)
      ctx.log.warn(
        `Rate-limit store ${decision.outcome === 'timeout' ? 'timed out' : 'failed'}; failing ${fail}`,
        {
          policy: decision.policy,
          outcome: decision.outcome,
          fail,
          error: errorMessage(decision.error),
        },
      );
  }

  private auditLimited(ctx: AnyContext, decision: Decision): void {
    this.sink ??= this.env.audit ?? auditLogSink();
    this.sink({
      type: 'audit',
      time: new Date(this.env.now()).toISOString(),
      requestId: ctx.requestId,
      service: ctx.service,
      userId: ctx.principal?.userId,
      tenantId: ctx.principal?.tenantId,
      authMethod: ctx.principal?.authMethod,
      action: `${ctx.method} ${ctx.route ?? ctx.path}`,
      resource: ctx.route ?? ctx.path,
      outcome: 'deny',
      reason: `rate limit ${decision.policy} exceeded (${decision.limit} per ${decision.windowSeconds} s)`,
    });
  }
}
