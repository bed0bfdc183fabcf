/**
 * Push notifications through Expo, behind a small interface the reminder processor (and its tests)
 * use. The implementation wraps `expo-server-sdk`, loaded on first use.
 *
 * The SDK reads `EXPO_BASE_URL` once, when it is first imported (default `https://exp.host`): set it
 * before the first send to point it at a local stand-in.
 */

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

function failure(error: unknown, what: string): PushFailedError {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number')
    return new PushFailedError(`${what}: Expo answered ${status}`, {
      transient: status === 429 || status >= 500,
      status,
      cause: error,
    });
  // No status: the request never got an answer (refused, reset, DNS), or the answer made no sense.
  const protocol = error instanceof Error && /^Expected Expo to respond/.test(error.message);
  return new PushFailedError(`${what}: ${protocol ? 'unexpected answer' : 'no answer'}`, {
    transient: !protocol,
    cause: error,
  });
}

/** Options of {@link expoPush}. */
export interface ExpoPushOptions {
  /** An Expo access token, when the project requires one for push ("enhanced security"). */
  readonly accessToken?: string;
  /** The SDK's own wait before retrying a 429 (default 1000 ms); the processor retries the rest. */
  readonly retryMinTimeoutMs?: number;
}

type Sdk = typeof import('expo-server-sdk');
let sdk: Promise<Sdk> | undefined;

/** {@link ExpoPush} through `expo-server-sdk`. */
export function expoPush(options: ExpoPushOptions = {}): ExpoPush {
  let client: Promise<InstanceType<Sdk['Expo']>> | undefined;
  const expo = () => {
    sdk ??= import('expo-server-sdk');
    client ??= sdk.then(
      ({ Expo }) =>
        new Expo({
          ...(options.accessToken === undefined ? {} : { accessToken: options.accessToken }),
          ...(options.retryMinTimeoutMs === undefined ? {} : { retryMinTimeout: options.retryMinTimeoutMs }),
        }),
    );
    return client;
  };
  return {
    async send(messages) {
      if (messages.length > PUSH_BATCH) throw new RangeError(`send: at most ${PUSH_BATCH} messages`);
      const c = await expo();
      try {
        return (await c.sendPushNotificationsAsync(messages.map((m) => ({ ...m })))) as PushTicket[];
      } catch (error) {
        throw failure(error, 'push send');
      }
    },
    async receipts(ids) {
      if (ids.length > RECEIPT_BATCH) throw new RangeError(`receipts: at most ${RECEIPT_BATCH} ids`);
      const c = await expo();
      try {
        return (await c.getPushNotificationReceiptsAsync([...ids])) as Record<string, PushReceipt>;
      } catch (error) {
        throw failure(error, 'push receipts');
      }
    },
  };
}

/** Expo push tokens as the app registers them: `ExponentPushToken[...]` (or the newer `ExpoPushToken[...]`). */
export const PUSH_TOKEN = /^Expo(?:nent)?PushToken\[[A-Za-z0-9_-]{8,64}\]$/;
