import { isSafeRequestId } from '../context/context.js';
import { ConfigurationError } from '../errors/errors.js';
import { type MiddlewareHooks, markProtection } from '../middleware/compose.js';

/** Options of {@link requestId}. */
export interface RequestIdOptions {
  /** Header read from the request and echoed on the response (default `x-request-id`). */
  readonly header?: string;
  /** Accept a caller's id when it is safe (default `true`); otherwise always use AWS's or a generated one. */
  readonly trustIncoming?: boolean;
  /** Longest incoming id accepted (default and maximum 128). */
  readonly maxLength?: number;
}

const OPTION_KEYS = new Set(['header', 'trustIncoming', 'maxLength']);

/**
 * Gives every request an id and echoes it on the response, for 404s and errors too. An incoming
 * id is used only when short and of a safe charset (so a caller cannot inject CR/LF or log
 * markup); otherwise the AWS request id is used, or a new one generated. Every app has it on by
 * default (`createApp({ requestId })` configures it); use this for an app created with
 * `requestId: false` that wants it on some groups only.
 */
export function requestId(options: RequestIdOptions = {}): MiddlewareHooks<object> {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new ConfigurationError(`requestId: unknown option "${key}"`);
  }
  const header = (options.header ?? 'x-request-id').toLowerCase();
  const maxLength = options.maxLength ?? 128;
  const trust = options.trustIncoming ?? true;
  if (!/^[a-z0-9-]+$/.test(header))
    throw new ConfigurationError(`requestId: invalid header name "${header}"`);
  if (!Number.isInteger(maxLength) || maxLength < 1)
    throw new ConfigurationError('requestId: maxLength must be >= 1');
  return markProtection<MiddlewareHooks<object>>(
    {
      before(ctx) {
        const incoming = trust ? ctx.header(header) : undefined;
        if (isSafeRequestId(incoming) && incoming.length <= maxLength) ctx.requestId = incoming;
      },
      // Set on the way out, so every response (errors, 404, early answers of inner middleware) carries
      // it. Written straight into the response: the name was checked above and a request id is
      // always of a safe charset (see isSafeRequestId), so ctx.header's per-call checks add nothing.
      after(ctx) {
        const res = ctx.res;
        if (res !== undefined) res.headers[header] = ctx.requestId;
      },
    },
    'requestId',
  );
}
