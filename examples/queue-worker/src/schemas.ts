import * as z from 'zod';

/**
 * An id (batch, tenant, reminder, export). Ids end up in keys (`BATCH#{batchId}`) and log lines: a
 * closed alphabet keeps `#` and other separators out of them.
 */
export const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-", at most 64');

// Due times are compared as text in the index (GSI1SK) and by the schedule, so every one is stored in
// the same form: UTC with milliseconds, whatever offset the producer wrote.
const Instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** A message of the `reminders` queue: a reminder confirmed for a batch, to store and later send. */
export const ReminderSchema = z.strictObject({
  reminderId: Id,
  batchId: Id,
  tenantId: Id,
  dueAt: Instant,
  text: z.string().trim().min(1).max(280),
});

/** The detail of the `kefir.batches` / `BatchCreated` EventBridge event. */
export const BatchCreatedSchema = z.object({
  batchId: Id,
  tenantId: Id,
  name: z.string().trim().min(1).max(200),
  owner: z.string().min(1).max(200),
});

/**
 * A message of the `exports.fifo` queue, one export job per message group: `start`, then the parts
 * in order, then `finish` naming how many parts there were.
 */
export const ExportStepSchema = z.discriminatedUnion('step', [
  z.strictObject({ step: z.literal('start'), exportId: Id, tenantId: Id, batchId: Id }),
  z.strictObject({
    step: z.literal('part'),
    exportId: Id,
    part: z.number().int().positive(),
    rows: z.number().int().min(0),
  }),
  z.strictObject({ step: z.literal('finish'), exportId: Id, parts: z.number().int().min(0) }),
]);

/** The key attributes every stored item has: what the stream handler reads of a new image. */
// Loose: the rest of the image stays (the record middleware reads its tenantId), and an item of any
// other kind still passes, since a failed record would hold up the whole shard.
export const StoredKeysSchema = z.looseObject({ PK: z.string(), SK: z.string() });
