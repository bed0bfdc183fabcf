/**
 * P7 by hand: the loop a careful developer writes without a framework. JSON.parse, the schema's
 * safeParse, the handler, and the partial batch response with every message that failed.
 */
import { handleOrder, OrderMessage } from './p7-common.js';

interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
}

/** The handler. */
export function createRawP7() {
  return async (event: { Records: readonly SqsRecord[] }) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        const parsed = OrderMessage.safeParse(JSON.parse(record.body));
        if (!parsed.success) {
          batchItemFailures.push({ itemIdentifier: record.messageId });
          continue;
        }
        handleOrder(parsed.data);
      } catch {
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

/** The Lambda entry point. */
export const handler = createRawP7();
