/** P1's routes, as every Lift P1 app registers them (the full `createApp` and the lean one alike). */
import type { App } from '@lift/core';
import { cors } from '@lift/core/http';
import { ORIGIN, ROUTES } from './common.js';

/**
 * Adds CORS and the 40 routes to `app`, compiles it and returns its handler; `cors: false` leaves CORS
 * out (bench:floors measures what it costs).
 */
export function addP1Routes(app: App, options: { readonly cors?: false } = {}) {
  // Security headers and request ids are on in every app; CORS origins are the app's to name.
  if (options.cors === undefined) app.use(cors({ origins: [ORIGIN] }));
  for (let n = 0; n < ROUTES; n++) {
    app.get(`/r${n}/:id/items/:itemId`, (ctx) => ({
      route: n,
      id: ctx.params.id,
      itemId: ctx.params.itemId,
    }));
  }
  app.compile();
  return app.handler;
}
