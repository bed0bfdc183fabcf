import { refuseUnknownOptions } from '../errors/errors.js';
import { type ConsumeOptions, type Decision, decided, type RateLimitStore } from './decision.js';
import type { CheckedRule } from './rule.js';

/** Options of {@link memoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * How many windows to keep before sweeping out the ones whose admissions have all left their
   * window (default 10 000). A window still holding admissions is never dropped: that would admit
   * more than the limit.
   */
  readonly sweepAt?: number;
}

// The last `limit` admissions of one key, oldest at `head`, in the order they were made.
interface Ring {
  readonly slots: Float64Array;
  readonly windowMs: number;
  head: number;
  last: number;
}

/** The window key: the policy name, limit and window (so policies never share counts) and the client key. */
export function windowKey(key: string, rule: CheckedRule): string {
  return `${rule.name}\n${rule.limit}/${rule.windowMs}\n${key}`;
}

/**
 * Admissions counted in this process only: tests, local development, and single-instance use. Lambda
 * runs many instances at once, each with its own memory, so on Lambda a limit kept here holds per
 * instance, not per function: use `dynamoRateLimitStore` for limits that must hold. Leases do
 * not apply (every decision is already local).
 */
export function memoryRateLimitStore(options: MemoryRateLimitStoreOptions = {}): RateLimitStore {
  refuseUnknownOptions(options, ['sweepAt'], 'memoryRateLimitStore');
  const minimum = options.sweepAt ?? 10_000;
  let sweepAt = minimum;
  const rings = new Map<string, Ring>();

  const sweep = (now: number) => {
    for (const [k, ring] of rings) if (ring.last <= now - ring.windowMs) rings.delete(k);
    sweepAt = Math.max(minimum, rings.size * 2);
  };

  return {
    async consume(key: string, rule: CheckedRule, { now }: ConsumeOptions): Promise<Decision> {
      const id = windowKey(key, rule);
      let ring = rings.get(id);
      if (ring === undefined) {
        if (rings.size >= sweepAt) sweep(now);
        ring = {
          slots: new Float64Array(rule.limit).fill(Number.NEGATIVE_INFINITY),
          windowMs: rule.windowMs,
          head: 0,
          last: Number.NEGATIVE_INFINITY,
        };
        rings.set(id, ring);
      }
      const { slots } = ring;
      const size = slots.length;
      const cutoff = now - rule.windowMs;
      // The oldest of the last `limit` admissions: if it has left the window, there is room.
      const allowed = (slots[ring.head] as number) <= cutoff;
      if (allowed) {
        // Never back in time: a clock that steps back records the later time (counts longer, never shorter).
        const at = Math.max(now, ring.last);
        slots[ring.head] = at;
        ring.head = (ring.head + 1) % size;
        ring.last = at;
      }
      // The slots from head on are in time order: binary search for the first still in the window.
      let lo = 0;
      let hi = size;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((slots[(ring.head + mid) % size] as number) <= cutoff) lo = mid + 1;
        else hi = mid;
      }
      const nextFree = lo < size ? (slots[(ring.head + lo) % size] as number) + rule.windowMs : undefined;
      return decided(rule, now, { free: lo, nextFree }, allowed, false);
    },
  };
}
