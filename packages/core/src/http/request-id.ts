import type { Context, RequestInput } from '../context/context.js';
import { isSafeRequestId } from '../context/headers.js';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { type MiddlewareHooks, markProtection } from '../middleware/compose.js';

/** Options of {@link requestId}. */
export interface RequestIdOptions {
  /** Header read from the request and echoed on the response (default `x-request-id`). */
  readonly header?: string;
  /**
   * Use a caller's id (when safe) as the request's id (default `false`). Off, the id is always AWS's
   * (or a generated one), so a caller cannot choose the id under which its requests are logged and
   * audited, or reuse another request's; turn it on only behind callers you trust to set it.
   */
  readonly trustIncoming?: boolean;
  /** Longest incoming id accepted (default and maximum 128). */
  readonly maxLength?: number;
}

const OPTION_KEYS = new Set(['header', 'trustIncoming', 'maxLength']);

/**
 * Gives every request an id and echoes it on the response, for 404s and errors too: the AWS request
 * id, or a generated one. With `trustIncoming`, a caller's id is used instead when short and of a
 * safe charset (so it cannot inject CR/LF or log markup). Every app has it on by
 * default (`createApp({ requestId })` configures it); use this for an app created with
 * `requestId: false` that wants it on some groups only.
 */
export function requestId(options: RequestIdOptions = {}): MiddlewareHooks<object> {
  refuseUnknownOptions(options, OPTION_KEYS, 'requestId');
  const header = (options.header ?? 'x-request-id').toLowerCase();
  const maxLength = options.maxLength ?? 128;
  const trust = options.trustIncoming ?? false;
  if (!/^[a-z0-9-]+$/.test(header))
    throw new ConfigurationError(`requestId: invalid header name "${header}"`);
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 128)
    throw new ConfigurationError('requestId: maxLength must be from 1 to 128');
  // Set on the way out, so every response (errors, 404, early answers of inner middleware) carries
  // it. Written straight into the response: the name was checked above and a request id is always
  // of a safe charset (see isSafeRequestId), so ctx.header's per-call checks add nothing.
  // The default name is written out: a store site that sees one constant name stays monomorphic.
  const after =
    header === 'x-request-id'
      ? (ctx: Context<RequestInput, object>): void => {
          const res = ctx.res;
          if (res !== undefined) res.headers['x-request-id'] = ctx.requestId;
        }
      : (ctx: Context<RequestInput, object>): void => {
          const res = ctx.res;
          if (res !== undefined) res.headers[header] = ctx.requestId;
        };
  return markProtection<MiddlewareHooks<object>>(
    trust
      ? {
          before(ctx) {
            const incoming = ctx.header(header);
            if (isSafeRequestId(incoming) && incoming.length <= maxLength) ctx.requestId = incoming;
          },
          after,
        }
      : { after },
    'requestId',
  );
}
