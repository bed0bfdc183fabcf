import type { Context, RequestInput } from '../context/context.js';
import { ConfigurationError, GatewayTimeoutError } from '../errors/errors.js';
import { type Middleware, type MiddlewareHooks, type Step, stepLayer } from '../middleware/compose.js';

/** Options of {@link timeout}. */
export interface TimeoutOptions {
  /** An upper bound in ms below the Lambda deadline (default: only the deadline). */
  readonly maxMs?: number;
}

/**
 * Answers 504 when the rest of the chain has not finished by the Lambda deadline minus the app's
 * margin (or `maxMs`, if sooner), so the caller gets an envelope instead of API Gateway's 502, and
 * aborts `ctx.signal` so outbound calls stop. The late handler's result is discarded.
 */
export function timeout(options: TimeoutOptions = {}): Middleware<object> {
  const maxMs = checkMaxMs(options, 'timeout');
  return stepLayer((inner) => deadlineStep(inner, maxMs));
}

function checkMaxMs(options: TimeoutOptions, where: string): number {
  if (typeof options !== 'object' || options === null)
    throw new ConfigurationError(`${where}: options must be an object`);
  const maxMs = options.maxMs;
  if (maxMs !== undefined && (!Number.isFinite(maxMs) || maxMs <= 0)) {
    throw new ConfigurationError(`${where}: maxMs must be a positive number`);
  }
  return maxMs ?? Number.POSITIVE_INFINITY;
}

/**
 * The step that answers 504 at the deadline: a chain that finishes synchronously passes straight
 * through (no timer, no promise); only a pending one is raced against the deadline.
 */
function deadlineStep(inner: Step, maxMs: number): Step {
  return (ctx) => {
    const pending = inner(ctx);
    if (pending === undefined) return undefined;
    const budget = Math.min(ctx.budgetMs(), maxMs);
    if (!Number.isFinite(budget)) return pending;
    return race(pending, ctx, budget);
  };
}

async function race(
  pending: Promise<void>,
  ctx: Context<RequestInput, object>,
  budget: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), Math.max(0, budget));
  });
  try {
    const winner = await Promise.race([pending.then(() => 'done' as const), expired]);
    if (winner === 'timeout') {
      // The deadline's own timer may have aborted the signal a moment earlier: answer with that
      // error, the one the handler's calls reject with, so it is one error, reported once.
      const fired = ctx.abortWith(new GatewayTimeoutError());
      const error = fired instanceof GatewayTimeoutError ? fired : new GatewayTimeoutError();
      ctx.res = undefined;
      ctx.fail(error);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The deadline every app has unless `createApp({ timeout: false })`: the same answer as
 * {@link timeout}, placed inside the app's own request id, security headers and access log, so the
 * 504 carries them and is logged.
 */
export function defaultTimeout(options: TimeoutOptions = {}): MiddlewareHooks<object> {
  const maxMs = checkMaxMs(options, 'createApp option "timeout"');
  return stepLayer((inner) => deadlineStep(inner, maxMs));
}
