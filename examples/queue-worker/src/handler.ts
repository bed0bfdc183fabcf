/**
 * The background side of the Kefir "bubble batch" app in one Lambda handler: reminders from SQS,
 * export jobs from a FIFO queue, batches from EventBridge, photos from S3, per-batch counters from the
 * table's own stream, a schedule that sends due reminders, and one HTTP route to read a batch.
 */
import { createApp, type LoggerLike, NotFoundError, PermanentError, type RecordContext } from '@lift/core';
import { ConditionFailedError, type Item, tableClient } from '@lift/core/dynamodb';
import { type AnyRecord, records } from '@lift/core/events';
import * as z from 'zod';
import { BatchCreatedSchema, ExportStepSchema, Id, ReminderSchema, StoredKeysSchema } from './schemas.js';
import { batchKey, DUE_INDEX, exportKey, kefirTable, PENDING, photoKey, reminderKey, SENT } from './table.js';

export { BatchCreatedSchema, ExportStepSchema, ReminderSchema } from './schemas.js';
export { kefirTable, photosBucket } from './table.js';

/** What the record middleware leaves for handlers: the record's tenant, and a logger tagged with it. */
export interface WorkerState {
  tenant?: string;
  log?: LoggerLike;
}

// The schedule pages through the index within one firing, and its cursors never leave the process:
// a random secret per instance is enough, with nothing to configure or share.
const kefir = tableClient(kefirTable, {
  cursorSecret: Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
});

/**
 * The worker. `records()` brings the record engine (an HTTP-only app leaves it out of its bundle);
 * request ids, security headers, logs and metrics are on by default.
 */
const worker = createApp<WorkerState>({ service: 'queue-worker', records: records() });

/** The tenant a record carries: `tenantId` in an SQS body, an EventBridge detail or a stream image. */
function tenantOf(record: AnyRecord): string | undefined {
  const carried =
    'body' in record
      ? record.body
      : 'detail' in record
        ? record.detail
        : 'newImage' in record
          ? record.newImage
          : undefined;
  if (typeof carried !== 'object' || carried === null || !('tenantId' in carried)) return undefined;
  return typeof carried.tenantId === 'string' ? carried.tenantId : undefined;
}

const logOf = (ctx: RecordContext<WorkerState>): LoggerLike => ctx.state.log ?? ctx.log;

// Around every record of every source (after validation, so the tenant is read from a checked body).
// `ctx.log` cannot take more fields, so the tagged logger goes into the state for handlers to use.
worker.useRecords(async (record, ctx, next) => {
  const tenant = tenantOf(record);
  if (tenant !== undefined) ctx.state.tenant = tenant;
  const log = tenant === undefined ? ctx.log : ctx.log.child({ tenant_id: tenant });
  ctx.state.log = log;
  const started = performance.now();
  try {
    await next();
  } finally {
    log.debug('Record handled', { duration_ms: Math.round((performance.now() - started) * 10) / 10 });
  }
});

// Reminders confirmed in the app arrive here, up to 4 at once. A failed message comes back after a
// jittered, growing delay (30 s, 60 s, ... up to 15 min) rather than the queue's fixed visibility
// timeout, so a throttled table gets room to recover.
worker.sqs(
  'reminders',
  { body: ReminderSchema, concurrency: 4, backoff: { baseSeconds: 30, maxSeconds: 900 } },
  async (message, ctx) => {
    const reminder = message.body;
    const batch = await kefir.get(batchKey(reminder.batchId));
    // A reminder for a batch that is gone can never be stored: acknowledge it (logged, counted in
    // records_dropped) instead of retrying it into the dead-letter queue.
    if (batch === undefined) throw new PermanentError(`Batch ${reminder.batchId} no longer exists`);
    if (batch.tenantId !== reminder.tenantId)
      throw new PermanentError(`Reminder ${reminder.reminderId} names a batch of another tenant`);
    try {
      await kefir.put(
        {
          ...reminderKey(reminder.batchId, reminder.reminderId),
          ...reminder,
          status: 'pending',
          GSI1PK: PENDING,
          GSI1SK: `${reminder.dueAt}#${reminder.reminderId}`,
          version: 1,
          createdAt: new Date().toISOString(),
        },
        { ifNotExists: true },
      );
    } catch (error) {
      // SQS delivers at least once: a redelivered message finds its reminder already stored. Any
      // other failure (throttling, the network) propagates as a plain error: retried with backoff.
      if (!(error instanceof ConditionFailedError)) throw error;
      logOf(ctx).info('Reminder already stored', { reminder_id: reminder.reminderId });
    }
  },
);

// Export jobs: each job is one message group, so its steps arrive in order; different jobs run side
// by side. After a failed step Lift reports the rest of that group unprocessed, and SQS redelivers
// them in order.
worker.sqs('exports.fifo', { body: ExportStepSchema, concurrency: 2 }, async (message, ctx) => {
  const step = message.body;
  const key = exportKey(step.exportId);
  if (step.step === 'start') {
    try {
      await kefir.put(
        { ...key, ...step, status: 'running', parts: 0, rows: 0, version: 1 },
        { ifNotExists: true },
      );
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
    return;
  }
  const job = await kefir.get(key);
  // Order within the group puts `start` first: no job means the producer never sent it.
  if (job === undefined) throw new PermanentError(`Export ${step.exportId} was never started`);
  const applied = Number(job.parts);
  if (step.step === 'part') {
    // In order, but at least once: a part already applied is a redelivery.
    if (step.part <= applied) return;
    if (step.part > applied + 1)
      throw new Error(`Export ${step.exportId}: part ${step.part} arrived before part ${applied + 1}`);
    await kefir.update(
      key,
      { parts: step.part, rows: Number(job.rows) + step.rows },
      { expectedVersion: Number(job.version) },
    );
    return;
  }
  if (job.status === 'ready') return;
  if (applied < step.parts)
    throw new Error(`Export ${step.exportId}: ${step.parts - applied} of ${step.parts} parts missing`);
  await kefir.update(
    key,
    { status: 'ready', finishedAt: new Date().toISOString() },
    { expectedVersion: Number(job.version) },
  );
  logOf(ctx).info('Export ready', { export_id: step.exportId, rows: job.rows });
});

// Batches are created by the API, which publishes BatchCreated; the worker keeps its own copy.
worker.eventBridge(
  { source: 'kefir.batches', detailType: 'BatchCreated' },
  { detail: BatchCreatedSchema },
  async (event) => {
    try {
      await kefir.put(
        {
          ...batchKey(event.detail.batchId),
          ...event.detail,
          createdAt: event.time.toISOString(),
          reminders: 0,
          photos: 0,
          counted: [],
          version: 1,
        },
        { ifNotExists: true },
      );
    } catch (error) {
      // EventBridge delivers at least once too; the batch is already here.
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  },
);

const UPLOAD = /^uploads\/([A-Za-z0-9_-]{1,64})\/([^/]{1,200})$/;

// Photos uploaded by the app land under uploads/<batchId>/<file>. The bucket notifies through a
// queue; Lift reads the S3 notification out of each SQS message.
worker.s3('kefir-photos', { events: ['ObjectCreated:*'], prefix: 'uploads/' }, async (object, ctx) => {
  const match = UPLOAD.exec(object.key);
  if (match === null) throw new PermanentError('A photo key is uploads/<batchId>/<file>');
  const [, batchId, file] = match as unknown as [string, string, string];
  const batch = await kefir.get(batchKey(batchId));
  if (batch === undefined) throw new PermanentError(`Batch ${batchId} no longer exists`);
  // A plain put: the same notification again writes the same item (no new INSERT, no double count),
  // and a new upload under the same name replaces the old one.
  await kefir.put({
    ...photoKey(batchId, file),
    batchId,
    tenantId: batch.tenantId,
    bucket: object.bucket,
    key: object.key,
    size: object.size,
    eTag: object.eTag,
    uploadedAt: object.eventTime.toISOString(),
  });
  logOf(ctx).info('Photo recorded', { batch_id: batchId, tenant_id: batch.tenantId });
});

/**
 * Counts an item in its batch's counters once: the batch keeps the keys it has counted, and writes
 * with its version, so a replayed change or a concurrent writer never counts twice.
 */
async function countOnce(batchId: string, counter: 'reminders' | 'photos', itemKey: string): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const batch = await kefir.get(batchKey(batchId));
    if (batch === undefined) throw new PermanentError(`Batch ${batchId} no longer exists`);
    const counted = Array.isArray(batch.counted) ? (batch.counted as string[]) : [];
    // Lambda replays a change when the invocation that applied it failed as a whole (a timeout).
    if (counted.includes(itemKey)) return;
    try {
      await kefir.update(
        batchKey(batchId),
        { [counter]: (Number(batch[counter]) || 0) + 1, counted: [...counted, itemKey] },
        { expectedVersion: Number(batch.version) },
      );
      return;
    } catch (error) {
      // Someone wrote the batch between the read and the write: read it again.
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }
  // A plain error: the shard stops here and Lambda retries from this change.
  throw new Error(`Batch ${batchId} kept changing while counting ${itemKey}`);
}

// The table's own stream keeps each batch's counters: new reminders and photos only (INSERT), so a
// rewritten photo or a reminder marked sent is not counted again.
worker.dynamodbStream(
  kefirTable.tableName(),
  { events: ['INSERT'], newImage: StoredKeysSchema },
  async (change) => {
    const image = change.newImage;
    if (image === undefined || !image.PK.startsWith('BATCH#')) return;
    const counter = image.SK.startsWith('REMINDER#')
      ? 'reminders'
      : image.SK.startsWith('PHOTO#')
        ? 'photos'
        : undefined;
    if (counter === undefined) return;
    await countOnce(image.PK.slice('BATCH#'.length), counter, image.SK);
  },
);

/** The pending reminders due at `now` or before, earliest first. */
async function* dueReminders(now: string): AsyncGenerator<Item> {
  let cursor: string | undefined;
  do {
    const page = await kefir.query({
      index: DUE_INDEX,
      partition: PENDING,
      limit: 50,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const reminder of page.items) {
      // The index is sorted by due time: the first reminder not yet due ends the scan.
      if (String(reminder.dueAt) > now) return;
      yield reminder;
    }
    cursor = page.cursor;
  } while (cursor !== undefined);
}

// Every minute: send what is due at the firing's scheduled time (not the clock), so a retried or late
// firing sends the same reminders.
worker.schedule(
  'due-reminders',
  { rate: '1 minute', description: 'Sends the reminders whose time has come' },
  async (ctx) => {
    const now = ctx.schedule.time.toISOString();
    const log = logOf(ctx);
    let sent = 0;
    for await (const reminder of dueReminders(now)) {
      // Leave before Lambda's deadline; the next firing starts from the earliest still pending.
      if (ctx.remainingMs() < 5_000) break;
      try {
        // The write claims the reminder: of two overlapping firings, one sends it. Until the index
        // catches up, a sent reminder can still be listed; its version has moved on, so it is skipped.
        await kefir.update(
          reminderKey(String(reminder.batchId), String(reminder.reminderId)),
          { status: 'sent', sentAt: now, GSI1PK: SENT },
          { expectedVersion: Number(reminder.version) },
        );
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
        continue;
      }
      // The delivery channel (push, e-mail) is outside this example.
      log.info('Reminder sent', { reminder_id: reminder.reminderId, batch_id: reminder.batchId });
      sent++;
    }
    log.info('Due reminders sent', { sent, due_at: now });
  },
);

// HTTP in the same handler: a batch with the counters the stream keeps. Add access control before
// deploying it (see examples/jwt-auth); another tenant's batch answers 404, as a missing one does.
// Chained onto the worker so the exported app's type carries the route (for a typed client).
export const app = worker.get(
  '/tenants/:tenantId/batches/:batchId',
  { params: z.object({ tenantId: Id, batchId: Id }) },
  async (ctx) => {
    const batch = await kefir.get(batchKey(ctx.params.batchId));
    if (batch === undefined || batch.tenantId !== ctx.params.tenantId)
      throw new NotFoundError('No such batch');
    const { batchId, tenantId, name, owner, createdAt, reminders, photos } = batch;
    return { batchId, tenantId, name, owner, createdAt, reminders, photos };
  },
);

/** The Lambda entry point, for HTTP requests and every event source above. */
export const handler = app.handler;
