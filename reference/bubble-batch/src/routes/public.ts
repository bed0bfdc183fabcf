/**
 * `GET /public/b/:batchId`: a batch its owner made public, for anyone with the link. The answer's
 * schema (`PublicBatch`, responses.ts) is strict, so nothing else (owner, email, keys, photo paths)
 * can leave; private, unknown and malformed ids are the same 404.
 */
import { type App, NotFoundError } from '@lift/core';
import type * as z from 'zod';
import type { Deps } from '../deps.js';
import { batchKey, eventPrefix, ID_PATTERN, publicKey, userPk } from '../keys.js';
import { PublicBatch } from './responses.js';

export function publicRoutes(app: App, deps: Deps) {
  return app.get(
    '/public/b/:batchId',
    {
      auth: 'public',
      rateLimit: { name: 'public', limit: 60, window: '1m', by: 'ip' },
      responses: { 200: PublicBatch },
    },
    async (ctx) => {
      const batchId = ctx.params.batchId;
      const pointer = ID_PATTERN.test(batchId) ? await deps.data.get(publicKey(batchId)) : undefined;
      const owner = pointer?.ownerId;
      const batch = typeof owner === 'string' ? await deps.data.get(batchKey(owner, batchId)) : undefined;
      // The batch itself must still say public: the pointer alone is not enough.
      if (batch === undefined || batch.public !== true || typeof owner !== 'string')
        throw new NotFoundError(); // as the router answers a path it does not know
      // The latest 100 events, oldest first.
      const page = await deps.data.query({
        partition: userPk(owner),
        sortBeginsWith: eventPrefix(batchId),
        ascending: false,
        limit: 100,
      });
      const view: z.infer<typeof PublicBatch> = {
        id: batchId,
        name: batch.name as string,
        type: batch.batchType as z.infer<typeof PublicBatch>['type'],
        ...(typeof batch.notes === 'string' ? { notes: batch.notes } : {}),
        status: batch.status as 'active' | 'archived',
        startedAt: batch.startedAt as string,
        lastEventAt: batch.lastEventAt as string,
        events: page.items.reverse().map((e) => ({
          type: e.eventType as z.infer<typeof PublicBatch>['events'][number]['type'],
          at: e.at as string,
          ...(typeof e.notes === 'string' ? { notes: e.notes } : {}),
        })),
      };
      return ctx.header('cache-control', 'public, max-age=60').json(view);
    },
  );
}
