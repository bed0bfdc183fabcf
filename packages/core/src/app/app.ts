import { detectHttpAdapter } from '../adapters/detect.js';
import type { PathOptions, RawEvent } from '../adapters/types.js';
import { Context, type ContextRuntime, type RequestInput } from '../context/context.js';
import type { LambdaContext } from '../context/lambda.js';
import type { LiftResponse } from '../context/response.js';
import {
  ConfigurationError,
  InternalServerError,
  InvalidEventError,
  MethodNotAllowedError,
  NotFoundError,
} from '../errors/errors.js';
import {
  compose,
  type DefaultProtection,
  isMiddleware,
  type Middleware,
  protectionOf,
  type Step,
} from '../middleware/compose.js';
import { observeRequests } from '../observability/pipeline.js';
import { joinPaths, type ParamsOf, parsePattern, patternShape } from '../router/pattern.js';
import { ANY_METHOD, Router } from '../router/router.js';
import type { Infer } from '../schema/validate.js';
import type { TestRequestInit, TestResponse } from '../testing/request.js';
import type { AccessControl, AccessSteps, RouteAuth } from './access.js';
import { type AppOptions, checkAppOptions, defaultProtections, logUnhandledError } from './options.js';
import { type RouteSchemas, routeStep } from './route-step.js';

/** Options of one route: Standard Schemas for its input and responses, and route-only middleware. */
export interface RouteOptions<S extends object = Record<string, unknown>> extends RouteSchemas {
  /**
   * Who may call the route: `'public'`, or the roles, scopes or permissions it needs. Required on
   * every route once the app has access control; the app refuses to start otherwise.
   */
  readonly auth?: RouteAuth;
  /** Middleware that runs for this route only, after global and group middleware. */
  readonly middleware?: readonly Middleware<S>[];
}

/** The typed input of a route: schema outputs where declared, else path params from the literal and strings. */
export type InputOf<P extends string, O> = {
  params: O extends { params: infer X } ? Infer<X, ParamsOf<P>> : ParamsOf<P>;
  query: O extends { query: infer X } ? Infer<X, Record<string, string>> : Record<string, string>;
  headers: O extends { headers: infer X } ? Infer<X, Record<string, string>> : Record<string, string>;
  body: O extends { body: infer X } ? Infer<X, unknown> : unknown;
};

/** A route handler: return a response (`ctx.json(...)`), a plain value (200 JSON) or nothing (204). */
export type Handler<I extends RequestInput, S extends object> = (ctx: Context<I, S>) => unknown;

interface RouteDefinition {
  readonly method: string;
  readonly pattern: string;
  readonly options: RouteOptions<object>;
  readonly handler: Handler<RequestInput, object>;
  /** The groups the route was registered through, outermost (the app) first. */
  readonly groups: readonly Group<object>[];
  /** The access-control steps prepared for the route's `auth` declaration. */
  readonly access?: AccessSteps;
}

interface Registry {
  readonly definitions: RouteDefinition[];
  assertOpen(what: string): void;
  add(definition: RouteDefinition): void;
}

const ROUTE_OPTION_KEYS = new Set(['params', 'query', 'headers', 'body', 'responses', 'middleware', 'auth']);

function checkRouteOptions(method: string, pattern: string, options: unknown): RouteOptions<object> {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError(`${method} ${pattern}: route options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!ROUTE_OPTION_KEYS.has(key))
      throw new ConfigurationError(`${method} ${pattern}: unknown route option "${key}"`);
  }
  const middleware = (options as RouteOptions<object>).middleware;
  if (middleware !== undefined && (!Array.isArray(middleware) || !middleware.every(isMiddleware))) {
    throw new ConfigurationError(`${method} ${pattern}: "middleware" must be a list of middleware`);
  }
  return options as RouteOptions<object>;
}

type RouteMethod<S extends object, Self> = {
  <P extends string, O extends RouteOptions<S>>(
    path: P,
    options: O,
    handler: Handler<InputOf<P, O>, S>,
  ): Self;
  <P extends string>(path: P, handler: Handler<InputOf<P, object>, S>): Self;
};

/**
 * A set of routes under a path prefix with its own middleware. The app is the root group; its
 * middleware is global and also runs for 404, 405 and malformed requests.
 */
export class Group<S extends object = Record<string, unknown>> {
  /** Registers a GET route (also answers HEAD). */
  readonly get: RouteMethod<S, this> = this.method('GET');
  /** Registers a POST route. */
  readonly post: RouteMethod<S, this> = this.method('POST');
  /** Registers a PUT route. */
  readonly put: RouteMethod<S, this> = this.method('PUT');
  /** Registers a PATCH route. */
  readonly patch: RouteMethod<S, this> = this.method('PATCH');
  /** Registers a DELETE route. */
  readonly delete: RouteMethod<S, this> = this.method('DELETE');
  /** Registers a HEAD route (GET routes answer HEAD already). */
  readonly head: RouteMethod<S, this> = this.method('HEAD');
  /** Registers an OPTIONS route (CORS preflights are answered by the CORS middleware). */
  readonly options: RouteMethod<S, this> = this.method('OPTIONS');
  /** Registers a route for every method. */
  readonly all: RouteMethod<S, this> = this.method(ANY_METHOD);

  /** @internal */
  protected readonly registry: Registry;
  /** @internal */
  readonly middleware: Middleware<object>[] = [];
  /**
   * @internal The app's own defaults (observability, request id, security headers); not carried
   * over when the app is mounted in another, which has its own.
   */
  protected readonly builtIn = new Set<Middleware<object>>();
  private readonly prefix: string;
  private readonly lineage: readonly Group<object>[];

  /** @internal Use `createApp` and `group()`. */
  constructor(registry: Registry | undefined, prefix: string, parents: readonly Group<object>[]) {
    this.registry = registry ?? (this as unknown as Registry);
    this.prefix = prefix;
    this.lineage = [...parents, this as unknown as Group<object>];
  }

  /** Adds middleware for every route of this group (wherever in the code the routes are registered). */
  use(...middleware: Middleware<S>[]): this {
    this.registry.assertOpen('add middleware');
    for (const fn of middleware) {
      if (!isMiddleware(fn)) {
        throw new ConfigurationError(
          'use() takes middleware: a function or an object with before/after hooks',
        );
      }
      this.middleware.push(fn as Middleware<object>);
    }
    return this;
  }

  /** A sub-group under `prefix` with its own middleware; `build` registers its routes. */
  group(prefix: string, build?: (group: Group<S>) => void): Group<S> {
    this.registry.assertOpen('add a group');
    const group = new Group<S>(this.registry, joinPaths(this.prefix, prefix), this.lineage);
    build?.(group);
    return group;
  }

  /** Mounts every route of another app under `prefix`; that app's global middleware becomes group middleware. */
  route(prefix: string, app: Group<S>): this {
    this.registry.assertOpen('mount an app');
    const mount = new Group<S>(this.registry, joinPaths(this.prefix, prefix), this.lineage);
    // A mounted app's requests are already logged and measured by this app.
    mount.middleware.push(...app.middleware.filter((fn) => !app.builtIn.has(fn)));
    for (const def of app.registry.definitions) {
      this.registry.add({
        ...def,
        pattern: joinPaths(mount.prefix, def.pattern),
        groups: [...mount.lineage, ...def.groups.slice(1)],
      });
    }
    return this;
  }

  private method(method: string): RouteMethod<S, this> {
    return ((path: string, optionsOrHandler: unknown, maybeHandler?: unknown) => {
      const pattern = joinPaths(this.prefix, path);
      this.registry.assertOpen(`register ${method} ${pattern}`);
      const handler = maybeHandler ?? optionsOrHandler;
      if (typeof handler !== 'function')
        throw new ConfigurationError(`${method} ${pattern}: handler must be a function`);
      const options = maybeHandler === undefined ? {} : checkRouteOptions(method, pattern, optionsOrHandler);
      this.registry.add({
        method,
        pattern,
        options,
        handler: handler as Handler<RequestInput, object>,
        groups: this.lineage,
      });
      return this;
    }) as RouteMethod<S, this>;
  }
}

const TEST_KIT = '@lift/core/testing';
const VALIDATED_PARTS = ['params', 'query', 'headers', 'body'] as const;

interface CompiledRoute {
  readonly run: Step;
}

/** A Lift application: register routes and middleware, then export `app.handler` to Lambda. */
export class App<S extends object = Record<string, unknown>> extends Group<S> {
  /** @internal */
  readonly definitions: RouteDefinition[] = [];
  private readonly shapes = new Set<string>();
  private readonly router = new Router<CompiledRoute>();
  private readonly accessControl: AccessControl | undefined;
  private readonly runtime: ContextRuntime;
  private readonly paths: PathOptions;
  private readonly defaults = new Set<DefaultProtection>();
  private fallback: Step | undefined;
  private compiled = false;

  /** @internal Use {@link createApp}. */
  constructor(options: AppOptions) {
    super(undefined, '', []);
    const checked = checkAppOptions(options);
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

  /** @internal */
  assertOpen(what: string): void {
    if (this.compiled) {
      throw new ConfigurationError(
        `Cannot ${what}: the app is frozen once it has handled a request or been compiled`,
      );
    }
  }

  /**
   * @internal Checks the pattern and refuses a duplicate as the route is registered, so a mistake
   * fails at module load (cold start), not on some later request.
   */
  add(definition: RouteDefinition): void {
    const key = `${definition.method} ${patternShape(parsePattern(definition.pattern))}`;
    if (this.shapes.has(key)) {
      throw new ConfigurationError(
        `Duplicate route: ${definition.method} ${definition.pattern} is already registered`,
      );
    }
    this.shapes.add(key);
    const { method, pattern } = definition;
    const declared = definition.options.auth;
    let access: AccessSteps = {};
    if (this.accessControl !== undefined) {
      if (declared === undefined) {
        throw new ConfigurationError(
          `${method} ${pattern} declares no "auth": once an app has access control, every route says who may call it (auth: 'public' for anyone)`,
        );
      }
      const { options } = definition;
      const validates = VALIDATED_PARTS.filter((part) => options[part] !== undefined);
      access = this.accessControl.prepare({ method, pattern, validates }, declared);
    } else if (declared !== undefined) {
      throw new ConfigurationError(
        `${method} ${pattern} declares "auth" but the app has no access control (createApp({ access }))`,
      );
    }
    this.definitions.push({ ...definition, access });
  }

  /** The registered routes (method and pattern), in registration order. */
  routes(): { method: string; pattern: string }[] {
    return this.definitions.map(({ method, pattern }) => ({ method, pattern }));
  }

  /**
   * Builds the route table and every route's middleware chain, then freezes the app. Runs on the
   * first request by itself; call it at module load to surface configuration errors at cold start.
   */
  compile(): this {
    if (this.compiled) return this;
    for (const def of this.definitions) {
      const chain: Middleware<object>[] = [];
      for (const group of def.groups) chain.push(...group.middleware);
      if (def.options.middleware !== undefined) chain.push(...def.options.middleware);
      this.router.add(def.method, def.pattern, {
        run: compose(chain, routeStep(def.options, def.handler, def.access)),
      });
    }
    this.router.compile();
    this.fallback = compose(this.middleware, (ctx) => {
      throw ctx.error;
    });
    this.compiled = true;
    return this;
  }

  /** The Lambda entry point: `export const handler = app.handler`. */
  readonly handler = async (event: unknown, lambdaContext?: LambdaContext): Promise<unknown> => {
    const adapter = detectHttpAdapter(event);
    if (adapter === undefined) {
      throw new InvalidEventError(
        'Unsupported event: not an API Gateway REST/HTTP API, Function URL or ALB request',
      );
    }
    if (!this.compiled) this.compile();
    const raw = event as RawEvent;
    const method = adapter.method(raw);
    const ctx = new Context(raw, lambdaContext, adapter, this.runtime, method, adapter.path(raw, this.paths));
    const anyCtx = ctx as unknown as Context<RequestInput, object>;
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
    try {
      const pending = run(anyCtx);
      if (pending !== undefined) await pending;
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
