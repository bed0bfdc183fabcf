/**
 * P1 with the Powertools event handler's HTTP router: its CORS middleware, and a middleware for the
 * security headers (it has none of its own), errors answered by the router.
 */
import { Router } from '@aws-lambda-powertools/event-handler/http';
import { cors } from '@aws-lambda-powertools/event-handler/http/middleware';
import { ORIGIN, ROUTES, SECURITY_HEADERS } from './common.js';

/** The router with the 40 routes. */
export function createPowertoolsP1() {
  const app = new Router();
  app.use(cors({ origin: ORIGIN }));
  app.use(async ({ reqCtx, next }) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reqCtx.res.headers.set(name, value);
  });
  for (let n = 0; n < ROUTES; n++) {
    app.get(`/r${n}/:id/items/:itemId`, (reqCtx) => ({
      route: n,
      id: reqCtx.params.id,
      itemId: reqCtx.params.itemId,
    }));
  }
  return ((event: unknown, context: unknown) => app.resolve(event, context as never)) as (
    event: unknown,
    context?: unknown,
  ) => Promise<unknown>;
}

/** The Lambda entry point. */
export const handler = createPowertoolsP1();
