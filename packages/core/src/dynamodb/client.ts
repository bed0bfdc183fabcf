import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigurationError, HttpError, type HttpErrorOptions } from '../errors/errors.js';
import { type CursorCodec, createCursorCodec } from './cursor.js';
import { type CallOptions, callDynamoDB, documentSdk, sharedDocumentClient } from './documents.js';
import type { TableDefinition } from './table.js';

export { sharedDocumentClient } from './documents.js';

/** A stored item. */
export type Item = Record<string, unknown>;

/** 409: a conditional write found the item not as expected (exists, missing, or another version). */
export class ConditionFailedError extends HttpError {
  /** @param message safe description of the conflict */
  constructor(message = 'The item was changed or does not match the condition', options?: HttpErrorOptions) {
    super(409, 'CONDITION_FAILED', message, options);
  }
}

/** Options of {@link tableClient}. */
export interface TableClientOptions {
  /** Secret for opaque pagination cursors (≥ 32 characters); required to page through {@link TableClient.query}. */
  readonly cursorSecret?: string;
  /**
   * A document client to use instead of the shared one (tests, other settings). Make it with
   * `createDocumentClient` to keep Lift's timeouts and deadline-bound retries.
   */
  readonly client?: DynamoDBDocumentClient;
  /** Clock in epoch ms (default `Date.now`), for the TTL check on reads. */
  readonly now?: () => number;
}

/** A query over one partition of the table or of an index. */
export interface QueryOptions extends CallOptions {
  /** Partition key value. */
  readonly partition: string | number;
  /** Only sort keys starting with this prefix. */
  readonly sortBeginsWith?: string;
  /** Query a global index instead of the table. */
  readonly index?: string;
  /** Page size (default 25, at most 1000). */
  readonly limit?: number;
  /** The cursor a previous page returned. */
  readonly cursor?: string;
  /** Ascending sort order (default true). */
  readonly ascending?: boolean;
}

/** One page of a query. */
export interface Page {
  readonly items: Item[];
  /** Pass back to get the next page; absent on the last page. */
  readonly cursor?: string;
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** Options of {@link TableClient.put}. */
export interface PutOptions extends CallOptions {
  /** Refuse (409) when an item with the key exists. */
  readonly ifNotExists?: boolean;
}

/** Options of {@link TableClient.update} and {@link TableClient.delete}. */
export interface VersionOptions extends CallOptions {
  /** Only write if the item's `version` still equals this (optimistic concurrency). */
  readonly expectedVersion?: number;
}

/**
 * Reads and writes one declared table through `@aws-sdk/lib-dynamodb`. Every method takes a
 * `signal` (default: the current request's) and answers DynamoDB's faults as typed errors: throttling
 * a 503 `DEPENDENCY_THROTTLED`, 5xx and network errors a 503 `DEPENDENCY_UNAVAILABLE` (both with
 * `Retry-After: 1`), timeouts a 504 `DEPENDENCY_TIMEOUT`, the request's deadline its abort reason.
 */
export interface TableClient {
  /** The item with this key, or `undefined` (also when its TTL has passed but DynamoDB has not yet deleted it). */
  get(key: Item, options?: CallOptions): Promise<Item | undefined>;
  /** Writes an item; with `ifNotExists`, a 409 {@link ConditionFailedError} when one with the key exists. */
  put(item: Item, options?: PutOptions): Promise<void>;
  /**
   * Sets attributes of an existing item and returns it as stored. With `expectedVersion`, the write
   * only happens if `version` still equals it, and the version is incremented (optimistic concurrency).
   * A missing item or a stale version is a 409 {@link ConditionFailedError}.
   */
  update(key: Item, changes: Item, options?: VersionOptions): Promise<Item>;
  /** Deletes an item and returns it, or `undefined` if there was none; `expectedVersion` as for update. */
  delete(key: Item, options?: VersionOptions): Promise<Item | undefined>;
  /** One page of a partition, expired items skipped, with an opaque cursor for the next page. */
  query(options: QueryOptions): Promise<Page>;
}

/** A client for one declared table. */
export function tableClient(table: TableDefinition, options: TableClientOptions = {}): TableClient {
  const now = options.now ?? Date.now;
  const codec: CursorCodec | undefined =
    options.cursorSecret === undefined ? undefined : createCursorCodec(options.cursorSecret);
  const documents = () =>
    options.client !== undefined ? Promise.resolve(options.client) : sharedDocumentClient();
  const lib = documentSdk;
  const ttl = table.ttlAttribute;
  const expired = (item: Item) =>
    ttl !== undefined && typeof item[ttl] === 'number' && (item[ttl] as number) <= now() / 1000;
  const keyNames = [table.partitionKey.name, ...(table.sortKey === undefined ? [] : [table.sortKey.name])];

  const guard = async <T>(run: () => Promise<T>, message: string): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (isConditionFailure(error)) throw new ConditionFailedError(message, { cause: error });
      throw error;
    }
  };

  return {
    async get(key, getOptions) {
      const [client, { GetCommand }] = await Promise.all([documents(), lib()]);
      const { Item: item } = await callDynamoDB(getOptions, (http) =>
        client.send(new GetCommand({ TableName: table.tableName(), Key: key }), http),
      );
      return item === undefined || expired(item) ? undefined : item;
    },

    async put(item, putOptions = {}) {
      const [client, { PutCommand }] = await Promise.all([documents(), lib()]);
      await guard(
        () =>
          callDynamoDB(putOptions, (http) =>
            client.send(
              new PutCommand({
                TableName: table.tableName(),
                Item: item,
                ...(putOptions.ifNotExists === true
                  ? {
                      ConditionExpression: 'attribute_not_exists(#pk)',
                      ExpressionAttributeNames: { '#pk': keyNames[0] as string },
                    }
                  : {}),
              }),
              http,
            ),
          ),
        'An item with this key already exists',
      );
    },

    async update(key, changes, updateOptions = {}) {
      const [client, { UpdateCommand }] = await Promise.all([documents(), lib()]);
      const names: Record<string, string> = { '#pk': keyNames[0] as string };
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      Object.entries(changes).forEach(([name, value], i) => {
        if (keyNames.includes(name) || name === 'version') return;
        names[`#a${i}`] = name;
        values[`:a${i}`] = value;
        sets.push(`#a${i} = :a${i}`);
      });
      let condition = 'attribute_exists(#pk)';
      if (updateOptions.expectedVersion !== undefined) {
        names['#v'] = 'version';
        values[':expected'] = updateOptions.expectedVersion;
        values[':one'] = 1;
        sets.push('#v = #v + :one');
        condition += ' AND #v = :expected';
      }
      if (sets.length === 0) throw new ConfigurationError('update: nothing to change');
      const result = await guard(
        () =>
          callDynamoDB(updateOptions, (http) =>
            client.send(
              new UpdateCommand({
                TableName: table.tableName(),
                Key: key,
                UpdateExpression: `SET ${sets.join(', ')}`,
                ConditionExpression: condition,
                ExpressionAttributeNames: names,
                ExpressionAttributeValues: values,
                ReturnValues: 'ALL_NEW',
              }),
              http,
            ),
          ),
        'The item does not exist or was changed by someone else',
      );
      return result.Attributes as Item;
    },

    async delete(key, deleteOptions = {}) {
      const [client, { DeleteCommand }] = await Promise.all([documents(), lib()]);
      const versioned = deleteOptions.expectedVersion !== undefined;
      const result = await guard(
        () =>
          callDynamoDB(deleteOptions, (http) =>
            client.send(
              new DeleteCommand({
                TableName: table.tableName(),
                Key: key,
                ReturnValues: 'ALL_OLD',
                ...(versioned
                  ? {
                      ConditionExpression: 'attribute_exists(#pk) AND #v = :expected',
                      ExpressionAttributeNames: { '#pk': keyNames[0] as string, '#v': 'version' },
                      ExpressionAttributeValues: { ':expected': deleteOptions.expectedVersion },
                    }
                  : {}),
              }),
              http,
            ),
          ),
        'The item does not exist or was changed by someone else',
      );
      const old = result.Attributes as Item | undefined;
      return old === undefined || expired(old) ? undefined : old;
    },

    async query(query) {
      const limit = query.limit ?? 25;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new ConfigurationError('query: limit must be 1-1000');
      const index =
        query.index === undefined ? undefined : table.globalIndexes?.find((i) => i.name === query.index);
      if (query.index !== undefined && index === undefined) {
        throw new ConfigurationError(`query: table ${table.name} has no index "${query.index}"`);
      }
      const pk = index?.partitionKey.name ?? table.partitionKey.name;
      const sk = index === undefined ? table.sortKey?.name : index.sortKey?.name;
      if (query.cursor !== undefined && codec === undefined) {
        throw new ConfigurationError('query: paging needs a cursorSecret in tableClient options');
      }
      const names: Record<string, string> = { '#pk': pk };
      const values: Record<string, unknown> = { ':pk': query.partition };
      let keyCondition = '#pk = :pk';
      if (query.sortBeginsWith !== undefined) {
        if (sk === undefined) throw new ConfigurationError('query: sortBeginsWith needs a sort key');
        names['#sk'] = sk;
        values[':prefix'] = query.sortBeginsWith;
        keyCondition += ' AND begins_with(#sk, :prefix)';
      }
      let filter: string | undefined;
      if (ttl !== undefined) {
        names['#ttl'] = ttl;
        values[':now'] = Math.floor(now() / 1000);
        filter = 'attribute_not_exists(#ttl) OR #ttl > :now';
      }
      const [client, { QueryCommand }] = await Promise.all([documents(), lib()]);
      const result = await callDynamoDB(query, (http) =>
        client.send(
          new QueryCommand({
            TableName: table.tableName(),
            ...(index === undefined ? {} : { IndexName: index.name }),
            KeyConditionExpression: keyCondition,
            ...(filter === undefined ? {} : { FilterExpression: filter }),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            Limit: limit,
            ScanIndexForward: query.ascending ?? true,
            ...(query.cursor === undefined ? {} : { ExclusiveStartKey: codec?.decode(query.cursor) }),
          }),
          http,
        ),
      );
      const items = (result.Items ?? []) as Item[];
      const last = result.LastEvaluatedKey;
      if (last === undefined) return { items };
      if (codec === undefined)
        throw new ConfigurationError('query: paging needs a cursorSecret in tableClient options');
      return { items, cursor: codec.encode(last) };
    },
  };
}
