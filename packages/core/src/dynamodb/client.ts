import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BadRequestError, ConfigurationError, HttpError, type HttpErrorOptions } from '../errors/errors.js';
import { type BatchWriteOptions, type BatchWriteRequest, batchWrite } from './batch.js';
import { type CursorCodec, createCursorCodec } from './cursor.js';
import { type CallOptions, callDynamoDB, documentSdk, documentsFor } from './documents.js';
import {
  type Page,
  type QueryAllOptions,
  type QueryOptions,
  queryAllBounds,
  queryInput,
  queryScope,
} from './query.js';
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
  /**
   * Secret for opaque pagination cursors (≥ 32 characters); required to page through
   * {@link TableClient.query}. A function is called once, on the first page that needs it (a secret
   * read from Secrets Manager at run time, so importing the module never calls AWS).
   */
  readonly cursorSecret?: string | (() => string | Promise<string>);
  /**
   * A document client to use instead of the shared one (tests, other settings). Make it with
   * `createDocumentClient` to keep Lift's timeouts and deadline-bound retries.
   */
  readonly client?: DynamoDBDocumentClient;
  /** Clock in epoch ms (default `Date.now`), for the TTL check on reads. */
  readonly now?: () => number;
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** Options of {@link TableClient.put}. */
export interface PutOptions extends CallOptions {
  /** Refuse (409) when an item with the key exists. */
  readonly ifNotExists?: boolean;
}

/** Options of {@link TableClient.update} and {@link TableClient.delete}: the conditions of the write. */
export interface VersionOptions extends CallOptions {
  /** Only write if the item's `version` still equals this (optimistic concurrency). */
  readonly expectedVersion?: number;
  /**
   * Only write if each named attribute equals the given value (`{ status: 'pending' }`): a claim
   * that two writers cannot both win. An attribute the item lacks equals nothing.
   */
  readonly ifMatches?: Readonly<Record<string, unknown>>;
}

/** Options of {@link TableClient.update}. */
export interface UpdateOptions extends VersionOptions {
  /**
   * Attributes to remove from the item (DynamoDB's `REMOVE`): take an item out of a sparse index by
   * removing its index keys. The table's keys and `version` cannot be removed.
   */
  readonly remove?: readonly string[];
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
   * Sets attributes of an existing item, removes those named in `remove`, and returns the item as
   * stored. With `expectedVersion`, the write only happens if `version` still equals it, and the
   * version is incremented (optimistic concurrency); with `ifMatches`, only if those attributes hold
   * those values. A missing item or a failed condition is a 409 {@link ConditionFailedError}.
   */
  update(key: Item, changes: Item, options?: UpdateOptions): Promise<Item>;
  /**
   * Deletes an item and returns it, or `undefined` if there was none; `expectedVersion` and
   * `ifMatches` as for update (a missing item then fails the condition: a 409).
   */
  delete(key: Item, options?: VersionOptions): Promise<Item | undefined>;
  /**
   * One page of a partition (or of a range of it: `sortBetween`, `sortLessOrEqual`...), expired items
   * skipped, with an opaque cursor for the next page.
   */
  query(options: QueryOptions): Promise<Page>;
  /**
   * Every item of a query, page after page, for work inside the service (an export, a scheduled job):
   * the keys never leave the process, so no cursor secret is needed. Stops after `maxItems`.
   */
  queryAll(options: QueryAllOptions): AsyncGenerator<Item, void, undefined>;
  /**
   * Puts and deletes many items with `BatchWriteItem`, 25 per call, trying items DynamoDB left
   * unprocessed again with backoff (a 503 `DEPENDENCY_THROTTLED` if some remain). No conditions, no
   * order, not atomic: for seeding, clean-ups and fan-out, not for writes that must hold together.
   */
  batchWrite(request: BatchWriteRequest, options?: BatchWriteOptions): Promise<void>;
}

/** A client for one declared table. */
export function tableClient(table: TableDefinition, options: TableClientOptions = {}): TableClient {
  const now = options.now ?? Date.now;
  const secret = options.cursorSecret;
  let loaded: Promise<CursorCodec> | undefined =
    typeof secret === 'string' ? Promise.resolve(createCursorCodec(secret)) : undefined;
  const cursorCodec = (): Promise<CursorCodec> => {
    if (loaded !== undefined) return loaded;
    if (typeof secret !== 'function')
      throw new ConfigurationError('query: paging needs a cursorSecret in tableClient options');
    const pending = Promise.resolve()
      .then(secret)
      .then((value) => createCursorCodec(value));
    loaded = pending;
    // A failed read is tried again on the next page rather than remembered.
    pending.catch(() => {
      if (loaded === pending) loaded = undefined;
    });
    return pending;
  };
  const documents = documentsFor(options.client);
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
      const removes = (updateOptions.remove ?? []).map((name, i) => {
        if (typeof name !== 'string' || name === '' || keyNames.includes(name) || name === 'version')
          throw new ConfigurationError(
            `update: cannot remove "${String(name)}" (a key, version, or no name)`,
          );
        if (Object.hasOwn(changes, name))
          throw new ConfigurationError(`update: "${name}" is both set and removed`);
        names[`#r${i}`] = name;
        return `#r${i}`;
      });
      const conditions = ['attribute_exists(#pk)', ...writeConditions(updateOptions, names, values)];
      if (updateOptions.expectedVersion !== undefined) {
        values[':one'] = 1;
        sets.push('#v = #v + :one');
      }
      if (sets.length === 0 && removes.length === 0)
        throw new ConfigurationError('update: nothing to change');
      const expression = [
        ...(sets.length === 0 ? [] : [`SET ${sets.join(', ')}`]),
        ...(removes.length === 0 ? [] : [`REMOVE ${removes.join(', ')}`]),
      ].join(' ');
      const result = await guard(
        () =>
          callDynamoDB(updateOptions, (http) =>
            client.send(
              new UpdateCommand({
                TableName: table.tableName(),
                Key: key,
                UpdateExpression: expression,
                ConditionExpression: conditions.join(' AND '),
                ExpressionAttributeNames: names,
                ...(Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
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
      const names: Record<string, string> = { '#pk': keyNames[0] as string };
      const values: Record<string, unknown> = {};
      const conditions = writeConditions(deleteOptions, names, values);
      const result = await guard(
        () =>
          callDynamoDB(deleteOptions, (http) =>
            client.send(
              new DeleteCommand({
                TableName: table.tableName(),
                Key: key,
                ReturnValues: 'ALL_OLD',
                ...(conditions.length > 0
                  ? {
                      ConditionExpression: ['attribute_exists(#pk)', ...conditions].join(' AND '),
                      ExpressionAttributeNames: names,
                      ExpressionAttributeValues: values,
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
      const input = queryInput(table, query, now());
      const scope = queryScope(table, query);
      let start: Item | undefined;
      if (query.cursor !== undefined) {
        const opened = (await cursorCodec()).decode(query.cursor) as { s?: unknown; k?: unknown } | undefined;
        if (opened?.s !== scope || typeof opened.k !== 'object' || opened.k === null)
          throw new BadRequestError('Invalid cursor');
        start = opened.k as Item;
      }
      const [client, { QueryCommand }] = await Promise.all([documents(), lib()]);
      const result = await callDynamoDB(query, (http) =>
        client.send(
          new QueryCommand({
            ...input,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
          http,
        ),
      );
      const items = (result.Items ?? []) as Item[];
      const last = result.LastEvaluatedKey;
      if (last === undefined) return { items };
      return { items, cursor: (await cursorCodec()).encode({ s: scope, k: last }) };
    },

    async *queryAll(query) {
      const { pageSize, maxItems } = queryAllBounds(query);
      const { pageSize: _size, maxItems: _max, ...rest } = query;
      const [client, { QueryCommand }] = await Promise.all([documents(), lib()]);
      let start: Record<string, unknown> | undefined;
      let given = 0;
      do {
        const input = queryInput(table, { ...rest, limit: Math.min(pageSize, maxItems - given) }, now());
        const result = await callDynamoDB(query, (http) =>
          client.send(
            new QueryCommand({ ...input, ...(start === undefined ? {} : { ExclusiveStartKey: start }) }),
            http,
          ),
        );
        for (const item of (result.Items ?? []) as Item[]) {
          yield item;
          if (++given >= maxItems) return;
        }
        start = result.LastEvaluatedKey;
      } while (start !== undefined);
    },

    batchWrite: (request, batchOptions) => batchWrite(table, documents, request, batchOptions),
  };
}

/**
 * The conditions of {@link VersionOptions} as DynamoDB expressions, adding their names and values:
 * `#v = :expected` for `expectedVersion`, `#c<i> = :c<i>` for each `ifMatches` attribute.
 */
function writeConditions(
  options: VersionOptions,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string[] {
  const conditions: string[] = [];
  if (options.expectedVersion !== undefined) {
    names['#v'] = 'version';
    values[':expected'] = options.expectedVersion;
    conditions.push('#v = :expected');
  }
  const matches = options.ifMatches;
  if (matches === undefined) return conditions;
  if (typeof matches !== 'object' || matches === null || Array.isArray(matches))
    throw new ConfigurationError('ifMatches must be an object of attribute values');
  Object.entries(matches).forEach(([name, value], i) => {
    if (value === undefined) throw new ConfigurationError(`ifMatches: "${name}" has no value`);
    if (name === 'version' && options.expectedVersion !== undefined)
      throw new ConfigurationError('ifMatches: give the version as expectedVersion only');
    names[`#c${i}`] = name;
    values[`:c${i}`] = value;
    conditions.push(`#c${i} = :c${i}`);
  });
  return conditions;
}
