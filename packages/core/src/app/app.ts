import { detectHttpAdapter } from '../adapters/detect.js';
import type { HttpAdapter, PathOptions, RawEvent } from '../adapters/types.js';
import { Context, type ContextRuntime, type RequestInput } from '../context/context.js';
import type { LambdaContext } from '../context/lambda.js';
import { guardedErrorHook, logUnhandledError } from '../context/report-error.js';
import type { LiftResponse } from '../context/response.js';
import { StreamingResponse } from '../context/stream.js';
import {
  ConfigurationError,
  InternalServerError,
  InvalidEventError,
  MethodNotAllowedError,
  NotFoundError,
} from '../errors/errors.js';
import type { RecordEngine } from '../events/feature.js';
import type { RecordHost } from '../events/methods.js';
import type { ScheduleInfo } from '../events/schedule.js';
import type { IdempotencyEngine } from '../idempotency/routes.js';
import {
  compose,
  corsDeclarationOf,
  type DefaultProtection,
  type Middleware,
  protectionOf,
  type Step,
} from '../middleware/compose.js';
import { observeRequests, type RequestObservability } from '../observability/pipeline.js';
import type { RateLimiter } from '../ratelimit/limits.js';
import { withRequestScope } from '../resilience/scope.js';
import { Router } from '../router/router.js';
import type { TestRequestInit, TestResponse } from '../testing/request.js';
import type { AppDescription, OpenApiDocument, OpenApiOptions } from './describe.js';
import { Group, type RouteOptions } from './group.js';
import { type AppManifest, routeManifest } from './manifest.js';
import { type AppOptions, checkAppOptions, defaultProtections } from './options.js';
import { installRecordMethods } from './record-methods.js';
import { RouteChain } from './route-step.js';
import { RouteTable } from './route-table.js';
import { bufferStreamed } from './streaming.js';

export { Group, type Handler, type InputOf, type RouteOptions } from './group.js';

const TEST_KIT = '@lift/core/testing';
const OPENAPI = '@lift/core/openapi';

const UNOBSERVED: RequestObservability = {
  logger: undefined,
  metrics: undefined,
  hooks: undefined,
};

interface CompiledRoute {
  readonly run: Step;
}

/** The record methods ({@link RecordHost}), put on every app by its constructor. */
export interface App<S extends object = Record<string, unknown>> extends RecordHost<S> {}

/**
 * A Lift application: register routes, record handlers and schedules, then export `app.handler` to
 * Lambda. One handler serves HTTP requests and every event source registered.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor installs RecordHost's methods
export class App<S extends object = Record<string, unknown>> extends Group<S> {
  private readonly table: RouteTable;
  private readonly router = new Router<CompiledRoute>();
  private readonly runtime: ContextRuntime;
  private readonly paths: PathOptions;
  private readonly accessControl: AppOptions['access'];
  private readonly defaults = new Set<DefaultProtection>();
  private fallback: Step | undefined;
  // The features an app is given as option values: absent, their code is not in the bundle either.
  private readonly records: RecordEngine | undefined;
  private readonly rateLimiter: RateLimiter | undefined;
  private readonly idempotency: IdempotencyEngine | undefined;

  /**
   * @internal Use {@link createApp}. `observe` builds the app's observability; without it the app
   * observes nothing and carries none of that code (`createApp` from `@lift/core/lean`).
   */
  constructor(options: AppOptions, observe?: typeof observeRequests) {
    const checked = checkAppOptions(options);
    const table = new RouteTable(options.access);
    super(table, '', []);
    this.table = table;
    // Each refuses without records() or once the app is frozen.
    installRecordMethods<S>(this, (action, method) => this.recordsFor(action, method));
    table.features = {
      rateLimits: options.rateLimits,
      idempotency: options.idempotency,
      registersRecords: () => this.records?.hasRegistrations() ?? false,
    };
    this.accessControl = options.access;
    this.paths = { basePaths: checked.basePaths, stripStage: checked.stripStage };
    const onError = options.onError ?? logUnhandledError;
    const observed = observe?.(checked.service, options, options.now ?? Date.now) ?? UNOBSERVED;
    // Outermost first: observability wraps everything else and sees every final status; the
    // request id and security headers then reach every answer, 404s and errors included.
    for (const hooks of [observed.hooks, ...defaultProtections(options)]) {
      if (hooks === undefined) continue;
      this.middleware.push(hooks);
      this.builtIn.add(hooks);
      const name = protectionOf(hooks);
      if (name !== undefined) this.defaults.add(name);
    }
    const now = options.now ?? Date.now;
    const generateId = options.generateId ?? (() => globalThis.crypto.randomUUID());
    this.rateLimiter = options.rateLimits?.forApp({
      service: checked.service,
      now,
      metrics: observed.metrics,
      audit: options.access?.audit,
    });
    this.idempotency = options.idempotency?.forApp(checked.service, now);
    this.records = options.records?.forApp({
      service: checked.service,
      deadlineMarginMs: checked.deadlineMarginMs,
      generateId,
      now,
      logger: observed.logger,
      metrics: observed.metrics,
      idempotency: this.idempotency,
      factory: 'createApp',
    });
    this.runtime = {
      service: checked.service,
      bodyLimit: checked.bodyLimit,
      deadlineMarginMs: checked.deadlineMarginMs,
      generateId,
      now,
      logger: observed.logger,
      reportError: guardedErrorHook(onError, checked.service),
    };
  }

  /** The declared schedules, for `lift dev` and deployment. */
  schedules(): ScheduleInfo[] {
    return this.records?.schedules() ?? [];
  }

  private recordsFor(action: string, method: string): RecordEngine {
    this.table.assertOpen(action);
    if (this.records === undefined)
      throw new ConfigurationError(
        `app.${method}() needs the record engine: createApp({ records: records() }) with records from '@lift/core/events'`,
      );
    return this.records;
  }

  /**
   * Adds global middleware. The request id and security headers are on by default; adding them
   * again here is refused, since the app's own would still run: configure them in `createApp`.
   */
  override use(...middleware: Middleware<S>[]): this {
    for (const fn of middleware) {
      const name = protectionOf(fn);
      if (name !== undefined && this.defaults.has(name)) {
        throw new ConfigurationError(
          `use(${name}()): every app has ${name} on by default; configure it with createApp({ ${name}: {...} }), or turn the default off with createApp({ ${name}: false })`,
        );
      }
    }
    return super.use(...middleware);
  }

  /**
   * What the app declares for a deployment: routes with their access and CORS, record registrations,
   * EventBridge patterns and schedules. `@lift/cdk` builds the stack from it.
   */
  manifest(): AppManifest {
    const hasAccess = this.accessControl !== undefined;
    const app = this.middleware.map(corsDeclarationOf).filter((c) => c !== undefined);
    return {
      service: this.runtime.service,
      routes: this.table.definitions.map((def) => routeManifest(def, hasAccess)),
      cors: app.at(-1),
      ...(this.records?.manifest() ?? { records: [], eventBridge: [], schedules: [] }),
    };
  }

  /** @internal What `@lift/core/openapi` reads: the routes as registered and what the app resolved for them. */
  describe(): AppDescription {
    return {
      service: this.runtime.service,
      bodyLimit: this.runtime.bodyLimit,
      access: this.accessControl,
      routes: this.table.definitions,
      rateLimits: (route, option) =>
        option === undefined ? [] : this.limiterFor(route).describe(route, option),
    };
  }

  /**
   * The app's OpenAPI 3.1 document, built from its routes (`@lift/core/openapi`). The generator is
   * loaded by name at run time, so deployed bundles leave it out.
   */
  async openapi(options: OpenApiOptions = {}): Promise<OpenApiDocument> {
    const generator: string = OPENAPI;
    const { openApiDocument } = (await import(generator)) as {
      openApiDocument(app: App<object>, options: OpenApiOptions): OpenApiDocument;
    };
    return openApiDocument(this as unknown as App<object>, options);
  }

  /** The registered routes (method and pattern), in registration order. */
  routes(): { method: string; pattern: string }[] {
    return this.table.definitions.map(({ method, pattern }) => ({ method, pattern }));
  }

  /**
   * Builds the route table and checks every route's configuration, then freezes the app; each route's
   * middleware chain is composed on its first request. Runs on the first request by itself; call it
   * at module load to surface configuration errors at cold start.
   */
  compile(): this {
    if (this.table.isFrozen) return this;
    for (const def of this.table.definitions) {
      const route = `${def.method} ${def.pattern}`;
      // The guards resolve now, so a misconfigured rate limit or idempotency still fails at compile;
      // the chain itself is composed on the route's first request (RouteChain).
      const guards = {
        rateLimit: this.rateLimitStep(route, def.options.rateLimit),
        idempotent: this.idempotentWrapper(route, def.options.idempotency),
      };
      this.router.add(def.method, def.pattern, new RouteChain(def, guards));
    }
    this.router.compile();
    this.fallback = compose(this.middleware, (ctx) => {
      throw ctx.error;
    });
    this.table.freeze();
    return this;
  }

  private rateLimitStep(route: string, option: RouteOptions<object>['rateLimit']) {
    return option === undefined ? undefined : this.limiterFor(route).stepFor(route, option);
  }

  // Compiling and describing the app (OpenAPI) refuse a limit without a limiter alike.
  private limiterFor(route: string): RateLimiter {
    if (this.rateLimiter === undefined)
      throw new ConfigurationError(
        `${route} declares a rateLimit but the app has no rate limits: createApp({ rateLimits: rateLimits({ store }) }) with rateLimits from '@lift/core/ratelimit'`,
      );
    return this.rateLimiter;
  }

  private idempotentWrapper(route: string, option: RouteOptions<object>['idempotency']) {
    if (option === undefined) return undefined;
    if (this.idempotency === undefined)
      throw new ConfigurationError(
        `${route} declares idempotency but the app has none: createApp({ idempotency: idempotency({ store }) }) with idempotency from '@lift/core/idempotency'`,
      );
    return this.idempotency.routeWrapper(route, option);
  }

  /**
   * @internal The request's context and the step that answers it (the matched route's chain, or the
   * global middleware around a 404/405), for `app.handler` and `streamify(app)`.
   */
  prepareHttp(
    adapter: HttpAdapter,
    raw: RawEvent,
    lambdaContext: LambdaContext | undefined,
  ): { ctx: Context<RequestInput, object>; run: Step } {
    if (!this.table.isFrozen) this.compile();
    const method = adapter.method(raw);
    const ctx = new Context(raw, lambdaContext, adapter, this.runtime, method, adapter.path(raw, this.paths));
    let run = this.fallback as Step;
    try {
      const match = this.router.match(method, ctx.path, adapter.pathEncoded(raw));
      if (match.found) {
        ctx.route = match.route.pattern;
        ctx.setInput('params', match.params);
        run = match.route.value.run;
      } else {
        ctx.error = match.allow === undefined ? new NotFoundError() : new MethodNotAllowedError(match.allow);
      }
    } catch (error) {
      ctx.error = error;
    }
    return { ctx: ctx as unknown as Context<RequestInput, object>, run };
  }

  /** The Lambda entry point: `export const handler = app.handler`. */
  readonly handler = async (event: unknown, lambdaContext?: LambdaContext): Promise<unknown> => {
    const adapter = detectHttpAdapter(event);
    if (adapter === undefined) {
      if (!this.table.isFrozen) this.compile();
      if (this.records === undefined) throw new InvalidEventError(unservedEvent(event));
      return this.records.dispatch(event, lambdaContext);
    }
    const raw = event as RawEvent;
    const { ctx, run } = this.prepareHttp(adapter, raw, lambdaContext);
    const method = ctx.method;
    try {
      // Outbound calls made while serving it (Lift's DynamoDB client, resilience policies) find the
      // request's deadline and signal through the scope, and bound their retries by them.
      const pending = withRequestScope(ctx, () => run(ctx));
      if (pending !== undefined) await pending;
      // Outside a streaming handler, a streamed body is collected into a buffered answer here.
      if (ctx.res instanceof StreamingResponse) await withRequestScope(ctx, () => bufferStreamed(ctx));
    } finally {
      ctx.dispose();
    }
    if (ctx.res === undefined)
      ctx.fail(new InternalServerError({ cause: new Error('No response was produced') }));
    try {
      return adapter.toResult(ctx.res as LiftResponse, ctx.responseCookies, raw, method);
    } catch (error) {
      ctx.fail(error);
      return adapter.toResult(ctx.res as LiftResponse, [], raw, method);
    }
  };

  /**
   * Sends a request through the real adapter path, as Lambda would (HTTP API v2 event by default).
   * For tests: `await app.request('/items?limit=2')`, `await app.request('/items', { method: 'POST', json: {...} })`.
   */
  async request(input: string | TestRequestInit, init?: TestRequestInit): Promise<TestResponse> {
    // Loaded by name at run time, so bundlers leave the test kit out of deployed handlers.
    const testKit: string = TEST_KIT;
    const { requestThrough } = (await import(testKit)) as typeof import('../testing/request.js');
    return requestThrough(this.handler, input, init);
  }
}

// Why an app without the record engine cannot serve an event: records() is named only for an event
// that looks like records (a Records batch, an EventBridge event), not for a WebSocket or an edge event.
function unservedEvent(event: unknown): string {
  const keys = event !== null && typeof event === 'object' ? Object.keys(event) : [];
  const e = event as { Records?: unknown; 'detail-type'?: unknown };
  const records =
    (Array.isArray(e?.Records) &&
      e.Records.some(
        (r) => r !== null && typeof r === 'object' && ('eventSource' in r || 'EventSource' in r),
      )) ||
    typeof e?.['detail-type'] === 'string';
  return records
    ? 'Unsupported event: records, and this app consumes none (createApp({ records: records() }) registers them)'
    : `Unsupported event: not an HTTP request nor records (${event === null || typeof event !== 'object' ? typeof event : `an object with keys ${keys.slice(0, 8).join(', ')}`})`;
}

/**
 * Creates an app. `S` types the per-request state (`ctx.state`) that middleware fills. With no
 * options it already answers with a request id, security headers and a 1 MiB body limit, logs each
 * request and writes metrics; every one of those is an option, to configure or to turn off. Turned
 * off, observability's code stays in the bundle; `createApp` from `@lift/core/lean` leaves it out.
 */
export function createApp<S extends object = Record<string, unknown>>(options: AppOptions = {}): App<S> {
  return new App<S>(options, observeRequests);
}
