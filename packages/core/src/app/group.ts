import type { Context, RequestInput } from '../context/context.js';
import { ConfigurationError } from '../errors/errors.js';
import type { RouteIdempotency } from '../idempotency/routes.js';
import { isMiddleware, type Middleware } from '../middleware/compose.js';
import type { RouteRateLimitOption } from '../ratelimit/limits.js';
import { joinPaths, type ParamsOf } from '../router/pattern.js';
import { ANY_METHOD } from '../router/router.js';
import type { Infer, StandardSchemaV1 } from '../schema/validate.js';
import type { AccessSteps, RouteAuth } from './access.js';
import type { RouteSchemas } from './route-step.js';

/** Options of one route: Standard Schemas for its input and responses, and route-only middleware. */
export interface RouteOptions<S extends object = Record<string, unknown>> extends RouteSchemas {
  /**
   * Who may call the route: `'public'`, or the roles, scopes or permissions it needs. Required on
   * every route once the app has access control; the app refuses to start otherwise.
   */
  readonly auth?: RouteAuth;
  /** Middleware that runs for this route only, after global and group middleware. */
  readonly middleware?: readonly Middleware<S>[];
  /**
   * Rate limits checked after authentication: a named policy (`'auth'`, `'ai'`, `'sensitive'`, or
   * one of `rateLimits({ policies })`), `{ limit, window, by }`, or several.
   */
  readonly rateLimit?: RouteRateLimitOption;
  /**
   * Run once per idempotency key (the `Idempotency-Key` header by default): a repeat replays the
   * stored response, one in flight gets a 409, another payload under the same key a 422.
   */
  readonly idempotency?: RouteIdempotency | true;
}

/** The typed input of a route: schema outputs where declared, else path params from the literal and strings. */
export type InputOf<P extends string, O> = {
  params: O extends { params: infer X } ? Infer<X, ParamsOf<P>> : ParamsOf<P>;
  query: O extends { query: infer X } ? Infer<X, Record<string, string>> : Record<string, string>;
  headers: O extends { headers: infer X } ? Infer<X, Record<string, string>> : Record<string, string>;
  body: O extends { body: infer X } ? Infer<X, unknown> : unknown;
};

/** Response schemas by route (`METHOD /pattern`) and status, as {@link Group.responseSchemas} gives them. */
export type ResponseSchemaMap = Readonly<Record<string, Readonly<Record<number, StandardSchemaV1 | null>>>>;

/** A route handler: return a response (`ctx.json(...)`), a plain value (200 JSON) or nothing (204). */
export type Handler<I extends RequestInput, S extends object> = (ctx: Context<I, S>) => unknown;

/** @internal A registered route, as the app compiles it. */
export interface RouteDefinition {
  readonly method: string;
  readonly pattern: string;
  readonly options: RouteOptions<object>;
  readonly handler: Handler<RequestInput, object>;
  /** The groups the route was registered through, outermost (the app) first. */
  readonly groups: readonly Group<object>[];
  /** The access-control steps prepared for the route's `auth` declaration. */
  readonly access?: AccessSteps;
}

/** @internal Where groups register their routes: the app. */
export interface Registry {
  readonly definitions: RouteDefinition[];
  assertOpen(what: string): void;
  add(definition: RouteDefinition): void;
  /** Refuses to mount the app owning `sub` when its features would be lost or replaced here. */
  assertMountable(sub: Registry, where: string): void;
}

const ROUTE_OPTION_KEYS = new Set([
  'params',
  'query',
  'headers',
  'body',
  'responses',
  'middleware',
  'auth',
  'rateLimit',
  'idempotency',
]);

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

// RouteSpec and RoutesOf are type aliases, not interfaces: an interface has an implicit `this` type,
// and every property read through the app's intersection would instantiate each route's spec again
// (quadratic in the number of routes).

/**
 * What the type of an app records about one route, for clients built from `typeof app`: its options
 * (schemas) and what its handler returns. Phantom: only types carry it; nothing exists at run time.
 */
export type RouteSpec<O = unknown, R = unknown> = {
  readonly options: O;
  readonly returns: R;
};

/**
 * The routes an app's type has accumulated, keyed `METHOD /pattern`. Route methods return
 * `this & RoutesOf<...>`, so a chain of registrations (`createApp().get(...).post(...)`) builds the
 * table a typed client reads; a registration used as a statement still compiles but adds nothing
 * to the type. The property is never set at run time.
 */
export type RoutesOf<R> = {
  /** Phantom, types only: reading it at run time gives `undefined`. */
  readonly '~routes': R;
};

/** The route table in an app's type (`{}` for an app registered statement by statement). */
export type RoutesIn<A> = A extends RoutesOf<infer R> ? R : Record<never, never>;

/** Joins a mount prefix and a pattern at the type level, as `joinPaths` does at run time. */
export type JoinPaths<Prefix extends string, Path extends string> = Prefix extends '' | '/'
  ? Path
  : Prefix extends `${infer Left}/`
    ? JoinPaths<Left, Path>
    : Path extends '/'
      ? Prefix
      : `${Prefix}${Path}`;

type Prefixed<Prefix extends string, R> = {
  [K in keyof R as K extends `${infer M} ${infer Path}` ? `${M} ${JoinPaths<Prefix, Path>}` : never]: R[K];
};

type RouteMethod<S extends object, Self, M extends string> = {
  <P extends string, O extends RouteOptions<S>, R>(
    path: P,
    options: O,
    handler: (ctx: Context<InputOf<P, O>, S>) => R,
  ): Self & RoutesOf<Record<`${M} ${P}`, RouteSpec<O, R>>>;
  <P extends string, R>(
    path: P,
    handler: (ctx: Context<InputOf<P, object>, S>) => R,
  ): Self & RoutesOf<Record<`${M} ${P}`, RouteSpec<object, R>>>;
};

/**
 * A set of routes under a path prefix with its own middleware. The app is the root group; its
 * middleware is global and also runs for 404, 405 and malformed requests.
 */
export class Group<S extends object = Record<string, unknown>> {
  /** Registers a GET route (also answers HEAD). */
  readonly get: RouteMethod<S, this, 'GET'> = this.method('GET');
  /** Registers a POST route. */
  readonly post: RouteMethod<S, this, 'POST'> = this.method('POST');
  /** Registers a PUT route. */
  readonly put: RouteMethod<S, this, 'PUT'> = this.method('PUT');
  /** Registers a PATCH route. */
  readonly patch: RouteMethod<S, this, 'PATCH'> = this.method('PATCH');
  /** Registers a DELETE route. */
  readonly delete: RouteMethod<S, this, 'DELETE'> = this.method('DELETE');
  /** Registers a HEAD route (GET routes answer HEAD already). */
  readonly head: RouteMethod<S, this, 'HEAD'> = this.method('HEAD');
  /** Registers an OPTIONS route (CORS preflights are answered by the CORS middleware). */
  readonly options: RouteMethod<S, this, 'OPTIONS'> = this.method('OPTIONS');
  /** Registers a route for every method. */
  readonly all: RouteMethod<S, this, typeof ANY_METHOD> = this.method(ANY_METHOD);

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
  constructor(registry: Registry, prefix: string, parents: readonly Group<object>[]) {
    this.registry = registry;
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

  /**
   * Mounts every route of another app under `prefix`; that app's global middleware becomes group
   * middleware. The mounted app's typed routes join this one's type under the prefix.
   */
  route<P extends string, A extends Group<S>>(prefix: P, app: A): this & RoutesOf<Prefixed<P, RoutesIn<A>>> {
    this.registry.assertOpen('mount an app');
    this.registry.assertMountable(app.registry, `route(${JSON.stringify(prefix)})`);
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
    return this as this & RoutesOf<Prefixed<P, RoutesIn<A>>>;
  }

  /**
   * Runs `register` on this app (or group) and returns it with the routes `register` returned in
   * its type: how route modules compose without losing their types. A module is a function taking
   * an `App` and returning its chain (`(app: App) => app.get(...).post(...)`); a function generic
   * over the app would lose all but its last route, since TypeScript reads a method of a type
   * parameter through its constraint.
   */
  with<R>(register: (app: this) => R): this & RoutesOf<RoutesIn<R>> {
    register(this);
    return this as this & RoutesOf<RoutesIn<R>>;
  }

  /**
   * The response schemas of the routes registered through this group, by `METHOD /pattern`: what
   * `createClient`'s `schemas` option takes, so a service calling another parses each answer with
   * the schema of its status.
   */
  responseSchemas(): ResponseSchemaMap {
    const out: Record<string, Readonly<Record<number, StandardSchemaV1 | null>>> = {};
    for (const def of this.registry.definitions) {
      const responses = def.options.responses;
      if (responses !== undefined && def.groups.includes(this as unknown as Group<object>))
        out[`${def.method} ${def.pattern}`] = responses;
    }
    return out;
  }

  private method<M extends string>(method: M): RouteMethod<S, this, M> {
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
    }) as RouteMethod<S, this, M>;
  }
}
