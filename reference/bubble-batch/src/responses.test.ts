/**
 * The response schemas as a last line of defence: a handler that sends a stored item as it is (its
 * `PK`/`SK`, index keys, owner) instead of its view gets a 500, and the keys never leave. Each case
 * takes the schema the real route declares (from the app's `responseSchemas()`) and puts it on a
 * route whose handler leaks; the same route answering the view is the control.
 */
import { createApp } from '@lift/core';
import { describe, expect, it } from 'vitest';
import { batchView, eventView } from './domain/model.js';
import { batchItem, eventItem } from './items.js';
import { deviceKey, gsi } from './keys.js';
import { documentedApp } from './testing/openapi.js';

const declared = documentedApp().responseSchemas();
const at = '2026-01-02T03:04:05.000Z';
const batch = batchItem(
  'owner-sub',
  { name: 'Leaky', type: 'milk-kefir', public: true, startedAt: at },
  Date.parse(at),
);
const event = eventItem('owner-sub', batch.id, { type: 'fed', at }, Date.parse(at));
const token = 'ExponentPushToken[leaky-phone-0001]';
const device = {
  ...deviceKey(token),
  kind: 'device',
  token,
  userId: 'owner-sub',
  registeredAt: at,
  GSI1PK: gsi.devices('owner-sub'),
  GSI1SK: token,
};

/** What a handler sends when it spreads the stored item into its view: every field right, plus keys. */
const leak = (item: object, view: object) => ({ ...item, ...view });
const publicView = {
  id: batch.id,
  name: 'Leaky',
  type: 'milk-kefir',
  status: 'active',
  startedAt: at,
  lastEventAt: at,
};
const deviceView = { token, platform: null, registeredAt: at };

const cases: [route: string, status: number, view: unknown, leaked: unknown][] = [
  ['GET /batches/:id', 200, batchView(batch), leak(batch, batchView(batch))],
  [
    'GET /batches/:id/events',
    200,
    { events: [eventView(event)], nextCursor: null },
    { events: [leak(event, eventView(event))], nextCursor: null },
  ],
  ['POST /me/devices', 201, deviceView, leak(device, deviceView)],
  ['GET /public/b/:batchId', 200, { ...publicView, events: [] }, { ...leak(batch, publicView), events: [] }],
];

describe('response schemas', () => {
  it.each(cases)(
    'a handler that leaks table keys answers 500, not the keys (%s)',
    async (route, status, view, leaked) => {
      const schema = declared[route]?.[status];
      if (schema === undefined) throw new Error(`${route} declares no ${status} schema`);
      const app = createApp({ service: 'leak-check' })
        .get('/leaked', { responses: { [status]: schema } }, (ctx) => ctx.json(status, leaked))
        .get('/view', { responses: { [status]: schema } }, (ctx) => ctx.json(status, view));

      const res = await app.request('/leaked');
      expect(res.status).toBe(500);
      expect(res.text()).not.toMatch(/USER#|DEVICE#|DEVICES#|ACTIVE#|owner-sub/);
      expect((await app.request('/view')).status).toBe(status);
    },
  );
});
