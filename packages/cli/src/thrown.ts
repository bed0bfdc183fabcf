/**
 * What `lift dev` and `lift invoke` say of a value a handler threw. A handler may throw anything: an
 * object with no prototype (no `toString`, so `String()` throws), a revoked proxy (every read and
 * `instanceof` throws), an error whose `stack` getter throws. Saying what failed must never become a
 * failure of its own: in `lift dev` that was an unhandled rejection, and the dev server stopped.
 */
import { inspect } from 'node:util';

/** The keys of a thrown value the CLI reads. */
type ThrownKey = 'stack' | 'message' | 'name' | 'cause' | 'code';

/** `error[key]`, or undefined when `error` is not an object or reading the key throws. */
export function thrownProperty(error: unknown, key: ThrownKey): unknown {
  if ((typeof error !== 'object' && typeof error !== 'function') || error === null) return undefined;
  try {
    return (error as Record<ThrownKey, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** `error instanceof type`, or false when `instanceof` throws (a revoked proxy's trap). */
export function isThrownInstance<T>(error: unknown, type: abstract new (...args: never[]) => T): error is T {
  try {
    return error instanceof type;
  } catch {
    return false;
  }
}

/**
 * A thrown value as the terminal shows it: a string as it is, anything else as `util.inspect` does
 * (which needs no `toString` of the value's own), or its message when even that throws.
 */
export function thrownText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return inspect(value, { depth: 2, breakLength: Number.POSITIVE_INFINITY });
  } catch {
    // An error whose stack getter throws: its message may still be readable.
    const message = thrownProperty(value, 'message');
    return typeof message === 'string' ? message : '[a thrown value that cannot be shown]';
  }
}

/** The value's own message when it has a string one, else {@link thrownText}. */
export function thrownMessage(error: unknown): string {
  const message = thrownProperty(error, 'message');
  return typeof message === 'string' ? message : thrownText(error);
}

/** The value's stack (through `mapStack`, to the service's sources) when it has a string one, else {@link thrownText}. */
export function thrownStack(error: unknown, mapStack: (stack: string) => string = (stack) => stack): string {
  const stack = thrownProperty(error, 'stack');
  if (typeof stack !== 'string') return thrownText(error);
  try {
    return mapStack(stack);
  } catch {
    return stack;
  }
}
