/**
 * The Expo push stand-in through the official `expo-server-sdk` client, pointed at it with
 * `EXPO_BASE_URL` (read once, when the SDK is first imported: this file imports it only after the
 * stand-in has started).
 */
import type { Expo as ExpoClient, ExpoPushMessage, ExpoPushSuccessTicket } from 'expo-server-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ExpoPushStandIn, RECEIPTS_PATH, SEND_PATH, startExpoPushStandIn } from './index.js';

let push: ExpoPushStandIn;
let Expo: typeof ExpoClient;
let expo: ExpoClient;

const token = (n: number | string) => `ExponentPushToken[device-${n}]`;

beforeAll(async () => {
  push = await startExpoPushStandIn({ notRegistered: (t) => t === token('uninstalled') });
  process.env.EXPO_BASE_URL = push.url;
  ({ Expo } = await import('expo-server-sdk'));
  expo = new Expo({ retryMinTimeout: 10, accessToken: 'expo-access-token' });
});
afterAll(async () => {
  delete process.env.EXPO_BASE_URL;
  await push.close();
});
beforeEach(() => push.reset());

const batchReady = (to: string | string[]): ExpoPushMessage => ({
  to,
  title: 'Batch ready',
  body: 'Your kefir batch #12 finished fermenting',
  data: { batchId: 'b12' },
  sound: 'default',
});

describe('send', () => {
  it('answers an ok ticket per message and records what the official client sent', async () => {
    const tickets = await expo.sendPushNotificationsAsync([batchReady(token(1))]);
    expect(tickets).toEqual([{ status: 'ok', id: expect.any(String) }]);
    expect(push.sent).toEqual([{ to: token(1), message: batchReady(token(1)), ticket: tickets[0] }]);
    expect(push.requests).toMatchObject([
      { path: SEND_PATH, status: 200, authorization: 'Bearer expo-access-token' },
    ]);
  });

  it('gives one ticket per recipient of a message with several', async () => {
    const tickets = await expo.sendPushNotificationsAsync([batchReady([token(1), token(2)])]);
    expect(tickets).toHaveLength(2);
    expect(push.sent.map((s) => [s.to, s.message.to])).toEqual([
      [token(1), token(1)],
      [token(2), token(2)],
    ]);
  });

  it('chunks 250 messages into requests of at most 100, and reads gzip bodies', async () => {
    const messages = Array.from({ length: 250 }, (_, i) => batchReady(token(i)));
    const chunks = expo.chunkPushNotifications(messages);
    const tickets = (await Promise.all(chunks.map((chunk) => expo.sendPushNotificationsAsync(chunk)))).flat();
    expect(tickets.every((t) => t.status === 'ok')).toBe(true);
    expect(push.requests.map((r) => (r.body as unknown[]).length)).toEqual([100, 100, 50]);
    expect(push.requests.every((r) => r.gzip)).toBe(true);
    expect(new Set(push.sent.map((s) => s.to)).size).toBe(250);
  });

  it('refuses more than 100 notifications in one request with 400 PUSH_TOO_MANY_NOTIFICATIONS', async () => {
    const messages = Array.from({ length: 101 }, (_, i) => batchReady(token(i)));
    await expect(expo.sendPushNotificationsAsync(messages)).rejects.toMatchObject({
      code: 'PUSH_TOO_MANY_NOTIFICATIONS',
      statusCode: 400,
    });
    expect(push.sent).toHaveLength(0);
  });

  it('refuses a malformed message with 400 VALIDATION_ERROR', async () => {
    await expect(
      expo.sendPushNotificationsAsync([
        { to: token(1), data: 'not an object' } as unknown as ExpoPushMessage,
      ]),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', statusCode: 400 });
  });

  it('answers an error ticket for a token that is not an Expo push token', async () => {
    const [ticket] = await expo.sendPushNotificationsAsync([batchReady('fcm-raw-token')]);
    expect(ticket).toMatchObject({ status: 'error', details: { error: 'DeviceNotRegistered' } });
  });

  it('answers MessageTooBig for a payload over 4096 bytes', async () => {
    const [ticket] = await expo.sendPushNotificationsAsync([
      { to: token(1), data: { blob: 'x'.repeat(5000) } },
    ]);
    expect(ticket).toMatchObject({ status: 'error', details: { error: 'MessageTooBig' } });
  });
});

describe('DeviceNotRegistered', () => {
  it('in the ticket, for a token Expo already knows is gone (the notRegistered option)', async () => {
    const tickets = await expo.sendPushNotificationsAsync([
      batchReady(token('uninstalled')),
      batchReady(token(1)),
    ]);
    expect(tickets[0]).toEqual({
      status: 'error',
      message: `"${token('uninstalled')}" is not a registered push notification recipient`,
      details: { error: 'DeviceNotRegistered', expoPushToken: token('uninstalled') },
    });
    expect(tickets[1]?.status).toBe('ok');
  });

  it('in the ticket, for a token marked not registered before the send', async () => {
    push.markNotRegistered(token(7));
    const [ticket] = await expo.sendPushNotificationsAsync([batchReady(token(7))]);
    expect(ticket).toMatchObject({ status: 'error', details: { error: 'DeviceNotRegistered' } });
  });

  it('in the receipt, for a token that went away after the send', async () => {
    const tickets = (await expo.sendPushNotificationsAsync([
      batchReady(token(1)),
      batchReady(token(2)),
    ])) as ExpoPushSuccessTicket[];
    push.markNotRegistered(token(2));
    const receipts = await expo.getPushNotificationReceiptsAsync(tickets.map((t) => t.id));
    expect(receipts).toEqual({
      [tickets[0]?.id ?? '']: { status: 'ok' },
      [tickets[1]?.id ?? '']: {
        status: 'error',
        message: `"${token(2)}" is not a registered push notification recipient`,
        details: { error: 'DeviceNotRegistered', expoPushToken: token(2) },
      },
    });
  });
});

describe('receipts', () => {
  it('answers the receipts of known ids, and leaves unknown ids out', async () => {
    const [ticket] = (await expo.sendPushNotificationsAsync([
      batchReady(token(1)),
    ])) as ExpoPushSuccessTicket[];
    const receipts = await expo.getPushNotificationReceiptsAsync([ticket?.id ?? '', 'no-such-receipt']);
    expect(receipts).toEqual({ [ticket?.id ?? '']: { status: 'ok' } });
    expect(push.requests.at(-1)).toMatchObject({ path: RECEIPTS_PATH, status: 200 });
  });

  it('refuses more than 1000 ids with 400 PUSH_TOO_MANY_RECEIPTS', async () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `id-${i}`);
    await expect(expo.getPushNotificationReceiptsAsync(ids)).rejects.toMatchObject({
      code: 'PUSH_TOO_MANY_RECEIPTS',
      statusCode: 400,
    });
  });
});

describe('transient failures', () => {
  it('a 429 is retried by the client with backoff and the message goes through once', async () => {
    push.failNext(429);
    const tickets = await expo.sendPushNotificationsAsync([batchReady(token(1))]);
    expect(tickets[0]?.status).toBe('ok');
    expect(push.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(push.sent).toHaveLength(1);
  });

  it('a 429 that lasts beyond the client retries (3 attempts) reaches the caller as statusCode 429', async () => {
    push.failNext(429, 3);
    await expect(expo.sendPushNotificationsAsync([batchReady(token(1))])).rejects.toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      statusCode: 429,
    });
    expect(push.requests.map((r) => r.status)).toEqual([429, 429, 429]);
    expect(push.sent).toHaveLength(0);
  });

  it('a 503 is not retried by the client: the caller gets statusCode 503, and a retry succeeds', async () => {
    push.failNext(503);
    await expect(expo.sendPushNotificationsAsync([batchReady(token(1))])).rejects.toMatchObject({
      statusCode: 503,
    });
    expect(push.sent).toHaveLength(0);
    expect((await expo.sendPushNotificationsAsync([batchReady(token(1))]))[0]?.status).toBe('ok');
  });

  it('a dropped connection reaches the caller as a network error', async () => {
    push.failNext('reset');
    await expect(expo.sendPushNotificationsAsync([batchReady(token(1))])).rejects.toThrow(
      /fetch failed|socket/i,
    );
    expect(push.sent).toHaveLength(0);
  });

  it('failures apply to receipt requests too', async () => {
    push.failNext(500);
    await expect(expo.getPushNotificationReceiptsAsync(['x'])).rejects.toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      statusCode: 500,
    });
  });
});

describe('access token', () => {
  it('missing or wrong access token: refused with 401 when the stand-in requires one', async () => {
    const secured = await startExpoPushStandIn({ accessToken: 'right' });
    try {
      const post = (authorization?: string) =>
        fetch(`${secured.url}${SEND_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify([{ to: token(1), body: 'hi' }]),
        });
      expect((await post()).status).toBe(401);
      expect((await post('Bearer wrong')).status).toBe(401);
      expect((await post('Bearer right')).status).toBe(200);
      expect(secured.sent).toHaveLength(1);
    } finally {
      await secured.close();
    }
  });
});
