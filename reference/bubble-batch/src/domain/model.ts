/** Batch and event types, and what the table stores for each, as the routes see them. */

/** What a batch ferments. */
export const BATCH_TYPES = ['milk-kefir', 'water-kefir'] as const;
export type BatchType = (typeof BATCH_TYPES)[number];

/**
 * What can happen to a batch: `started` (grains into milk or sugar water; written when the batch is
 * created), `fed` (fresh milk or sugar water: a new first ferment), `strained` (grains out),
 * `bottled` (water kefir into bottles for the second ferment), `burped` (a bottle opened to let
 * pressure out), `refrigerated` (fermentation over), `note`, `photo`.
 */
export const EVENT_TYPES = [
  'started',
  'fed',
  'strained',
  'bottled',
  'burped',
  'refrigerated',
  'note',
  'photo',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Photo uploads: these media types only, at most 10 MiB, through a presigned POST S3 enforces. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic'] as const;
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
/** Photos are kept this long (the cleanup script deletes older ones; lists stop linking them). */
export const PHOTO_RETENTION_DAYS = 365;

/** A batch as stored (without its table keys). */
export interface Batch {
  readonly id: string;
  readonly name: string;
  readonly batchType: BatchType;
  readonly notes?: string;
  readonly public: boolean;
  readonly status: 'active' | 'archived';
  readonly startedAt: string;
  readonly lastEventAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

/** An event as stored (without its table keys). */
export interface BatchEvent {
  readonly id: string;
  readonly batchId: string;
  readonly eventType: EventType;
  readonly at: string;
  readonly notes?: string;
  readonly photoKey?: string;
  readonly contentType?: string;
  readonly createdAt: string;
}

const pick = <T extends object, K extends keyof T>(value: T, keys: readonly K[]) => {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out as Pick<T, K>;
};

/** The batch as its owner sees it: named fields only (never keys, index attributes or the owner). */
export function batchView(item: Record<string, unknown>) {
  const b = item as unknown as Batch;
  return {
    ...pick(b, ['id', 'name', 'notes', 'public', 'status', 'startedAt', 'lastEventAt', 'createdAt']),
    type: b.batchType,
    ...pick(b, ['updatedAt', 'version']),
  };
}

/** The event as its owner sees it (the photo link is added by the route). */
export function eventView(item: Record<string, unknown>) {
  const e = item as unknown as BatchEvent;
  return { id: e.id, batchId: e.batchId, type: e.eventType, at: e.at, ...pick(e, ['notes', 'contentType']) };
}
