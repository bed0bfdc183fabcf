import { detectHttpAdapter } from '../adapters/detect.js';
import type { HttpAdapter, PathOptions, RawEvent } from '../adapters/types.js';
import { Context, type ContextRuntime, type RequestInput } from '../context/context.js';
import type { LambdaContext } from '../context/lambda.js';
import { logUnhandledError } from '../context/report-error.js';
import type { LiftResponse } from '../context/response.js';
import { StreamingResponse } from '../context/stream.js';
import {
  ConfigurationError,
  InternalServerError,
  MethodNotAllowedError,
  NotFoundError,
} from '../errors/errors.js';
import type { DispatcherRuntime, EventDispatcher } from '../events/dispatcher.js';
import type {
  DynamoDBStreamMethod,
  EventBridgeMethod,
  KinesisMethod,
  S3Method,
  ScheduleContext,
  ScheduleHandler,
  ScheduleMethod,
  SnsMethod,
  SqsMethod,
} from '../events/methods.js';
import {
  type EventBridgePattern,
  EventRegistry,
  type RecordIdempotency,
  type RecordMiddleware,
} from '../events/registry.js';
import type { ScheduleDeclaration, ScheduleInfo } from '../events/schedule.js';
import type { RecordContext, RecordSource, ScheduleFiring, SqsMessage } from '../events/types.js';
import {
  compose,
  corsDeclarationOf,
  type DefaultProtection,
  type Middleware,
  protectionOf,
  type Step,
} from '../middleware/compose.js';
import { observeRequests } from '../observability/pipeline.js';
import { withRequestScope } from '../resilience/scope.js';
import { Router } from '../router/router.js';
import type { TestRequestInit, TestResponse } from '../testing/request.js';
import type { AppDescription, OpenApiDocument, OpenApiOptions } from './describe.js';
import { Group } from './group.js';
import { Idempotency } from './idempotent.js';
import { type AppManifest, type RecordManifest, recordManifest, routeManifest } from './manifest.js';
import { type AppOptions, checkAppOptions, defaultProtections } from './options.js';
import { RateLimiter } from './rate-limit.js';
import { routeStep } from './route-step.js';
import { RouteTable } from './route-table.js';
import { bufferStreamed } from './streaming.js';

export { Group, type Handler, type InputOf, type RouteOptions } from './group.js';

const TEST_KIT = '@lift/core/testing';
const OPENAPI = '@lift/core/openapi';

interface CompiledRoute {
  readonly run: Step;
}

/**
 * A Lift application: register routes, record handlers and schedules, then export `app.handler` to
 * Lambda. One handler serves HTTP requests and every event source registered.
 */
export class App<S extends object = Record<string, unknown>> extends Group<S> {
  private readonly table: RouteTable;
  private readonly router = new Router<CompiledRoute>();
  private readonly runtime: ContextRuntime;
  private readonly paths: PathOptions;
  private readonly accessControl: AppOptions['access'];
  private readonly defaults = new Set<DefaultProtection>();
  private fallback: Step | undefined;
  /** @internal The app's queues, topics, buckets, buses, schedules and streams. */
  readonly events = new EventRegistry();
  private readonly recordRuntime: DispatcherRuntime;
  private readonly rateLimiter: RateLimiter;
  private readonly idempotency: Idempotency;
  private dispatcher: Promise<EventDispatcher> | undefined;

  /** Consumes an SQS queue (by name or glob); answers with the failed messages only. */
  readonly sqs: SqsMethod<S, this> = ((queue: string, a: unknown, b?: unknown) =>
    this.register('sqs', 'sqs', queue, a, b)) as SqsMethod<S, this>;
  /** Consumes an SNS topic, delivered to the function or through a subscribed queue. */
  readonly sns: SnsMethod<S, this> = ((topic: string, a: unknown, b?: unknown) =>
    this.register('sns', 'sns', topic, a, b)) as SnsMethod<S, this>;
  /** Consumes a bucket's object events, from notifications (direct, SQS, SNS) or EventBridge. */
  readonly s3: S3Method<S, this> = ((bucket: string, a: unknown, b?: unknown) =>
    this.register('s3', 's3', bucket, a, b)) as S3Method<S, this>;
  /** Consumes DynamoDB Streams changes of a table, images unmarshalled. */
  readonly dynamodbStream: DynamoDBStreamMethod<S, this> = ((table: string, a: unknown, b?: unknown) =>
    this.register('dynamodb', 'dynamodbStream', table, a, b)) as DynamoDBStreamMethod<S, this>;
  /** Consumes a Kinesis stream, data decoded. */
  readonly kinesis: KinesisMethod<S, this> = ((stream: string, a: unknown, b?: unknown) =>
    this.register('kinesis', 'kinesis', stream, a, b)) as KinesisMethod<S, this>;
  /** Consumes EventBridge events matching a pattern of source and detail type. */
  readonly eventBridge: EventBridgeMethod<S, this> = ((
    pattern: EventBridgePattern,
    a: unknown,
    b?: unknown,
  ) => {
    this.table.assertOpen('register an EventBridge handler');
    this.events.addEventBridge(pattern, b === undefined ? {} : a, b ?? a);
    return this;
  }) as EventBridgeMethod<S, this>;
  /**
   * Declares a schedule and its handler. The declaration is the only description of it: `lift dev`
   * runs it on its clock, deployment creates it from `app.schedules()`.
   */
  readonly schedule: ScheduleMethod<S, this> = ((
    name: string,
    declaration: ScheduleDeclaration,
    a: unknown,
    b?: unknown,
  ) => {
    this.table.assertOpen(`declare schedule ${name}`);
    const handler = (b ?? a) as ScheduleHandler<S>;
    const run =
      typeof handler === 'function'
        ? (firing: ScheduleFiring, ctx: ScheduleContext<S>) => {
            (ctx as { schedule?: ScheduleFiring }).schedule = firing;
            return handler(ctx);
          }
        : handler;
    this.events.addSchedule(name, declaration, run, b === undefined ? {} : a);
    return this;
  }) as ScheduleMethod<S, this>;

  /** @internal Use {@link createApp}. */
  constructor(options: AppOptions) {
    const checked = checkAppOptions(options);
    const table = new RouteTable(options.access);
    super(table, '', []);
    this.table = table;
    this.accessControl = options.access;
    this.paths = { basePaths: checked.basePaths, stripStage: checked.stripStage };
    const onError = options.onError ?? logUnhandledError;
    const observed = observeRequests(checked.service, options, options.now ?? Date.now);
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
    this.rateLimiter = new RateLimiter(options.rateLimits, now, observed.metrics, options.access?.audit);
    this.idempotency = new Idempotency(options.idempotency, now);
    this.recordRuntime = {
      service: checked.service,
      deadlineMarginMs: checked.deadlineMarginMs,
      generateId: options.generateId ?? (() => globalThis.crypto.randomUUID()),
      now: options.now ?? Date.now,
      logger: observed.logger,
      metrics: observed.metrics,
    };
    this.runtime = {
      service: checked.service,
      bodyLimit: checked.bodyLimit,
      deadlineMarginMs: checked.deadlineMarginMs,
      generateId: options.generateId ?? (() => globalThis.crypto.randomUUID()),
      now: options.now ?? Date.now,
      logger: observed.logger,
      reportError: (error, ctx) => {
        try {
          onError(error, ctx);
        } catch {
          // A failing reporter must not turn a 500 into a crash.
        }
      },
    };
  }

  /** Adds record middleware: it runs around every record's handler, before each registration's own. */
  useRecords(...middleware: RecordMiddleware<S>[]): this {
    this.table.assertOpen('add record middleware');
    for (const fn of middleware) {
      if (typeof fn !== 'function')
        throw new ConfigurationError('useRecords() takes functions (record, ctx, next) => ...');
      this.events.middleware.push(fn as RecordMiddleware<object>);
    }
    return this;
  }

  /** The declared schedules, for `lift dev` and deployment. */
  schedules(): ScheduleInfo[] {
    return this.events.schedules();
  }

  private register(source: RecordSource, what: string, name: string, a: unknown, b: unknown): this {
    this.table.assertOpen(`register ${what}(${JSON.stringify(name)})`);
    let options = (b === undefined ? {} : a) as { idempotency?: RecordIdempotency<SqsMessage<unknown>> };
    let handler = (b ?? a) as (record: SqsMessage<unknown>, ctx: RecordContext) => unknown;
    if (source === 'sqs' && typeof options === 'object' && options?.idempotency !== undefined) {
      const { idempotency, ...rest } = options;
      options = rest;
      if (typeof handler === 'function')
        handler = this.idempotency.recordHandler(`sqs:${name}`, idempotency, (m) => m.body, handler);
    }
    this.events.add(source, name, options, handler, what);
    return this;
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
    const records: RecordManifest[] = [];
    for (const source of ['sqs', 'sns', 's3', 'dynamodb', 'kinesis'] as const)
      for (const r of this.events.list(source)) records.push(recordManifest(r));
    return {
      service: this.runtime.service,
      routes: this.table.definitions.map((def) => routeManifest(def, hasAccess)),
      cors: app.at(-1),
      records,
      eventBridge: this.events
        .list('eventbridge')
        .flatMap((r) => (r.pattern === undefined ? [] : [r.pattern])),
      schedules: this.events.schedules(),
    };
  }

  /** @internal What `@lift/core/openapi` reads: the routes as registered and what the app resolved for them. */
  describe(): AppDescription {
    return {
      service: this.runtime.service,
      bodyLimit: this.runtime.bodyLimit,
      access: this.accessControl,
      routes: this.table.definitions,
      rateLimits: (route, option) => this.rateLimiter.describe(route, option),
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
   * Builds the route table and every route's middleware chain, then freezes the app. Runs on the
   * first request by itself; call it at module load to surface configuration errors at cold start.
   */
  compile(): this {
    if (this.table.isFrozen) return this;
    for (const def of this.table.definitions) {
      const chain: Middleware<object>[] = [];
      for (const group of def.groups) chain.push(...group.middleware);
      if (def.options.middleware !== undefined) chain.push(...def.options.middleware);
      const route = `${def.method} ${def.pattern}`;
      const guards = {
        rateLimit: this.rateLimiter.stepFor(route, def.options.rateLimit),
        idempotent: this.idempotency.routeWrapper(route, def.options.idempotency),
      };
      this.router.add(def.method, def.pattern, {
        run: compose(chain, routeStep(def.options, def.handler, def.access, guards)),
      });
    }
    this.router.compile();
    this.fallback = compose(this.middleware, (ctx) => {
      throw ctx.error;
    });
    this.table.freeze();
    return this;
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
      // The record engine is loaded on the first event that is not HTTP: an HTTP-only function never
      // evaluates it, and a bundle split into chunks keeps it out of the HTTP path altogether.
      this.dispatcher ??= import('../events/dispatcher.js').then(
        ({ EventDispatcher }) => new EventDispatcher(this.events, this.recordRuntime),
      );
      return (await this.dispatcher).dispatch(event, lambdaContext);
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

/**
 * Creates an app. `S` types the per-request state (`ctx.state`) that middleware fills. With no
 * options it already answers with a request id, security headers and a 1 MiB body limit, logs each
 * request and writes metrics; every one of those is an option, to configure or to turn off.
 */
export function createApp<S extends object = Record<string, unknown>>(options: AppOptions = {}): App<S> {
  return new App<S>(options);
}
