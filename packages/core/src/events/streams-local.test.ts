/**
 * DynamoDB Streams end to end, fed by a real stream: a table with a NEW_AND_OLD_IMAGES stream on
 * DynamoDB Local, items written, updated and deleted with the AWS SDK, the stream read with the
 * DynamoDB Streams API (DescribeStream, GetShardIterator, GetRecords) and handed to `app.handler`
 * in the shape Lambda's event source mapping sends.
 *
 * dynalite has no Streams API (it serves only the DynamoDB_20120810 operations, and ignores
 * StreamSpecification), so this file runs under DynamoDB Local only: `npm run test:dynamodb-local`
 * (LIFT_TEST_DYNAMODB=local, Java needed). Otherwise it is skipped, saying why.
 */
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  ExecuteStatementCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import { PermanentError } from '../errors/errors.js';
import { type DynamoDBServer, localClientConfig, startTestDynamoDB } from '../testing/dynamodb.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { records } from './feature.js';
import type { DynamoDBChange } from './types.js';

const local = process.env.LIFT_TEST_DYNAMODB === 'local';
const SKIPPED =
  'streams-local.test.ts skipped: dynalite has no DynamoDB Streams API (DescribeStream, GetShardIterator, ' +
  'GetRecords); run `npm run test:dynamodb-local` (LIFT_TEST_DYNAMODB=local, needs Java) to run it on DynamoDB Local';
if (!local) console.warn(SKIPPED);

type Json = Record<string, unknown>;

let server: DynamoDBServer;
let ddb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let tables = 0;

beforeAll(async () => {
  if (!local) return;
  server = await startTestDynamoDB();
  expect(server.kind).toBe('dynamodb-local');
  ddb = new DynamoDBClient(localClientConfig(server.endpoint));
  streams = new DynamoDBStreamsClient(localClientConfig(server.endpoint));
}, 120_000);

afterAll(async () => {
  ddb?.destroy();
  streams?.destroy();
  await server?.close();
});

/** A new table with a NEW_AND_OLD_IMAGES stream; returns its name and the stream's ARN. */
async function streamedTable(): Promise<{ table: string; streamArn: string }> {
  const table = `lift-stream-${++tables}`;
  const out = await ddb.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  const streamArn = out.TableDescription?.LatestStreamArn;
  if (streamArn === undefined) throw new Error(`${table} has no stream`);
  return { table, streamArn };
}

/** Every record of every shard, from the start of the stream (shards in the order DescribeStream lists them). */
async function readStream(streamArn: string): Promise<StreamRecord[]> {
  const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: StreamRecord[] = [];
  for (const shard of described.StreamDescription?.Shards ?? []) {
    const start = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = start.ShardIterator;
    for (let call = 0; iterator !== undefined && call < 20; call++) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      if ((page.Records ?? []).length === 0) break;
      records.push(...(page.Records ?? []));
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

/** The stream's first page as the wire has it (the JSON Lambda's poller reads), unparsed by the SDK. */
async function readWire(streamArn: string): Promise<string> {
  const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shard = described.StreamDescription?.Shards?.[0]?.ShardId;
  const start = await streams.send(
    new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }),
  );
  // DynamoDB Local does not check signatures; the SDK would parse the answer, losing what JSON.parse keeps.
  const response = await fetch(server.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDBStreams_20120810.GetRecords',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: JSON.stringify({ ShardIterator: start.ShardIterator }),
  });
  expect(response.status).toBe(200);
  const text = await response.text();
  return text.slice(text.indexOf('['), text.lastIndexOf('],"NextShardIterator"') + 1);
}

// The SDK decodes binary attribute values into bytes; Lambda's JSON carries them as base64.
function wire(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(wire);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, wire(v)]),
    );
  return value;
}

/**
 * A Streams API record as Lambda's DynamoDB event carries it: the same fields, the stream ARN as
 * `eventSourceARN`, ApproximateCreationDateTime in epoch seconds (the SDK gives a Date).
 */
function lambdaRecord(record: StreamRecord, streamArn: string): Json {
  const change = record.dynamodb ?? {};
  const created = change.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    dynamodb: wire({
      ApproximateCreationDateTime: created === undefined ? undefined : created.getTime() / 1000,
      Keys: change.Keys,
      NewImage: change.NewImage,
      OldImage: change.OldImage,
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    }),
    ...(record.userIdentity === undefined ? {} : { userIdentity: wire(record.userIdentity) }),
    eventSourceARN: streamArn,
  };
}

/** The Lambda event for records, as the runtime hands it over: parsed from JSON. */
function lambdaEvent(records: readonly Json[]): Json {
  return JSON.parse(JSON.stringify({ Records: records })) as Json;
}

const quiet = () =>
  createApp({ records: records(), service: 'streams-local', logger: false, metrics: false, tracing: false });
const lambda = () => fakeLambdaContext({ timeoutMs: 30_000 });
const failedIds = (out: unknown) =>
  (out as { batchItemFailures: { itemIdentifier: string }[] }).batchItemFailures.map((f) => f.itemIdentifier);

/** Writes o1, o2; updates o1; deletes o2; writes o3: INSERT, INSERT, MODIFY, REMOVE, INSERT. */
async function writeChanges(table: string): Promise<void> {
  await ddb.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        id: { S: 'o1' },
        qty: { N: '2' },
        price: { N: '12.5' },
        tags: { SS: ['blue', 'red'] },
        sizes: { NS: ['38', '40'] },
        profile: { M: { city: { S: 'Lyon' }, zip: { N: '69001' } } },
        lines: { L: [{ S: 'a' }, { N: '1' }, { BOOL: false }] },
        active: { BOOL: true },
        nothing: { NULL: true },
      },
    }),
  );
  await ddb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'o2' }, qty: { N: '5' } } }));
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { id: { S: 'o1' } },
      UpdateExpression: 'SET qty = :q REMOVE price',
      ExpressionAttributeValues: { ':q': { N: '3' } },
    }),
  );
  await ddb.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: 'o2' } } }));
  await ddb.send(new PutItemCommand({ TableName: table, Item: { id: { S: 'o3' }, qty: { N: '7' } } }));
}

describe.skipIf(!local)('DynamoDB Streams from DynamoDB Local, through app.handler', () => {
  it('INSERT, MODIFY and REMOVE arrive in order, keys and images unmarshalled', async () => {
    const started = Date.now();
    const { table, streamArn } = await streamedTable();
    await writeChanges(table);
    const records = await readStream(streamArn);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'INSERT', 'MODIFY', 'REMOVE', 'INSERT']);
    const event = lambdaEvent(records.map((r) => lambdaRecord(r, streamArn)));

    // The conversion gives what the wire (and so Lambda) carries, field for field.
    expect((event.Records as Json[]).map(({ eventSourceARN: _, ...rest }) => rest)).toEqual(
      JSON.parse(await readWire(streamArn)),
    );

    const changes: DynamoDBChange[] = [];
    const app = quiet().dynamodbStream(table, (change) => {
      changes.push(change);
    });
    expect(await app.handler(event, lambda())).toEqual({ batchItemFailures: [] });
    expect(changes.map((c) => [c.eventName, c.keys])).toEqual([
      ['INSERT', { id: 'o1' }],
      ['INSERT', { id: 'o2' }],
      ['MODIFY', { id: 'o1' }],
      ['REMOVE', { id: 'o2' }],
      ['INSERT', { id: 'o3' }],
    ]);
    const [first, , modify, remove] = changes as [
      DynamoDBChange,
      DynamoDBChange,
      DynamoDBChange,
      DynamoDBChange,
    ];
    expect(first.newImage).toEqual({
      id: 'o1',
      qty: 2,
      price: 12.5,
      tags: new Set(['blue', 'red']),
      sizes: new Set([38, 40]),
      profile: { city: 'Lyon', zip: 69001 },
      lines: ['a', 1, false],
      active: true,
      nothing: null,
    });
    expect(first.oldImage).toBeUndefined();
    expect(modify.oldImage).toMatchObject({ qty: 2, price: 12.5 });
    expect(modify.newImage).toMatchObject({ qty: 3 });
    expect(modify.newImage).not.toHaveProperty('price');
    expect(remove.oldImage).toEqual({ id: 'o2', qty: 5 });
    expect(remove.newImage).toBeUndefined();

    changes.forEach((change, i) => {
      const record = records[i] as StreamRecord;
      expect(change.table).toBe(table);
      expect(change.eventId).toBe(record.eventID);
      expect(change.sequenceNumber).toBe(record.dynamodb?.SequenceNumber);
      expect(change.streamViewType).toBe('NEW_AND_OLD_IMAGES');
      expect(change.sizeBytes).toBe(record.dynamodb?.SizeBytes);
      expect(change.expiredByTtl).toBe(false);
      // Lambda sends epoch seconds; Lift gives the same instant back as a Date.
      expect(change.approximateCreationTime?.getTime()).toBe(
        record.dynamodb?.ApproximateCreationDateTime?.getTime(),
      );
      // DynamoDB Local rounds the time down to the minute.
      expect(change.approximateCreationTime?.getTime()).toBeGreaterThan(started - 61_000);
      expect(change.approximateCreationTime?.getTime()).toBeLessThanOrEqual(Date.now());
    });
    // Sequence numbers grow along the shard.
    const sequence = changes.map((c) => BigInt(c.sequenceNumber));
    expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(new Set(sequence).size).toBe(sequence.length);
  });

  it('a failing record stops the shard: its sequence number and every later one are reported', async () => {
    const { table, streamArn } = await streamedTable();
    await writeChanges(table);
    const records = await readStream(streamArn);
    const event = lambdaEvent(records.map((r) => lambdaRecord(r, streamArn)));
    const seqs = records.map((r) => r.dynamodb?.SequenceNumber as string);

    const ran: string[] = [];
    const app = quiet().dynamodbStream(table, (change) => {
      ran.push(change.sequenceNumber);
      // o2 is gone for good: dropped, not retried. The update of o1 fails: retried from there on.
      if (change.eventName === 'INSERT' && change.keys.id === 'o2') throw new PermanentError('o2 is retired');
      if (change.eventName === 'MODIFY') throw new Error('downstream unavailable');
    });
    const out = await app.handler(event, lambda());
    expect(failedIds(out)).toEqual(seqs.slice(2));
    expect(ran).toEqual(seqs.slice(0, 3));

    // Lambda retries from the first reported record: the batch from there on, this time succeeding.
    const retried: string[] = [];
    const healthy = quiet().dynamodbStream(table, (change) => {
      retried.push(change.sequenceNumber);
    });
    const again = lambdaEvent((event.Records as Json[]).slice(2));
    expect(await healthy.handler(again, lambda())).toEqual({ batchItemFailures: [] });
    expect(retried).toEqual(seqs.slice(2));
  });

  it('event filters acknowledge what they leave out; a schema failure fails its record and the rest', async () => {
    const { table, streamArn } = await streamedTable();
    await writeChanges(table);
    const records = await readStream(streamArn);
    const event = lambdaEvent(records.map((r) => lambdaRecord(r, streamArn)));
    const seqs = records.map((r) => r.dynamodb?.SequenceNumber as string);

    const removed: unknown[] = [];
    const removals = quiet().dynamodbStream(table, { events: ['REMOVE'] }, (change) => {
      removed.push(change.oldImage);
    });
    expect(await removals.handler(event, lambda())).toEqual({ batchItemFailures: [] });
    expect(removed).toEqual([{ id: 'o2', qty: 5 }]);

    // qty below 3 fails the schema: the first INSERT (qty 2) fails, and the shard stops there.
    const ran: string[] = [];
    const strict = quiet().dynamodbStream(
      table,
      { events: ['INSERT', 'MODIFY'], newImage: z.object({ id: z.string(), qty: z.number().min(3) }) },
      (change) => {
        ran.push(`${change.eventName} ${change.newImage?.id} ${change.newImage?.qty}`);
      },
    );
    expect(failedIds(await strict.handler(event, lambda()))).toEqual(seqs);
    expect(ran).toEqual([]);
    // From the second record on: o2 (qty 5) passes, o1's update (qty 3) passes, the REMOVE is left out.
    expect(await strict.handler(lambdaEvent((event.Records as Json[]).slice(1)), lambda())).toEqual({
      batchItemFailures: [],
    });
    expect(ran).toEqual(['INSERT o2 5', 'MODIFY o1 3', 'INSERT o3 7']);
  });

  it('binary attributes reach the handler as the bytes written, not as base64 text', async () => {
    // Lift decodes the other binary values it hands over (Kinesis data, SQS binary attributes);
    // Lambda's JSON carries B and BS as base64, and unmarshall leaves base64 strings as they are.
    const { table, streamArn } = await streamedTable();
    const bytes = new Uint8Array([0, 1, 2, 254, 255]);
    await ddb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          id: { S: 'bin' },
          blob: { B: bytes },
          blobs: { BS: [new Uint8Array([9]), new Uint8Array([7, 7])] },
        },
      }),
    );
    const records = await readStream(streamArn);
    const event = lambdaEvent(records.map((r) => lambdaRecord(r, streamArn)));
    const [first] = event.Records as Json[];
    expect((first?.dynamodb as Json | undefined)?.NewImage).toMatchObject({ blob: { B: 'AAEC/v8=' } });
    const images: Json[] = [];
    const app = quiet().dynamodbStream(table, (change) => {
      images.push(change.newImage as Json);
    });
    expect(await app.handler(event, lambda())).toEqual({ batchItemFailures: [] });
    const image = images[0] as Json;
    expect(image.blob).toBeInstanceOf(Uint8Array);
    expect([...(image.blob as Uint8Array)]).toEqual([...bytes]);
    const blobs = [...(image.blobs as Set<Uint8Array>)].map((b) => [...b]);
    expect(blobs.sort()).toEqual([[7, 7], [9]]);
  });

  it('an attribute named __proto__ (DynamoDB allows it) never becomes the prototype of an image', async () => {
    const { table, streamArn } = await streamedTable();
    // PartiQL takes the name as written; the SDK's own marshalling would turn it into a prototype.
    await ddb.send(
      new ExecuteStatementCommand({
        Statement: `INSERT INTO "${table}" VALUE {'id': 'u1', '__proto__': {'role': 'admin'}}`,
      }),
    );
    const wireRecords = JSON.parse(await readWire(streamArn)) as Json[];
    expect(Object.keys(((wireRecords[0] as Json).dynamodb as Json).NewImage as Json)).toContain('__proto__');
    const event = JSON.parse(
      JSON.stringify({ Records: [{ ...(wireRecords[0] as Json), eventSourceARN: streamArn }] }),
    ) as Json;
    const images: Json[] = [];
    const app = quiet().dynamodbStream(table, { newImage: z.looseObject({ id: z.string() }) }, (change) => {
      images.push(change.newImage as Json);
    });
    const out = await app.handler(event, lambda());
    if (images.length === 0) {
      // Refused, as a JSON body with the key is: the record fails.
      expect(failedIds(out)).toEqual([((wireRecords[0] as Json).dynamodb as Json).SequenceNumber]);
      return;
    }
    const image = images[0] as Json;
    expect(Object.getPrototypeOf(image)).toBe(Object.prototype);
    expect(image.role).toBeUndefined();
  });
});
