/**
 * P1 with Lift's lean entry (`@lift/core/lean`): the app of p1-lift.ts with observability off, built
 * with the `createApp` that leaves the logger, metrics and tracing code out of the bundle.
 */
import { createApp } from '@lift/core/lean';
import { addP1Routes } from './p1-lift-routes.js';

/** The app as a user writes it. */
export function createLiftP1Lean() {
  return addP1Routes(createApp({ service: 'bench' }));
}

/** The Lambda entry point. */
export const handler = /* @__PURE__ */ createLiftP1Lean();
