import { ConfigurationError, GatewayTimeoutError } from '../errors/errors.js';
import type { Middleware } from '../middleware/compose.js';

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
  const maxMs = options.maxMs;
  if (maxMs !== undefined && (!Number.isFinite(maxMs) || maxMs <= 0)) {
    throw new ConfigurationError('timeout: maxMs must be a positive number');
  }
  return async (ctx, next) => {
    const budget = Math.min(ctx.budgetMs(), maxMs ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(budget)) return next();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, budget));
    });
    try {
      const winner = await Promise.race([next().then(() => 'done' as const), expired]);
      if (winner === 'timeout') {
        const error = new GatewayTimeoutError();
        ctx.abortWith(error);
        ctx.res = undefined;
        ctx.fail(error);
      }
    } finally {
      clearTimeout(timer);
    }
  };
}
