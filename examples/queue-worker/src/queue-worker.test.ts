/**
 * The queue-worker service called as Lambda calls it, with the events AWS sends, against a real
 * DynamoDB: the embedded dynalite, or DynamoDB Local when LIFT_TEST_DYNAMODB=local. SQS's
 * ChangeMessageVisibility (the backoff) goes to a small stand-in that records the calls.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type LocalDynamoDB, startLocalDynamoDB } from '@lift/cli';
import { RecordsFailedError, UnprocessableError } from '@lift/core';
import { type Item, sharedDocumentClient, tableClient } from '@lift/core/dynamodb';
import {
  dynamodbStreamEvent,
  eventBridgeEvent,
  fakeLambdaContext,
  s3Event,
  sqsEvent,
} from '@lift/core/testing';
import { type DynamoDBServer, startTestDynamoDB } from '@lift/core/testing/dynamodb';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';

type Worker = typeof import('./handler.js');

const local = process.env.LIFT_TEST_DYNAMODB === 'local';
// Set here or by startLocalDynamoDB; put back afterwards.
const ENV = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_LAMBDA_LOG_LEVEL',
] as const;
const savedEnv = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

let db: DynamoDBServer;
let dynamodb: LocalDynamoDB;
let sqs: { server: Server; calls: { action: string; input: Record<string, unknown> }[] };
let worker: Worker;
let items: ReturnType<typeof tableClient>;
let stdout: MockInstance;
/** The worker's log lines, parsed. */
const logs: Record<string, unknown>[] = [];

/** A stand-in for SQS's JSON protocol: records each call, accepts every visibility change. */
async function startSqsStandIn() {
  const calls: { action: string; input: Record<string, unknown> }[] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const action = String(req.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
    const input = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    calls.push({ action, input });
    const entries = (input.Entries as { Id: string }[] | undefined) ?? [];
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { server, calls, endpoint: `http://127.0.0.1:${port}` };
}

const lambda = () => fakeLambdaContext({ timeoutMs: 30_000 });
const call = (event: unknown) => worker.handler(event, lambda());
const failedIds = (out: unknown) =>
  (out as { batchItemFailures: { itemIdentifier: string }[] }).batchItemFailures.map((f) => f.itemIdentifier);

/** Makes the table's writes matching `match` fail as DynamoDB throttling does, once the SDK gave up retrying. */
async function throttle(match: (input: Record<string, unknown>) => boolean, times = 1) {
  const client = await sharedDocumentClient();
  const send = client.send.bind(client) as (command: { input: Record<string, unknown> }) => Promise<unknown>;
  let left = times;
  const spy = vi.spyOn(client, 'send').mockImplementation(((command: { input: Record<string, unknown> }) => {
    if (left > 0 && match(command.input)) {
      left--;
      const error = new Error('The level of configured provisioned throughput for the table was exceeded');
      error.name = 'ProvisionedThroughputExceededException';
      return Promise.reject(error);
    }
    return send(command);
  }) as typeof client.send);
  return {
    restore: () => spy.mockRestore(),
    get fired() {
      return times - left;
    },
  };
}

const batchCreated = (batchId: string, tenantId = 'acme', detail: Record<string, unknown> = {}) =>
  eventBridgeEvent({
    source: 'kefir.batches',
    detailType: 'BatchCreated',
    detail: { batchId, tenantId, name: `Batch ${batchId}`, owner: 'ana', ...detail },
  });

const reminder = (reminderId: string, batchId: string, dueAt: string, tenantId = 'acme') => ({
  messageId: `msg-${reminderId}`,
  body: { reminderId, batchId, tenantId, dueAt, text: `Burp ${batchId}` },
});

beforeAll(async () => {
  db = await startTestDynamoDB();
  // As lift dev does it: the SDK's standard environment (AWS_ENDPOINT_URL_DYNAMODB, a region, local
  // credentials) points the service at the server, and the tables it exports are created.
  dynamodb = await startLocalDynamoDB({ endpoint: db.endpoint });
  const standIn = await startSqsStandIn();
  sqs = standIn;
  process.env.AWS_ENDPOINT_URL_SQS = standIn.endpoint;
  // Lambda's own log-level setting: the worker logs at DEBUG, so the record middleware's lines show.
  process.env.AWS_LAMBDA_LOG_LEVEL = 'DEBUG';
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) {
      if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  });
  worker = await import('./handler.js');
  expect(await dynamodb.ensure([worker.kefirTable])).toEqual(['queue-worker-kefir']);
  items = tableClient(worker.kefirTable);
}, 120_000);

afterAll(async () => {
  stdout?.mockRestore();
  for (const key of ENV) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await new Promise<void>((done) => (sqs ? sqs.server.close(() => done()) : done()));
  await dynamodb?.close();
  await db?.close();
});

describe(`queue-worker (${local ? 'DynamoDB Local' : 'embedded dynalite'})`, () => {
  it('declares its schedule for lift dev and deployment', () => {
    expect(worker.app.schedules()).toEqual([
      expect.objectContaining({
        name: 'due-reminders',
        expression: 'rate(1 minute)',
        enabled: true,
        description: 'Sends the reminders whose time has come',
      }),
    ]);
    const [schedule] = worker.app.schedules();
    expect(JSON.parse(schedule?.input ?? '{}')).toMatchObject({ 'lift.schedule': 'due-reminders' });
  });

  it('stores a BatchCreated batch once; a detail failing its schema fails the invocation for Lambda to retry', async () => {
    expect(await call(batchCreated('b-partial'))).toBeUndefined();
    expect(await call(batchCreated('b-partial', 'acme', { name: 'renamed' }))).toBeUndefined();
    expect(await items.get({ PK: 'BATCH#b-partial', SK: 'META' })).toMatchObject({
      batchId: 'b-partial',
      tenantId: 'acme',
      name: 'Batch b-partial',
      reminders: 0,
      photos: 0,
      version: 1,
    });

    const invalid = call(batchCreated('b-bad', 'acme', { owner: '' }));
    await expect(invalid).rejects.toBeInstanceOf(RecordsFailedError);
    await expect(invalid).rejects.toMatchObject({ cause: expect.any(UnprocessableError) });
    expect(await items.get({ PK: 'BATCH#b-bad', SK: 'META' })).toBeUndefined();
  });

  it('reminders: reports exactly the invalid and the throttled message, acknowledges permanent failures, backs off', async () => {
    const due = '2027-06-01T09:00:00+02:00';
    const event = sqsEvent(
      [
        reminder('r-ok-1', 'b-partial', due),
        {
          messageId: 'msg-invalid',
          body: { reminderId: 'r-x', batchId: 'b-partial', tenantId: 'acme', dueAt: 'tomorrow', text: 'x' },
        },
        reminder('r-throttled', 'b-partial', due),
        reminder('r-gone', 'b-deleted', due),
        reminder('r-other-tenant', 'b-partial', due, 'globex'),
        reminder('r-ok-2', 'b-partial', due),
      ],
      { queue: 'reminders' },
    );
    const throttled = await throttle(
      (input) => (input.Item as Item | undefined)?.reminderId === 'r-throttled',
    );
    let out: unknown;
    try {
      out = await call(event);
    } finally {
      throttled.restore();
    }
    expect(throttled.fired).toBe(1);
    expect(failedIds(out)).toEqual(['msg-invalid', 'msg-r-throttled']);

    expect(await items.get({ PK: 'BATCH#b-partial', SK: 'REMINDER#r-ok-1' })).toMatchObject({
      status: 'pending',
      // Stored in UTC whatever the producer's offset, so the index sorts by time.
      dueAt: '2027-06-01T07:00:00.000Z',
      GSI1PK: 'REMINDERS#pending',
      GSI1SK: '2027-06-01T07:00:00.000Z#r-ok-1',
    });
    expect(await items.get({ PK: 'BATCH#b-partial', SK: 'REMINDER#r-ok-2' })).toBeDefined();
    expect(await items.get({ PK: 'BATCH#b-partial', SK: 'REMINDER#r-throttled' })).toBeUndefined();
    expect(await items.get({ PK: 'BATCH#b-partial', SK: 'REMINDER#r-other-tenant' })).toBeUndefined();
    expect(await items.get({ PK: 'BATCH#b-deleted', SK: 'REMINDER#r-gone' })).toBeUndefined();

    // Backoff: one ChangeMessageVisibilityBatch for the two reported messages, 15-30 s on a first receive.
    const records = event.Records as { messageId: string; receiptHandle: string }[];
    const handleOf = (id: string) => records.find((r) => r.messageId === id)?.receiptHandle;
    const changes = sqs.calls.filter((c) => c.action === 'ChangeMessageVisibilityBatch');
    expect(changes).toHaveLength(1);
    expect(changes[0]?.input.QueueUrl).toBe('https://sqs.us-east-1.amazonaws.com/123456789012/reminders');
    const entries = changes[0]?.input.Entries as { ReceiptHandle: string; VisibilityTimeout: number }[];
    expect(entries.map((e) => e.ReceiptHandle)).toEqual([
      handleOf('msg-invalid'),
      handleOf('msg-r-throttled'),
    ]);
    for (const e of entries) expect(e.VisibilityTimeout).toBeGreaterThanOrEqual(15);
    for (const e of entries) expect(e.VisibilityTimeout).toBeLessThanOrEqual(30);

    // The dispatcher's account of the batch: 6 received, 2 failed, 2 dropped (each logged with its error).
    expect(logs).toContainEqual(
      expect.objectContaining({
        message: 'Records processed',
        event_source: 'sqs',
        event_name: 'reminders',
        received: 6,
        failed: 2,
        dropped: 2,
      }),
    );
    const dropped = logs.filter((l) => String(l.message).startsWith('Record dropped'));
    expect(dropped.map((l) => l.record_id).sort()).toEqual(['msg-r-gone', 'msg-r-other-tenant']);

    // SQS brings both back; one was stored already (a redelivery), the other goes through now.
    const first = await items.get({ PK: 'BATCH#b-partial', SK: 'REMINDER#r-ok-1' });
    const again = await call(
      sqsEvent(
        [
          { ...reminder('r-throttled', 'b-partial', due), receiveCount: 2 },
          { ...reminder('r-ok-1', 'b-partial', due), receiveCount: 2 },
        ],
        { queue: 'reminders' },
      ),
    );
    expect(failedIds(again)).toEqual([]);
    expect(await items.get({ PK: 'BATCH#b-partial', SK: 'REMINDER#r-throttled' })).toMatchObject({
      status: 'pending',
    });
    expect(await items.get({ PK: 'BATCH#b-partial', SK: 'REMINDER#r-ok-1' })).toEqual(first);
  });

  it("tags each record's log lines with its tenant and how long it took (useRecords)", async () => {
    await call(sqsEvent([reminder('r-tagged', 'b-partial', '2027-06-01T00:00:00Z')], { queue: 'reminders' }));
    const line = logs.find((l) => l.message === 'Record handled' && l.record_id === 'msg-r-tagged');
    expect(line).toMatchObject({
      level: 'DEBUG',
      service: 'queue-worker',
      event_source: 'sqs',
      event_name: 'reminders',
      tenant_id: 'acme',
    });
    expect(line?.duration_ms).toEqual(expect.any(Number));
  });

  it('exports.fifo: each job in order; a failed step holds back the rest of its job only', async () => {
    const steps = (exportId: string, rows: number[]) => [
      { step: 'start', exportId, tenantId: 'acme', batchId: 'b-partial' },
      ...rows.map((n, i) => ({ step: 'part', exportId, part: i + 1, rows: n })),
      { step: 'finish', exportId, parts: rows.length },
    ];
    const a = steps('exp-a', [10, 20]).map((body, i) => ({ messageId: `a${i}`, groupId: 'exp-a', body }));
    const b = steps('exp-b', [1, 2, 3]).map((body, i) => ({ messageId: `b${i}`, groupId: 'exp-b', body }));
    // Interleaved, as SQS hands several groups to one invocation.
    const batch = [a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], b[4]].filter((m) => m !== undefined);
    // The write applying part 2 of exp-a (parts: 2) is throttled.
    const throttled = await throttle(
      (input) =>
        (input.Key as Item | undefined)?.PK === 'EXPORT#exp-a' &&
        input.UpdateExpression !== undefined &&
        Object.values((input.ExpressionAttributeValues as Item | undefined) ?? {}).includes(2),
    );
    let out: unknown;
    try {
      out = await call(sqsEvent(batch, { queue: 'exports.fifo' }));
    } finally {
      throttled.restore();
    }
    // a2 failed; a3 (finish) was not run, so it cannot overtake the part it needs.
    expect(failedIds(out)).toEqual(['a2', 'a3']);
    expect(await items.get({ PK: 'EXPORT#exp-b', SK: 'META' })).toMatchObject({
      status: 'ready',
      parts: 3,
      rows: 6,
    });
    expect(await items.get({ PK: 'EXPORT#exp-a', SK: 'META' })).toMatchObject({
      status: 'running',
      parts: 1,
      rows: 10,
    });

    // The redelivery, in order, with a duplicate of part 1 that FIFO's deduplication window missed.
    const retry = await call(
      sqsEvent(
        a.slice(1).map((m) => ({ ...m, receiveCount: 2 })),
        { queue: 'exports.fifo' },
      ),
    );
    expect(failedIds(retry)).toEqual([]);
    expect(await items.get({ PK: 'EXPORT#exp-a', SK: 'META' })).toMatchObject({
      status: 'ready',
      parts: 2,
      rows: 30,
    });
  });

  it('S3 uploads notified through a queue become photos; keys it can never use are acknowledged', async () => {
    await call(batchCreated('b-photos', 'acme'));
    const event = s3Event(
      [
        { key: 'uploads/b-photos/first fizz+1.jpg', content: 'jpeg bytes' },
        { key: 'uploads/b-deleted/x.jpg', content: 'x' },
        { key: 'uploads/b-photos/nested/x.jpg', content: 'x' },
      ],
      { bucket: 'kefir-photos', queue: 'photo-uploads' },
    );
    expect(failedIds(await call(event))).toEqual([]);
    expect(await items.get({ PK: 'BATCH#b-photos', SK: 'PHOTO#first fizz+1.jpg' })).toMatchObject({
      bucket: 'kefir-photos',
      key: 'uploads/b-photos/first fizz+1.jpg',
      size: 10,
      tenantId: 'acme',
    });
    expect(logs).toContainEqual(
      expect.objectContaining({ message: 'Records processed', event_source: 's3', received: 3, dropped: 2 }),
    );
  });

  it('the stream counts each new reminder and photo of a batch once; the HTTP route reads the counters', async () => {
    await call(batchCreated('b-stream', 'acme'));
    await call(
      sqsEvent(
        [
          reminder('s-1', 'b-stream', '2027-06-01T00:00:00Z'),
          reminder('s-2', 'b-stream', '2027-06-02T00:00:00Z'),
        ],
        { queue: 'reminders' },
      ),
    );
    await call(
      s3Event([{ key: 'uploads/b-stream/a.jpg', content: 'a' }], {
        bucket: 'kefir-photos',
        queue: 'photo-uploads',
      }),
    );
    const stored = async (SK: string) => (await items.get({ PK: 'BATCH#b-stream', SK })) as Item;
    const [meta, s1, s2, photo] = await Promise.all(
      ['META', 'REMINDER#s-1', 'REMINDER#s-2', 'PHOTO#a.jpg'].map(stored),
    );
    const event = await dynamodbStreamEvent(
      [
        { eventName: 'INSERT', newImage: meta as Item },
        { eventName: 'INSERT', newImage: s1 as Item },
        { eventName: 'INSERT', newImage: photo as Item },
        { eventName: 'INSERT', newImage: s2 as Item },
        // A replay of a change already applied, and a later change of the same item: neither counts.
        { eventName: 'INSERT', newImage: s1 as Item },
        { eventName: 'MODIFY', newImage: { ...(s1 as Item), status: 'sent' } },
      ],
      { table: 'queue-worker-kefir', streamViewType: 'NEW_IMAGE', keyAttributes: ['PK', 'SK'] },
    );
    expect(failedIds(await call(event))).toEqual([]);

    const res = await worker.app.request('/tenants/acme/batches/b-stream');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      batchId: 'b-stream',
      tenantId: 'acme',
      name: 'Batch b-stream',
      owner: 'ana',
      createdAt: expect.any(String),
      reminders: 2,
      photos: 1,
    });
    expect((await worker.app.request('/tenants/globex/batches/b-stream')).status).toBe(404);
    expect((await worker.app.request('/tenants/acme/batches/b-nowhere')).status).toBe(404);
  });

  it('the schedule sends what is due at the firing time, once, from the EventBridge Scheduler payload', async () => {
    await call(batchCreated('b-sched', 'acme'));
    await call(
      sqsEvent(
        [
          reminder('d-1', 'b-sched', '2027-03-01T08:55:00Z'),
          reminder('d-2', 'b-sched', '2027-03-01T08:59:00Z'),
          reminder('d-3', 'b-sched', '2027-03-01T09:05:00Z'),
        ],
        { queue: 'reminders' },
      ),
    );
    const firing = {
      'lift.schedule': 'due-reminders',
      time: '2027-03-01T09:00:00Z',
      executionId: 'exec-1',
      attempt: '1',
    };
    expect(await call(firing)).toBeUndefined();
    const status = async () =>
      Promise.all(
        ['d-1', 'd-2', 'd-3'].map(async (id) => {
          const r = await items.get({ PK: 'BATCH#b-sched', SK: `REMINDER#${id}` });
          return [r?.status, r?.sentAt, r?.GSI1PK];
        }),
      );
    expect(await status()).toEqual([
      ['sent', '2027-03-01T09:00:00.000Z', 'REMINDERS#sent'],
      ['sent', '2027-03-01T09:00:00.000Z', 'REMINDERS#sent'],
      ['pending', undefined, 'REMINDERS#pending'],
    ]);
    // Scheduler retries the same firing (attempt 2): nothing is sent twice.
    expect(await call({ ...firing, attempt: '2' })).toBeUndefined();
    expect(await status()).toEqual([
      ['sent', '2027-03-01T09:00:00.000Z', 'REMINDERS#sent'],
      ['sent', '2027-03-01T09:00:00.000Z', 'REMINDERS#sent'],
      ['pending', undefined, 'REMINDERS#pending'],
    ]);
    const summaries = logs.filter(
      (l) => l.message === 'Due reminders sent' && l.due_at === '2027-03-01T09:00:00.000Z',
    );
    expect(summaries.map((l) => l.sent)).toEqual([2, 0]);
  });

  it('the sample events the README invokes run cleanly, in its order', async () => {
    const folder = fileURLToPath(new URL('../events/', import.meta.url));
    const files = readdirSync(folder)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const out = await call(JSON.parse(readFileSync(`${folder}${file}`, 'utf8')));
      if (out !== undefined) expect(failedIds(out), file).toEqual([]);
    }
    const res = await worker.app.request('/tenants/acme/batches/b-1');
    expect(await res.json()).toMatchObject({ batchId: 'b-1', reminders: 1, photos: 0 });
    expect(await items.get({ PK: 'BATCH#b-1', SK: 'REMINDER#r-1' })).toMatchObject({ status: 'sent' });
    expect(await items.get({ PK: 'EXPORT#exp-1', SK: 'META' })).toMatchObject({ status: 'ready', rows: 42 });
  });
});
