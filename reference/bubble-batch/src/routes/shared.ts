/** Schemas and look-ups the routes share. */
import { NotFoundError } from '@lift/core';
import type { Item } from '@lift/core/dynamodb';
import * as z from 'zod';
import type { Deps } from '../deps.js';
import { batchKey, ID_PATTERN } from '../keys.js';

/** A time as ISO 8601 with an offset, stored as UTC with milliseconds (one length: sorts as text). */
export const instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());

/** Page size and cursor of list routes. */
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

/**
 * The user's batch, or 404: the key is the caller's own partition, so another user's batch id finds
 * nothing, exactly like an id that does not exist. A malformed id is the same 404.
 */
export async function ownBatch(deps: Deps, userId: string, batchId: string): Promise<Item> {
  const batch = ID_PATTERN.test(batchId) ? await deps.data.get(batchKey(userId, batchId)) : undefined;
  if (batch === undefined) throw new NotFoundError('No such batch');
  return batch;
}

export const iso = (ms: number) => new Date(ms).toISOString();
