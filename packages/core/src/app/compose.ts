import type { Context, RequestInput } from '../context/context.js';
import { LiftResponse } from '../context/response.js';

/** Continues with the rest of the chain; resolves once everything after this middleware has run. */
export type Next = () => Promise<void>;

/**
 * Onion middleware: code before `await next()` runs on the way in, code after it on the way out
 * (with `ctx.res` set). Returning a response without calling `next` answers early.
 */
export type Middleware<S extends object = Record<string, unknown>> = (
  ctx: Context<RequestInput, S>,
  next: Next,
) => unknown; // a LiftResponse (or a promise of one) answers early; anything else is ignored

/** One precomposed step of a request: runs and leaves its result in `ctx.res`. */
export type Step = (ctx: Context<RequestInput, object>) => Promise<void> | void;

const DONE: Promise<void> = Promise.resolve();

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** Runs a step; any throw or rejection becomes the error response, so outer middleware always see `ctx.res`. */
export function guarded(step: Step): (ctx: Context<RequestInput, object>) => Promise<void> {
  return (ctx) => {
    try {
      const out = step(ctx);
      return isThenable(out) ? Promise.resolve(out).catch((error: unknown) => ctx.fail(error)) : DONE;
    } catch (error) {
      ctx.fail(error);
      return DONE;
    }
  };
}

/**
 * Precomposes middleware around a terminal step, once, at start-up. Each level catches its own
 * errors into `ctx.res` (and `ctx.error`), so a failing handler still passes back through CORS,
 * security headers and logging middleware.
 */
export function compose(middleware: readonly Middleware<object>[], terminal: Step): Step {
  const last = guarded(terminal);
  if (middleware.length === 0) return last;
  const count = middleware.length;
  const dispatch = (ctx: Context<RequestInput, object>, index: number): Promise<void> => {
    if (index === count) return last(ctx);
    const fn = middleware[index] as Middleware<object>;
    let called = false;
    const next: Next = () => {
      if (called) return Promise.reject(new Error('next() called more than once in one middleware'));
      called = true;
      return dispatch(ctx, index + 1);
    };
    try {
      const out = fn(ctx, next);
      if (isThenable(out)) {
        return Promise.resolve(out).then(
          (value) => {
            if (value instanceof LiftResponse) ctx.res = value;
          },
          (error: unknown) => ctx.fail(error),
        );
      }
      if (out instanceof LiftResponse) ctx.res = out;
    } catch (error) {
      ctx.fail(error);
    }
    return DONE;
  };
  return (ctx) => dispatch(ctx, 0);
}
