/** P1 with Lift. */
import { createApp } from '@lift/core';
import { addP1Routes } from './p1-lift-routes.js';

/** Which of Lift's default observability parts an app switches off. */
export interface LiftObservabilityOff {
  readonly logger?: false;
  readonly metrics?: false;
  readonly tracing?: false;
}

/**
 * The app as a user writes it. The peers log and measure nothing, so by default the comparison
 * switches Lift's access log, metrics and spans off (options every app has); `observed` keeps
 * them on, to show what they cost, and an object switches off only the parts it names (P5's
 * breakdown switches them one at a time).
 */
export function createLiftP1(observed: boolean | LiftObservabilityOff = false) {
  const app = createApp(
    observed === true
      ? { service: 'bench' }
      : observed === false
        ? { service: 'bench', logger: false, metrics: false, tracing: false }
        : { service: 'bench', ...observed },
  );
  return addP1Routes(app);
}

/**
 * The Lambda entry point. Marked pure so a bundle that imports only the factory (P5's defaults-on
 * entry) drops it instead of building a second app at import.
 */
export const handler = /* @__PURE__ */ createLiftP1();
