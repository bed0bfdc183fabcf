/**
 * The request an outbound call belongs to, found without passing it along: its abort signal and the
 * time left before its deadline. The code serving a request enters a scope around it (a Lift
 * `Context` is one: `withRequestScope(ctx, ...)`); Lift's DynamoDB client and {@link resiliencePolicy}
 * read it when no signal is given to them, and bound their retries by its deadline. `app.handler`
 * enters one around every request and every record invocation.
 *
 * Cost: one invocation at a time (Lambda's default) holds the scope in a module slot, about 0.1 µs a
 * request. Only when scopes overlap (Lambda Managed Instances' multi-concurrency, a dev server, tests
 * running requests in parallel) does an overlapping one enter an `AsyncLocalStorage`, which is exact
 * for concurrent requests but costs every later promise of the process about 1.5 µs a request on
 * Node 20 and 22 (0.4 µs on Node 24), so it is used only once it is needed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** What an outbound call needs of the request it serves. A Lift `Context` is one. */
export interface RequestScope {
  /** Aborts at the request's deadline; read only when a call is made (a `Context` creates it then). */
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline (`Infinity` when there is none). */
  budgetMs(): number;
}

let storage: AsyncLocalStorage<RequestScope> | undefined;
/** The scope entered without storage: the only one in flight, or the last one. */
let slot: RequestScope | undefined;
let inFlight = 0;

/**
 * Runs `run` as part of the request `scope`: calls it starts (directly, or after any number of
 * awaits) find the scope through {@link currentScope}. The scope ends when `run` returns or, if it
 * returns a promise, when that settles. Serve a request inside one:
 * `withRequestScope(ctx, () => run(ctx))`. Scopes may overlap and nest; each call finds its own.
 */
export function withRequestScope<T>(scope: RequestScope, run: () => T): T {
  // Every scope counts while it runs, stored ones too: a request entered alone while a stored one is
  // still in flight (or from inside it) would otherwise take the slot, and calls made inside it would
  // find the stored scope first.
  const stored = inFlight > 0 || storage?.getStore() !== undefined;
  if (stored) {
    // Another request is in flight: only async context keeps the two apart.
    storage ??= new AsyncLocalStorage<RequestScope>();
  } else {
    // Alone: the slot is exact. It keeps the scope after the request ends, so work a handler left
    // running sees its own (by then aborted or finished) request until the next one starts.
    slot = scope;
  }
  inFlight++;
  let result: T;
  try {
    result = stored ? (storage as AsyncLocalStorage<RequestScope>).run(scope, run) : run();
  } catch (error) {
    inFlight--;
    throw error;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      inFlight--;
    }) as T;
  }
  inFlight--;
  return result;
}

/** The scope of the request being served, or `undefined` outside one. */
export function currentScope(): RequestScope | undefined {
  return (storage === undefined ? undefined : storage.getStore()) ?? slot;
}

/**
 * The signal an outbound call should take: the one given, else the current request's, else none.
 * Reading the request's signal creates it if nobody has yet (a `Context` creates it lazily).
 */
export function callSignal(given?: AbortSignal): AbortSignal | undefined {
  return given ?? currentScope()?.signal;
}

/** Milliseconds left before the current request's deadline; `Infinity` outside a request. */
export function remainingBudgetMs(): number {
  return currentScope()?.budgetMs() ?? Number.POSITIVE_INFINITY;
}
