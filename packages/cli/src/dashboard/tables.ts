import {
  type AttributeValue,
  DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { NumberValueImpl, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TableDefinition } from '@lift/core/dynamodb';

/** A bad browse request: the message says what to fix (answered as a 400). */
export class BrowseError extends Error {
  /** @param message what is wrong with the request */
  constructor(message: string) {
    super(message);
    this.name = 'BrowseError';
  }
}

/** What {@link TableBrowser.items} is asked. */
export interface BrowseQuery {
  /** The partition key's value: with it, a query; without, a scan. */
  readonly pk?: string;
  /** With `pk`: only items whose sort key begins with this. */
  readonly skPrefix?: string;
  /** The `cursor` of the previous page. */
  readonly cursor?: string;
  /** Items per page, 1 to 100 (default 25). */
  readonly limit?: number;
}

/** One page of items, as plain JSON. */
export interface BrowsePage {
  readonly items: readonly Record<string, unknown>[];
  /** Pass back for the next page; absent on the last. */
  readonly cursor?: string;
}

/** A table as the dashboard lists it. */
export interface TableSummary {
  readonly name: string;
  readonly partitionKey: { readonly name: string; readonly type: string };
  readonly sortKey?: { readonly name: string; readonly type: string };
}

/** Read-only access to the declared tables in the local DynamoDB. */
export interface TableBrowser {
  /** The declared tables with their keys. */
  list(): TableSummary[];
  items(table: string, query: BrowseQuery): Promise<BrowsePage>;
  close(): void;
}

/** JSON for display: numbers beyond a double stay strings, sets become arrays, bytes base64. */
function plain(value: unknown): unknown {
  if (value instanceof NumberValueImpl) {
    const n = Number(value.value);
    return Number.isSafeInteger(n) || !Number.isInteger(n) ? n : value.value;
  }
  if (value instanceof Uint8Array) return { $base64: Buffer.from(value).toString('base64') };
  if (value instanceof Set) return [...value].map(plain);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function keyValue(type: string, raw: string, what: string): AttributeValue {
  if (type === 'N') {
    if (!/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw.trim())) throw new BrowseError(`${what} must be a number`);
    return { N: raw.trim() };
  }
  if (type === 'B') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) throw new BrowseError(`${what} must be base64`);
    return { B: Buffer.from(raw, 'base64') };
  }
  return { S: raw };
}

function readCursor(cursor: string): Record<string, AttributeValue> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new Error('not an object');
    return key as Record<string, AttributeValue>;
  } catch {
    throw new BrowseError('cursor is not one this dashboard gave; start from the first page');
  }
}

/**
 * Browses the declared tables (never others at the endpoint, which may be a shared DynamoDB Local)
 * through the SDK against the local endpoint: a query by partition key (and sort-key prefix) or a
 * scan, a page at a time. Nothing here writes.
 */
export function tableBrowser(endpoint: string, tables: () => readonly TableDefinition[]): TableBrowser {
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    },
    maxAttempts: 1,
  });
  const find = (name: string) => tables().find((t) => t.tableName() === name);
  return {
    list: () =>
      tables().map((t) => ({
        name: t.tableName(),
        partitionKey: { name: t.partitionKey.name, type: t.partitionKey.type },
        ...(t.sortKey === undefined ? {} : { sortKey: { name: t.sortKey.name, type: t.sortKey.type } }),
      })),
    async items(name, query) {
      const table = find(name);
      if (table === undefined) throw new BrowseError(`no declared table "${name}"`);
      const limit = query.limit ?? 25;
      if (!Number.isInteger(limit) || limit < 1 || limit > 100)
        throw new BrowseError('limit must be an integer from 1 to 100');
      const start = query.cursor === undefined ? {} : { ExclusiveStartKey: readCursor(query.cursor) };
      let output: {
        Items?: Record<string, AttributeValue>[] | undefined;
        LastEvaluatedKey?: Record<string, AttributeValue> | undefined;
      };
      if (query.pk === undefined || query.pk === '') {
        if (query.skPrefix !== undefined && query.skPrefix !== '')
          throw new BrowseError('a sort-key prefix needs a partition key');
        output = await client.send(new ScanCommand({ TableName: name, Limit: limit, ...start }));
      } else {
        const pk = table.partitionKey;
        const input: QueryCommandInput = {
          TableName: name,
          Limit: limit,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': pk.name },
          ExpressionAttributeValues: { ':pk': keyValue(pk.type, query.pk, pk.name) },
          ...start,
        };
        if (query.skPrefix !== undefined && query.skPrefix !== '') {
          const sk = table.sortKey;
          if (sk === undefined) throw new BrowseError(`table "${name}" has no sort key`);
          if (sk.type === 'N') throw new BrowseError(`sort key ${sk.name} is a number; it has no prefix`);
          input.KeyConditionExpression = '#pk = :pk AND begins_with(#sk, :sk)';
          input.ExpressionAttributeNames = { '#pk': pk.name, '#sk': sk.name };
          input.ExpressionAttributeValues = {
            ':pk': keyValue(pk.type, query.pk, pk.name),
            ':sk': keyValue(sk.type, query.skPrefix, sk.name),
          };
        }
        output = await client.send(new QueryCommand(input));
      }
      const items = (output.Items ?? []).map(
        (item) => plain(unmarshall(item, { wrapNumbers: true })) as Record<string, unknown>,
      );
      const next = output.LastEvaluatedKey;
      return {
        items,
        ...(next === undefined
          ? {}
          : { cursor: Buffer.from(JSON.stringify(next), 'utf8').toString('base64url') }),
      };
    },
    close: () => client.destroy(),
  };
}
