/** P1 with Lift. */
import { createApp } from '@lift/core';
import { cors } from '@lift/core/http';
import { ORIGIN, ROUTES } from './common.js';

/**
 * The app as a user writes it. The peers log and measure nothing, so by default the comparison
 * switches Lift's access log, metrics and spans off (options every app has); `observed` keeps
 * them on, to show what they cost.
 */
export function createLiftP1(observed = false) {
  const app = createApp(
    observed ? { service: 'bench' } : { service: 'bench', logger: false, metrics: false, tracing: false },
  );
  // Security headers and request ids are on in every app; CORS origins are the app's to name.
  app.use(cors({ origins: [ORIGIN] }));
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

/** The Lambda entry point. */
export const handler = createLiftP1();
