/**
 * Expo's push API as the stand-in answers it: message validation, the request limits, tickets and
 * receipts, and the `{ errors: [...] }` document of a refused request.
 */

/** Error codes Expo puts in `details.error` of a ticket or a receipt. */
export type PushErrorCode =
  | 'DeviceNotRegistered'
  | 'MessageTooBig'
  | 'MessageRateExceeded'
  | 'MismatchSenderId'
  | 'InvalidCredentials';

/** An error ticket or receipt. */
export interface PushError {
  readonly status: 'error';
  readonly message: string;
  readonly details: { readonly error: PushErrorCode; readonly expoPushToken?: string };
}

/** What `/push/send` answers for each recipient. */
export type PushTicket = { readonly status: 'ok'; readonly id: string } | PushError;

/** What `/push/getReceipts` answers for a ticket's id. */
export type PushReceipt = { readonly status: 'ok' } | PushError;

/** A push message as received: `to` and Expo's fields (`title`, `body`, `data`, `sound`...). */
export type PushMessage = Readonly<Record<string, unknown>>;

/** Recipients in one `/push/send` request, at most. */
export const MAX_NOTIFICATIONS_PER_REQUEST = 100;
/** Receipt ids in one `/push/getReceipts` request, at most. */
export const MAX_RECEIPTS_PER_REQUEST = 1000;
/** Bytes of a notification's payload (title, subtitle, body, data, sound...), at most. */
export const MAX_PAYLOAD_BYTES = 4096;

/** A request Expo refuses as a whole: its HTTP status and `{ errors: [{ code, message }] }`. */
export class PushRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PushRequestError';
  }

  /** The JSON body Expo answers with. */
  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message }] });
  }
}

const validation = (message: string) => new PushRequestError(400, 'VALIDATION_ERROR', message);

/** Expo push token forms, as `Expo.isExpoPushToken` of expo-server-sdk accepts them. */
export function isExpoPushToken(token: string): boolean {
  return (
    /^(ExponentPushToken|ExpoPushToken)\[[^\]]+\]$/.test(token) ||
    /^[a-z\d]{8}-[a-z\d]{4}-[a-z\d]{4}-[a-z\d]{4}-[a-z\d]{12}$/i.test(token)
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const STRING_FIELDS = ['title', 'subtitle', 'body', 'channelId', 'categoryId', 'collapseId', 'tag'];
const PRIORITIES = ['default', 'normal', 'high'];

/** Checks one message's shape, as Expo's validation does for the fields services set. */
function checkMessage(message: unknown, index: number): asserts message is PushMessage & { to: unknown } {
  const at = `"[${index}]`;
  if (!isObject(message)) throw validation(`${at}" must be an object`);
  const { to } = message;
  const recipients = Array.isArray(to) ? to : [to];
  if (recipients.length === 0 || !recipients.every((t) => typeof t === 'string')) {
    throw validation(`${at}.to" must be a string or an array of strings`);
  }
  for (const field of STRING_FIELDS) {
    if (message[field] !== undefined && typeof message[field] !== 'string') {
      throw validation(`${at}.${field}" must be a string`);
    }
  }
  if (message.data !== undefined && !isObject(message.data))
    throw validation(`${at}.data" must be of type object`);
  if (message.priority !== undefined && !PRIORITIES.includes(message.priority as string)) {
    throw validation(`${at}.priority" must be one of [default, normal, high]`);
  }
  for (const field of ['ttl', 'expiration', 'badge']) {
    if (message[field] !== undefined && typeof message[field] !== 'number') {
      throw validation(`${at}.${field}" must be a number`);
    }
  }
}

/**
 * Reads a `/push/send` body: one message or an array of them. Returns the messages, one per
 * recipient (`to` narrowed to it), and whether the answer is an array.
 */
export function readMessages(body: unknown): {
  recipients: { to: string; message: PushMessage }[];
  array: boolean;
} {
  const array = Array.isArray(body);
  const messages: unknown[] = array ? body : [body];
  if (messages.length === 0) throw validation('"value" must contain at least 1 items');
  const recipients: { to: string; message: PushMessage }[] = [];
  messages.forEach((message, index) => {
    checkMessage(message, index);
    for (const to of Array.isArray(message.to) ? (message.to as string[]) : [message.to as string]) {
      recipients.push({ to, message: { ...message, to } });
    }
  });
  if (recipients.length > MAX_NOTIFICATIONS_PER_REQUEST) {
    throw new PushRequestError(
      400,
      'PUSH_TOO_MANY_NOTIFICATIONS',
      `You are trying to send more than ${MAX_NOTIFICATIONS_PER_REQUEST} push notifications in one request`,
    );
  }
  return { recipients, array };
}

/** Reads a `/push/getReceipts` body, `{ ids: string[] }`. */
export function readReceiptIds(body: unknown): string[] {
  if (!isObject(body) || !Array.isArray(body.ids) || !body.ids.every((id) => typeof id === 'string')) {
    throw validation('"ids" must be an array of strings');
  }
  if (body.ids.length > MAX_RECEIPTS_PER_REQUEST) {
    throw new PushRequestError(
      400,
      'PUSH_TOO_MANY_RECEIPTS',
      `You are trying to get more than ${MAX_RECEIPTS_PER_REQUEST} push receipts in one request`,
    );
  }
  return body.ids as string[];
}

/** The error a token that is no (longer a) registered recipient gets, in its ticket or receipt. */
export function deviceNotRegistered(token: string): PushError {
  return {
    status: 'error',
    message: `"${token}" is not a registered push notification recipient`,
    details: { error: 'DeviceNotRegistered', expoPushToken: token },
  };
}

/** The error ticket of a message whose payload is over {@link MAX_PAYLOAD_BYTES}; undefined when it fits. */
export function tooBig(message: PushMessage): PushError | undefined {
  const { to: _to, ...payload } = message;
  if (Buffer.byteLength(JSON.stringify(payload)) <= MAX_PAYLOAD_BYTES) return undefined;
  return {
    status: 'error',
    message: `Message too big: the total size of a notification's payload must be ${MAX_PAYLOAD_BYTES} bytes or less`,
    details: { error: 'MessageTooBig' },
  };
}

/** The error ticket of a recipient that is not an Expo push token at all. */
export function notAToken(token: string): PushError {
  return {
    status: 'error',
    message: `"${token}" is not a valid Expo push token`,
    details: { error: 'DeviceNotRegistered', expoPushToken: token },
  };
}
