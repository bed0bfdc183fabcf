/**
 * P7's consumer built as an app instead of a worker (`createApp({ records: records() })` and
 * `app.sqs`), for the cold start only: what a records-only function carried before `createWorker`.
 */
import { createApp } from '@lift/core';
import { records } from '@lift/core/events';
import { handleOrder, OrderMessage, P7_QUEUE } from './p7-common.js';

const app = createApp({
  service: 'bench',
  records: records(),
  logger: false,
  metrics: false,
  tracing: false,
});
app.sqs(P7_QUEUE, { body: OrderMessage }, (message) => {
  handleOrder(message.body);
});

/** The Lambda entry point. */
export const handler = app.handler;
