/** P1 with Hono on Lambda: `hono/aws-lambda`, `hono/cors`, `hono/secure-headers`, an error handler. */
import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { ORIGIN, ROUTES } from './common.js';

/** The Hono app with the 40 routes. */
export function createHonoP1() {
  const app = new Hono();
  app.use(cors({ origin: [ORIGIN] }), secureHeaders());
  for (let n = 0; n < ROUTES; n++) {
    app.get(`/r${n}/:id/items/:itemId`, (c) =>
      c.json({ route: n, id: c.req.param('id'), itemId: c.req.param('itemId') }),
    );
  }
  app.onError((_error, c) =>
    c.json({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } }, 500),
  );
  return handle(app) as unknown as (event: unknown, context?: unknown) => Promise<unknown>;
}

/** The Lambda entry point. */
export const handler = createHonoP1();
