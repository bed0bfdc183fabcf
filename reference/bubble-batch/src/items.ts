/**
 * The items the routes and the scripts write, built in one place so both write the same shape
 * (keys and index attributes as README.md describes them).
 */
import type { BatchType, EventType } from './domain/model.js';
import { batchKey, eventKey, gsi, newId, publicKey, shardOf, timeKey } from './keys.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A new active batch (version 1), in the active-batches index by its last activity. */
export function batchItem(
  userId: string,
  fields: { name: string; type: BatchType; notes?: string | undefined; public: boolean; startedAt: string },
  now: number,
  id: string = newId(),
) {
  return {
    ...batchKey(userId, id),
    kind: 'batch',
    id,
    name: fields.name,
    batchType: fields.type,
    ...(fields.notes === undefined ? {} : { notes: fields.notes }),
    public: fields.public,
    status: 'active',
    startedAt: fields.startedAt,
    lastEventAt: fields.startedAt,
    createdAt: iso(now),
    updatedAt: iso(now),
    version: 1,
    GSI1PK: gsi.active(shardOf(id)),
    GSI1SK: timeKey(fields.startedAt, id),
  };
}

/** A new event of a batch; a photo event names its object. */
export function eventItem(
  userId: string,
  batchId: string,
  fields: {
    type: EventType;
    at: string;
    notes?: string | undefined;
    photo?: { key: string; contentType: string };
  },
  now: number,
  id: string = newId(),
) {
  return {
    ...eventKey(userId, batchId, fields.at, id),
    kind: 'event',
    id,
    batchId,
    eventType: fields.type,
    at: fields.at,
    ...(fields.notes === undefined ? {} : { notes: fields.notes }),
    ...(fields.photo === undefined
      ? {}
      : { photoKey: fields.photo.key, contentType: fields.photo.contentType }),
    createdAt: iso(now),
  };
}

/** The pointer that makes a batch reachable at /public/b/:id (only while the batch is public). */
export function publicPointer(userId: string, batchId: string) {
  return { ...publicKey(batchId), ownerId: userId, batchId };
}
