/**
 * @internal `value instanceof type`, except that it never throws: `instanceof` runs a proxy's
 * `getPrototypeOf` trap and throws on a revoked proxy, and whatever a handler threw must still be
 * answered. Such a value is not an instance. (Its own module: `errors.ts` is re-exported whole by
 * `@lift/core`, and this is not part of its API.)
 */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  // Nothing but an object can be an instance here; most values a hot path asks about are not one.
  if (typeof value !== 'object' || value === null) return false;
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}
