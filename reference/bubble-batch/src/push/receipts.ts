/**
 * Reading Expo's receipts for sent reminders: a receipt saying `DeviceNotRegistered` removes that
 * device. Sent reminders wait in GSI1 under `RECEIPTS#<shard>` until their receipts are due (15
 * minutes after sending); once read (or a day later, when Expo has dropped them) they leave the index.
 */
import { ConditionFailedError, type Item } from '@lift/core/dynamodb';
import { deviceKey, gsi, SHARDS, timeKey, upTo } from '../keys.js';
import { type PushReceipt, RECEIPT_BATCH } from './expo.js';
import { notRegistered, type ProcessorDeps, RECEIPT_DELAY_MS, sendWithRetry } from './processor.js';

/** Expo keeps receipts about a day; after that, a reminder's missing receipts are not asked for again. */
const RECEIPTS_KEPT_MS = 24 * 3600_000;

/** What a receipts run did. */
export interface ReceiptsReport {
  reminders: number;
  receipts: number;
  devicesRemoved: number;
}

type Sent = Item & { id: string; version: number; sentAt: string; tickets: { id: string; to: string }[] };

/** Reads the receipts that are due and acts on them. */
export async function checkReceipts(deps: ProcessorDeps): Promise<ReceiptsReport> {
  const now = deps.now?.() ?? Date.now();
  const report: ReceiptsReport = { reminders: 0, receipts: 0, devicesRemoved: 0 };
  const waiting: Sent[] = [];
  for (let shard = 0; shard < SHARDS; shard++)
    for await (const item of deps.data.queryAll({
      index: 'GSI1',
      partition: gsi.receipts(shard),
      sortLessOrEqual: upTo(new Date(now).toISOString()),
      maxItems: deps.maxPerShard ?? 250,
      signal: deps.signal,
    }))
      waiting.push(item as Sent);
  report.reminders = waiting.length;

  const ids = waiting.flatMap((r) => (r.tickets ?? []).map((t) => t.id));
  const receipts: Record<string, PushReceipt> = {};
  try {
    for (let start = 0; start < ids.length; start += RECEIPT_BATCH) {
      const slice = ids.slice(start, start + RECEIPT_BATCH);
      Object.assign(receipts, await sendWithRetry(deps, () => deps.push.receipts(slice)));
    }
  } catch (error) {
    // Not this run: the reminders stay in the index and are read again next minute.
    deps.log?.warn('push receipts unavailable', { error: String(error) });
    return report;
  }

  for (const reminder of waiting) {
    let missing = 0;
    let failedDeliveries = 0;
    for (const ticket of reminder.tickets ?? []) {
      const receipt = receipts[ticket.id];
      if (receipt === undefined) {
        missing++;
        continue;
      }
      report.receipts++;
      if (receipt.status === 'error') failedDeliveries++;
      if (notRegistered(receipt)) {
        const token = receipt.status === 'error' ? (receipt.details?.expoPushToken ?? ticket.to) : ticket.to;
        if ((await deps.data.delete(deviceKey(token))) !== undefined) report.devicesRemoved++;
      }
    }
    const giveUp = Date.parse(reminder.sentAt) + RECEIPTS_KEPT_MS <= now;
    try {
      if (missing > 0 && !giveUp)
        await deps.data.update(
          { PK: reminder.PK, SK: reminder.SK },
          { GSI1SK: timeKey(new Date(now + RECEIPT_DELAY_MS).toISOString(), reminder.id) },
          { expectedVersion: reminder.version, signal: deps.signal },
        );
      else
        await deps.data.update(
          { PK: reminder.PK, SK: reminder.SK },
          { receiptsCheckedAt: new Date(now).toISOString(), failedDeliveries },
          { expectedVersion: reminder.version, remove: ['GSI1PK', 'GSI1SK'], signal: deps.signal },
        );
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }
  return report;
}
