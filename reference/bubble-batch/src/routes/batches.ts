/** Batches: create, list, read, change (name, notes, public, archived). Keys: README.md. */
import { type App, ConflictError, UnprocessableError } from '@lift/core';
import { ConditionFailedError } from '@lift/core/dynamodb';
import * as z from 'zod';
import { type Deps, userOf } from '../deps.js';
import { BATCH_TYPES, batchView } from '../domain/model.js';
import { batchItem, eventItem, publicPointer } from '../items.js';
import { BATCH_PREFIX, batchKey, gsi, publicKey, shardOf, timeKey, userPk } from '../keys.js';
import { Batch, BatchPage } from './responses.js';
import { instant, iso, ownBatch, pageQuery } from './shared.js';

const name = z.string().trim().min(1).max(100);
const notes = z.string().trim().max(2000);

const newBatch = z.strictObject({
  name,
  type: z.enum(BATCH_TYPES),
  notes: notes.optional(),
  public: z.boolean().default(false),
  startedAt: instant.optional(),
});

const change = z.strictObject({
  name: name.optional(),
  notes: notes.nullable().optional(),
  public: z.boolean().optional(),
  status: z.enum(['active', 'archived']).optional(),
  version: z.number().int().positive(),
});

export function batchRoutes(app: App, deps: Deps) {
  return app
    .post('/batches', { auth: {}, body: newBatch, responses: { 201: Batch } }, async (ctx) => {
      const userId = userOf(ctx);
      const now = deps.now();
      const startedAt = ctx.body.startedAt ?? iso(now);
      if (Date.parse(startedAt) > now + 5 * 60_000)
        throw new UnprocessableError([{ path: 'body.startedAt', message: 'must not be in the future' }]);
      const batch = batchItem(userId, { ...ctx.body, startedAt }, now);
      await deps.data.put(batch, { ifNotExists: true });
      await deps.data.batchWrite({
        puts: [
          eventItem(userId, batch.id, { type: 'started', at: startedAt }, now),
          ...(batch.public ? [publicPointer(userId, batch.id)] : []),
        ],
      });
      ctx.header('location', `/batches/${batch.id}`);
      return ctx.json(201, batchView(batch));
    })
    .get('/batches', { auth: {}, query: pageQuery, responses: { 200: BatchPage } }, async (ctx) => {
      const page = await deps.data.query({
        partition: userPk(userOf(ctx)),
        sortBeginsWith: BATCH_PREFIX,
        limit: ctx.query.limit,
        ...(ctx.query.cursor === undefined ? {} : { cursor: ctx.query.cursor }),
      });
      return { batches: page.items.map(batchView), nextCursor: page.cursor ?? null };
    })
    .get('/batches/:id', { auth: {}, responses: { 200: Batch } }, async (ctx) =>
      batchView(await ownBatch(deps, userOf(ctx), ctx.params.id)),
    )
    .patch('/batches/:id', { auth: {}, body: change, responses: { 200: Batch } }, async (ctx) => {
      const userId = userOf(ctx);
      const current = await ownBatch(deps, userId, ctx.params.id);
      const id = current.id as string;
      const { version, notes: newNotes, public: isPublic, status, ...rest } = ctx.body;
      const stale = () =>
        new ConflictError('The batch was changed since you read it; fetch it again', {
          details: { currentVersion: current.version },
        });
      if (current.version !== version) throw stale();
      const changes: Record<string, unknown> = { ...rest, updatedAt: iso(deps.now()) };
      const remove: string[] = [];
      if (newNotes === null) remove.push('notes');
      else if (newNotes !== undefined) changes.notes = newNotes;
      if (isPublic !== undefined) changes.public = isPublic;
      if (status === 'archived') remove.push('GSI1PK', 'GSI1SK');
      if (status === 'active' && current.status !== 'active') {
        changes.GSI1PK = gsi.active(shardOf(id));
        changes.GSI1SK = timeKey(current.lastEventAt as string, id);
      }
      if (status !== undefined) changes.status = status;
      // Going private: the public pointer goes first, so a failure in between never leaves it public.
      if (isPublic === false) await deps.data.delete(publicKey(id));
      let updated: Record<string, unknown>;
      try {
        updated = await deps.data.update(batchKey(userId, id), changes, { expectedVersion: version, remove });
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
        throw stale();
      }
      // Going public: the pointer comes last, once the batch says it is public.
      if (updated.public === true) await deps.data.put(publicPointer(userId, id));
      return batchView(updated);
    });
}
