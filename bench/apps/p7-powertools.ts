/**
 * P7 with Powertools' batch utility, as its documentation shows: a `BatchProcessor` for SQS and
 * `processPartialResponse`, the record handler parsing the body and validating it with the schema
 * (a throw fails the record).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { handleOrder, OrderMessage } from './p7-common.js';

/** The handler. */
export function createPowertoolsP7() {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: { body: string }): Promise<void> => {
    handleOrder(OrderMessage.parse(JSON.parse(record.body)));
  };
  return (event: unknown, context?: unknown) =>
    processPartialResponse(event as never, recordHandler, processor, { context: context as never });
}

/** The Lambda entry point. */
export const handler = createPowertoolsP7();
