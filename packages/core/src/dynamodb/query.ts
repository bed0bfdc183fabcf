import { createHash } from 'node:crypto';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConfigurationError } from '../errors/errors.js';
import type { CallOptions } from './documents.js';
import type { TableDefinition } from './table.js';

/** A sort key value: a string or a number, as the table or index declares its sort key. */
export type SortKeyValue = string | number;

/**
 * A query over one partition of the table or of an index. At most one sort key condition
 * (`sortBeginsWith`, `sortBetween`, `sortLessThan`, `sortLessOrEqual`, `sortGreaterThan`,
 * `sortGreaterOrEqual`) may be given; each is part of the key condition, so DynamoDB reads only the
 * matching range (never a filter over the whole partition).
 */
export interface QueryOptions extends CallOptions {
  /** Partition key value. */
  readonly partition: string | number;
  /** Only sort keys starting with this prefix. */
  readonly sortBeginsWith?: string;
  /** Only sort keys from `low` to `high`, both included (DynamoDB's `BETWEEN`). */
  readonly sortBetween?: readonly [low: SortKeyValue, high: SortKeyValue];
  /** Only sort keys below this value. */
  readonly sortLessThan?: SortKeyValue;
  /** Only sort keys at or below this value (due items: `sortLessOrEqual: now`). */
  readonly sortLessOrEqual?: SortKeyValue;
  /** Only sort keys above this value. */
  readonly sortGreaterThan?: SortKeyValue;
  /** Only sort keys at or above this value. */
  readonly sortGreaterOrEqual?: SortKeyValue;
  /** Query a global index instead of the table. */
  readonly index?: string;
  /** Page size (default 25, at most 1000). */
  readonly limit?: number;
  /** The cursor a previous page returned. */
  readonly cursor?: string;
  /** Ascending sort order (default true). */
  readonly ascending?: boolean;
}

/** What {@link TableClient.queryAll} takes: a query without paging, and how much of it to read. */
export interface QueryAllOptions extends Omit<QueryOptions, 'cursor' | 'limit'> {
  /** Items asked of DynamoDB per call (default 100, at most 1000). */
  readonly pageSize?: number;
  /** Stop after this many items (default: every item of the range). */
  readonly maxItems?: number;
}

/** One page of a query. */
export interface Page {
  readonly items: Record<string, unknown>[];
  /** Pass back to get the next page; absent on the last page. */
  readonly cursor?: string;
}

const COMPARISONS = [
  ['sortLessThan', '<'],
  ['sortLessOrEqual', '<='],
  ['sortGreaterThan', '>'],
  ['sortGreaterOrEqual', '>='],
] as const;

function checkSortValue(value: unknown, where: string): SortKeyValue {
  if (typeof value === 'string' ? value === '' : typeof value !== 'number' || !Number.isFinite(value))
    throw new ConfigurationError(`query: ${where} must be a non-empty string or a finite number`);
  return value as SortKeyValue;
}

/** The key condition of a query: the partition, and at most one sort key condition. */
function keyCondition(
  query: QueryOptions,
  sk: string | undefined,
  names: Record<string, string>,
  values: Record<string, unknown>,
): string {
  const given = ['sortBeginsWith', 'sortBetween', ...COMPARISONS.map(([option]) => option)].filter(
    (option) => query[option as keyof QueryOptions] !== undefined,
  );
  if (given.length === 0) return '#pk = :pk';
  if (given.length > 1)
    throw new ConfigurationError(`query: give one sort key condition, not ${given.join(' and ')}`);
  if (sk === undefined) throw new ConfigurationError(`query: ${given[0]} needs a sort key`);
  names['#sk'] = sk;
  if (query.sortBeginsWith !== undefined) {
    if (typeof query.sortBeginsWith !== 'string')
      throw new ConfigurationError('query: sortBeginsWith must be a string');
    values[':prefix'] = query.sortBeginsWith;
    return '#pk = :pk AND begins_with(#sk, :prefix)';
  }
  if (query.sortBetween !== undefined) {
    if (!Array.isArray(query.sortBetween) || query.sortBetween.length !== 2)
      throw new ConfigurationError('query: sortBetween must be [low, high]');
    const low = checkSortValue(query.sortBetween[0], 'sortBetween low');
    const high = checkSortValue(query.sortBetween[1], 'sortBetween high');
    // DynamoDB refuses a reversed range with a ValidationException; say it here, plainly.
    if (typeof low !== typeof high || low > high)
      throw new ConfigurationError('query: sortBetween needs low <= high, of one type');
    values[':low'] = low;
    values[':high'] = high;
    return '#pk = :pk AND #sk BETWEEN :low AND :high';
  }
  for (const [option, operator] of COMPARISONS) {
    const value = query[option];
    if (value === undefined) continue;
    values[':sk'] = checkSortValue(value, option);
    return `#pk = :pk AND #sk ${operator} :sk`;
  }
  /* v8 ignore next */
  throw new ConfigurationError('query: unreachable');
}

/**
 * The `Query` input for a query of `table` (without the exclusive start key), checking the index, the
 * limit and the sort key condition. Items whose TTL has passed are filtered out. @internal
 */
export function queryInput(table: TableDefinition, query: QueryOptions, nowMs: number): QueryCommandInput {
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
  const names: Record<string, string> = { '#pk': pk };
  const values: Record<string, unknown> = { ':pk': query.partition };
  const condition = keyCondition(query, sk, names, values);
  const ttl = table.ttlAttribute;
  let filter: string | undefined;
  if (ttl !== undefined) {
    names['#ttl'] = ttl;
    values[':now'] = Math.floor(nowMs / 1000);
    filter = 'attribute_not_exists(#ttl) OR #ttl > :now';
  }
  return {
    TableName: table.tableName(),
    ...(index === undefined ? {} : { IndexName: index.name }),
    KeyConditionExpression: condition,
    ...(filter === undefined ? {} : { FilterExpression: filter }),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    Limit: limit,
    ScanIndexForward: query.ascending ?? true,
  };
}

/** Checks {@link QueryAllOptions}' own numbers; returns the page size and the item bound. @internal */
export function queryAllBounds(options: QueryAllOptions): { pageSize: number; maxItems: number } {
  const pageSize = options.pageSize ?? 100;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
    throw new ConfigurationError('queryAll: pageSize must be 1-1000');
  const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
  if (maxItems !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxItems) || maxItems < 1))
    throw new ConfigurationError('queryAll: maxItems must be a positive integer');
  return { pageSize, maxItems };
}

/**
 * What a cursor is bound to: the table, index, partition, sort condition and order of the query
 * that made it. A cursor from another query (another list, another user's) would make DynamoDB
 * refuse the start key with a 500; with this it is a 400 `Invalid cursor` before any call.
 * @internal
 */
export function queryScope(table: TableDefinition, q: QueryOptions): string {
  const shape = [
    table.name,
    q.index ?? null,
    q.partition,
    q.sortBeginsWith ?? null,
    q.sortBetween ?? null,
    q.sortLessThan ?? null,
    q.sortLessOrEqual ?? null,
    q.sortGreaterThan ?? null,
    q.sortGreaterOrEqual ?? null,
    q.ascending ?? true,
  ];
  return createHash('sha256').update(JSON.stringify(shape)).digest('base64url').slice(0, 22);
}
