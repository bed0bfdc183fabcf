/**
 * The DynamoDB helpers against a real DynamoDB-compatible server: dynalite by default, the official
 * DynamoDB Local when LIFT_TEST_DYNAMODB=local (CI runs both).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, ConfigurationError } from '../errors/errors.js';
import { type DynamoDBServer, localClientConfig, startTestDynamoDB } from '../testing/dynamodb.js';
import { ConditionFailedError, sharedDocumentClient, tableClient } from './client.js';
import { createCursorCodec } from './cursor.js';
import { ensureTables } from './ensure.js';
import { createTableInput, defineTable } from './table.js';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const table = defineTable({
  name: 'lift-test-items',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalIndexes: [
    { name: 'GSI1', partitionKey: { name: 'GSI1PK', type: 'S' }, sortKey: { name: 'GSI1SK', type: 'S' } },
  ],
  ttlAttribute: 'expiresAt',
});

let server: DynamoDBServer;
let raw: DynamoDBClient;
let items: ReturnType<typeof tableClient>;
let clock = Date.parse('2026-11-23T10:00:00Z');

beforeAll(async () => {
  server = await startTestDynamoDB();
  raw = new DynamoDBClient(localClientConfig(server.endpoint));
  expect(await ensureTables(raw, [table])).toEqual(['lift-test-items']);
  items = tableClient(table, {
    cursorSecret: SECRET,
    client: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    now: () => clock,
  });
}, 120_000);

afterAll(async () => {
  raw?.destroy();
  await server?.close();
});

describe(`DynamoDB helpers (${process.env.LIFT_TEST_DYNAMODB === 'local' ? 'DynamoDB Local' : 'dynalite'})`, () => {
  it('creates declared tables once', async () => {
    expect(await ensureTables(raw, [table])).toEqual([]);
  });

  it('puts and gets; ifNotExists refuses a second item with the key', async () => {
    await items.put({ PK: 'T#1', SK: 'ITEM#a', name: 'first', version: 1 }, { ifNotExists: true });
    expect(await items.get({ PK: 'T#1', SK: 'ITEM#a' })).toEqual({
      PK: 'T#1',
      SK: 'ITEM#a',
      name: 'first',
      version: 1,
    });
    const again = items.put({ PK: 'T#1', SK: 'ITEM#a', name: 'second' }, { ifNotExists: true });
    await expect(again).rejects.toBeInstanceOf(ConditionFailedError);
    await expect(again).rejects.toMatchObject({ status: 409, code: 'CONDITION_FAILED' });
    expect(await items.get({ PK: 'T#1', SK: 'ITEM#missing' })).toBeUndefined();
  });

  it('updates with optimistic concurrency: the version must match and is incremented', async () => {
    const updated = await items.update(
      { PK: 'T#1', SK: 'ITEM#a' },
      { name: 'renamed' },
      { expectedVersion: 1 },
    );
    expect(updated).toMatchObject({ name: 'renamed', version: 2 });
    const stale = items.update({ PK: 'T#1', SK: 'ITEM#a' }, { name: 'late' }, { expectedVersion: 1 });
    await expect(stale).rejects.toBeInstanceOf(ConditionFailedError);
    expect(await items.get({ PK: 'T#1', SK: 'ITEM#a' })).toMatchObject({ name: 'renamed', version: 2 });
    const missing = items.update({ PK: 'T#1', SK: 'ITEM#none' }, { name: 'x' });
    await expect(missing).rejects.toBeInstanceOf(ConditionFailedError);
  });

  it('deletes, honouring an expected version', async () => {
    await items.put({ PK: 'T#1', SK: 'ITEM#d', version: 3 });
    await expect(items.delete({ PK: 'T#1', SK: 'ITEM#d' }, { expectedVersion: 2 })).rejects.toBeInstanceOf(
      ConditionFailedError,
    );
    expect(await items.delete({ PK: 'T#1', SK: 'ITEM#d' }, { expectedVersion: 3 })).toMatchObject({
      version: 3,
    });
    expect(await items.delete({ PK: 'T#1', SK: 'ITEM#d' })).toBeUndefined();
  });

  it('skips items whose TTL has passed, on get and on query, before DynamoDB deletes them', async () => {
    const past = Math.floor(clock / 1000) - 60;
    const future = Math.floor(clock / 1000) + 60;
    await items.put({ PK: 'T#ttl', SK: 'ITEM#old', expiresAt: past });
    await items.put({ PK: 'T#ttl', SK: 'ITEM#new', expiresAt: future });
    expect(await items.get({ PK: 'T#ttl', SK: 'ITEM#old' })).toBeUndefined();
    expect((await items.query({ partition: 'T#ttl' })).items.map((i) => i.SK)).toEqual(['ITEM#new']);
    clock += 120_000;
    expect(await items.get({ PK: 'T#ttl', SK: 'ITEM#new' })).toBeUndefined();
  });

  it('pages through a partition with opaque cursors', async () => {
    for (let i = 0; i < 5; i++)
      await items.put({ PK: 'T#page', SK: `ITEM#${i}`, GSI1PK: 'ALL', GSI1SK: `${9 - i}` });
    const seen: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await items.query({
        partition: 'T#page',
        sortBeginsWith: 'ITEM#',
        limit: 2,
        ...(cursor === undefined ? {} : { cursor }),
      });
      seen.push(...page.items.map((i) => i.SK));
      cursor = page.cursor;
      pages++;
      if (cursor !== undefined) expect(cursor).not.toContain('T#page');
    } while (cursor !== undefined && pages < 10);
    expect(seen).toEqual(['ITEM#0', 'ITEM#1', 'ITEM#2', 'ITEM#3', 'ITEM#4']);
    expect(pages).toBeGreaterThanOrEqual(3);
    const byIndex = await items.query({ partition: 'ALL', index: 'GSI1', ascending: false, limit: 10 });
    expect(byIndex.items.map((i) => i.SK)).toEqual(['ITEM#0', 'ITEM#1', 'ITEM#2', 'ITEM#3', 'ITEM#4']);
  });

  it('a cursor secret given as a function is read once, on the first page that needs it, and again after a failure', async () => {
    let reads = 0;
    let fail = true;
    const lazy = tableClient(table, {
      cursorSecret: async () => {
        reads++;
        if (fail) throw new Error('secret store unavailable');
        return SECRET;
      },
      client: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
      now: () => clock,
    });
    expect(reads).toBe(0);
    await expect(lazy.query({ partition: 'T#page', limit: 2 })).rejects.toThrow('secret store unavailable');
    fail = false;
    const first = await lazy.query({ partition: 'T#page', limit: 2 });
    const second = await lazy.query({ partition: 'T#page', limit: 2, cursor: first.cursor as string });
    expect(reads).toBe(2);
    // Interchangeable with the string secret: the eager client opens the lazy one's cursor.
    expect(
      (await items.query({ partition: 'T#page', limit: 2, cursor: first.cursor as string })).items,
    ).toEqual(second.items);
  });

  it('forged cursor: a tampered cursor or one from another secret is a 400', async () => {
    const page = await items.query({ partition: 'T#page', limit: 1 });
    const cursor = page.cursor as string;
    const flipped = cursor.slice(0, -2) + (cursor.at(-2) === 'A' ? 'B' : 'A') + cursor.at(-1);
    await expect(items.query({ partition: 'T#page', cursor: flipped })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    const forged = createCursorCodec('another-secret-of-at-least-32-chars!!').encode({
      PK: 'T#other',
      SK: 'ITEM#0',
    });
    await expect(items.query({ partition: 'T#page', cursor: forged })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    await expect(items.query({ partition: 'T#page', cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });

  it('cursor replay: a cursor from another query (another partition, order, index) is a 400, not a 500', async () => {
    for (let i = 0; i < 3; i++) await items.put({ PK: 'T#replay-a', SK: `ITEM#${i}` });
    await items.put({ PK: 'T#replay-b', SK: 'ITEM#0' });
    const cursor = (await items.query({ partition: 'T#replay-a', limit: 1 })).cursor as string;
    for (const other of [
      { partition: 'T#replay-b' },
      { partition: 'T#replay-a', ascending: false },
      { partition: 'T#replay-a', sortBeginsWith: 'ITEM#' },
      { partition: 'ALL', index: 'GSI1' },
    ])
      await expect(items.query({ ...other, cursor })).rejects.toBeInstanceOf(BadRequestError);
    expect((await items.query({ partition: 'T#replay-a', limit: 1, cursor })).items).toHaveLength(1);
  });

  it('the shared client reaches the server through AWS_ENDPOINT_URL_DYNAMODB', async () => {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const viaEnvironment = tableClient(table, { cursorSecret: SECRET, now: () => clock });
    expect(await viaEnvironment.get({ PK: 'T#1', SK: 'ITEM#a' })).toMatchObject({ name: 'renamed' });
    expect(await sharedDocumentClient()).toBe(await sharedDocumentClient());
  });
});

describe('table declarations', () => {
  it('builds the CreateTable input', () => {
    expect(createTableInput(table)).toEqual({
      TableName: 'lift-test-items',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'GSI1',
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      AttributeDefinitions: [
        { AttributeName: 'PK', AttributeType: 'S' },
        { AttributeName: 'SK', AttributeType: 'S' },
        { AttributeName: 'GSI1PK', AttributeType: 'S' },
        { AttributeName: 'GSI1SK', AttributeType: 'S' },
      ],
    });
  });

  it('takes the deployed name from the environment when set', () => {
    const t = defineTable({
      name: 'orders',
      nameFromEnv: 'LIFT_TEST_ORDERS_TABLE',
      partitionKey: { name: 'PK', type: 'S' },
    });
    expect(t.tableName()).toBe('orders');
    process.env.LIFT_TEST_ORDERS_TABLE = 'orders-prod-abc123';
    expect(t.tableName()).toBe('orders-prod-abc123');
    delete process.env.LIFT_TEST_ORDERS_TABLE;
  });

  it('refuses bad declarations at module load', () => {
    expect(() => defineTable({ name: 'ab', partitionKey: { name: 'PK', type: 'S' } })).toThrow(
      ConfigurationError,
    );
    expect(() => defineTable({ name: 'orders', partitionKey: { name: 'PK', type: 'X' as 'S' } })).toThrow(
      /type must be/,
    );
    expect(() =>
      defineTable({ name: 'orders', partitionKey: { name: 'PK', type: 'S' }, ttl: 'x' } as never),
    ).toThrow(/unknown option "ttl"/);
    expect(() => createCursorCodec('short')).toThrow(/at least 32/);
  });
});
