import type { MiddlewareHooks } from '../app/compose.js';
import { isSafeRequestId } from '../context/context.js';
import { ConfigurationError } from '../errors/errors.js';

/** Options of {@link requestId}. */
export interface RequestIdOptions {
  /** Header read from the request and echoed on the response (default `x-request-id`). */
  readonly header?: string;
  /** Accept a caller's id when it is safe (default `true`); otherwise always use AWS's or a generated one. */
  readonly trustIncoming?: boolean;
  /** Longest incoming id accepted (default and maximum 128). */
  readonly maxLength?: number;
}

/**
 * Gives every request an id and echoes it on the response, for 404s and errors too. An incoming
 * id is used only when short and of a safe charset (so a caller cannot inject CR/LF or log
 * markup); otherwise the AWS request id is used, or a new one generated.
 */
export function requestId(options: RequestIdOptions = {}): MiddlewareHooks<object> {
  const header = (options.header ?? 'x-request-id').toLowerCase();
  const maxLength = options.maxLength ?? 128;
  const trust = options.trustIncoming ?? true;
  if (!/^[a-z0-9-]+$/.test(header))
    throw new ConfigurationError(`requestId: invalid header name "${header}"`);
  if (!Number.isInteger(maxLength) || maxLength < 1)
    throw new ConfigurationError('requestId: maxLength must be >= 1');
  return {
    before(ctx) {
      const incoming = trust ? ctx.header(header) : undefined;
      if (isSafeRequestId(incoming) && incoming.length <= maxLength) ctx.requestId = incoming;
    },
    // Set on the way out, so every response (errors, 404, early answers of inner middleware) carries it.
    after(ctx) {
      ctx.header(header, ctx.requestId);
    },
  };
}
