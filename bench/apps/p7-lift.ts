/** P7 with Lift: `app.sqs` with the body schema; Lift parses, validates and answers the partial batch. */
import { createApp } from '@lift/core';
import { records } from '@lift/core/events';
import { handleOrder, OrderMessage, P7_QUEUE } from './p7-common.js';

/**
 * The app as a user writes it. The peers log and measure nothing, so by default Lift's logs,
 * metrics and spans are off (options every app has); `observed` keeps them on, to show their cost.
 */
export function createLiftP7(observed = false) {
  const app = createApp(
    observed
      ? { service: 'bench', records: records() }
      : { service: 'bench', records: records(), logger: false, metrics: false, tracing: false },
  );
  app.sqs(P7_QUEUE, { body: OrderMessage }, (message) => {
    handleOrder(message.body);
  });
  return app.handler;
}

/** The Lambda entry point. */
export const handler = createLiftP7();
