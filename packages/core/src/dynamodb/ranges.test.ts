/**
 * Sort key ranges, reading every page, conditional updates that match attributes or remove them, and
 * batch writes, against a real DynamoDB-compatible server: dynalite by default, DynamoDB Local when
 * LIFT_TEST_DYNAMODB=local.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors/errors.js';
import { DependencyThrottledError } from '../resilience/faults.js';
import { type DynamoDBServer, localClientConfig, startTestDynamoDB } from '../testing/dynamodb.js';
import { ConditionFailedError, type TableClient, tableClient } from './client.js';
import { ensureTables } from './ensure.js';
import { defineTable } from './table.js';

const table = defineTable({
  name: 'lift-test-ranges',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  globalIndexes: [
    { name: 'GSI1', partitionKey: { name: 'GSI1PK', type: 'S' }, sortKey: { name: 'GSI1SK', type: 'S' } },
  ],
  ttlAttribute: 'expiresAt',
});
const numbers = defineTable({
  name: 'lift-test-numbers',
  partitionKey: { name: 'id', type: 'S' },
  sortKey: { name: 'n', type: 'N' },
});

let server: DynamoDBServer;
let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let items: TableClient;
let counted: TableClient;
const clock = Date.parse('2026-11-23T10:00:00Z');

beforeAll(async () => {
  server = await startTestDynamoDB();
  raw = new DynamoDBClient(localClientConfig(server.endpoint));
  await ensureTables(raw, [table, numbers]);
  documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  items = tableClient(table, { client: documents, now: () => clock });
  counted = tableClient(numbers, { client: documents });
  // Reminders due at 09:00, 09:30, 10:00, 10:30 in one index partition; one more elsewhere.
  for (const [i, due] of ['09:00', '09:30', '10:00', '10:30'].entries())
    await items.put({
      PK: `USER#${i}`,
      SK: `REMINDER#${i}`,
      GSI1PK: 'DUE#0',
      GSI1SK: `2026-11-23T${due}:00.000Z#r${i}`,
      status: 'pending',
    });
  await items.put({ PK: 'USER#9', SK: 'REMINDER#9', GSI1PK: 'DUE#1', GSI1SK: '2026-11-23T08:00:00.000Z#r9' });
  for (let n = 1; n <= 10; n++) await counted.put({ id: 'series', n });
}, 120_000);

afterAll(async () => {
  raw?.destroy();
  await server?.close();
});

const sks = (page: { items: Record<string, unknown>[] }, name = 'GSI1SK') => page.items.map((i) => i[name]);

describe(`sort key ranges (${process.env.LIFT_TEST_DYNAMODB === 'local' ? 'DynamoDB Local' : 'dynalite'})`, () => {
  it('sortLessOrEqual finds what is due on an index, and nothing of another partition', async () => {
    const due = await items.query({
      index: 'GSI1',
      partition: 'DUE#0',
      sortLessOrEqual: '2026-11-23T10:00:00.000Z#~',
    });
    expect(sks(due)).toEqual([
      '2026-11-23T09:00:00.000Z#r0',
      '2026-11-23T09:30:00.000Z#r1',
      '2026-11-23T10:00:00.000Z#r2',
    ]);
  });

  it('sortLessThan, sortGreaterThan and sortGreaterOrEqual compare strictly or not', async () => {
    const q = (condition: object) => items.query({ index: 'GSI1', partition: 'DUE#0', ...condition });
    expect(sks(await q({ sortLessThan: '2026-11-23T09:30:00.000Z#r1' }))).toEqual([
      '2026-11-23T09:00:00.000Z#r0',
    ]);
    expect(sks(await q({ sortGreaterThan: '2026-11-23T10:00:00.000Z#r2' }))).toEqual([
      '2026-11-23T10:30:00.000Z#r3',
    ]);
    expect(sks(await q({ sortGreaterOrEqual: '2026-11-23T10:00:00.000Z#r2' }))).toHaveLength(2);
  });

  it('sortBetween includes both ends, on strings and on numbers', async () => {
    const page = await items.query({
      index: 'GSI1',
      partition: 'DUE#0',
      sortBetween: ['2026-11-23T09:30', '2026-11-23T10:00:00.000Z#~'],
      ascending: false,
    });
    expect(sks(page)).toEqual(['2026-11-23T10:00:00.000Z#r2', '2026-11-23T09:30:00.000Z#r1']);
    const series = await counted.query({ partition: 'series', sortBetween: [3, 5] });
    expect(sks(series, 'n')).toEqual([3, 4, 5]);
    expect(sks(await counted.query({ partition: 'series', sortGreaterThan: 8 }), 'n')).toEqual([9, 10]);
  });

  it('refuses two sort conditions, a reversed or mixed range, and a range without a sort key', async () => {
    await expect(items.query({ partition: 'P', sortBeginsWith: 'A', sortLessThan: 'B' })).rejects.toThrow(
      /one sort key condition, not sortBeginsWith and sortLessThan/,
    );
    await expect(items.query({ partition: 'P', sortBetween: ['b', 'a'] })).rejects.toThrow(/low <= high/);
    await expect(items.query({ partition: 'P', sortBetween: ['a', 1] })).rejects.toThrow(ConfigurationError);
    await expect(items.query({ partition: 'P', sortLessThan: '' })).rejects.toThrow(/non-empty string/);
    const flat = tableClient(defineTable({ name: 'flat-table', partitionKey: { name: 'PK', type: 'S' } }), {
      client: documents,
    });
    await expect(flat.query({ partition: 'P', sortLessOrEqual: 'x' })).rejects.toThrow(/needs a sort key/);
  });
});

describe('queryAll', () => {
  it('reads every page without a cursor secret, and stops at maxItems', async () => {
    const all: unknown[] = [];
    for await (const item of counted.queryAll({ partition: 'series', pageSize: 3 })) all.push(item.n);
    expect(all).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const some: unknown[] = [];
    for await (const item of counted.queryAll({
      partition: 'series',
      pageSize: 4,
      maxItems: 6,
      ascending: false,
    }))
      some.push(item.n);
    expect(some).toEqual([10, 9, 8, 7, 6, 5]);
    const due: unknown[] = [];
    for await (const item of items.queryAll({
      index: 'GSI1',
      partition: 'DUE#0',
      sortLessThan: '2026-11-23T10',
    }))
      due.push(item.SK);
    expect(due).toEqual(['REMINDER#0', 'REMINDER#1']);
  });

  it('checks its bounds', async () => {
    const first = (options: Parameters<TableClient['queryAll']>[0]) => counted.queryAll(options).next();
    await expect(first({ partition: 'series', pageSize: 0 })).rejects.toThrow(/pageSize must be 1-1000/);
    await expect(first({ partition: 'series', maxItems: 1.5 })).rejects.toThrow(/maxItems/);
  });
});

describe('conditional updates and removals', () => {
  it('ifMatches lets exactly one of two concurrent claims win', async () => {
    const key = { PK: 'USER#0', SK: 'REMINDER#0' };
    const claim = (run: string) =>
      items.update(key, { status: 'sending', claimedBy: run }, { ifMatches: { status: 'pending' } }).then(
        () => 'won',
        (error: unknown) => (error instanceof ConditionFailedError ? 'lost' : Promise.reject(error)),
      );
    const outcomes = await Promise.all([claim('a'), claim('b'), claim('c')]);
    expect(outcomes.sort()).toEqual(['lost', 'lost', 'won']);
    expect(await items.get(key)).toMatchObject({ status: 'sending' });
  });

  it('remove takes attributes away, so the item leaves a sparse index', async () => {
    const key = { PK: 'USER#1', SK: 'REMINDER#1' };
    const updated = await items.update(key, { status: 'sent' }, { remove: ['GSI1PK', 'GSI1SK'] });
    expect(updated).not.toHaveProperty('GSI1PK');
    expect(updated).toMatchObject({ status: 'sent' });
    const due = await items.query({ index: 'GSI1', partition: 'DUE#0', sortLessOrEqual: '2026-11-24' });
    expect(due.items.map((i) => i.SK)).not.toContain('REMINDER#1');
    // Only removing is a change too; removing an attribute that is not there is no error.
    expect(await items.update(key, {}, { remove: ['status', 'never-there'] })).toEqual(key);
  });

  it('combines a version, matches and removals in one condition', async () => {
    const key = { PK: 'USER#5', SK: 'BATCH#5' };
    await items.put({ ...key, version: 1, status: 'active', GSI1PK: 'ACTIVE#0', GSI1SK: 'x' });
    await expect(
      items.update(key, { status: 'archived' }, { expectedVersion: 1, ifMatches: { status: 'archived' } }),
    ).rejects.toBeInstanceOf(ConditionFailedError);
    const archived = await items.update(
      key,
      { status: 'archived' },
      { expectedVersion: 1, ifMatches: { status: 'active' }, remove: ['GSI1SK'] },
    );
    expect(archived).toMatchObject({ status: 'archived', version: 2, GSI1PK: 'ACTIVE#0' });
    expect(archived).not.toHaveProperty('GSI1SK');
    await expect(items.update({ PK: 'USER#5', SK: 'none' }, {}, { remove: ['x'] })).rejects.toBeInstanceOf(
      ConditionFailedError,
    );
  });

  it('refuses removing keys or version, setting and removing one attribute, and unclear matches', async () => {
    const key = { PK: 'USER#5', SK: 'BATCH#5' };
    await expect(items.update(key, {}, { remove: ['SK'] })).rejects.toThrow(/cannot remove "SK"/);
    await expect(items.update(key, {}, { remove: ['version'] })).rejects.toThrow(/cannot remove/);
    await expect(items.update(key, { a: 1 }, { remove: ['a'] })).rejects.toThrow(/both set and removed/);
    await expect(items.update(key, {}, {})).rejects.toThrow(/nothing to change/);
    await expect(
      items.update(key, { a: 1 }, { expectedVersion: 2, ifMatches: { version: 2 } }),
    ).rejects.toThrow(/expectedVersion only/);
    await expect(items.update(key, { a: 1 }, { ifMatches: { a: undefined } })).rejects.toThrow(/no value/);
  });

  it('delete with ifMatches deletes only a matching item', async () => {
    await items.put({ PK: 'DEVICE#t', SK: 'DEVICE', owner: 'u1' });
    await expect(
      items.delete({ PK: 'DEVICE#t', SK: 'DEVICE' }, { ifMatches: { owner: 'u2' } }),
    ).rejects.toBeInstanceOf(ConditionFailedError);
    expect(
      await items.delete({ PK: 'DEVICE#t', SK: 'DEVICE' }, { ifMatches: { owner: 'u1' } }),
    ).toMatchObject({
      owner: 'u1',
    });
  });
});

describe('batchWrite', () => {
  it('puts and deletes more than 25 items in groups', async () => {
    const puts = Array.from({ length: 60 }, (_, i) => ({
      PK: 'BULK',
      SK: `I#${String(i).padStart(2, '0')}`,
      i,
    }));
    await items.batchWrite({ puts });
    const stored: unknown[] = [];
    for await (const item of items.queryAll({ partition: 'BULK' })) stored.push(item.i);
    expect(stored).toHaveLength(60);
    await items.batchWrite({
      deletes: puts.slice(0, 30).map(({ PK, SK }) => ({ PK, SK })),
      puts: [{ PK: 'BULK', SK: 'I#99', i: 99 }],
    });
    const left: unknown[] = [];
    for await (const item of items.queryAll({ partition: 'BULK' })) left.push(item.i);
    expect(left).toHaveLength(31);
    expect(left).toContain(99);
  });

  it('refuses a key given twice, or an item without its keys', async () => {
    await expect(
      items.batchWrite({ puts: [{ PK: 'A', SK: '1' }], deletes: [{ PK: 'A', SK: '1' }] }),
    ).rejects.toThrow(/given twice/);
    await expect(items.batchWrite({ puts: [{ PK: 'A' }] })).rejects.toThrow(/has no SK/);
    await items.batchWrite({});
  });

  it('tries unprocessed items again, and answers 503 when they stay unprocessed', async () => {
    let calls = 0;
    let stubborn = false;
    // DynamoDB leaves items unprocessed when throttled; dynalite never does, so this client does it.
    const flaky = {
      send: async (command: unknown, options?: unknown) => {
        if (!(command instanceof BatchWriteCommand))
          return documents.send(command as never, options as never);
        calls++;
        const requests = command.input.RequestItems?.[table.tableName()] ?? [];
        const [first, ...rest] = requests;
        if (stubborn) return { UnprocessedItems: { [table.tableName()]: requests } };
        await documents.send(
          new BatchWriteCommand({ RequestItems: { [table.tableName()]: first ? [first] : [] } }),
        );
        return { UnprocessedItems: rest.length === 0 ? {} : { [table.tableName()]: rest } };
      },
    } as unknown as DynamoDBDocumentClient;
    const throttled = tableClient(table, { client: flaky, now: () => clock });
    const puts = [1, 2, 3].map((i) => ({ PK: 'FLAKY', SK: `I#${i}` }));
    await throttled.batchWrite({ puts }, { retry: { baseDelayMs: 1, maxAttempts: 5 } });
    expect(calls).toBe(3);
    expect((await items.query({ partition: 'FLAKY' })).items).toHaveLength(3);
    stubborn = true;
    calls = 0;
    const failing = throttled.batchWrite({ puts }, { retry: { baseDelayMs: 1, maxAttempts: 3 } });
    await expect(failing).rejects.toBeInstanceOf(DependencyThrottledError);
    expect(calls).toBe(3);
  });
});
