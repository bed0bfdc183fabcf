/**
 * Property tests of every event source (SQS, SNS direct and through SQS, S3 direct, through SQS and
 * through EventBridge, EventBridge, schedules, DynamoDB Streams, Kinesis). Whatever arrives,
 * `app.handler` answers or fails with a typed error (InvalidEventError, RecordsFailedError), and a
 * batch answer names exactly the records that failed: never an id that was not in the batch, never
 * an acknowledged record whose handler threw or whose body failed validation.
 *
 * Three kinds of input: batches generated with a model of what each record should do (the model
 * predicts the answer and which handlers run); real samples from the fixtures with random fields
 * mutated; and arbitrary values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import { InvalidEventError, PermanentError, RecordsFailedError } from '../errors/errors.js';
import { fixtureNames, loadFixture } from '../test-support/fixtures.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { records } from './feature.js';
import { nameFromArn } from './names.js';

type Json = Record<string, unknown>;
type Action = 'ok' | 'throw' | 'permanent';
const ACTIONS: readonly Action[] = ['ok', 'throw', 'permanent'];

const Body = z.object({
  id: z.string(),
  action: z.enum(['ok', 'throw', 'permanent']),
  note: z.string().optional(),
  n: z.number().optional(),
});

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const lambda = () => fakeLambdaContext({ timeoutMs: 30_000 });

// Every handler call, in order: the record's token (an id or a key chosen by the generator).
let ran: string[] = [];
let thrown = 0;

function act(token: string, action: unknown): void {
  ran.push(token);
  if (action === 'throw') {
    thrown++;
    throw new Error(`handler failed for ${token}`);
  }
  if (action === 'permanent') throw new PermanentError(`gone: ${token}`);
}

// S3 keys, schedule executions: the action is the suffix.
const actionOf = (token: string): Action =>
  token.endsWith('.throw') ? 'throw' : token.endsWith('.permanent') ? 'permanent' : 'ok';

interface Variant {
  readonly concurrency: number;
  readonly throwOnFull: boolean;
}

function buildApp({ concurrency, throwOnFull }: Variant) {
  const app = createApp({
    records: records(),
    service: 'fuzz-events',
    logger: false,
    metrics: false,
    tracing: false,
  });
  app.sqs('orders', { body: Body, concurrency, throwOnFullBatchFailure: throwOnFull }, (m) =>
    act(m.messageId, m.body.action),
  );
  app.sqs('orders.fifo', { body: Body, concurrency }, (m) => act(m.messageId, m.body.action));
  app.sns('alerts', { message: Body }, (m) => act(m.messageId, m.message.action));
  app.s3('uploads', { events: ['ObjectCreated:*'] }, (o) => act(o.key, actionOf(o.key)));
  app.eventBridge({ source: 'kefir.*' }, { detail: Body }, (e) => act(e.id, e.detail.action));
  app.schedule('nightly', { rate: '1 day' }, (ctx) => {
    const id = ctx.schedule.executionId ?? '';
    act(id, actionOf(id));
  });
  app.dynamodbStream('items', { events: ['INSERT', 'MODIFY'], newImage: Body }, (c) =>
    act(c.sequenceNumber, c.newImage?.action),
  );
  app.dynamodbStream('audit', { throwOnFullBatchFailure: throwOnFull }, (c) =>
    act(c.sequenceNumber, (c.newImage ?? c.oldImage)?.action),
  );
  app.kinesis('clicks', { data: Body, throwOnFullBatchFailure: throwOnFull }, (k) =>
    act(k.sequenceNumber, k.data.action),
  );
  return app;
}

const VARIANTS: readonly Variant[] = [
  { concurrency: 1, throwOnFull: false },
  { concurrency: 3, throwOnFull: false },
  { concurrency: 1, throwOnFull: true },
  { concurrency: 4, throwOnFull: true },
];
const apps = VARIANTS.map(buildApp);

// ---------------------------------------------------------------------------------------------
// The model: what each item of an invocation does, and what the invocation must answer.

/** One registration's work for an item: its handler runs with `token`, or its validation fails. */
interface Step {
  readonly token: string;
  readonly result: Action | 'invalid';
}

/** What Lambda counts as one record. */
interface Item {
  readonly id: string;
  readonly group?: string;
  /** Whether some registration takes it (else it fails without running anything). */
  readonly claimed: boolean;
  readonly steps: readonly Step[];
}

interface Scenario {
  readonly label: string;
  readonly event: unknown;
  readonly mode: 'sqs' | 'stream' | 'async';
  readonly items: readonly Item[];
  /** Whether every registration the items reach throws on a fully failed batch (in this app). */
  readonly throwOnFull: boolean;
}

type Prediction =
  | { readonly error: typeof InvalidEventError | typeof RecordsFailedError; readonly ran: string[] }
  | { readonly value: unknown; readonly ran: string[] };

function runModelItem(item: Item): { failed: boolean; ran: string[] } {
  if (!item.claimed) return { failed: true, ran: [] };
  const done: string[] = [];
  for (const step of item.steps) {
    if (step.result === 'invalid') return { failed: true, ran: done };
    done.push(step.token);
    if (step.result === 'throw') return { failed: true, ran: done };
    if (step.result === 'permanent') return { failed: false, ran: done };
  }
  return { failed: false, ran: done };
}

function predict(s: Scenario): Prediction {
  if (s.items.length > 0 && s.items.every((i) => !i.claimed)) return { error: InvalidEventError, ran: [] };
  const failed: boolean[] = [];
  const done: string[] = [];
  const stopped = new Set<string>();
  const fifo = s.mode === 'sqs' && s.items.some((i) => i.group !== undefined);
  for (const item of s.items) {
    // Streams stop at the first failure; FIFO queues stop the failed message's group.
    const lane = s.mode === 'stream' ? 'shard' : fifo ? (item.group ?? '') : undefined;
    if (lane !== undefined && stopped.has(lane)) {
      failed.push(true);
      continue;
    }
    const r = runModelItem(item);
    failed.push(r.failed);
    done.push(...r.ran);
    if (r.failed && lane !== undefined) stopped.add(lane);
  }
  if (s.mode === 'async')
    return failed.some(Boolean) ? { error: RecordsFailedError, ran: done } : { value: undefined, ran: done };
  const ids = s.items.filter((_, i) => failed[i]).map((i) => i.id);
  if (ids.length > 0 && ids.length === s.items.length && s.throwOnFull)
    return { error: RecordsFailedError, ran: done };
  return { value: { batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) }, ran: done };
}

async function check(app: ReturnType<typeof buildApp>, s: Scenario): Promise<void> {
  const expected = predict(s);
  ran = [];
  let outcome: { value: unknown } | { error: unknown };
  try {
    outcome = { value: await app.handler(s.event, lambda()) };
  } catch (error) {
    outcome = { error };
  }
  const got = ran;
  if ('error' in expected) {
    expect(outcome, s.label).toHaveProperty('error');
    expect((outcome as { error: unknown }).error, s.label).toBeInstanceOf(expected.error);
  } else {
    if ('error' in outcome) throw outcome.error;
    expect(outcome.value, s.label).toEqual(expected.value);
  }
  // Standard queues run messages concurrently; every other mode runs in order.
  const sort = (list: readonly string[]) => (s.mode === 'sqs' ? [...list].sort() : [...list]);
  expect(sort(got), `${s.label}: handlers run`).toEqual(sort(expected.ran));
}

// ---------------------------------------------------------------------------------------------
// Payloads: JSON texts that validate, fail validation, or are refused before validation.

type JsonKind = Action | 'huge' | 'invalid' | 'notJson' | 'proto' | 'surrogate' | 'deep';

const jsonKind: fc.Arbitrary<JsonKind> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom<JsonKind>('ok', 'throw', 'permanent') },
  { weight: 4, arbitrary: fc.constant<JsonKind>('invalid') },
  { weight: 4, arbitrary: fc.constantFrom<JsonKind>('notJson', 'proto', 'surrogate', 'deep') },
  { weight: 1, arbitrary: fc.constant<JsonKind>('huge') },
);

const HUGE = 'x'.repeat(300_000);
const DEEP = `${'['.repeat(300)}${']'.repeat(300)}`;

/** What a payload of this kind makes the registration do. */
const resultOf = (kind: JsonKind): Step['result'] =>
  kind === 'ok' || kind === 'huge' ? 'ok' : kind === 'throw' || kind === 'permanent' ? kind : 'invalid';

/** A JSON text of the given kind; `pick` chooses among the ways to be that kind. */
function payload(kind: JsonKind, id: string, note: string, pick: number): string {
  const valid = (action: Action, extra: Json = {}) => JSON.stringify({ id, action, note, ...extra });
  switch (kind) {
    case 'ok':
    case 'throw':
    case 'permanent':
      return valid(kind, pick % 2 === 0 ? {} : { n: pick });
    case 'huge':
      return valid('ok', { note: HUGE });
    case 'invalid':
      return [
        JSON.stringify({ id, action: 7 }),
        JSON.stringify({ action: 'ok' }),
        JSON.stringify({ id, action: 'ok', n: 'many' }),
        JSON.stringify({ id, action: 'maybe', note }),
        '[]',
        'null',
        '"text"',
        JSON.stringify({ id: HUGE.length, action: 'ok' }),
      ][pick % 8] as string;
    case 'notJson':
      return [
        '',
        `{"id":${JSON.stringify(id)},`,
        `<order id="${id}"/>`,
        'undefined',
        note.length > 0 ? `{${note}` : '{',
      ][pick % 5] as string;
    case 'proto':
      return [
        `{"id":${JSON.stringify(id)},"action":"ok","__proto__":{"polluted":true}}`,
        `{"id":${JSON.stringify(id)},"action":"ok","x":{"constructor":{"prototype":{"polluted":true}}}}`,
        `{"id":${JSON.stringify(id)},"action":"ok","__pro\\u0074o__":{"polluted":true}}`,
      ][pick % 3] as string;
    case 'surrogate':
      return [
        `{"id":${JSON.stringify(id)},"action":"ok","note":"\\ud800"}`,
        `{"id":${JSON.stringify(id)},"action":"ok","note":"a\\udfffb"}`,
        `{"id":${JSON.stringify(id)},"action":"ok","\\ud83d":1}`,
      ][pick % 3] as string;
    case 'deep':
      return `{"id":${JSON.stringify(id)},"action":"ok","x":${DEEP}}`;
  }
}

const note = fc.string({ unit: 'grapheme', maxLength: 12 });
const group = fc.constantFrom('g1', 'g2', 'g3');

function sqsRecord(queue: string, id: string, body: string, messageGroup?: string): Json {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000001',
      ...(messageGroup === undefined
        ? {}
        : { MessageGroupId: messageGroup, MessageDeduplicationId: id, SequenceNumber: '1' }),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue}`,
    awsRegion: REGION,
  };
}

const snsArn = (topic: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${topic}`;

function snsEnvelope(id: string, topic: string, message: string): Json {
  return {
    Type: 'Notification',
    MessageId: id,
    TopicArn: snsArn(topic),
    Subject: '',
    Message: message,
    Timestamp: '2026-11-23T10:00:00.000Z',
    SignatureVersion: '1',
    MessageAttributes: {},
  };
}

/** S3 notifications form-encode keys: `+` for a space, `%XX` for the rest. */
const encodeKey = (key: string) => encodeURIComponent(key).replace(/%20/g, '+');

interface S3Spec {
  readonly bucket: 'uploads' | 'elsewhere';
  readonly created: boolean;
  readonly action: Action;
  readonly words: string;
}

const s3Spec: fc.Arbitrary<S3Spec> = fc.record({
  bucket: fc.constantFrom<S3Spec['bucket']>('uploads', 'uploads', 'uploads', 'elsewhere'),
  created: fc.constantFrom(true, true, true, false),
  action: fc.constantFrom(...ACTIONS),
  words: note,
});

const s3Key = (prefix: string, spec: S3Spec) =>
  `${prefix} ${spec.words}.${spec.action === 'ok' ? 'json' : spec.action}`;
const s3Accepted = (spec: S3Spec) => spec.bucket === 'uploads' && spec.created;

function s3Record(key: string, spec: S3Spec, sequencer: string): Json {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: REGION,
    eventTime: '2026-11-23T10:00:00.000Z',
    eventName: spec.created ? 'ObjectCreated:Put' : 'ObjectRemoved:Delete',
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: spec.bucket, arn: `arn:aws:s3:::${spec.bucket}` },
      object: { key: encodeKey(key), size: 12, eTag: 'e', sequencer },
    },
  };
}

function eventBridge(id: string, source: string, detail: unknown, detailType = 'OrderPlaced'): Json {
  return {
    version: '0',
    id,
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: '2026-11-23T10:00:00Z',
    region: REGION,
    resources: [],
    detail,
  };
}

/** A detail object (EventBridge parses it; it is never text). */
function detailOf(kind: Action | 'invalid', id: string, text: string): unknown {
  return kind === 'invalid' ? { id, action: 'later' } : { id, action: kind, note: text };
}

// ---------------------------------------------------------------------------------------------
// Scenarios, one generator per source.

const variantIndex = fc.nat({ max: VARIANTS.length - 1 });

/** SQS queues with their own registration and a body schema: standard and FIFO. */
const sqsDirect = fc
  .record({
    fifo: fc.boolean(),
    variant: variantIndex,
    messages: fc.array(fc.record({ kind: jsonKind, note, pick: fc.nat(), group }), {
      minLength: 1,
      maxLength: 10,
    }),
  })
  .map(({ fifo, variant, messages }) => {
    const queue = fifo ? 'orders.fifo' : 'orders';
    const items: Item[] = messages.map((m, i) => ({
      id: `m${i}`,
      ...(fifo ? { group: m.group } : {}),
      claimed: true,
      steps: [{ token: `m${i}`, result: resultOf(m.kind) }],
    }));
    const event = {
      Records: messages.map((m, i) =>
        sqsRecord(queue, `m${i}`, payload(m.kind, `o${i}`, m.note, m.pick), fifo ? m.group : undefined),
      ),
    };
    return {
      variant,
      scenario: {
        label: `sqs ${queue}`,
        event,
        mode: 'sqs',
        items,
        throwOnFull: !fifo && (VARIANTS[variant] as Variant).throwOnFull,
      } satisfies Scenario,
    };
  });

/** What one message of a queue without its own registration carries. */
type FeedMessage =
  | {
      readonly type: 'sns';
      readonly topic: 'alerts' | 'other';
      readonly kind: JsonKind;
      readonly pick: number;
    }
  | { readonly type: 's3'; readonly records: readonly S3Spec[] }
  | { readonly type: 's3-test' }
  | {
      readonly type: 'eventbridge';
      readonly source: 'kefir.orders' | 'other.source';
      readonly kind: Action | 'invalid' | 'proto' | 'surrogate' | 'deep';
    }
  | { readonly type: 'malformed'; readonly pick: number }
  | { readonly type: 'garbage'; readonly text: string };

const feedMessage: fc.Arbitrary<FeedMessage> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('sns' as const),
      topic: fc.constantFrom<'alerts' | 'other'>('alerts', 'alerts', 'alerts', 'other'),
      kind: jsonKind,
      pick: fc.nat(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('s3' as const),
      records: fc.array(s3Spec, { minLength: 1, maxLength: 2 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ type: 's3-test' as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('eventbridge' as const),
      source: fc.constantFrom<'kefir.orders' | 'other.source'>(
        'kefir.orders',
        'kefir.orders',
        'other.source',
      ),
      kind: fc.constantFrom(
        'ok',
        'throw',
        'permanent',
        'invalid',
        'proto',
        'surrogate',
        'deep',
      ) as fc.Arbitrary<Action | 'invalid' | 'proto' | 'surrogate' | 'deep'>,
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('malformed' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('garbage' as const),
      text: fc.oneof(
        fc.string(),
        fc.json(),
        fc.constantFrom('{}', '[]', '{"Records":[]}', '{"Type":"Notification"}'),
      ),
    }),
  },
);

// Bodies shaped like an SNS envelope, an S3 notification or an EventBridge event that lack a field
// Lift needs: a producer's mistake in one message, not a malformed Lambda event.
const MALFORMED = [
  JSON.stringify({
    Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { object: { key: 'k' } } }],
  }),
  JSON.stringify({
    Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: 'uploads' }, object: { key: 'k' } } }],
  }),
  JSON.stringify({
    Records: [
      {
        eventSource: 'aws:s3',
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'uploads' }, object: { key: '%E0%A4%A' } },
      },
    ],
  }),
  JSON.stringify({ Type: 'Notification', MessageId: 'n', TopicArn: 'not-an-arn', Message: '{}' }),
  JSON.stringify({ source: 'kefir.orders', 'detail-type': 'OrderPlaced', detail: {} }),
  JSON.stringify({ id: 7, source: 'kefir.orders', 'detail-type': 'OrderPlaced', detail: {} }),
];

function feedItem(m: FeedMessage, id: string, index: number): { body: string; item: Item } {
  switch (m.type) {
    case 'sns': {
      const body = JSON.stringify(snsEnvelope(id, m.topic, payload(m.kind, `o${index}`, 'n', m.pick)));
      return m.topic === 'alerts'
        ? { body, item: { id, claimed: true, steps: [{ token: id, result: resultOf(m.kind) }] } }
        : { body, item: { id, claimed: false, steps: [] } };
    }
    case 's3': {
      const keys = m.records.map((spec, n) => s3Key(`${id}-${n}`, spec));
      const body = JSON.stringify({
        Records: m.records.map((spec, n) => s3Record(keys[n] as string, spec, `00${n}`)),
      });
      const claimed = m.records.every(s3Accepted);
      return {
        body,
        item: {
          id,
          claimed,
          steps: m.records.map((spec, n) => ({ token: keys[n] as string, result: spec.action })),
        },
      };
    }
    case 's3-test':
      return {
        body: JSON.stringify({
          Service: 'Amazon S3',
          Event: 's3:TestEvent',
          Time: '2026-11-23T10:00:00.000Z',
          Bucket: 'uploads',
          RequestId: 'r',
          HostId: 'h',
        }),
        item: { id, claimed: true, steps: [] },
      };
    case 'eventbridge': {
      const unsafe = m.kind === 'proto' || m.kind === 'surrogate' || m.kind === 'deep';
      const detailKind = unsafe ? 'ok' : (m.kind as Action | 'invalid');
      let body = JSON.stringify(eventBridge(id, m.source, detailOf(detailKind, `o${index}`, 'n')));
      if (m.kind === 'proto') body = body.replace('{', '{"__proto__":{"polluted":true},');
      if (m.kind === 'surrogate') body = body.replace('{', '{"s":"\\ud800",');
      if (m.kind === 'deep') body = body.replace('{', `{"d":${DEEP},`);
      const claimed = !unsafe && m.source === 'kefir.orders';
      return { body, item: { id, claimed, steps: [{ token: id, result: detailKind }] } };
    }
    case 'malformed':
      return {
        body: MALFORMED[m.pick % MALFORMED.length] as string,
        item: { id, claimed: false, steps: [] },
      };
    case 'garbage':
      // Text no registration recognises (an object that is none of the shapes, or no JSON at all).
      return { body: m.text, item: { id, claimed: false, steps: [] } };
  }
}

/** A queue without a registration of its own: SNS, S3 and EventBridge payloads, mixed in one batch. */
const sqsFeed = fc
  .record({ variant: variantIndex, messages: fc.array(feedMessage, { minLength: 1, maxLength: 8 }) })
  .map(({ variant, messages }) => {
    const built = messages.map((m, i) => feedItem(m, `f${i}`, i));
    return {
      variant,
      scenario: {
        label: 'sqs feed (routed by payload)',
        event: { Records: built.map(({ body }, i) => sqsRecord('feed', `f${i}`, body)) },
        mode: 'sqs',
        items: built.map(({ item }) => item),
        throwOnFull: false,
      } satisfies Scenario,
    };
  });

/** SNS delivered to the function. */
const snsDirect = fc
  .array(
    fc.record({
      topic: fc.constantFrom<'alerts' | 'other'>('alerts', 'alerts', 'alerts', 'other'),
      kind: jsonKind,
      pick: fc.nat(),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((records) => ({
    variant: 0,
    scenario: {
      label: 'sns direct',
      event: {
        Records: records.map((r, i) => ({
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${snsArn(r.topic)}:sub`,
          Sns: snsEnvelope(`s${i}`, r.topic, payload(r.kind, `o${i}`, 'n', r.pick)),
        })),
      },
      mode: 'async',
      items: records.map((r, i) =>
        r.topic === 'alerts'
          ? { id: `s${i}`, claimed: true, steps: [{ token: `s${i}`, result: resultOf(r.kind) }] }
          : { id: `s${i}`, claimed: false, steps: [] },
      ),
      throwOnFull: false,
    } satisfies Scenario,
  }));

/** S3 notifications delivered to the function. */
const s3Direct = fc.array(s3Spec, { minLength: 1, maxLength: 3 }).map((specs) => {
  const keys = specs.map((spec, i) => s3Key(`k${i}`, spec));
  return {
    variant: 0,
    scenario: {
      label: 's3 direct',
      event: { Records: specs.map((spec, i) => s3Record(keys[i] as string, spec, `00${i}`)) },
      mode: 'async',
      items: specs.map((spec, i) => ({
        id: `00${i}`,
        claimed: s3Accepted(spec),
        steps: [{ token: keys[i] as string, result: spec.action }],
      })),
      throwOnFull: false,
    } satisfies Scenario,
  };
});

/** EventBridge: a custom event, an S3 event, a scheduled rule. */
const eventBridgeDirect = fc
  .oneof(
    fc.record({
      type: fc.constant('custom' as const),
      source: fc.constantFrom('kefir.orders', 'kefir.billing', 'other.source'),
      kind: fc.constantFrom<Action | 'invalid'>('ok', 'throw', 'permanent', 'invalid'),
    }),
    fc.record({ type: fc.constant('s3' as const), spec: s3Spec }),
    fc.record({
      type: fc.constant('rule' as const),
      rule: fc.constantFrom('nightly', 'weekly'),
      action: fc.constantFrom(...ACTIONS),
      bus: fc.boolean(),
    }),
  )
  .map((e) => {
    if (e.type === 'custom') {
      const event = eventBridge('eb-1', e.source, detailOf(e.kind, 'o1', 'n'));
      const claimed = e.source.startsWith('kefir.');
      return {
        variant: 0,
        scenario: {
          label: `eventbridge ${e.source}`,
          event,
          mode: 'async',
          items: [{ id: 'eb-1', claimed, steps: [{ token: 'eb-1', result: e.kind }] }],
          throwOnFull: false,
        } satisfies Scenario,
      };
    }
    if (e.type === 's3') {
      // EventBridge delivers keys as stored: not URL-encoded.
      const key = s3Key('eb key+plus%25', e.spec);
      const event = eventBridge(
        'eb-2',
        'aws.s3',
        {
          version: '0',
          bucket: { name: e.spec.bucket },
          object: { key, size: 5, etag: 'e', sequencer: '01' },
          reason: e.spec.created ? 'PutObject' : 'DeleteObject',
          'deletion-type': 'Permanently Deleted',
        },
        e.spec.created ? 'Object Created' : 'Object Deleted',
      );
      return {
        variant: 0,
        scenario: {
          label: 's3 through eventbridge',
          event,
          mode: 'async',
          items: [
            { id: 'eb-2', claimed: s3Accepted(e.spec), steps: [{ token: key, result: e.spec.action }] },
          ],
          throwOnFull: false,
        } satisfies Scenario,
      };
    }
    const id = `rule-run.${e.action}`;
    const arn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${e.bus ? 'custom-bus/' : ''}${e.rule}`;
    const event = { ...eventBridge(id, 'aws.events', {}, 'Scheduled Event'), resources: [arn] };
    return {
      variant: 0,
      scenario: {
        label: 'scheduled rule',
        event,
        mode: 'async',
        items: [{ id, claimed: e.rule === 'nightly', steps: [{ token: id, result: e.action }] }],
        throwOnFull: false,
      } satisfies Scenario,
    };
  });

/** Lift's own schedule payload (EventBridge Scheduler, lift dev). */
const schedulePayload = fc
  .record({
    name: fc.constantFrom('nightly', 'nightly', 'hourly'),
    action: fc.constantFrom(...ACTIONS),
    time: fc.oneof(
      fc.constant('2026-11-23T10:00:00Z'),
      fc.string(),
      fc.constant('<aws.scheduler.scheduled-time>'),
    ),
    // As sent by a hand or a tool, not only by EventBridge Scheduler: any JSON value.
    attempt: fc.oneof(
      fc.constant('1'),
      fc.string(),
      fc.integer(),
      fc.constant({ toString: false }),
      fc.json(),
    ),
    local: fc.boolean(),
  })
  .map((p) => {
    const executionId = `exec-7.${p.action}`;
    return {
      variant: 0,
      scenario: {
        label: 'schedule payload',
        event: { 'lift.schedule': p.name, time: p.time, executionId, attempt: p.attempt, local: p.local },
        mode: 'async',
        items: [
          {
            id: executionId,
            claimed: p.name === 'nightly',
            steps: [{ token: executionId, result: p.action }],
          },
        ],
        throwOnFull: false,
      } satisfies Scenario,
    };
  });

type ChangeKind = Action | 'invalid' | 'badImage';

/** DynamoDB Streams: `items` takes INSERT and MODIFY with a schema, `audit` takes every change. */
const dynamodbStream = fc
  .record({
    table: fc.constantFrom('items', 'audit'),
    variant: variantIndex,
    changes: fc.array(
      fc.record({
        name: fc.constantFrom('INSERT', 'INSERT', 'MODIFY', 'MODIFY', 'REMOVE', 'UPSERT'),
        kind: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom<ChangeKind>('ok', 'throw', 'permanent') },
          { weight: 2, arbitrary: fc.constantFrom<ChangeKind>('invalid', 'badImage') },
        ),
        text: note,
      }),
      { minLength: 1, maxLength: 8 },
    ),
  })
  .map(({ table, variant, changes }) => {
    const image = (c: { kind: ChangeKind; text: string }, i: number): Json => {
      const base: Json = { id: { S: `o${i}` }, note: { S: c.text } };
      if (c.kind === 'invalid') return { ...base, action: { N: '1' } };
      if (c.kind === 'badImage') return { ...base, action: { S: 'ok' }, tags: { L: 'not-a-list' } };
      return { ...base, action: { S: c.kind } };
    };
    const records = changes.map((c, i) => ({
      eventID: `e${i}`,
      eventName: c.name,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      dynamodb: {
        ApproximateCreationDateTime: 1_700_000_000 + i,
        Keys: { id: { S: `o${i}` } },
        ...(c.name === 'REMOVE' ? { OldImage: image(c, i) } : { NewImage: image(c, i) }),
        ...(c.name === 'MODIFY' ? { OldImage: { id: { S: `o${i}` } } } : {}),
        SequenceNumber: `${1000 + i}`,
        SizeBytes: 40,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}/stream/2026-11-23T10:00:00.000`,
    }));
    const items: Item[] = changes.map((c, i) => {
      const id = `${1000 + i}`;
      const taken = table === 'audit' || c.name === 'INSERT' || c.name === 'MODIFY';
      if (!taken) return { id, claimed: true, steps: [] };
      if (c.name === 'UPSERT' || c.kind === 'badImage')
        return { id, claimed: true, steps: [{ token: id, result: 'invalid' }] };
      // `audit` has no schema: an action that is a number is no action, and the handler succeeds.
      const result: Step['result'] = c.kind === 'invalid' ? (table === 'items' ? 'invalid' : 'ok') : c.kind;
      return { id, claimed: true, steps: [{ token: id, result }] };
    });
    return {
      variant,
      scenario: {
        label: `dynamodb ${table}`,
        event: { Records: records },
        mode: 'stream',
        items,
        throwOnFull: table === 'audit' && (VARIANTS[variant] as Variant).throwOnFull,
      } satisfies Scenario,
    };
  });

/** Kinesis, data validated; some data is not UTF-8. */
const kinesis = fc
  .record({
    variant: variantIndex,
    records: fc.array(
      fc.record({
        kind: fc.oneof(
          { weight: 8, arbitrary: jsonKind },
          { weight: 1, arbitrary: fc.constant('badUtf8' as const) },
        ),
        note,
        pick: fc.nat(),
      }),
      { minLength: 1, maxLength: 8 },
    ),
  })
  .map(({ variant, records }) => {
    const bytes = (r: (typeof records)[number], i: number): Buffer =>
      r.kind === 'badUtf8'
        ? Buffer.concat([
            Buffer.from(`{"id":"o${i}","action":"ok","note":"`),
            Buffer.from([0xc3, 0x28, 0xff]),
            Buffer.from('"}'),
          ])
        : Buffer.from(payload(r.kind, `o${i}`, r.note, r.pick), 'utf8');
    const seq = (i: number) => `4959${String(i).padStart(6, '0')}`;
    return {
      variant,
      scenario: {
        label: 'kinesis clicks',
        event: {
          Records: records.map((r, i) => ({
            kinesis: {
              kinesisSchemaVersion: '1.0',
              partitionKey: `pk${i % 2}`,
              sequenceNumber: seq(i),
              data: bytes(r, i).toString('base64'),
              approximateArrivalTimestamp: 1_700_000_000.25 + i,
            },
            eventSource: 'aws:kinesis',
            eventVersion: '1.0',
            eventID: `shardId-000000000000:${seq(i)}`,
            eventName: 'aws:kinesis:record',
            invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/r`,
            awsRegion: REGION,
            eventSourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/clicks`,
          })),
        },
        mode: 'stream',
        items: records.map((r, i) => ({
          id: seq(i),
          claimed: true,
          steps: [{ token: seq(i), result: r.kind === 'badUtf8' ? 'invalid' : resultOf(r.kind) }],
        })),
        throwOnFull: (VARIANTS[variant] as Variant).throwOnFull,
      } satisfies Scenario,
    };
  });

const checkScenario = async ({ variant, scenario }: { variant: number; scenario: Scenario }) =>
  check(apps[variant] as ReturnType<typeof buildApp>, scenario);

describe('every source answers as its model predicts', () => {
  it('SQS with a body schema: standard queues at any concurrency, FIFO groups', async () => {
    await fc.assert(fc.asyncProperty(sqsDirect, checkScenario), { numRuns: 200 });
  });

  it('SQS carrying SNS, S3 and EventBridge payloads, mixed in one batch', async () => {
    await fc.assert(fc.asyncProperty(sqsFeed, checkScenario), { numRuns: 200 });
  });

  it('SNS delivered directly', async () => {
    await fc.assert(fc.asyncProperty(snsDirect, checkScenario), { numRuns: 100 });
  });

  it('S3 notifications delivered directly, keys decoded', async () => {
    await fc.assert(fc.asyncProperty(s3Direct, checkScenario), { numRuns: 100 });
  });

  it('EventBridge: custom events, S3 events, scheduled rules', async () => {
    await fc.assert(fc.asyncProperty(eventBridgeDirect, checkScenario), { numRuns: 100 });
  });

  it("Lift's schedule payload", async () => {
    await fc.assert(fc.asyncProperty(schedulePayload, checkScenario), { numRuns: 100 });
  });

  it('DynamoDB Streams: filters, schemas, malformed images; a failure stops the shard', async () => {
    await fc.assert(fc.asyncProperty(dynamodbStream, checkScenario), { numRuns: 200 });
  });

  it('Kinesis: schemas, text that is not UTF-8; a failure stops the shard', async () => {
    await fc.assert(fc.asyncProperty(kinesis, checkScenario), { numRuns: 200 });
  });
});

// ---------------------------------------------------------------------------------------------
// Real samples, mutated.

/** A value as a string, when it is one (`String()` throws on `{ toString: false }`). */
const text = (value: unknown) => (typeof value === 'string' ? value : '');

const SOURCES = new Set(['aws:sqs', 'aws:sns', 'aws:s3', 'aws:dynamodb', 'aws:kinesis']);

function isRecordSample(event: Json): boolean {
  const records = event.Records;
  if (Array.isArray(records)) {
    const first = records[0] as Json | undefined;
    return first !== undefined && SOURCES.has(text(first.eventSource ?? first.EventSource));
  }
  return typeof event['detail-type'] === 'string';
}

// Samples whose ARNs are placeholders get real-shaped ones, so the unmutated sample is served.
function normalise(event: Json): Json {
  if (!Array.isArray(event.Records)) return event;
  for (const r of event.Records as Json[]) {
    const sns = r.Sns as Json | undefined;
    if (sns !== undefined && nameFromArn(sns.TopicArn) === undefined) sns.TopicArn = snsArn('EXAMPLE');
    if (r.eventSourceARN !== undefined && nameFromArn(r.eventSourceARN) === undefined)
      r.eventSourceARN =
        r.eventSource === 'aws:dynamodb'
          ? `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/Example/stream/2024-01-01T00:00:00.000`
          : `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/example`;
  }
  return event;
}

const samples = fixtureNames()
  .map((name) => ({ name, event: normalise(loadFixture(name)) }))
  .filter(({ event }) => isRecordSample(event));

// Each sample's records, for mixing sources into one Records array.
const foreignRecords = samples.flatMap(({ event }) =>
  Array.isArray(event.Records) ? (event.Records as unknown[]) : [],
);

// The catch-all apps: one takes every queue, stream and table directly; the other has no queue
// registration, so SQS messages are routed by what they carry (SNS, S3, EventBridge).
let failIds = new Set<string>();
let dropIds = new Set<string>();
let routedAction: Action = 'ok';
const decide = (id: string) => (failIds.has(id) ? 'throw' : dropIds.has(id) ? 'permanent' : 'ok');

const directApp = createApp({
  records: records(),
  service: 'fuzz-direct',
  logger: false,
  metrics: false,
  tracing: false,
})
  .sqs('*', (m) => act(`sqs:${m.messageId}`, decide(m.messageId)))
  .kinesis('*', (k) => act(`stream:${k.sequenceNumber}`, decide(k.sequenceNumber)))
  .dynamodbStream('*', (c) => act(`stream:${c.sequenceNumber}`, decide(c.sequenceNumber)))
  .sns('*', (m) => act(`sns:${m.messageId}`, routedAction))
  .s3('*', (o) => act(`s3:${o.key}`, routedAction))
  .eventBridge({ source: '*' }, (e) => act(`eb:${e.id}`, routedAction));
const routedApp = createApp({
  records: records(),
  service: 'fuzz-routed',
  logger: false,
  metrics: false,
  tracing: false,
})
  .sns('*', (m) => act(`sns:${m.messageId}`, routedAction))
  .s3('*', (o) => act(`s3:${o.key}`, routedAction))
  .eventBridge({ source: '*' }, (e) => act(`eb:${e.id}`, routedAction));

// Values that break readers: wrong types, huge and deep values, bad base64, bad text, prototype keys.
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 3,
    key: fc.oneof(
      fc.string(),
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'Records'),
    ),
  }),
  fc.constantFrom(
    null,
    undefined,
    true,
    0,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.MAX_VALUE,
    '',
    [],
    {},
    'arn:',
    'arn:aws:sqs:::',
  ),
  fc.constant(HUGE),
  fc.constant(JSON.parse(`{"a":${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}}`)),
  fc.constant(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')),
  fc.constantFrom('not base64!', 'YQ', '====', 'YWJj\nZGVm', '\ud800', 'a\udc00b', '%E0%A4%A'),
  fc.constant(Buffer.from([0xc3, 0x28, 0xa0, 0xa1]).toString('base64')),
  fc.constant(
    JSON.stringify({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:x:1:t',
      Message: '{"__proto__":1}',
      MessageId: 'm',
    }),
  ),
  fc.constant(JSON.stringify({ Records: [{ eventSource: 'aws:s3', s3: {} }] })),
  fc.constant(JSON.stringify({ source: 's', 'detail-type': 't', detail: null })),
  fc.constant('{"id":"\\ud800"}'),
);

type Mutation =
  | { readonly op: 'set'; readonly at: number; readonly value: unknown }
  | { readonly op: 'delete'; readonly at: number }
  | { readonly op: 'mix'; readonly record: number }
  | { readonly op: 'duplicate'; readonly at: number }
  | { readonly op: 'empty' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: nasty }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('mix' as const), record: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'empty' as const }) },
);

/** Every (holder, key) pair in a JSON tree, parents before children. */
function slots(root: unknown): [Json | unknown[], string | number][] {
  const out: [Json | unknown[], string | number][] = [];
  const walk = (node: unknown, depth: number) => {
    if (depth > 8 || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push([node, i]);
        walk(child, depth + 1);
      });
      return;
    }
    for (const key of Object.keys(node)) {
      out.push([node as Json, key]);
      walk((node as Json)[key], depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

function mutate(base: Json, mutations: readonly Mutation[]): Json {
  const event = structuredClone(base);
  for (const m of mutations) {
    const records = Array.isArray(event.Records) ? (event.Records as unknown[]) : undefined;
    if (m.op === 'empty') {
      if (records !== undefined) records.length = 0;
      continue;
    }
    if (m.op === 'mix') {
      records?.push(structuredClone(foreignRecords[m.record % foreignRecords.length]));
      continue;
    }
    if (m.op === 'duplicate') {
      if (records !== undefined && records.length > 0)
        records.push(structuredClone(records[m.at % records.length]));
      continue;
    }
    const all = slots(event);
    if (all.length === 0) continue;
    const [holder, key] = all[m.at % all.length] as [Json | unknown[], string | number];
    if (m.op === 'delete') {
      if (Array.isArray(holder)) holder.splice(key as number, 1);
      else delete holder[key as string];
    } else if (Array.isArray(holder)) holder[key as number] = m.value;
    else holder[key as string] = m.value;
  }
  return event;
}

/** The ids Lambda could be told about: each record's message id or sequence number, when a string. */
function batchIds(event: Json): { source: string | undefined; ids: (string | undefined)[] } {
  const records = Array.isArray(event.Records) ? (event.Records as unknown[]) : [];
  const first = records[0] as Json | undefined;
  const source = typeof first === 'object' && first !== null ? text(first.eventSource) : undefined;
  const ids = records.map((r) => {
    if (typeof r !== 'object' || r === null) return undefined;
    const record = r as Json;
    const value =
      source === 'aws:sqs'
        ? record.messageId
        : source === 'aws:kinesis'
          ? (record.kinesis as Json | undefined)?.sequenceNumber
          : (record.dynamodb as Json | undefined)?.SequenceNumber;
    return typeof value === 'string' ? value : undefined;
  });
  return { source, ids };
}

async function invokeMutated(app: typeof directApp, event: Json, direct: boolean): Promise<void> {
  ran = [];
  thrown = 0;
  let result: unknown;
  try {
    result = await app.handler(event, lambda());
  } catch (error) {
    if (!(error instanceof InvalidEventError) && !(error instanceof RecordsFailedError)) throw error;
    // An asynchronous event whose handler threw must fail, so Lambda retries it.
    return;
  }
  const { source, ids } = batchIds(event);
  if (result === undefined) {
    // Only asynchronous events answer nothing, and only when no handler failed.
    expect(thrown).toBe(0);
    expect(['aws:sqs', 'aws:kinesis', 'aws:dynamodb']).not.toContain(source);
    return;
  }
  expect(Object.keys(result as object)).toEqual(['batchItemFailures']);
  const failures = (result as { batchItemFailures: unknown[] }).batchItemFailures;
  expect(Array.isArray(failures)).toBe(true);
  const reported = failures.map((f) => {
    expect(Object.keys(f as object)).toEqual(['itemIdentifier']);
    return (f as { itemIdentifier: unknown }).itemIdentifier;
  });
  // Never an id that was not in the batch.
  for (const id of reported) expect(ids).toContain(id);
  if (!direct) {
    // Routed by payload: a message whose handler threw is never acknowledged.
    if (thrown > 0) expect(reported.length).toBeGreaterThan(0);
    return;
  }
  // Direct registrations claim every record; each record either ran, or is reported.
  const counts = new Map<string, number>();
  for (const id of ids) if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
  const prefix = source === 'aws:sqs' ? 'sqs:' : 'stream:';
  const ranIds = new Set(ran.map((t) => t.slice(prefix.length)));
  let stopped = false;
  for (const id of ids) {
    if (id === undefined || counts.get(id) !== 1) continue;
    const okay = ranIds.has(id) && !failIds.has(id);
    if (source === 'aws:sqs') {
      expect(reported.includes(id), `message ${id}`).toBe(!okay);
    } else {
      // Streams: from the first record that did not succeed on, everything is reported, nothing runs.
      if (stopped) expect(ranIds.has(id), `record ${id} ran after a failure`).toBe(false);
      expect(reported.includes(id), `record ${id}`).toBe(stopped || !okay);
      if (!okay) stopped = true;
    }
  }
}

describe('real samples, mutated', () => {
  const sample = fc.nat({ max: samples.length - 1 });

  it('the samples are there and served unmutated', async () => {
    expect(samples.length).toBeGreaterThanOrEqual(20);
    for (const { name, event } of samples) {
      ran = [];
      failIds = new Set();
      dropIds = new Set();
      routedAction = 'ok';
      await expect(directApp.handler(structuredClone(event), lambda()), name).resolves.not.toThrow();
      expect(ran.length, name).toBeGreaterThan(0);
    }
  });

  it('answer with a typed error or the exact failed records', async () => {
    await fc.assert(
      fc.asyncProperty(
        sample,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.array(fc.nat({ max: 9 }), { maxLength: 4 }),
        fc.array(fc.nat({ max: 9 }), { maxLength: 2 }),
        fc.constantFrom(...ACTIONS),
        async (index, mutations, direct, fails, drops, action) => {
          const { event } = samples[index] as { event: Json };
          const mutated = mutate(event, mutations);
          const { ids } = batchIds(mutated);
          failIds = new Set(fails.map((i) => ids[i]).filter((id): id is string => id !== undefined));
          dropIds = new Set(drops.map((i) => ids[i]).filter((id): id is string => id !== undefined));
          routedAction = action;
          await invokeMutated(direct ? directApp : routedApp, mutated, direct);
        },
      ),
      { numRuns: 400 },
    );
    expect(({} as Json).polluted).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Arbitrary events and malformed envelopes.

describe('arbitrary events', () => {
  it('anything at all: an answer or a typed error', async () => {
    const app = apps[1] as ReturnType<typeof buildApp>;
    const records = fc.array(
      fc.oneof(
        fc.anything({ maxDepth: 2 }),
        fc.record(
          {
            eventSource: fc.constantFrom(
              'aws:sqs',
              'aws:sns',
              'aws:s3',
              'aws:dynamodb',
              'aws:kinesis',
              '__proto__',
              'constructor',
              'toString',
            ),
            EventSource: fc.constantFrom('aws:sns', 'hasOwnProperty'),
            eventSourceARN: fc.oneof(
              fc.string(),
              fc.constantFrom('arn:aws:sqs:eu-west-1:1:orders', 'arn:aws:kinesis:e:1:stream/clicks'),
            ),
            messageId: fc.oneof(fc.string(), fc.integer()),
            body: fc.oneof(fc.string(), fc.json()),
            dynamodb: fc.anything({ maxDepth: 2 }),
            kinesis: fc.record({
              data: fc.oneof(fc.base64String(), fc.string()),
              sequenceNumber: fc.string(),
            }),
            Sns: fc.anything({ maxDepth: 2 }),
            s3: fc.anything({ maxDepth: 2 }),
          },
          { requiredKeys: [] },
        ),
      ),
      { maxLength: 4 },
    );
    const event = fc.oneof(
      fc.anything({ maxDepth: 3 }),
      fc.anything({
        maxDepth: 3,
        key: fc.constantFrom(
          'toString',
          'valueOf',
          '__proto__',
          'Records',
          'lift.schedule',
          'detail-type',
          'source',
          'detail',
          'id',
          'time',
          'attempt',
        ),
      }),
      fc.record({ Records: records }),
      fc.record({
        'lift.schedule': fc.oneof(fc.string(), fc.constant('nightly')),
        time: fc.anything(),
        attempt: fc.anything(),
      }),
      fc.record({
        id: fc.anything(),
        source: fc.string(),
        'detail-type': fc.string(),
        detail: fc.anything(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        try {
          const out = await app.handler(e, lambda());
          if (out !== undefined)
            expect(Array.isArray((out as { batchItemFailures: unknown }).batchItemFailures)).toBe(true);
        } catch (error) {
          if (!(error instanceof InvalidEventError) && !(error instanceof RecordsFailedError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('empty Records, mixed sources and unknown sources are InvalidEventErrors', async () => {
    const app = apps[0] as ReturnType<typeof buildApp>;
    const sqs = sqsRecord('orders', 'm1', JSON.stringify({ id: 'o', action: 'ok' }));
    const [sampled] = fc.sample(kinesis, { numRuns: 1, seed: 1 });
    const kinesisRecord = (sampled?.scenario.event as { Records: Json[] } | undefined)?.Records[0] as Json;
    for (const event of [
      { Records: [] },
      { Records: [sqs, kinesisRecord] },
      { Records: [kinesisRecord, sqs] },
      { Records: [sqs, null] },
      { Records: [{ ...sqs, eventSource: 'aws:kafka' }] },
    ]) {
      ran = [];
      await expect(app.handler(event, lambda())).rejects.toBeInstanceOf(InvalidEventError);
      expect(ran).toEqual([]);
    }
  });

  it('an eventSource naming an Object.prototype property is no source Lift serves', async () => {
    // MODES['constructor'] is Object, not undefined: the record must not be read as some stream.
    const app = apps[0] as ReturnType<typeof buildApp>;
    for (const eventSource of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const event = {
        Records: [
          {
            eventSource,
            eventSourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/clicks`,
            dynamodb: { SequenceNumber: '1' },
            kinesis: { sequenceNumber: '1', data: '' },
            eventID: 'x',
          },
        ],
      };
      await expect(app.handler(event, lambda()), eventSource).rejects.toThrow(/Unsupported event/);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Findings, each kept as a test of its own.

describe('payloads a producer put in one message fail that message only', () => {
  // A queue routed by payload: one message whose body looks like an SNS envelope, an S3
  // notification or an EventBridge event but lacks a field must not fail the whole batch (which
  // would retry, and finally dead-letter, every good message with it).
  for (const [n, body] of MALFORMED.entries()) {
    it(`malformed payload ${n}: ${body.slice(0, 60)}...`, async () => {
      const app = apps[0] as ReturnType<typeof buildApp>;
      const good = feedItem({ type: 'sns', topic: 'alerts', kind: 'ok', pick: 0 }, 'good', 0);
      ran = [];
      const out = await app.handler(
        { Records: [sqsRecord('feed', 'good', good.body), sqsRecord('feed', 'bad', body)] },
        lambda(),
      );
      expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
      expect(ran).toEqual(['good']);
    });
  }
});

describe('schedule payloads', () => {
  it('an attempt that JSON makes unconvertible to a number is no attempt, not a TypeError', async () => {
    // Number({ toString: false }) throws: OrdinaryToPrimitive finds no callable method.
    const app = apps[0] as ReturnType<typeof buildApp>;
    for (const attempt of [
      { toString: false },
      { valueOf: 1, toString: [] },
      JSON.parse('{"toString":{}}'),
    ]) {
      ran = [];
      await expect(
        app.handler({ 'lift.schedule': 'nightly', executionId: 'x.json', attempt }, lambda()),
      ).resolves.toBeUndefined();
      expect(ran).toEqual(['x.json']);
    }
  });
});

describe('stream images', () => {
  // Where an attribute named __proto__ can sit: at the top of an image, in a map, in a list's map.
  const PLACES: readonly [string, Json][] = [
    ['top level', { PROTO: { M: { role: { S: 'admin' } } } }],
    ['nested map', { profile: { M: { PROTO: { M: { role: { S: 'admin' } } } } } }],
    ['map in a list', { grants: { L: [{ M: { PROTO: { M: { role: { S: 'admin' } } } } }] } }],
  ];

  /** Whether some object in the value inherits a field it does not own. */
  function inherits(value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null && proto !== Array.prototype) return true;
    return Object.values(value).some(inherits);
  }

  it('an attribute named __proto__ never becomes the prototype of an image', async () => {
    // DynamoDB allows any attribute name. unmarshall assigns with `acc[key] = value`, so a map
    // attribute named __proto__ became the image's prototype: its fields were inherited, a schema
    // copied them into its output, and the handler saw a `role` the item never had.
    for (const [place, attributes] of PLACES) {
      for (const withSchema of [true, false]) {
        const seen: Json[] = [];
        const app = createApp({
          records: records(),
          service: 'proto',
          logger: false,
          metrics: false,
          tracing: false,
        });
        const keep = (image: unknown) => {
          seen.push(image as Json);
        };
        if (withSchema)
          app.dynamodbStream(
            'users',
            { newImage: z.looseObject({ id: z.string(), role: z.string().optional() }) },
            (c) => keep(c.newImage),
          );
        else app.dynamodbStream('users', (c) => keep(c.newImage));
        // As Lambda's runtime parses it: JSON.parse keeps "__proto__" as an own key.
        const event = JSON.parse(
          JSON.stringify({
            Records: [
              {
                eventID: '1',
                eventName: 'INSERT',
                eventVersion: '1.1',
                eventSource: 'aws:dynamodb',
                awsRegion: REGION,
                eventSourceARN: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/users/stream/2026-11-23T10:00:00.000`,
                dynamodb: {
                  SequenceNumber: '111',
                  Keys: { id: { S: 'u1' } },
                  NewImage: { id: { S: 'u1' }, ...attributes },
                },
              },
            ],
          }).replaceAll('"PROTO"', '"__proto__"'),
        );
        const out = await app.handler(event, lambda());
        const label = `${place}, ${withSchema ? 'with' : 'without'} a schema`;
        if (seen.length === 0) {
          // Refusing the record is one answer.
          expect(out, label).toEqual({ batchItemFailures: [{ itemIdentifier: '111' }] });
          continue;
        }
        expect(inherits(seen[0]), label).toBe(false);
      }
    }
  });
});
