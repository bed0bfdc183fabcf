/**
 * Lift's local Expo push stand-in: `POST /--/api/v2/push/send` and `/--/api/v2/push/getReceipts` on
 * loopback, answered as Expo answers them, recording every message. The official `expo-server-sdk`
 * reaches it through `EXPO_BASE_URL`, which it reads when first imported. See README.md.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  deviceNotRegistered,
  isExpoPushToken,
  notAToken,
  type PushMessage,
  type PushReceipt,
  PushRequestError,
  type PushTicket,
  readMessages,
  readReceiptIds,
  tooBig,
} from './protocol.js';

export {
  isExpoPushToken,
  MAX_NOTIFICATIONS_PER_REQUEST,
  MAX_PAYLOAD_BYTES,
  MAX_RECEIPTS_PER_REQUEST,
  type PushError,
  type PushErrorCode,
  type PushMessage,
  type PushReceipt,
  type PushTicket,
} from './protocol.js';

/** Expo's send endpoint, under the base URL. */
export const SEND_PATH = '/--/api/v2/push/send';
/** Expo's receipts endpoint, under the base URL. */
export const RECEIPTS_PATH = '/--/api/v2/push/getReceipts';
/** Largest request body accepted (after gunzip), in bytes. */
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * A failure to answer the next request with: an HTTP status (429 is Expo's rate limit, which the SDK
 * retries; 500, 502, 503 are outages it does not) or `'reset'`, a connection dropped unanswered.
 */
export type PushFailure = 429 | 500 | 502 | 503 | 'reset';

/** Options of {@link startExpoPushStandIn}. */
export interface ExpoPushStandInOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Address to listen on; default `127.0.0.1`. */
  readonly host?: string;
  /** Tokens Expo already knows are not registered: their tickets are DeviceNotRegistered errors. */
  readonly notRegistered?: (token: string) => boolean;
  /** When set, requests must carry `Authorization: Bearer <accessToken>` (Expo's enhanced push security). */
  readonly accessToken?: string;
  /**
   * The Expo project a token belongs to (default: one project for all). A request mixing projects is
   * refused as a whole, as Expo refuses it: 400 `PUSH_TOO_MANY_EXPERIENCE_IDS`.
   */
  readonly projectOf?: (token: string) => string;
  /** Called with each recipient of each message received (a dev server prints them). */
  readonly onPush?: (push: SentPush) => void;
}

/** One recipient of one message, as received, and the ticket it got. */
export interface SentPush {
  readonly to: string;
  /** The message as received, its `to` narrowed to this recipient. */
  readonly message: PushMessage;
  readonly ticket: PushTicket;
}

/** One HTTP request the stand-in answered. */
export interface PushRequestRecord {
  readonly path: string;
  readonly status: number;
  /** The parsed JSON body (undefined when it was not JSON). */
  readonly body: unknown;
  readonly gzip: boolean;
  readonly authorization: string | undefined;
}

/** A running Expo push stand-in. */
export interface ExpoPushStandIn {
  /** `http://127.0.0.1:PORT`: the value of `EXPO_BASE_URL`. */
  readonly url: string;
  /** `{ EXPO_BASE_URL }`, to set before the service first imports expo-server-sdk. */
  readonly env: Readonly<{ EXPO_BASE_URL: string }>;
  /** Every recipient of every message received, in order, with its ticket. */
  readonly sent: readonly SentPush[];
  /** Every request answered, failures included, in order. */
  readonly requests: readonly PushRequestRecord[];
  /** The receipt of each ok ticket, by ticket id. */
  readonly receipts: ReadonlyMap<string, PushReceipt>;
  /**
   * The token is no longer registered (the app was uninstalled): later tickets to it are errors,
   * and receipts of tickets already given to it become DeviceNotRegistered errors.
   */
  markNotRegistered(token: string): void;
  /** Answers the next `times` (default 1) requests with `kind` instead. */
  failNext(kind: PushFailure, times?: number): void;
  /** Forgets messages, requests, receipts, pending failures and tokens marked not registered. */
  reset(): void;
  close(): Promise<void>;
}

/** Starts a local Expo push service on loopback. */
export async function startExpoPushStandIn(options: ExpoPushStandInOptions = {}): Promise<ExpoPushStandIn> {
  const sent: SentPush[] = [];
  const requests: PushRequestRecord[] = [];
  const receipts = new Map<string, PushReceipt>();
  const receiptTokens = new Map<string, string>();
  const marked = new Set<string>();
  const failures: PushFailure[] = [];
  const unregistered = (token: string) => marked.has(token) || (options.notRegistered?.(token) ?? false);

  function ticketFor(to: string, message: PushMessage): PushTicket {
    if (!isExpoPushToken(to)) return notAToken(to);
    if (unregistered(to)) return deviceNotRegistered(to);
    const big = tooBig(message);
    if (big !== undefined) return big;
    const id = randomUUID();
    receipts.set(id, { status: 'ok' });
    receiptTokens.set(id, to);
    return { status: 'ok', id };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const gzip = /\bgzip\b/i.test(req.headers['content-encoding'] ?? '');
    const authorization = req.headers.authorization;
    let body: unknown;
    const record = (status: number) => requests.push({ path, status, body, gzip, authorization });
    const failure = failures.shift();
    if (failure === 'reset') {
      record(0);
      req.socket.destroy();
      return;
    }
    try {
      if (failure !== undefined) throw failureError(failure);
      if (path !== SEND_PATH && path !== RECEIPTS_PATH)
        throw new PushRequestError(404, 'NOT_FOUND', `Not found: ${path}`);
      if (req.method !== 'POST')
        throw new PushRequestError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed`);
      if (options.accessToken !== undefined && authorization !== `Bearer ${options.accessToken}`) {
        throw new PushRequestError(401, 'UNAUTHORIZED', 'The bearer token is invalid');
      }
      body = await readJson(req, gzip);
      const data = path === SEND_PATH ? send(body) : getReceipts(body);
      record(200);
      reply(res, 200, JSON.stringify({ data }));
    } catch (error) {
      const refused =
        error instanceof PushRequestError
          ? error
          : new PushRequestError(500, 'INTERNAL_SERVER_ERROR', String(error));
      record(refused.status);
      if (refused.status === 502 || refused.status === 503) {
        reply(res, refused.status, `<html><body>${refused.message}</body></html>`, 'text/html');
      } else {
        reply(res, refused.status, refused.body());
      }
    }
  }

  function send(body: unknown): PushTicket | PushTicket[] {
    const { recipients, array } = readMessages(body);
    const projects = new Set(recipients.map((r) => options.projectOf?.(r.to) ?? 'default'));
    if (projects.size > 1)
      throw new PushRequestError(
        400,
        'PUSH_TOO_MANY_EXPERIENCE_IDS',
        'All push notification messages in the same request must be for the same project; check the details field to investigate conflicting tokens.',
      );
    const tickets = recipients.map(({ to, message }) => {
      const ticket = ticketFor(to, message);
      sent.push({ to, message, ticket });
      options.onPush?.({ to, message, ticket });
      return ticket;
    });
    return array ? tickets : (tickets[0] as PushTicket);
  }

  function getReceipts(body: unknown): Record<string, PushReceipt> {
    const data: Record<string, PushReceipt> = {};
    for (const id of readReceiptIds(body)) {
      const receipt = receipts.get(id);
      if (receipt !== undefined) data[id] = receipt;
    }
    return data;
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    url,
    env: { EXPO_BASE_URL: url },
    sent,
    requests,
    receipts,
    markNotRegistered(token) {
      marked.add(token);
      for (const [id, owner] of receiptTokens) {
        if (owner === token) receipts.set(id, deviceNotRegistered(token));
      }
    },
    failNext(kind, times = 1) {
      for (let i = 0; i < times; i++) failures.push(kind);
    },
    reset() {
      sent.length = 0;
      requests.length = 0;
      receipts.clear();
      receiptTokens.clear();
      marked.clear();
      failures.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

function failureError(kind: Exclude<PushFailure, 'reset'>): PushRequestError {
  switch (kind) {
    case 429:
      return new PushRequestError(
        429,
        'TOO_MANY_REQUESTS',
        'Too many requests: the rate limit is 600 notifications per second per project',
      );
    case 500:
      return new PushRequestError(500, 'INTERNAL_SERVER_ERROR', 'An unknown error occurred');
    case 502:
      return new PushRequestError(502, 'BAD_GATEWAY', '502 Bad Gateway');
    case 503:
      return new PushRequestError(503, 'SERVICE_UNAVAILABLE', '503 Service Temporarily Unavailable');
  }
}

async function readJson(req: IncomingMessage, gzip: boolean): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new PushRequestError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large');
    chunks.push(chunk);
  }
  let raw = Buffer.concat(chunks);
  try {
    if (gzip) raw = gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES });
  } catch {
    throw new PushRequestError(400, 'VALIDATION_ERROR', 'The request body is not valid gzip');
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new PushRequestError(400, 'VALIDATION_ERROR', 'The request body is not valid JSON');
  }
}

function reply(
  res: ServerResponse,
  status: number,
  body: string,
  type = 'application/json; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
