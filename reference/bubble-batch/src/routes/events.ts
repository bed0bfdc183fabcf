/** A batch's events: add one (a photo gets a presigned upload), list them (photos as short-lived links). */
import { type App, UnprocessableError } from '@lift/core';
import { presignDownload, presignUpload } from '@lift/core/s3';
import * as z from 'zod';
import { type Deps, userOf } from '../deps.js';
import {
  EVENT_TYPES,
  eventView,
  PHOTO_MAX_BYTES,
  PHOTO_RETENTION_DAYS,
  PHOTO_TYPES,
} from '../domain/model.js';
import { eventItem } from '../items.js';
import { batchKey, eventPrefix, gsi, newId, shardOf, timeKey, userPk } from '../keys.js';
import { EventCreated, EventPage } from './responses.js';
import { instant, iso, ownBatch, pageQuery } from './shared.js';

const EXTENSIONS: Readonly<Record<(typeof PHOTO_TYPES)[number], string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
};

const newEvent = z
  .strictObject({
    type: z.enum(EVENT_TYPES),
    at: instant.optional(),
    notes: z.string().trim().max(2000).optional(),
    contentType: z.enum(PHOTO_TYPES).optional(),
  })
  .refine((e) => (e.type === 'photo') === (e.contentType !== undefined), {
    message: 'a photo event needs contentType (image/jpeg, image/png, image/webp or image/heic); others none',
    path: ['contentType'],
  });

/** Where a photo goes: scoped by user and batch, named by its event. */
export const photoKey = (userId: string, batchId: string, eventId: string, contentType: string) =>
  `users/${userId}/batches/${batchId}/photos/${eventId}.${EXTENSIONS[contentType as keyof typeof EXTENSIONS]}`;

export function eventRoutes(app: App, deps: Deps) {
  return app
    .post(
      '/batches/:id/events',
      { auth: {}, body: newEvent, responses: { 201: EventCreated } },
      async (ctx) => {
        const userId = userOf(ctx);
        const batch = await ownBatch(deps, userId, ctx.params.id);
        const batchId = batch.id as string;
        const now = deps.now();
        const at = ctx.body.at ?? iso(now);
        if (Date.parse(at) > now + 5 * 60_000)
          throw new UnprocessableError([{ path: 'body.at', message: 'must not be in the future' }]);
        const id = newId();
        const { contentType } = ctx.body;
        const key = contentType === undefined ? undefined : photoKey(userId, batchId, id, contentType);
        const event = eventItem(
          userId,
          batchId,
          {
            type: ctx.body.type,
            at,
            notes: ctx.body.notes,
            ...(key === undefined || contentType === undefined ? {} : { photo: { key, contentType } }),
          },
          now,
          id,
        );
        await deps.data.put(event, { ifNotExists: true });
        // The batch's last activity (an event may be dated earlier than the last one); it is active again.
        const last = (batch.lastEventAt as string) > at ? (batch.lastEventAt as string) : at;
        await deps.data.update(batchKey(userId, batchId), {
          lastEventAt: last,
          updatedAt: iso(now),
          status: 'active',
          GSI1PK: gsi.active(shardOf(batchId)),
          GSI1SK: timeKey(last, batchId),
        });
        const upload =
          key === undefined || contentType === undefined
            ? undefined
            : await presignUpload(deps.bucket, key, contentType, {
                contentTypes: PHOTO_TYPES,
                maxBytes: PHOTO_MAX_BYTES,
                expiresInSeconds: 600,
              });
        return ctx.json(201, { event: eventView(event), ...(upload === undefined ? {} : { upload }) });
      },
    )
    .get(
      '/batches/:id/events',
      { auth: {}, query: pageQuery, responses: { 200: EventPage } },
      async (ctx) => {
        const userId = userOf(ctx);
        const batch = await ownBatch(deps, userId, ctx.params.id);
        const page = await deps.data.query({
          partition: userPk(userId),
          sortBeginsWith: eventPrefix(batch.id as string),
          limit: ctx.query.limit,
          ...(ctx.query.cursor === undefined ? {} : { cursor: ctx.query.cursor }),
        });
        // Photos older than the retention are deleted by the cleanup script: no link to them.
        const keptSince = deps.now() - PHOTO_RETENTION_DAYS * 86_400_000;
        const events = await Promise.all(
          page.items.map(async (item) => {
            const key = item.photoKey;
            const live = typeof key === 'string' && Date.parse(item.createdAt as string) > keptSince;
            return {
              ...eventView(item),
              ...(live
                ? { photoUrl: await presignDownload(deps.bucket, key, { expiresInSeconds: 300 }) }
                : {}),
            };
          }),
        );
        return { events, nextCursor: page.cursor ?? null };
      },
    );
}
