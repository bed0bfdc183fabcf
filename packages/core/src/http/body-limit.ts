import { ConfigurationError } from '../errors/errors.js';
import type { MiddlewareHooks } from '../middleware/compose.js';

/** Options of {@link bodyLimit}. */
export interface BodyLimitOptions {
  /** Largest decoded body accepted, in bytes. */
  readonly maxBytes: number;
}

/**
 * Sets the body limit for the routes or group it is used on (the app-wide default is 1 MiB, set
 * with `createApp({ bodyLimit })`). The limit applies to the decoded body, whatever Content-Length
 * claims, and a base64 body is measured before it is decoded: past the limit → 413.
 */
export function bodyLimit(options: BodyLimitOptions): MiddlewareHooks<object> {
  const { maxBytes } = options;
  if (!Number.isInteger(maxBytes) || maxBytes < 0)
    throw new ConfigurationError('bodyLimit: maxBytes must be a whole number');
  return {
    before(ctx) {
      ctx.bodyLimit = maxBytes;
    },
  };
}
