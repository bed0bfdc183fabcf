import type { CheckedRule } from './rule.js';

/**
 * What a store decided: `allowed` and `limited` are decisions; `store_error` (the store failed) and
 * `timeout` (it did not answer in time, or the caller's signal ended the wait) are not, and never
 * count as `limited`: the rule's `onStoreError` says what the app does then.
 */
export type Outcome = 'allowed' | 'limited' | 'store_error' | 'timeout';

/** One rate-limit decision, with what the `RateLimit` headers report. */
export interface Decision {
  readonly outcome: Outcome;
  /** The rule's limit. */
  readonly limit: number;
  /** Admissions left in the window after this one (`r` of the `RateLimit` header); 0 when limited. */
  readonly remaining: number;
  /** Seconds until the earliest admission in the window leaves it and frees capacity (`t`). */
  readonly resetSeconds: number;
  /** When limited, whole seconds until an admission is possible again (`Retry-After`). */
  readonly retryAfterSeconds: number | undefined;
  /**
   * Decided in this process without a call to the shared store: spent from a lease, or refused
   * because this process already knows the window is full. Always false for the memory store.
   */
  readonly local: boolean;
  /** The policy name (the rule's `name`). */
  readonly policy: string;
  /** The window in seconds (`w` of the `RateLimit-Policy` header). */
  readonly windowSeconds: number;
  /** For `store_error` and `timeout`: what failed, for the logs (never sent to the client). */
  readonly error?: unknown;
}

/** What {@link RateLimitStore.consume} takes besides the key and the rule. */
export interface ConsumeOptions {
  /** The time of the request, epoch ms (the app's clock, injectable in tests). */
  readonly now: number;
  /** Ends the wait for the store (the request's deadline); an abort gives `timeout`. */
  readonly signal?: AbortSignal;
}

/**
 * Where admissions are counted. `consume` takes one admission for `key` under `rule` if the window
 * has room, and never rejects: a failing store answers `store_error` or `timeout`.
 */
export interface RateLimitStore {
  /**
   * Decides one request. `key` identifies the client (an IP, a user, a tenant); the store keeps a
   * separate window per policy name, limit and window, so policies never share counts.
   */
  consume(key: string, rule: CheckedRule, options: ConsumeOptions): Promise<Decision>;
}

/**
 * Whether the app lets the request through: `allowed` yes, `limited` no, and for `store_error` or
 * `timeout` what the rule's `onStoreError` says.
 */
export function admits(decision: Decision, rule: CheckedRule): boolean {
  if (decision.outcome === 'allowed') return true;
  if (decision.outcome === 'limited') return false;
  return rule.onStoreError === 'open';
}

/** The state of one window: how many admissions are free, and when the earliest live one frees. */
export interface WindowState {
  readonly free: number;
  /** Epoch ms when the earliest admission still in the window leaves it; `undefined` if none is. */
  readonly nextFree: number | undefined;
}

/**
 * Reads a window kept as one timestamp per admission slot: a slot is free when its timestamp is at or
 * before `cutoff` (`now - window`).
 */
export function windowState(slots: ArrayLike<number>, cutoff: number, windowMs: number): WindowState {
  let free = 0;
  let earliest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < slots.length; i++) {
    const at = slots[i] as number;
    if (at <= cutoff) free++;
    else if (at < earliest) earliest = at;
  }
  return { free, nextFree: earliest === Number.POSITIVE_INFINITY ? undefined : earliest + windowMs };
}

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/** An `allowed` or `limited` decision from the window state after the decision. */
export function decided(
  rule: CheckedRule,
  now: number,
  state: WindowState,
  allowed: boolean,
  local: boolean,
  extra = 0,
): Decision {
  const reset = state.nextFree === undefined ? 0 : seconds(state.nextFree - now);
  return {
    outcome: allowed ? 'allowed' : 'limited',
    limit: rule.limit,
    remaining: allowed ? Math.min(rule.limit, state.free + extra) : 0,
    resetSeconds: reset,
    // At least 1: "retry after 0 seconds" invites an immediate retry loop.
    retryAfterSeconds: allowed ? undefined : Math.max(1, reset),
    local,
    policy: rule.name,
    windowSeconds: rule.windowMs / 1000,
  };
}

/** A `store_error` or `timeout` decision. */
export function failed(rule: CheckedRule, outcome: 'store_error' | 'timeout', error: unknown): Decision {
  return {
    outcome,
    limit: rule.limit,
    remaining: 0,
    resetSeconds: 0,
    retryAfterSeconds: undefined,
    local: false,
    policy: rule.name,
    windowSeconds: rule.windowMs / 1000,
    error,
  };
}
