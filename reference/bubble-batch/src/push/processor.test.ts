/**
 * The reminder processor with the service's Expo client against Lift's Expo stand-in, on dynalite:
 * one push per device, 100 per request, dead devices removed, transient failures retried, and no
 * reminder sent twice when two runs overlap.
 */
import { fakeLambdaContext, scheduleEvent } from '@lift/core/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deviceKey } from '../keys.js';
import { type ExpoPushStandIn, SEND_PATH, startExpoPushStandIn } from '../testing/expo-stand-in.js';
import { type Harness, startHarness } from '../testing/harness.js';
import { expoPush } from './expo.js';
import { type ProcessorDeps, processDueReminders, RECEIPT_DELAY_MS } from './processor.js';
import { checkReceipts } from './receipts.js';

let clock = Date.parse('2026-11-23T10:00:00.000Z');
let expo: ExpoPushStandIn;
/** Where this test's records start in the stand-in's lists. */
let mark = { sent: 0, requests: 0 };
let h: Harness;
let run: ProcessorDeps;

beforeAll(async () => {
  // Tokens naming "Other" belong to another Expo project: Expo refuses a request that mixes them.
  expo = await startExpoPushStandIn({ projectOf: (token) => (token.includes('Other') ? 'other' : 'kefir') });
  // Read by the SDK when it is first imported, which expoPush does on its first send.
  process.env.EXPO_BASE_URL = expo.url;
  const push = expoPush({ timeoutMs: 2000 });
  h = await startHarness({ now: () => clock, push, pushRetry: { baseDelayMs: 5, maxDelayMs: 20 } });
  run = { data: h.data, push, now: () => clock, retry: { baseDelayMs: 5, maxDelayMs: 20 } };
}, 60_000);
afterAll(async () => {
  await h?.close();
  await expo?.close();
});
beforeEach(() => {
  mark = { sent: expo.sent.length, requests: expo.requests.length };
  clock += 3_600_000;
});

/** The messages this test sent: recipient and message. */
const sent = () => expo.sent.slice(mark.sent);
/** The send requests this test made: their number of messages (0 for one that failed). */
const sends = () =>
  expo.requests
    .slice(mark.requests)
    .filter((r) => r.path === SEND_PATH)
    .map((r) => (r.status === 200 && Array.isArray(r.body) ? r.body.length : 0));

let tokens = 0;
const newToken = () => `ExponentPushToken[tok${String(++tokens).padStart(10, '0')}]`;

/** A user with `devices` devices and one reminder due now (a milk batch started 25 h ago). */
async function dueReminder(
  userId: string,
  devices: number,
): Promise<{ reminderId: string; tokens: string[] }> {
  const user = h.as(userId);
  const owned: string[] = [];
  for (let i = 0; i < devices; i++) {
    const token = newToken();
    expect((await user('POST', '/me/devices', { token })).status).toBe(201);
    owned.push(token);
  }
  const startedAt = new Date(clock - 25 * 3_600_000).toISOString();
  const batch = (await user('POST', '/batches', { name: 'Milk', type: 'milk-kefir', startedAt })).json<{
    id: string;
  }>();
  const { suggestions } = (await user('GET', `/batches/${batch.id}/reminders/suggestions`)).json<{
    suggestions: { id: string }[];
  }>();
  const confirmed = await user('POST', `/batches/${batch.id}/reminders/confirm`, {
    suggestionIds: [suggestions[0]?.id],
  });
  return {
    reminderId: confirmed.json<{ reminders: { id: string }[] }>().reminders[0]?.id as string,
    tokens: owned,
  };
}

const reminderOf = async (userId: string) =>
  (await h.data.query({ partition: `USER#${userId}`, sortBeginsWith: 'REMINDER#' })).items[0];

describe('the reminder processor', () => {
  it('sends one push per device, marks the reminder sent, and sends nothing on the next run', async () => {
    const { reminderId, tokens: owned } = await dueReminder('p-one', 2);
    const report = await processDueReminders(run);
    expect(report).toMatchObject({ claimed: 1, sent: 1, messages: 2 });
    expect(
      sent()
        .map((m) => m.to)
        .sort(),
    ).toEqual([...owned].sort());
    expect(sent()[0]?.message).toMatchObject({ title: 'Time to strain', data: { reminderId } });
    expect(await reminderOf('p-one')).toMatchObject({
      status: 'sent',
      attempts: 1,
      GSI1PK: expect.stringMatching(/^RECEIPTS#/),
    });
    expect((await processDueReminders(run)).claimed).toBe(0);
    expect(sent()).toHaveLength(2);
  });

  it('batches messages 100 per Expo request, never splitting a reminder', async () => {
    for (let u = 0; u < 6; u++) await dueReminder(`p-many-${u}`, 20);
    const report = await processDueReminders(run);
    expect(report).toMatchObject({ claimed: 6, sent: 6, messages: 120 });
    expect(sends()).toEqual([100, 20]);
  });

  it('removes a device Expo reports as not registered, in a ticket or later in a receipt', async () => {
    await checkReceipts(run); // the receipts of earlier tests' reminders, due by now
    const { tokens: owned } = await dueReminder('p-dead', 3);
    const [dead, later, alive] = owned as [string, string, string];
    expo.markNotRegistered(dead);
    const report = await processDueReminders(run);
    // Uninstalled after the push went out: only its receipt says so.
    expo.markNotRegistered(later);
    expect(report).toMatchObject({ sent: 1, devicesRemoved: 1 });
    expect(await h.data.get(deviceKey(dead))).toBeUndefined();
    expect(await h.data.get(deviceKey(later))).toBeDefined();

    expect((await checkReceipts(run)).reminders).toBe(0); // not before 15 minutes
    clock += RECEIPT_DELAY_MS;
    expect(await checkReceipts(run)).toMatchObject({ reminders: 1, receipts: 2, devicesRemoved: 1 });
    expect(await h.data.get(deviceKey(later))).toBeUndefined();
    expect(await h.data.get(deviceKey(alive))).toBeDefined();
    const reminder = await reminderOf('p-dead');
    expect(reminder).toMatchObject({ failedDeliveries: 1 });
    expect(reminder).not.toHaveProperty('GSI1PK');
  });

  it('retries a transient Expo failure, and sends once', async () => {
    await dueReminder('p-flaky', 1);
    expo.failNext(503);
    const report = await processDueReminders(run);
    expect(report).toMatchObject({ sent: 1, released: 0, messages: 1 });
    expect(sends()).toEqual([0, 1]);
    expect(sent()).toHaveLength(1);
    expo.failNext('reset');
    await dueReminder('p-reset', 1);
    expect(await processDueReminders(run)).toMatchObject({ sent: 1, released: 0 });
  });

  it('gives a reminder back when Expo stays down, and sends it on a later run', async () => {
    await dueReminder('p-down', 1);
    expo.failNext(503, 3);
    expect(await processDueReminders(run)).toMatchObject({ claimed: 1, sent: 0, released: 1 });
    expect(sent()).toHaveLength(0);
    expect(await reminderOf('p-down')).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await processDueReminders(run)).claimed).toBe(0); // backing off for a minute
    clock += 60_000;
    expect(await processDueReminders(run)).toMatchObject({ sent: 1 });
    expect(await reminderOf('p-down')).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('sends each reminder exactly once when two runs overlap', async () => {
    const ids: string[] = [];
    for (let u = 0; u < 25; u++) ids.push((await dueReminder(`p-race-${u}`, 1)).reminderId);
    const [a, b] = await Promise.all([processDueReminders(run), processDueReminders(run)]);
    expect(a.claimed + b.claimed).toBe(25);
    expect(a.due + b.due).toBeGreaterThanOrEqual(25);
    const sentIds = sent().map((m) => (m.message.data as { reminderId?: string } | undefined)?.reminderId);
    expect(sentIds).toHaveLength(25);
    expect(new Set(sentIds)).toEqual(new Set(ids));
    const [c, d] = await Promise.all([processDueReminders(run), processDueReminders(run)]);
    expect(c.claimed + d.claimed).toBe(0);
    expect(sent()).toHaveLength(25);
  });

  it('takes a reminder over once a crashed run’s lease is over', async () => {
    await dueReminder('p-crash', 1);
    const reminder = await reminderOf('p-crash');
    // A run that claimed it and died: status sending, lease until 5 minutes from now.
    await h.data.update(
      { PK: reminder?.PK, SK: reminder?.SK },
      {
        status: 'sending',
        attempts: 1,
        GSI1SK: `${new Date(clock + 300_000).toISOString()}#${reminder?.id}`,
      },
      { expectedVersion: reminder?.version as number },
    );
    expect((await processDueReminders(run)).claimed).toBe(0);
    clock += 300_000;
    expect(await processDueReminders(run)).toMatchObject({ claimed: 1, sent: 1 });
  });

  it('runs from the due-reminders schedule through app.handler', async () => {
    await dueReminder('p-scheduled', 1);
    const result = await h.app.handler(scheduleEvent('due-reminders'), fakeLambdaContext());
    expect(result).toBeUndefined();
    expect(await reminderOf('p-scheduled')).toMatchObject({ status: 'sent' });
    expect(sent()).toHaveLength(1);
  });
});

describe('foreign-project token poisoning', () => {
  it('a token of another Expo project in a request never fails the other reminders sent with it', async () => {
    const victims = [await dueReminder('poison-victim-1', 1), await dueReminder('poison-victim-2', 1)];
    const user = h.as('poisoner');
    expect((await user('POST', '/me/devices', { token: 'ExponentPushToken[OtherProject0001]' })).status).toBe(
      201,
    );
    const startedAt = new Date(clock - 25 * 3_600_000).toISOString();
    const batch = (await user('POST', '/batches', { name: 'Bait', type: 'milk-kefir', startedAt })).json<{
      id: string;
    }>();
    const { suggestions } = (await user('GET', `/batches/${batch.id}/reminders/suggestions`)).json<{
      suggestions: { id: string }[];
    }>();
    await user('POST', `/batches/${batch.id}/reminders/confirm`, { suggestionIds: [suggestions[0]?.id] });

    await processDueReminders(run);
    expect((await reminderOf('poison-victim-1'))?.status).toBe('sent');
    expect((await reminderOf('poison-victim-2'))?.status).toBe('sent');
    // Alone, its request names one project, which Expo takes; what matters is that nobody else lost theirs.
    expect((await reminderOf('poisoner'))?.status).toBe('sent');
    expect(sends()[0]).toBe(0);
    expect(sent().map((s) => s.to)).toEqual(expect.arrayContaining(victims.flatMap((v) => v.tokens)));
  });
});
