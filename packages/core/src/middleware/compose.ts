import type { Context, RequestInput } from '../context/context.js';
import { LiftResponse } from '../context/response.js';
import { isInstance } from '../errors/instance.js';

/** Continues with the rest of the chain; resolves once everything after this middleware has run. */
export type Next = () => Promise<void>;

/**
 * Onion middleware: code before `await next()` runs on the way in, code after it on the way out
 * (with `ctx.res` set). Returning a response (or a promise of one) without calling `next` answers early.
 */
export type MiddlewareFunction<S extends object = Record<string, unknown>> = (
  ctx: Context<RequestInput, S>,
  next: Next,
) => unknown;

/**
 * Synchronous middleware as two hooks, for work that never waits (headers, checks). The engine runs
 * hooks inline: no `next` closure, no promise, so a chain of hooks around a synchronous handler
 * completes without a single `await`.
 */
export interface MiddlewareHooks<S extends object = Record<string, unknown>> {
  /** Runs on the way in. Returning a response answers early; the rest of the chain (and `after`) is skipped. */
  readonly before?: (ctx: Context<RequestInput, S>) => unknown; // a LiftResponse answers early
  /** Runs on the way out with `ctx.res` set: for successes, errors, 404 and 405 alike. */
  readonly after?: (ctx: Context<RequestInput, S>) => void;
}

/** The protections every app turns on by itself unless its options say otherwise. */
export type DefaultProtection = 'requestId' | 'securityHeaders';

const protections = new WeakMap<object, DefaultProtection>();

/** @internal Records which default protection a middleware object is, so an app can refuse it twice. */
export function markProtection<M extends object>(middleware: M, name: DefaultProtection): M {
  protections.set(middleware, name);
  return middleware;
}

/** @internal Which default protection a middleware is, if it is one. */
export function protectionOf(middleware: unknown): DefaultProtection | undefined {
  return typeof middleware === 'object' && middleware !== null ? protections.get(middleware) : undefined;
}

/**
 * The CORS rules a `cors()` middleware enforces, as deployment tools need them (API Gateway answers
 * preflights itself). `origins` is undefined when a predicate decides, which no gateway can express.
 */
export interface CorsDeclaration {
  readonly origins: readonly string[] | undefined;
  readonly credentials: boolean;
  readonly methods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAge: number;
}

const corsDeclarations = new WeakMap<object, CorsDeclaration>();

/** @internal Records the rules of a CORS middleware, for the app's manifest. */
export function markCors<M extends object>(middleware: M, declaration: CorsDeclaration): M {
  corsDeclarations.set(middleware, declaration);
  return middleware;
}

/** @internal The rules of a CORS middleware, if it is one. */
export function corsDeclarationOf(middleware: unknown): CorsDeclaration | undefined {
  return typeof middleware === 'object' && middleware !== null ? corsDeclarations.get(middleware) : undefined;
}

/** Middleware: an onion function (may await) or synchronous hooks. */
export type Middleware<S extends object = Record<string, unknown>> =
  | MiddlewareFunction<S>
  | MiddlewareHooks<S>;

const stepLayers = new WeakMap<object, (inner: Step) => Step>();

/**
 * @internal Middleware that wraps the precomposed step itself, for Lift's own layers that must cost
 * nothing when the chain is synchronous (the deadline). Runs like a hook: `use()` accepts it.
 */
export function stepLayer(wrap: (inner: Step) => Step): MiddlewareHooks<object> {
  // A hooks object with no-op `after`, so it passes isMiddleware; compose uses `wrap` instead.
  const layer: MiddlewareHooks<object> = { after: () => {} };
  stepLayers.set(layer, wrap);
  return layer;
}

type AnyContext = Context<RequestInput, object>;

/** One precomposed step of a request; returns a promise only when something in it is asynchronous. */
export type Step = (ctx: AnyContext) => Promise<void> | undefined;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** Wraps a step so any throw or rejection becomes the error response; outer middleware always see `ctx.res`. */
export function guarded(step: (ctx: AnyContext) => unknown): Step {
  return (ctx) => {
    try {
      const out = step(ctx);
      if (isThenable(out)) return Promise.resolve(out).then(undefined, (error: unknown) => ctx.fail(error));
    } catch (error) {
      ctx.fail(error);
    }
    return undefined;
  };
}

function runAfter(after: (ctx: AnyContext) => void, ctx: AnyContext): void {
  try {
    after(ctx);
  } catch (error) {
    ctx.fail(error);
  }
}

type After = ((ctx: AnyContext) => void) | undefined;

/** Runs `afters[from]` down to `afters[0]`: innermost first, as nested layers would. */
function runAftersFrom(afters: readonly After[], from: number, ctx: AnyContext): void {
  for (let i = from; i >= 0; i--) {
    const after = afters[i];
    if (after !== undefined) runAfter(after, ctx);
  }
}

/**
 * Consecutive hooks as one step: what nesting one layer per hook does, without a closure frame and
 * a `try` per hook on every request. A `before` that answers early or throws skips the rest of the
 * chain and its own `after`; the `after` hooks outside it still run, innermost first.
 */
function hooksLayer(hooks: readonly MiddlewareHooks<object>[], inner: Step): Step {
  const count = hooks.length;
  const befores = hooks.map((h) => h.before);
  const afters: After[] = hooks.map((h) => h.after);
  const hasBefore = befores.some((before) => before !== undefined);
  return (ctx) => {
    let entered = count;
    if (hasBefore) {
      for (let i = 0; i < count; i++) {
        const before = befores[i];
        if (before === undefined) continue;
        try {
          const early = before(ctx);
          if (early instanceof LiftResponse) {
            ctx.res = early;
            entered = i;
            break;
          }
        } catch (error) {
          ctx.fail(error);
          entered = i;
          break;
        }
      }
    }
    if (entered === count) {
      const pending = inner(ctx);
      if (pending !== undefined) return pending.then(() => runAftersFrom(afters, count - 1, ctx));
    }
    runAftersFrom(afters, entered - 1, ctx);
    return undefined;
  };
}

const DONE: Promise<void> = Promise.resolve();

function functionLayer(fn: MiddlewareFunction<object>, inner: Step): Step {
  return (ctx) => {
    let called = false;
    const next: Next = () => {
      if (called) return Promise.reject(new Error('next() called more than once in one middleware'));
      called = true;
      return inner(ctx) ?? DONE;
    };
    try {
      const out = fn(ctx, next);
      if (isThenable(out)) {
        return Promise.resolve(out).then(
          (value) => {
            // Guarded: a value whose prototype cannot be read (a revoked proxy) must not escape here.
            if (isInstance(value, LiftResponse)) ctx.res = value;
          },
          (error: unknown) => ctx.fail(error),
        );
      }
      if (out instanceof LiftResponse) ctx.res = out;
    } catch (error) {
      ctx.fail(error);
    }
    return undefined;
  };
}

/**
 * Precomposes middleware around a terminal step, once, at start-up. Each layer catches its own
 * errors into `ctx.res` (and `ctx.error`), so a failing handler still passes back through CORS,
 * security headers and logging middleware.
 */
export function compose(
  middleware: readonly Middleware<object>[],
  terminal: (ctx: AnyContext) => unknown,
): Step {
  let step = guarded(terminal);
  // Hooks in a row become one layer; a function or a step layer between them starts a new one.
  let hooks: MiddlewareHooks<object>[] = [];
  const flush = () => {
    if (hooks.length > 0) step = hooksLayer(hooks, step);
    hooks = [];
  };
  for (let i = middleware.length - 1; i >= 0; i--) {
    const layer = middleware[i] as Middleware<object>;
    const wrap = typeof layer === 'object' ? stepLayers.get(layer) : undefined;
    if (wrap === undefined && typeof layer === 'object') {
      hooks.unshift(layer);
      continue;
    }
    flush();
    step = wrap !== undefined ? wrap(step) : functionLayer(layer as MiddlewareFunction<object>, step);
  }
  flush();
  return step;
}

/** Checks that a value is usable as middleware (a function, or an object with `before`/`after` functions). */
export function isMiddleware(value: unknown): value is Middleware<object> {
  if (typeof value === 'function') return true;
  if (typeof value !== 'object' || value === null) return false;
  const { before, after } = value as MiddlewareHooks<object>;
  return (
    (before !== undefined || after !== undefined) &&
    (before === undefined || typeof before === 'function') &&
    (after === undefined || typeof after === 'function')
  );
}
