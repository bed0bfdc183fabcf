import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigurationError } from '../errors/errors.js';
import { type RetryOptions, retryDelay, retryPlan, sleep } from '../resilience/backoff.js';
import { DependencyThrottledError } from '../resilience/faults.js';
import { callSignal, remainingBudgetMs } from '../resilience/scope.js';
import { type CallOptions, callDynamoDB, documentSdk } from './documents.js';
import type { TableDefinition } from './table.js';

type Item = Record<string, unknown>;

/** What {@link TableClient.batchWrite} writes: items to put (replacing any with their key) and keys to delete. */
export interface BatchWriteRequest {
  readonly puts?: readonly Item[];
  readonly deletes?: readonly Item[];
}

/** Options of {@link TableClient.batchWrite}. */
export interface BatchWriteOptions extends CallOptions {
  /**
   * How items DynamoDB leaves unprocessed (throttling) are tried again: full-jitter backoff, never
   * past the request's deadline. Default 8 attempts per group, waits from 50 ms up to 1 s.
   */
  readonly retry?: RetryOptions;
}

/** DynamoDB's `BatchWriteItem` takes at most 25 requests per call. */
export const BATCH_WRITE_LIMIT = 25;

type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/**
 * Writes `request` in groups of 25 (`BatchWriteItem`), trying unprocessed items again with backoff.
 * Items are written without conditions, in no particular order; a key may appear once per call.
 * Items still unprocessed after the retries are a 503 `DEPENDENCY_THROTTLED`. @internal
 */
export async function batchWrite(
  table: TableDefinition,
  documents: () => Promise<DynamoDBDocumentClient>,
  request: BatchWriteRequest,
  options: BatchWriteOptions = {},
): Promise<void> {
  const puts = request.puts ?? [];
  const deletes = request.deletes ?? [];
  if (!Array.isArray(puts) || !Array.isArray(deletes))
    throw new ConfigurationError('batchWrite: puts and deletes must be arrays');
  const keyNames = [table.partitionKey.name, ...(table.sortKey === undefined ? [] : [table.sortKey.name])];
  const keyOf = (item: Item, what: string): Item => {
    const key: Item = {};
    for (const name of keyNames) {
      if (item[name] === undefined) throw new ConfigurationError(`batchWrite: a ${what} has no ${name}`);
      key[name] = item[name];
    }
    return key;
  };
  const seen = new Set<string>();
  const requests: WriteRequest[] = [];
  const add = (key: Item, write: WriteRequest) => {
    // DynamoDB refuses a whole call naming one key twice; across calls the order would be arbitrary.
    const id = JSON.stringify(keyNames.map((name) => key[name]));
    if (seen.has(id)) throw new ConfigurationError(`batchWrite: the key ${id} is given twice`);
    seen.add(id);
    requests.push(write);
  };
  for (const item of puts) add(keyOf(item, 'put item'), { PutRequest: { Item: item } });
  for (const key of deletes)
    add(keyOf(key, 'delete key'), { DeleteRequest: { Key: keyOf(key, 'delete key') } });
  if (requests.length === 0) return;

  const plan = retryPlan(options.retry, 'batchWrite', { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 1000 });
  const [client, { BatchWriteCommand }] = await Promise.all([documents(), documentSdk()]);
  const tableName = table.tableName();
  for (let start = 0; start < requests.length; start += BATCH_WRITE_LIMIT) {
    let pending = requests.slice(start, start + BATCH_WRITE_LIMIT);
    for (let attempt = 1; ; attempt++) {
      const began = Date.now();
      const result = await callDynamoDB(options, (http) =>
        client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }), http),
      );
      const left = (result.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      if (left.length === 0) break;
      pending = left;
      const wait = retryDelay(plan, attempt, remainingBudgetMs(), undefined, Date.now() - began);
      if (wait === undefined)
        throw new DependencyThrottledError('dynamodb', 1, {
          cause: new Error(`batchWrite: ${left.length} items unprocessed after ${attempt} attempts`),
        });
      await sleep(wait, callSignal(options.signal));
    }
  }
}
