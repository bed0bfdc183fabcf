/**
 * The reminder processor, run every minute by the `due-reminders` schedule. Due reminders are found
 * with a Query on GSI1 (`DUE#<shard>`, sort key up to now), each is claimed with a conditional write
 * before anything is sent, one push goes to each of its user's devices (100 per Expo request), and the
 * reminder is marked sent with a conditional write. Overlapping runs read the same reminders, but
 * only one claim per reminder succeeds, so none is sent twice.
 *
 * A claim is a lease: it moves the reminder's GSI1 sort key to the lease's end (5 minutes), so a run
 * that died after claiming leaves a reminder that is due again once the lease is over (at least once
 * across crashes; exactly once between runs that finish within the lease).
 */
import type { LoggerLike } from '@lift/core';
import { ConditionFailedError, type Item, type TableClient } from '@lift/core/dynamodb';
import { type RetryOptions, retryDelay, retryPlan, sleep } from '@lift/core/resilience';
import { deviceKey, gsi, SHARDS, shardOf, timeKey, upTo } from '../keys.js';
import { type ExpoPush, isTransient, PUSH_BATCH, type PushMessage, type PushTicket } from './expo.js';

/** Claims a reminder gets before it is given up as failed. */
export const MAX_ATTEMPTS = 5;
/** Devices read per user (registration refuses more). */
export const MAX_DEVICES = 20;
/** Sent reminders are kept 30 days, then DynamoDB's TTL deletes them. */
export const SENT_RETENTION_SECONDS = 30 * 24 * 3600;
/** Expo's receipts are ready about 15 minutes after sending and kept about a day. */
export const RECEIPT_DELAY_MS = 15 * 60_000;

/** What the processor needs. */
export interface ProcessorDeps {
  readonly data: TableClient;
  readonly push: ExpoPush;
  readonly now?: () => number;
  readonly log?: Pick<LoggerLike, 'info' | 'warn'>;
  /** Transient push failures (network, 429, 5xx): default 3 attempts, waits up to 500 ms then 1 s... */
  readonly retry?: RetryOptions;
  /** How long a claim holds a reminder (default 5 minutes; longer than a run may take). */
  readonly leaseMs?: number;
  /** Reminders taken per shard per run (default 250). */
  readonly maxPerShard?: number;
  readonly signal?: AbortSignal;
  /** Time left in the invocation: retries never wait past it (default unbounded). */
  readonly remainingMs?: () => number;
}

/** What a run did. */
export interface RunReport {
  due: number;
  claimed: number;
  sent: number;
  released: number;
  failed: number;
  messages: number;
  devicesRemoved: number;
}

type Reminder = Item & {
  PK: string;
  SK: string;
  id: string;
  userId: string;
  batchId: string;
  title: string;
  body: string;
  status: string;
  attempts?: number;
  version: number;
};

const keyOf = (r: Item) => ({ PK: r.PK, SK: r.SK });
const iso = (ms: number) => new Date(ms).toISOString();

/** Sends through `push`, retrying transient failures with full-jitter backoff within the time left. */
export async function sendWithRetry<T>(deps: ProcessorDeps, call: () => Promise<T>): Promise<T> {
  const plan = retryPlan(deps.retry, 'reminder push', { maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 4000 });
  for (let attempt = 1; ; attempt++) {
    const began = Date.now();
    try {
      return await call();
    } catch (error) {
      const budget = deps.remainingMs?.() ?? Number.POSITIVE_INFINITY;
      const wait = isTransient(error)
        ? retryDelay(plan, attempt, budget, undefined, Date.now() - began)
        : undefined;
      if (wait === undefined) throw error;
      deps.log?.warn('push failed, retrying', { attempt, waitMs: wait, error: String(error) });
      await sleep(wait, deps.signal);
    }
  }
}

/** Removes a device Expo reported as not registered (whoever it belongs to now: the token is dead). */
async function removeDevice(deps: ProcessorDeps, token: string, report: { devicesRemoved: number }) {
  if ((await deps.data.delete(deviceKey(token))) !== undefined) report.devicesRemoved++;
}

/** Whether a ticket or receipt says the device is gone, and its token. */
export function notRegistered(answer: PushTicket | { status: string; details?: { error?: string } }) {
  return answer.status === 'error' && answer.details?.error === 'DeviceNotRegistered';
}

/** One run: claim what is due, send, mark sent (or release for a later retry, or give up). */
export async function processDueReminders(deps: ProcessorDeps): Promise<RunReport> {
  const now = deps.now?.() ?? Date.now();
  const report: RunReport = {
    due: 0,
    claimed: 0,
    sent: 0,
    released: 0,
    failed: 0,
    messages: 0,
    devicesRemoved: 0,
  };
  const leaseMs = deps.leaseMs ?? 5 * 60_000;
  const due: Reminder[] = [];
  for (let shard = 0; shard < SHARDS; shard++)
    for await (const item of deps.data.queryAll({
      index: 'GSI1',
      partition: gsi.due(shard),
      sortLessOrEqual: upTo(iso(now)),
      maxItems: deps.maxPerShard ?? 250,
      signal: deps.signal,
    }))
      due.push(item as Reminder);
  report.due = due.length;

  // Claim: one conditional write per reminder, on the version this run read. Of overlapping runs
  // that read the same version, one wins; the others get ConditionFailedError and skip it.
  const claimed: Reminder[] = [];
  for (const reminder of due) {
    if (reminder.status !== 'pending' && reminder.status !== 'sending') continue;
    const attempts = (reminder.attempts ?? 0) + 1;
    try {
      if (attempts > MAX_ATTEMPTS) {
        await finish(deps, reminder, 'failed', now, {});
        report.failed++;
        continue;
      }
      const leaseUntil = iso(now + leaseMs);
      claimed.push(
        (await deps.data.update(
          keyOf(reminder),
          { status: 'sending', attempts, leaseUntil, GSI1SK: timeKey(leaseUntil, reminder.id) },
          { expectedVersion: reminder.version, signal: deps.signal },
        )) as Reminder,
      );
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }
  report.claimed = claimed.length;

  // Each user's devices, once per run.
  const devices = new Map<string, string[]>();
  for (const reminder of claimed) {
    if (devices.has(reminder.userId)) continue;
    const tokens: string[] = [];
    for await (const device of deps.data.queryAll({
      index: 'GSI1',
      partition: gsi.devices(reminder.userId),
      maxItems: MAX_DEVICES,
      signal: deps.signal,
    }))
      tokens.push(device.token as string);
    devices.set(reminder.userId, tokens);
  }

  // Requests of at most 100 messages, a reminder's messages never split between two.
  const chunks: { reminders: Reminder[]; messages: PushMessage[] }[] = [];
  for (const reminder of claimed) {
    const tokens = devices.get(reminder.userId) ?? [];
    if (tokens.length === 0) {
      await finish(deps, reminder, 'sent', now, { tickets: [] }).then(() => report.sent++, lost);
      continue;
    }
    const messages = tokens.map((to) => ({
      to,
      title: reminder.title,
      body: reminder.body,
      sound: 'default' as const,
      data: { reminderId: reminder.id, batchId: reminder.batchId },
    }));
    let chunk = chunks.at(-1);
    if (chunk === undefined || chunk.messages.length + messages.length > PUSH_BATCH)
      chunks.push((chunk = { reminders: [], messages: [] }));
    chunk.reminders.push(reminder);
    chunk.messages.push(...messages);
  }

  for (let next = 0; next < chunks.length; next++) {
    const chunk = chunks[next] as (typeof chunks)[number];
    let tickets: PushTicket[];
    try {
      tickets = await sendWithRetry(deps, () => deps.push.send(chunk.messages));
      report.messages += chunk.messages.length;
    } catch (error) {
      deps.log?.warn('push failed', { reminders: chunk.reminders.length, error: String(error) });
      // Expo refuses a whole request for one bad message (a token of another Expo project, say):
      // send each reminder alone, so only the one at fault fails, never its neighbours.
      if (!isTransient(error) && chunk.reminders.length > 1) {
        for (const reminder of chunk.reminders) {
          const own = chunk.messages.filter((m) => m.data?.reminderId === reminder.id);
          chunks.push({ reminders: [reminder], messages: own });
        }
        continue;
      }
      for (const reminder of chunk.reminders) {
        if (isTransient(error)) {
          await release(deps, reminder, now).catch(lost);
          report.released++;
        } else {
          await finish(deps, reminder, 'failed', now, {}).catch(lost);
          report.failed++;
        }
      }
      continue;
    }
    let at = 0;
    for (const reminder of chunk.reminders) {
      const sent: { id: string; to: string }[] = [];
      for (const to of devices.get(reminder.userId) ?? []) {
        const ticket = tickets[at++];
        if (ticket?.status === 'ok') sent.push({ id: ticket.id, to });
        else if (ticket !== undefined && notRegistered(ticket)) await removeDevice(deps, to, report);
        else deps.log?.warn('push refused', { reminderId: reminder.id, ticket });
      }
      await finish(deps, reminder, 'sent', now, { tickets: sent }).then(() => report.sent++, lost);
    }
  }
  return report;

  function lost(error: unknown) {
    // Our lease ran out and another run took the reminder over: its write wins.
    if (!(error instanceof ConditionFailedError)) throw error;
    deps.log?.warn('reminder lease lost', { error: String(error) });
  }
}

/** Marks a claimed reminder done: `sent` (waiting for receipts when it has tickets) or `failed`. */
function finish(
  deps: ProcessorDeps,
  reminder: Reminder,
  status: 'sent' | 'failed',
  now: number,
  extra: { tickets?: { id: string; to: string }[] },
) {
  const waiting = status === 'sent' && (extra.tickets?.length ?? 0) > 0;
  return deps.data.update(
    keyOf(reminder),
    {
      status,
      ...(status === 'sent' ? { sentAt: iso(now), tickets: extra.tickets ?? [] } : { failedAt: iso(now) }),
      expiresAt: Math.floor(now / 1000) + SENT_RETENTION_SECONDS,
      ...(waiting
        ? {
            GSI1PK: gsi.receipts(shardOf(reminder.id)),
            GSI1SK: timeKey(iso(now + RECEIPT_DELAY_MS), reminder.id),
          }
        : {}),
    },
    {
      expectedVersion: reminder.version,
      remove: waiting ? ['leaseUntil'] : ['leaseUntil', 'GSI1PK', 'GSI1SK'],
      signal: deps.signal,
    },
  );
}

/** Gives a claimed reminder back after a transient failure, due again after a backoff. */
function release(deps: ProcessorDeps, reminder: Reminder, now: number) {
  const retryAt = iso(now + 60_000 * 2 ** ((reminder.attempts ?? 1) - 1));
  return deps.data.update(
    keyOf(reminder),
    { status: 'pending', GSI1SK: timeKey(retryAt, reminder.id) },
    { expectedVersion: reminder.version, remove: ['leaseUntil'], signal: deps.signal },
  );
}
