import { defineTable } from '@lift/core/dynamodb';
import { defineBucket } from '@lift/core/s3';

/**
 * The worker's one table (single-table design). Items:
 *
 * | item | PK | SK |
 * | --- | --- | --- |
 * | batch | `BATCH#{batchId}` | `META` |
 * | reminder | `BATCH#{batchId}` | `REMINDER#{reminderId}` |
 * | photo | `BATCH#{batchId}` | `PHOTO#{file}` |
 * | export | `EXPORT#{exportId}` | `META` |
 *
 * Pending reminders are also in the `reminders-by-due` index under `REMINDERS#pending`, sorted by
 * due time, so the schedule reads the due ones from the front. The stream (new images) feeds the
 * per-batch counters.
 */
export const kefirTable = defineTable({
  name: 'queue-worker-kefir',
  nameFromEnv: 'KEFIR_TABLE',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalIndexes: [
    {
      name: 'reminders-by-due',
      partitionKey: { name: 'GSI1PK', type: 'S' },
      sortKey: { name: 'GSI1SK', type: 'S' },
    },
  ],
  stream: 'NEW_IMAGE',
});

/** The name of the index of reminders by status and due time. */
export const DUE_INDEX = 'reminders-by-due';
/** The index partition of reminders still to send. */
export const PENDING = 'REMINDERS#pending';
/** The index partition a reminder moves to once sent (out of the schedule's way). */
export const SENT = 'REMINDERS#sent';

/** The key of a batch. */
export const batchKey = (batchId: string) => ({ PK: `BATCH#${batchId}`, SK: 'META' });
/** The key of a reminder: in its batch's partition. */
export const reminderKey = (batchId: string, reminderId: string) => ({
  PK: `BATCH#${batchId}`,
  SK: `REMINDER#${reminderId}`,
});
/** The key of a photo: in its batch's partition, by file name. */
export const photoKey = (batchId: string, file: string) => ({ PK: `BATCH#${batchId}`, SK: `PHOTO#${file}` });
/** The key of an export job. */
export const exportKey = (exportId: string) => ({ PK: `EXPORT#${exportId}`, SK: 'META' });

/** Where the app uploads batch photos (`uploads/<batchId>/<file>`); each new object is recorded. */
export const photosBucket = defineBucket({ name: 'kefir-photos', nameFromEnv: 'PHOTOS_BUCKET' });
