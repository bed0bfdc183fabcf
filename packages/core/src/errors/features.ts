import { ConfigurationError } from './errors.js';

// What a feature value (rateLimits(), idempotency(), records()) carries: a registered symbol, so two
// copies of the package still agree, and a look-alike object does not pass for one.
const FEATURE = Symbol.for('lift.feature');

/** @internal Marks `value` as the feature `name`'s, as its factory makes it. */
export function markFeature(value: object, name: string): void {
  Object.defineProperty(value, FEATURE, { value: name });
}

/**
 * @internal Refuses an option that is not the value `name`'s factory made (a plain object of the old
 * shape, a look-alike), naming the factory to call: `${where} option "${name}" takes ${factory}`.
 */
export function refuseForeignFeature(value: unknown, name: string, factory: string, where: string): void {
  if (value !== undefined && (value === null || (value as Record<symbol, unknown>)[FEATURE] !== name))
    throw new ConfigurationError(`${where} option "${name}" takes ${factory}`);
}
