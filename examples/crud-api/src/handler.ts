import { ConfigurationError, createApp, NotFoundError } from '@lift/core';
import { ConditionFailedError, type Item, tableClient } from '@lift/core/dynamodb';
import * as z from 'zod';
import { itemsTable } from './table.js';

export { itemsTable } from './table.js';

// Cursors are encrypted with this secret; every instance must share it. `lift dev` runs with a fixed
// development secret; deployed, it comes from the environment (fed from Secrets Manager).
const cursorSecret =
  process.env.CURSOR_SECRET ??
  (process.env.LIFT_DEV === '1' ? 'lift-dev-cursor-secret-not-for-production' : undefined);
if (cursorSecret === undefined) throw new ConfigurationError('CURSOR_SECRET must be set');

const items = tableClient(itemsTable, { cursorSecret });

const tenantParams = z.object({ tenantId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const itemParams = tenantParams.extend({ itemId: z.uuid() });
const newItem = z.strictObject({ name: z.string().trim().min(1).max(200), qty: z.number().int().min(0) });
const change = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  qty: z.number().int().min(0).optional(),
  version: z.number().int().positive(),
});

const key = (tenantId: string, itemId: string) => ({ PK: `TENANT#${tenantId}`, SK: `ITEM#${itemId}` });
/** The item as clients see it: no storage keys. */
const view = ({ PK: _pk, SK: _sk, ...rest }: Item) => rest;

// Request ids, security headers and the body limit are on in every app. The routes are chained so
// the exported app's type carries them, for `createClient<typeof app>(url)`.
export const app = createApp({ service: 'crud-api' })
  .post('/tenants/:tenantId/items', { params: tenantParams, body: newItem }, async (ctx) => {
    const now = new Date().toISOString();
    const item = {
      id: globalThis.crypto.randomUUID(),
      tenantId: ctx.params.tenantId,
      ...ctx.body,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await items.put({ ...key(item.tenantId, item.id), ...item }, { ifNotExists: true });
    ctx.header('location', `/tenants/${item.tenantId}/items/${item.id}`);
    return ctx.json(201, item);
  })
  .get(
    '/tenants/:tenantId/items',
    {
      params: tenantParams,
      query: z.object({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        cursor: z.string().max(2048).optional(),
      }),
    },
    async (ctx) => {
      const page = await items.query({
        partition: `TENANT#${ctx.params.tenantId}`,
        sortBeginsWith: 'ITEM#',
        limit: ctx.query.limit,
        ...(ctx.query.cursor === undefined ? {} : { cursor: ctx.query.cursor }),
      });
      return { items: page.items.map(view), nextCursor: page.cursor ?? null };
    },
  )
  .get('/tenants/:tenantId/items/:itemId', { params: itemParams }, async (ctx) => {
    const item = await items.get(key(ctx.params.tenantId, ctx.params.itemId));
    if (item === undefined) throw new NotFoundError('No such item');
    return view(item);
  })
  .patch('/tenants/:tenantId/items/:itemId', { params: itemParams, body: change }, async (ctx) => {
    const { version, ...changes } = ctx.body;
    const id = key(ctx.params.tenantId, ctx.params.itemId);
    try {
      return view(
        await items.update(
          id,
          { ...changes, updatedAt: new Date().toISOString() },
          { expectedVersion: version },
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      const current = await items.get(id);
      if (current === undefined) throw new NotFoundError('No such item');
      throw new ConditionFailedError('The item was changed since you read it; fetch it again and retry', {
        details: { currentVersion: current.version },
      });
    }
  })
  .delete('/tenants/:tenantId/items/:itemId', { params: itemParams }, async (ctx) => {
    const removed = await items.delete(key(ctx.params.tenantId, ctx.params.itemId));
    if (removed === undefined) throw new NotFoundError('No such item');
    return undefined;
  });

/** The Lambda entry point. */
export const handler = app.handler;
