import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';

/** Lease mode for hot keys: an instance takes `size` admissions at once and spends them for up to `maxMs`. */
export interface LeaseOptions {
  /**
   * Admissions taken per store call (default a tenth of the limit, at least 1; at most the limit).
   * The DynamoDB store takes at most 64 per call (a DynamoDB condition holds at most 300 operators).
   */
  readonly size?: number;
  /** How long a lease may be spent, in ms (default 1000; at most 60 000 and at most the window). */
  readonly maxMs?: number;
}

/**
 * A rate limit: at most `limit` admissions in any sliding window of length `window`, checked once at
 * start-up by {@link checkRule}.
 */
export interface RateLimitRule {
  /** Admissions per window, an integer from 1 to {@link MAX_RATE_LIMIT}. */
  readonly limit: number;
  /** The window: `'30s'`, `'5m'`, `'1h'`, `'1d'`, or ms; whole seconds, from 1 s to 7 days. */
  readonly window: string | number;
  /**
   * The policy name, in logs and in the `RateLimit-Policy`/`RateLimit` headers (default `default`).
   * Letters, digits and `_ . : -`, at most 64.
   */
  readonly name?: string;
  /**
   * What the app does when the store cannot decide (an error or a timeout): `'closed'` refuses the
   * request (503), `'open'` lets it through. Default `'closed'`: a limiter that opens when its store
   * fails is off exactly when an attacker hammers one key hard enough to throttle it.
   */
  readonly onStoreError?: 'open' | 'closed';
  /** Lease mode (shared stores only): `true` for the defaults, or a size and a time. */
  readonly lease?: boolean | LeaseOptions;
}

/** A rule as {@link checkRule} returns it: every default applied, the window in ms. */
export interface CheckedRule {
  readonly kind: 'lift:rate-limit-rule';
  readonly limit: number;
  /** The window in ms (a whole number of seconds). */
  readonly windowMs: number;
  readonly name: string;
  readonly onStoreError: 'open' | 'closed';
  /** The lease, or `undefined` when every decision asks the store. */
  readonly lease: { readonly size: number; readonly maxMs: number } | undefined;
}

/**
 * The largest `limit` a rule may have. The limiter keeps one timestamp per admission in the window
 * (that is what makes it exact), so a DynamoDB item holds up to `limit` numbers: 1000 is about 12 KB.
 */
export const MAX_RATE_LIMIT = 1000;

const MAX_WINDOW_MS = 7 * 24 * 3600 * 1000;
const MAX_LEASE_MS = 60_000;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const WINDOW = /^([1-9][0-9]{0,6})(s|m|h|d)$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/**
 * A window in ms from `'30s'`, `'5m'`, `'1h'`, `'1d'` or a number of ms; whole seconds from 1 s to
 * 7 days (the `RateLimit-Policy` header states windows in whole seconds).
 */
export function parseWindow(where: string, window: string | number): number {
  let ms: number;
  if (typeof window === 'number') ms = window;
  else if (typeof window === 'string') {
    const match = WINDOW.exec(window);
    if (match === null)
      throw new ConfigurationError(
        `${where}: window "${window}" is not a duration like '30s', '5m', '1h' or '1d'`,
      );
    ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  } else throw new ConfigurationError(`${where}: window must be a string like '5m' or a number of ms`);
  if (!Number.isInteger(ms) || ms < 1000 || ms > MAX_WINDOW_MS || ms % 1000 !== 0)
    throw new ConfigurationError(`${where}: window must be whole seconds from 1 s to 7 days (got ${window})`);
  return ms;
}

function checkLease(
  where: string,
  lease: RateLimitRule['lease'],
  limit: number,
  windowMs: number,
): CheckedRule['lease'] {
  if (lease === undefined || lease === false) return undefined;
  const options: LeaseOptions = lease === true ? {} : lease;
  if (typeof options !== 'object' || options === null)
    throw new ConfigurationError(`${where}: lease must be true, false or { size, maxMs }`);
  refuseUnknownOptions(options, ['size', 'maxMs'], `${where}: lease`);
  const size = options.size ?? Math.max(1, Math.floor(limit / 10));
  const maxMs = options.maxMs ?? Math.min(1000, windowMs);
  if (!Number.isInteger(size) || size < 1 || size > limit)
    throw new ConfigurationError(`${where}: lease.size must be an integer from 1 to the limit (${limit})`);
  if (!Number.isInteger(maxMs) || maxMs < 1 || maxMs > MAX_LEASE_MS || maxMs > windowMs)
    throw new ConfigurationError(
      `${where}: lease.maxMs must be an integer from 1 to 60000 ms and at most the window`,
    );
  return Object.freeze({ size, maxMs });
}

/**
 * Checks a rule and applies its defaults; a mistake throws a `ConfigurationError` naming `where`
 * (the route or the policy), so it fails at start-up rather than on a request.
 */
export function checkRule(where: string, rule: RateLimitRule): CheckedRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule))
    throw new ConfigurationError(`${where}: a rate limit must be an object { limit, window }`);
  refuseUnknownOptions(rule, ['limit', 'window', 'name', 'onStoreError', 'lease'], where);
  const { limit } = rule;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_RATE_LIMIT)
    throw new ConfigurationError(`${where}: limit must be an integer from 1 to ${MAX_RATE_LIMIT}`);
  const windowMs = parseWindow(where, rule.window);
  const name = rule.name ?? 'default';
  if (typeof name !== 'string' || !NAME.test(name))
    throw new ConfigurationError(
      `${where}: name must be 1-64 letters, digits or _ . : - starting with a letter or digit`,
    );
  const onStoreError = rule.onStoreError ?? 'closed';
  if (onStoreError !== 'open' && onStoreError !== 'closed')
    throw new ConfigurationError(`${where}: onStoreError must be 'open' or 'closed'`);
  return Object.freeze({
    kind: 'lift:rate-limit-rule' as const,
    limit,
    windowMs,
    name,
    onStoreError,
    lease: checkLease(where, rule.lease, limit, windowMs),
  });
}

/**
 * The limits of the hardened-finance requirements (task 6.3 of the backend security plan): auth
 * endpoints 5 requests per 5 minutes, AI endpoints 300 per hour, sensitive operations 10 per 15
 * minutes. Auth and sensitive refuse requests when the store cannot decide; AI lets them through.
 */
export const RATE_LIMIT_PRESETS = Object.freeze({
  auth: Object.freeze({ limit: 5, window: '5m', name: 'auth', onStoreError: 'closed' }),
  ai: Object.freeze({ limit: 300, window: '1h', name: 'ai', onStoreError: 'open' }),
  sensitive: Object.freeze({ limit: 10, window: '15m', name: 'sensitive', onStoreError: 'closed' }),
} as const satisfies Record<string, RateLimitRule>);
