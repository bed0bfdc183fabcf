/**
 * Every key of the single table, in one place. README.md lists the access patterns they serve.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Index partitions that would be hot as one (due reminders, active batches) are split this many ways. */
export const SHARDS = 4;

/**
 * A new random id: 128 bits, base64url (22 characters). Batch ids are public-page links, so
 * unguessable. Never starting with `-` or `_`: an id starting with `-` would be neutralised as a
 * formula in the CSV export (written `'-...`), so it would no longer match the id it names; drawing
 * again costs a twentieth of a bit.
 */
export function newId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (id[0] !== '-' && id[0] !== '_') return id;
  }
}

/** What {@link newId} makes. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** An id derived from `parts` (22 characters): one suggestion confirmed twice is one reminder. */
export function derivedId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22);
}

/** The shard of an id, 0 to SHARDS - 1, stable. */
export function shardOf(id: string): number {
  return (createHash('sha256').update(id).digest()[0] as number) % SHARDS;
}

export const userPk = (userId: string) => `USER#${userId}`;
export const batchKey = (userId: string, batchId: string) => ({ PK: userPk(userId), SK: `BATCH#${batchId}` });
export const BATCH_PREFIX = 'BATCH#';
export const eventPrefix = (batchId: string) => `EVENT#${batchId}#`;
export const EVENT_PREFIX = 'EVENT#';
/** Events sort by time within their batch: ISO timestamps of one length compare as text. */
export const eventKey = (userId: string, batchId: string, at: string, eventId: string) => ({
  PK: userPk(userId),
  SK: `${eventPrefix(batchId)}${at}#${eventId}`,
});
export const REMINDER_PREFIX = 'REMINDER#';
export const reminderKey = (userId: string, reminderId: string) => ({
  PK: userPk(userId),
  SK: `${REMINDER_PREFIX}${reminderId}`,
});
/** Points from a public batch id to its owner; exists only while the batch is public. */
export const publicKey = (batchId: string) => ({ PK: `PUBLIC#${batchId}`, SK: 'PUBLIC' });
/** One item per push token, whoever registered it last: a token belongs to one user at a time. */
export const deviceKey = (token: string) => ({ PK: `DEVICE#${token}`, SK: 'DEVICE' });

/** GSI1 partitions. */
export const gsi = {
  /** A user's devices (GSI1SK: the token). */
  devices: (userId: string) => `DEVICES#${userId}`,
  /** Pending reminders (GSI1SK: `<due or retry time>#<id>`). */
  due: (shard: number) => `DUE#${shard}`,
  /** Sent reminders whose receipts are still to read (GSI1SK: `<check after>#<id>`). */
  receipts: (shard: number) => `RECEIPTS#${shard}`,
  /** Active batches by last activity (GSI1SK: `<last event time>#<id>`), for archiving. */
  active: (shard: number) => `ACTIVE#${shard}`,
} as const;

/** `<time>#<id>`: GSI1 sort keys, which `sortLessOrEqual: '<now>#~'` reads up to now. */
export const timeKey = (iso: string, id: string) => `${iso}#${id}`;
/** Above every `<iso>#<id>` of that instant: ids are base64url, `~` sorts after all of it. */
export const upTo = (iso: string) => `${iso}#~`;
