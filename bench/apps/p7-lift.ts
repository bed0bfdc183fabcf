/** P7 with Lift: `worker.sqs` with the body schema; Lift parses, validates and answers the partial batch. */
import { createWorker } from '@lift/core/worker';
import { handleOrder, OrderMessage, P7_QUEUE } from './p7-common.js';

/**
 * The consumer as a user writes it: a records-only function is a worker, which carries none of the
 * HTTP core. The peers log and measure nothing, so by default Lift's logs and metrics are off
 * (options every worker has); `observed` keeps them on, to show their cost.
 */
export function createLiftP7(observed = false) {
  const worker = createWorker(
    observed ? { service: 'bench' } : { service: 'bench', logger: false, metrics: false },
  );
  worker.sqs(P7_QUEUE, { body: OrderMessage }, (message) => {
    handleOrder(message.body);
  });
  return worker.handler;
}

/** The Lambda entry point. */
export const handler = createLiftP7();
