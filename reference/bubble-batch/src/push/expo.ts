/**
 * Push notifications through Expo, behind a small interface the reminder processor (and its tests)
 * use, over Expo's HTTP API (`EXPO_BASE_URL` points it at a local stand-in).
 */
import { callSignal } from '@lift/core/resilience';

/** One notification to one device (Expo allows a list in `to`; the processor sends one per device). */
export interface PushMessage {
  readonly to: string;
  readonly title: string;
  readonly body: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly sound?: 'default';
}

/** What Expo says about one message: a receipt id to read later, or why it failed now. */
export type PushTicket =
  | { readonly status: 'ok'; readonly id: string }
  | { readonly status: 'error'; readonly message: string; readonly details?: PushErrorDetails };

/** What Expo says, later, about delivering one message. */
export type PushReceipt =
  | { readonly status: 'ok' }
  | { readonly status: 'error'; readonly message: string; readonly details?: PushErrorDetails };

export interface PushErrorDetails {
  /** `DeviceNotRegistered` means the token is dead: stop sending to it. */
  readonly error?: string;
  readonly expoPushToken?: string;
}

/** Expo's push API: `send` at most {@link PUSH_BATCH} messages, `receipts` at most {@link RECEIPT_BATCH} ids. */
export interface ExpoPush {
  /** One ticket per message, in order. Throws {@link PushFailedError} when the request as a whole failed. */
  send(messages: readonly PushMessage[]): Promise<PushTicket[]>;
  /** The receipts known for these ticket ids (ids Expo does not know yet are absent). */
  receipts(ids: readonly string[]): Promise<Record<string, PushReceipt>>;
}

/** Expo takes at most 100 messages per send request. */
export const PUSH_BATCH = 100;
/** And at most 300 ids per receipts request (1000 by its docs; the SDK chunks by 300). */
export const RECEIPT_BATCH = 300;

/** A push request that failed as a whole; `transient` ones (network, 429, 5xx) are worth retrying. */
export class PushFailedError extends Error {
  readonly transient: boolean;
  readonly status: number | undefined;
  constructor(message: string, options: { transient: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'PushFailedError';
    this.transient = options.transient;
    this.status = options.status;
  }
}

/** Whether an error from {@link ExpoPush} is worth retrying. */
export function isTransient(error: unknown): boolean {
  return error instanceof PushFailedError && error.transient;
}

/** Options of {@link expoPush}. */
export interface ExpoPushOptions {
  /** An Expo access token, when the project requires one for push ("enhanced security"). */
  readonly accessToken?: string;
  /** The most one request may take, in ms (default 10 000), within the request's own deadline. */
  readonly timeoutMs?: number;
}

/**
 * {@link ExpoPush} over Expo's HTTP API with `fetch`. Not `expo-server-sdk`: its client reads its own
 * `package.json` with a runtime `require` relative to its module, which fails in every bundled Lambda
 * (esbuild, `lift dev`), and it retries only 429 itself. The base URL is `EXPO_BASE_URL` (what the
 * SDK reads too, and what `lift dev` sets for its local stand-in), else `https://exp.host`.
 */
export function expoPush(options: ExpoPushOptions = {}): ExpoPush {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const post = async (path: 'send' | 'getReceipts', body: unknown, what: string): Promise<unknown> => {
    const base = (process.env.EXPO_BASE_URL || 'https://exp.host').replace(/\/+$/, '');
    const deadline = callSignal();
    const signal =
      deadline === undefined
        ? AbortSignal.timeout(timeoutMs)
        : AbortSignal.any([deadline, AbortSignal.timeout(timeoutMs)]);
    let res: Response;
    try {
      res = await fetch(`${base}/--/api/v2/push/${path}`, {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          ...(options.accessToken === undefined ? {} : { authorization: `Bearer ${options.accessToken}` }),
        },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      // No answer at all (refused, reset, DNS, timed out): worth another try.
      throw new PushFailedError(`${what}: no answer`, { transient: true, cause: error });
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429 || res.status >= 500)
      throw new PushFailedError(`${what}: Expo answered ${res.status}`, {
        transient: true,
        status: res.status,
      });
    let parsed: { data?: unknown; errors?: readonly { code?: string; message?: string }[] };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (error) {
      throw new PushFailedError(`${what}: unexpected answer (${res.status})`, {
        transient: false,
        status: res.status,
        cause: error,
      });
    }
    // A refused request as a whole (too many messages, a malformed one) is not worth retrying.
    if (!res.ok || parsed.errors !== undefined)
      throw new PushFailedError(`${what}: Expo refused it: ${parsed.errors?.[0]?.code ?? res.status}`, {
        transient: false,
        status: res.status,
      });
    return parsed.data;
  };
  return {
    async send(messages) {
      if (messages.length > PUSH_BATCH) throw new RangeError(`send: at most ${PUSH_BATCH} messages`);
      const data = await post('send', messages, 'push send');
      if (!Array.isArray(data) || data.length !== messages.length)
        throw new PushFailedError('push send: unexpected answer (not one ticket per message)', {
          transient: false,
        });
      return data as PushTicket[];
    },
    async receipts(ids) {
      if (ids.length > RECEIPT_BATCH) throw new RangeError(`receipts: at most ${RECEIPT_BATCH} ids`);
      const data = await post('getReceipts', { ids }, 'push receipts');
      return (data ?? {}) as Record<string, PushReceipt>;
    },
  };
}

/** Expo push tokens as the app registers them: `ExponentPushToken[...]` (or the newer `ExpoPushToken[...]`). */
export const PUSH_TOKEN = /^Expo(?:nent)?PushToken\[[A-Za-z0-9_-]{8,64}\]$/;
