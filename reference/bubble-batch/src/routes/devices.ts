/**
 * Push devices. One item per Expo push token (the token is the key): registering a token again is
 * idempotent, and a token registered by another user moves to the caller (a phone changed hands).
 */
import { type App, ConflictError, NotFoundError } from '@lift/core';
import { ConditionFailedError, type Item } from '@lift/core/dynamodb';
import * as z from 'zod';
import { type Deps, userOf } from '../deps.js';
import { deviceKey, gsi } from '../keys.js';
import { PUSH_TOKEN } from '../push/expo.js';
import { MAX_DEVICES } from '../push/processor.js';
import { Device } from './responses.js';
import { iso } from './shared.js';

const token = z.string().max(200).regex(PUSH_TOKEN, 'must be an Expo push token: ExponentPushToken[...]');

const deviceView = (item: Item) => ({
  token: item.token,
  platform: item.platform ?? null,
  registeredAt: item.registeredAt,
});

export function deviceRoutes(app: App, deps: Deps) {
  return app
    .post(
      '/me/devices',
      {
        auth: {},
        body: z.strictObject({ token, platform: z.enum(['ios', 'android']).optional() }),
        responses: { 200: Device, 201: Device },
      },
      async (ctx) => {
        const userId = userOf(ctx);
        const existing = await deps.data.get(deviceKey(ctx.body.token));
        if (existing?.userId === userId) return ctx.json(200, deviceView(existing));
        let count = 0;
        for await (const _ of deps.data.queryAll({
          index: 'GSI1',
          partition: gsi.devices(userId),
          maxItems: MAX_DEVICES,
        }))
          count++;
        if (count >= MAX_DEVICES) throw new ConflictError(`At most ${MAX_DEVICES} devices; remove one first`);
        const device = {
          ...deviceKey(ctx.body.token),
          kind: 'device',
          token: ctx.body.token,
          userId,
          ...(ctx.body.platform === undefined ? {} : { platform: ctx.body.platform }),
          registeredAt: iso(deps.now()),
          GSI1PK: gsi.devices(userId),
          GSI1SK: ctx.body.token,
        };
        // Replaces another user's registration of the token, if any: pushes follow the last sign-in.
        await deps.data.put(device);
        return ctx.json(201, deviceView(device));
      },
    )
    .delete(
      '/me/devices/:token',
      { auth: {}, params: z.object({ token }), responses: { 204: null } },
      async (ctx) => {
        try {
          await deps.data.delete(deviceKey(ctx.params.token), { ifMatches: { userId: userOf(ctx) } });
        } catch (error) {
          if (error instanceof ConditionFailedError) throw new NotFoundError('No such device');
          throw error;
        }
        return undefined;
      },
    );
}
