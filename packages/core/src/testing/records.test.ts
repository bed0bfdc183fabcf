import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import { records } from '../events/feature.js';
import { SCHEDULE_KEY } from '../events/schedule.js';
import type { AnyRecord } from '../events/types.js';
import { loadFixture } from '../test-support/fixtures.js';
import {
  dynamodbStreamEvent,
  eventBridgeEvent,
  fakeLambdaContext,
  kinesisEvent,
  s3Event,
  s3NotificationKey,
  scheduledRuleEvent,
  scheduleEvent,
  snsEvent,
  sqsEvent,
} from './index.js';

function keysDeep(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...keysDeep(v, `${prefix}${k}.`)]);
}

/** The keys of a sample's first record (or the sample itself), less those that name user data. */
function shape(value: unknown, skip: RegExp): string[] {
  const records = (value as { Records?: unknown[] }).Records;
  return keysDeep(records === undefined ? value : records[0])
    .filter((k) => !skip.test(k))
    .sort();
}

/** Every key the sample has, the factory has too, and nothing the sample does not know. */
function expectShape(produced: unknown, sample: string, skip: RegExp, optional: RegExp = /^$/): void {
  const want = shape(loadFixture(sample), skip).filter((k) => !optional.test(k));
  const got = shape(produced, skip);
  for (const key of want) expect(got, `${sample}: ${key}`).toContain(key);
  const known = new Set(shape(loadFixture(sample), skip));
  for (const key of got)
    if (!optional.test(key)) expect(known.has(key), `${sample} has no ${key}`).toBe(true);
}

const quiet = () =>
  createApp({ records: records(), service: 'records-test', logger: false, metrics: false, tracing: false });
const lambda = () => fakeLambdaContext({ timeoutMs: 30_000 });

describe('record event factories produce the shapes AWS sends', () => {
  it('sqsEvent: standard and FIFO queues, attributes, JSON bodies, redeliveries', async () => {
    const event = sqsEvent(
      [
        'plain text',
        {
          body: { orderId: 7 },
          receiveCount: 3,
          messageAttributes: { tenant: 'acme', weight: 2.5, blob: new Uint8Array([1, 2]) },
        },
      ],
      { queue: 'orders', region: 'eu-west-1', account: '111122223333' },
    );
    const withAttributes = sqsEvent([{ body: 'x', messageAttributes: { a: 'b' } }], { queue: 'orders' });
    expectShape(withAttributes, 'aws-lambda-go/sqs-event.json', /^messageAttributes\./);
    expectShape(event, 'powertools/sqs--base.json', /^messageAttributes\./, /^md5OfMessageAttributes$/);
    const seen: AnyRecord[] = [];
    const app = quiet().sqs('orders', (m) => {
      seen.push(m);
    });
    expect(await app.handler(event, lambda())).toEqual({ batchItemFailures: [] });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({
      queue: 'orders',
      queueArn: 'arn:aws:sqs:eu-west-1:111122223333:orders',
      body: 'plain text',
      receiveCount: 1,
    });
    const second = seen[1] as Extract<AnyRecord, { rawBody: string }>;
    expect(second).toMatchObject({ body: '{"orderId":7}', receiveCount: 3, messageGroupId: undefined });
    expect(second.messageAttributes.tenant).toEqual({ dataType: 'String', stringValue: 'acme' });
    expect(second.messageAttributes.weight).toEqual({ dataType: 'Number', stringValue: '2.5' });
    expect([...(second.messageAttributes.blob?.binaryValue ?? [])]).toEqual([1, 2]);

    // A schema parses the JSON body; a FIFO queue carries its group and deduplication id.
    const fifo = sqsEvent([{ body: { n: 1 }, groupId: 'g1' }], { queue: 'jobs.fifo' });
    const attributes = (fifo.Records[0] as { attributes: Record<string, string> }).attributes;
    expect(Object.keys(attributes)).toEqual([
      'ApproximateReceiveCount',
      'SentTimestamp',
      'SequenceNumber',
      'MessageGroupId',
      'SenderId',
      'MessageDeduplicationId',
      'ApproximateFirstReceiveTimestamp',
    ]);
    const bodies: unknown[] = [];
    const typed = quiet().sqs('jobs.fifo', { body: z.object({ n: z.number() }) }, (m) => {
      bodies.push({ body: m.body, group: m.messageGroupId, dedup: m.messageDeduplicationId });
    });
    expect(await typed.handler(fifo, lambda())).toEqual({ batchItemFailures: [] });
    expect(bodies).toEqual([{ body: { n: 1 }, group: 'g1', dedup: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(() => sqsEvent(['x'], { queue: 'jobs', fifo: true })).toThrow(/ends in \.fifo/);
  });

  it('sqsEvent digests bodies and message attributes as SQS does', () => {
    // The captured sample's digest of its body, and a digest of attributes the AWS SDK for Go accepts.
    const [record] = sqsEvent(['Test message.'], { queue: 'q' }).Records as { md5OfBody: string }[];
    expect(record?.md5OfBody).toBe('e4e68fb7bd0e697a0ae8f1bb342846b3');
    const [withAttrs] = sqsEvent([{ body: 'x', messageAttributes: { ordinal: 1, category: 'test' } }], {
      queue: 'q',
    }).Records as { md5OfMessageAttributes: string }[];
    expect(withAttrs?.md5OfMessageAttributes).toBe('d21ae90c49061e927f57df5f5d72be1f');
  });

  it('snsEvent: direct, and through a subscribed queue to the topic registration', async () => {
    const direct = snsEvent([{ message: { id: 1 }, subject: 'Hi', attributes: { kind: 'a', n: 2 } }], {
      topic: 'alerts',
    });
    expectShape(direct, 'powertools/sns--base.json', /^Sns\.MessageAttributes\./);
    expectShape(direct, 'aws-lambda-go/sns-event.json', /^Sns\.MessageAttributes\./);
    const viaQueue = snsEvent(['hello'], { topic: 'alerts', queue: 'alerts-queue' });
    expectShape(viaQueue, 'powertools/sqs--sns-body.json', /^$/);
    const body = JSON.parse((viaQueue.Records[0] as { body: string }).body) as Record<string, unknown>;
    const sample = JSON.parse(
      (loadFixture('powertools/sqs--sns-body.json').Records as { body: string }[])[0]?.body ?? '{}',
    ) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(Object.keys(sample).sort());

    const got: unknown[] = [];
    const app = quiet().sns('alerts', { message: z.object({ id: z.number() }) }, (m) => {
      got.push({ message: m.message, subject: m.subject, attrs: m.attributes, delivery: m.delivery });
    });
    expect(await app.handler(direct, lambda())).toBeUndefined();
    expect(got).toEqual([
      {
        message: { id: 1 },
        subject: 'Hi',
        attrs: { kind: { type: 'String', value: 'a' }, n: { type: 'Number', value: '2' } },
        delivery: 'direct',
      },
    ]);
    const plain: unknown[] = [];
    const viaApp = quiet().sns('alerts', (m) => {
      plain.push({ message: m.message, subject: m.subject, delivery: m.delivery });
    });
    expect(await viaApp.handler(viaQueue, lambda())).toEqual({ batchItemFailures: [] });
    expect(plain).toEqual([{ message: 'hello', subject: undefined, delivery: 'sqs' }]);
  });

  it('s3Event: keys encoded as S3 does and decoded back, direct and through SQS', async () => {
    const keys = ['Happy Face.jpg', 'a+b/c d%20e.txt', 'reports/été (final)~1.pdf', "it's*ok!.txt"];
    expect(s3NotificationKey('Happy Face.jpg')).toBe('Happy+Face.jpg');
    expect(s3NotificationKey('a+b/c d%.txt')).toBe('a%2Bb/c+d%25.txt');
    expect(s3NotificationKey("(it's)~!")).toBe('%28it%27s%29%7E%21');
    const event = s3Event(
      keys.map((key) => ({ key, content: 'hello' })),
      { bucket: 'uploads', region: 'eu-west-1' },
    );
    expectShape(event, 'powertools/s3--base.json', /^$/);
    expectShape(event, 'aws-lambda-go/s3-event.json', /^$/, /versionId$/);
    const removed = s3Event([{ key: 'gone', eventName: 'ObjectRemoved:Delete' }], { bucket: 'uploads' });
    expectShape(removed, 'powertools/s3--delete-object.json', /^$/);
    const got: { key: string; size: number | undefined; eventName: string; delivery: string }[] = [];
    const app = quiet().s3('uploads', { events: ['ObjectCreated:*'] }, (o) => {
      got.push({ key: o.key, size: o.size, eventName: o.eventName, delivery: o.delivery });
    });
    expect(await app.handler(event, lambda())).toBeUndefined();
    expect(got.map((o) => o.key)).toEqual(keys);
    expect(got[0]).toMatchObject({ size: 5, eventName: 'ObjectCreated:Put', delivery: 'direct' });

    const viaQueue = s3Event(['x y.png'], { bucket: 'uploads', queue: 'uploads-events' });
    expectShape(viaQueue, 'powertools/s3--sqs-event.json', /^$/);
    got.length = 0;
    expect(await app.handler(viaQueue, lambda())).toEqual({ batchItemFailures: [] });
    expect(got).toEqual([{ key: 'x y.png', size: 0, eventName: 'ObjectCreated:Put', delivery: 'sqs' }]);
  });

  it('eventBridgeEvent: the detail validated by the registration', async () => {
    const event = eventBridgeEvent({
      source: 'kefir.batches',
      detailType: 'Batch Closed',
      detail: { batchId: 'b1' },
      resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1'],
    });
    expectShape(event, 'powertools/eventbridge--base.json', /^detail\./, /^replay-name$/);
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const got: unknown[] = [];
    const app = quiet().eventBridge(
      { source: 'kefir.*', detailType: 'Batch Closed' },
      { detail: z.object({ batchId: z.string() }) },
      (e) => {
        got.push({ detail: e.detail, source: e.source, resources: e.resources });
      },
    );
    expect(await app.handler(event, lambda())).toBeUndefined();
    expect(got).toEqual([
      {
        detail: { batchId: 'b1' },
        source: 'kefir.batches',
        resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1'],
      },
    ]);
    const viaQueue = eventBridgeEvent({
      source: 'kefir.batches',
      detailType: 'Batch Closed',
      detail: { batchId: 'b2' },
      queue: 'q',
    });
    expect(await app.handler(viaQueue, lambda())).toEqual({ batchItemFailures: [] });
  });

  it('scheduleEvent and scheduledRuleEvent reach app.schedule, with their origin', async () => {
    const time = new Date('2026-12-01T09:00:00Z');
    const event = scheduleEvent('due-reminders', { time, executionId: 'e-1' });
    expect(Object.keys(event)).toEqual([SCHEDULE_KEY, 'time', 'executionId', 'attempt', 'local']);
    const rule = scheduledRuleEvent('due-reminders', { time, region: 'eu-west-1', bus: 'ops' });
    expectShape(rule, 'powertools/eventbridge--base.json', /^detail\./, /^replay-name$/);
    expect(rule.resources).toEqual(['arn:aws:events:eu-west-1:123456789012:rule/ops/due-reminders']);
    const firings: unknown[] = [];
    const app = quiet().schedule('due-reminders', { cron: '0 9 * * ? *' }, (ctx) => {
      firings.push({ ...ctx.schedule });
    });
    expect(await app.handler(event, lambda())).toBeUndefined();
    expect(await app.handler(rule, lambda())).toBeUndefined();
    expect(firings).toEqual([
      expect.objectContaining({
        name: 'due-reminders',
        time,
        executionId: 'e-1',
        attempt: 1,
        origin: 'local',
      }),
      expect.objectContaining({ name: 'due-reminders', time, executionId: rule.id, origin: 'rule' }),
    ]);
  });

  it('dynamodbStreamEvent: images marshalled, the event name and keys found', async () => {
    const event = await dynamodbStreamEvent(
      [
        { newImage: { id: 'n1', tags: ['a'], n: 2, nested: { ok: true } } },
        { oldImage: { id: 'n1', n: 2 }, newImage: { id: 'n1', n: 3 } },
        { oldImage: { id: 'n1', n: 3 }, expiredByTtl: true },
      ],
      { table: 'notes', keyAttributes: ['id'] },
    );
    expectShape(
      event,
      'aws-lambda-go/dynamodb-event.json',
      /^dynamodb\.(Keys|NewImage|OldImage)\./,
      /^userIdentity|^dynamodb\.OldImage$/,
    );
    expect(event.Records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const got: unknown[] = [];
    const app = quiet().dynamodbStream('notes', (c) => {
      got.push({ name: c.eventName, keys: c.keys, n: c.newImage, o: c.oldImage, ttl: c.expiredByTtl });
    });
    expect(await app.handler(event, lambda())).toEqual({ batchItemFailures: [] });
    expect(got).toEqual([
      {
        name: 'INSERT',
        keys: { id: 'n1' },
        n: { id: 'n1', tags: ['a'], n: 2, nested: { ok: true } },
        o: undefined,
        ttl: false,
      },
      { name: 'MODIFY', keys: { id: 'n1' }, n: { id: 'n1', n: 3 }, o: { id: 'n1', n: 2 }, ttl: false },
      { name: 'REMOVE', keys: { id: 'n1' }, n: undefined, o: { id: 'n1', n: 3 }, ttl: true },
    ]);
    const keysOnly = await dynamodbStreamEvent([{ newImage: { id: 'x' }, keys: { id: 'x' } }], {
      table: 'notes',
      streamViewType: 'KEYS_ONLY',
    });
    expect(Object.keys(keysOnly.Records[0]?.dynamodb as object)).not.toContain('NewImage');
    await expect(dynamodbStreamEvent([{}], { table: 'notes' })).rejects.toThrow(/needs an eventName/);
  });

  it('kinesisEvent: data base64-encoded, decoded for the handler', async () => {
    const event = kinesisEvent(['hello', new Uint8Array([0, 255]), { data: { a: 1 }, partitionKey: 'p' }], {
      stream: 'clicks',
    });
    expectShape(event, 'aws-lambda-go/kinesis-event.json', /^$/);
    expectShape(event, 'powertools/kinesis--stream.json', /^$/);
    const got: unknown[] = [];
    const app = quiet().kinesis('clicks', (r) => {
      got.push({ bytes: [...r.bytes], key: r.partitionKey, stream: r.stream, shard: r.shardId });
    });
    expect(await app.handler(event, lambda())).toEqual({ batchItemFailures: [] });
    expect(got).toEqual([
      { bytes: [...Buffer.from('hello')], key: '1', stream: 'clicks', shard: 'shardId-000000000000' },
      { bytes: [0, 255], key: '1', stream: 'clicks', shard: 'shardId-000000000000' },
      { bytes: [...Buffer.from('{"a":1}')], key: 'p', stream: 'clicks', shard: 'shardId-000000000000' },
    ]);
    const data: unknown[] = [];
    const typed = quiet().kinesis('clicks', { data: z.object({ a: z.number() }) }, (r) => {
      data.push(r.data);
    });
    expect(await typed.handler(kinesisEvent([{ data: { a: 1 } }], { stream: 'clicks' }), lambda())).toEqual({
      batchItemFailures: [],
    });
    expect(data).toEqual([{ a: 1 }]);
  });
});
