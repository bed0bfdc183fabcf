/**
 * A request's scope as a Lift `Context` gives it, built from a fake Lambda context, for tests of
 * outbound calls under a deadline without an app around them.
 */
import { GatewayTimeoutError } from '../errors/errors.js';
import type { RequestScope } from '../resilience/scope.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';

/** A request scope with its deadline, and a way to release its timer. */
export interface FakeRequestScope extends RequestScope {
  /** Milliseconds until the Lambda itself would be stopped. */
  remainingMs(): number;
  /** Stops the deadline timer. */
  dispose(): void;
}

/**
 * A scope as `app.handler` would give a request of a function with `timeoutMs` (default 1500) and
 * the app's `deadlineMarginMs` (default 500): `budgetMs()` is the Lambda's remaining time minus the
 * margin, and `signal` aborts then with a `GatewayTimeoutError`, as `ctx.signal` does.
 */
export function fakeRequestScope(
  options: { readonly timeoutMs?: number; readonly marginMs?: number } = {},
): FakeRequestScope {
  const lambda = fakeLambdaContext({ timeoutMs: options.timeoutMs ?? 1500 });
  const margin = options.marginMs ?? 500;
  const budgetMs = () => lambda.getRemainingTimeInMillis() - margin;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new GatewayTimeoutError()), Math.max(0, budgetMs()));
  return {
    signal: controller.signal,
    budgetMs,
    remainingMs: () => lambda.getRemainingTimeInMillis(),
    dispose: () => clearTimeout(timer),
  };
}
