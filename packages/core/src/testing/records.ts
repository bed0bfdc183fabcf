/**
 * Factories for the record events Lift serves besides HTTP (SQS, SNS, S3, EventBridge, schedules,
 * DynamoDB Streams, Kinesis), in the shapes AWS sends: checked key by key against the captured samples
 * in the repository's fixtures. Each event is claimed by the matching `app.<source>` registration.
 */
import { createHash } from 'node:crypto';

/** Where a resource lives, for its ARN and the record's `awsRegion` (default us-east-1, 123456789012). */
export interface ResourceOptions {
  readonly region?: string;
  readonly account?: string;
}

/** An event of a batch source: `{ Records: [...] }`. */
export interface RecordsEvent {
  readonly Records: Record<string, unknown>[];
}

/** A message attribute: text (`String`), a number (`Number`), bytes (`Binary`), or spelled out. */
export type MessageAttributeValue =
  | string
  | number
  | Uint8Array
  | { readonly dataType: string; readonly stringValue?: string; readonly binaryValue?: Uint8Array };

/** One SQS message; a plain string stands for `{ body: string }`. */
export interface SqsMessageInit {
  /** The body: a string as it is, any other value as its JSON. */
  readonly body: unknown;
  readonly messageId?: string;
  /** `ApproximateReceiveCount` (default 1): more than 1 is a redelivery. */
  readonly receiveCount?: number;
  readonly sentAt?: Date;
  /** FIFO queues: the message group (default `default`). */
  readonly groupId?: string;
  /** FIFO queues: the deduplication id (default the body's SHA-256, as content-based deduplication). */
  readonly deduplicationId?: string;
  /** More system attributes, such as `AWSTraceHeader`. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
}

/** Options of {@link sqsEvent}. */
export interface SqsEventOptions extends ResourceOptions {
  /** The queue's name. */
  readonly queue: string;
  /** A FIFO queue (default: when the name ends in `.fifo`, which FIFO queues' names must). */
  readonly fifo?: boolean;
}

const DEFAULT_REGION = 'us-east-1';
const DEFAULT_ACCOUNT = '123456789012';
const SENDER = 'AIDAIENQZJOLO23YVJ4VO';
let counter = 0;

/** @internal Random hex digits. */
export const hex = (bytes: number): string => {
  const out = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(out);
  return Buffer.from(out).toString('hex');
};
const md5 = (data: string | Uint8Array): string => createHash('md5').update(data).digest('hex');
/** @internal Increasing digits, as sequence numbers are: the time, then a counter. */
export const sequence = (digits: number): string =>
  `${Date.now()}${String((counter += 1) % 1_000_000).padStart(6, '0')}`.padStart(digits, '1');
/** @internal The region and account, defaults applied. */
export const where = (o: ResourceOptions) => ({
  region: o.region ?? DEFAULT_REGION,
  account: o.account ?? DEFAULT_ACCOUNT,
});
/** @internal Text as sent: strings as they are, anything else as JSON. */
export const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
/** EventBridge and the scheduler write times to the second. */
const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function attributeParts(value: MessageAttributeValue): {
  dataType: string;
  text?: string;
  bytes?: Uint8Array;
} {
  if (typeof value === 'string') return { dataType: 'String', text: value };
  if (typeof value === 'number') return { dataType: 'Number', text: String(value) };
  if (value instanceof Uint8Array) return { dataType: 'Binary', bytes: value };
  return {
    dataType: value.dataType,
    ...(value.stringValue === undefined ? {} : { text: value.stringValue }),
    ...(value.binaryValue === undefined ? {} : { bytes: value.binaryValue }),
  };
}

// SQS's digest of the message attributes: each, by name, as length-prefixed name, type, a transport
// byte (1 text, 2 binary) and length-prefixed value.
function attributesDigest(attrs: Readonly<Record<string, MessageAttributeValue>>): string {
  const chunks: Buffer[] = [];
  const field = (data: string | Uint8Array) => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    chunks.push(length, bytes);
  };
  for (const name of Object.keys(attrs).sort()) {
    const { dataType, text, bytes } = attributeParts(attrs[name] as MessageAttributeValue);
    field(name);
    field(dataType);
    chunks.push(Buffer.from([bytes === undefined ? 1 : 2]));
    field(bytes ?? text ?? '');
  }
  return md5(Buffer.concat(chunks));
}

function sqsRecord(message: SqsMessageInit, arn: string, region: string, fifo: boolean) {
  const body = asText(message.body);
  const sent = String((message.sentAt ?? new Date()).getTime());
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: String(message.receiveCount ?? 1),
    SentTimestamp: sent,
    ...(fifo
      ? {
          SequenceNumber: sequence(20),
          MessageGroupId: message.groupId ?? 'default',
        }
      : {}),
    SenderId: SENDER,
    ...(fifo
      ? { MessageDeduplicationId: message.deduplicationId ?? createHash('sha256').update(body).digest('hex') }
      : {}),
    ApproximateFirstReceiveTimestamp: sent,
    ...message.attributes,
  };
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.messageAttributes ?? {})) {
    const { dataType, text, bytes } = attributeParts(value);
    messageAttributes[name] = {
      ...(text === undefined ? {} : { stringValue: text }),
      ...(bytes === undefined ? {} : { binaryValue: Buffer.from(bytes).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
      dataType,
    };
  }
  return {
    messageId: message.messageId ?? globalThis.crypto.randomUUID(),
    receiptHandle: `AQEB${Buffer.from(hex(48), 'hex').toString('base64')}`,
    body,
    attributes,
    messageAttributes,
    md5OfBody: md5(body),
    ...(Object.keys(messageAttributes).length === 0
      ? {}
      : { md5OfMessageAttributes: attributesDigest(message.messageAttributes ?? {}) }),
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: region,
  };
}

/**
 * An SQS event for a queue: `sqsEvent(['first', { body: { orderId: 7 }, receiveCount: 3 }], { queue: 'orders' })`.
 * Bodies are strings or any JSON value; FIFO queues get a message group and deduplication id.
 */
export function sqsEvent(
  messages: readonly (string | SqsMessageInit)[],
  options: SqsEventOptions,
): RecordsEvent {
  const { region, account } = where(options);
  const fifo = options.fifo ?? options.queue.endsWith('.fifo');
  if (fifo && !options.queue.endsWith('.fifo'))
    throw new TypeError(`sqsEvent: a FIFO queue's name ends in .fifo, got ${JSON.stringify(options.queue)}`);
  const arn = `arn:aws:sqs:${region}:${account}:${options.queue}`;
  return {
    Records: messages.map((m) => sqsRecord(typeof m === 'string' ? { body: m } : m, arn, region, fifo)),
  };
}

/** One SNS notification; a plain string stands for `{ message: string }`. */
export interface SnsMessageInit {
  /** The message: a string as it is, any other value as its JSON. */
  readonly message: unknown;
  readonly subject?: string;
  readonly messageId?: string;
  readonly timestamp?: Date;
  readonly attributes?: Readonly<Record<string, string | number>>;
}

/** Options of {@link snsEvent}. */
export interface SnsEventOptions extends ResourceOptions {
  /** The topic's name. */
  readonly topic: string;
  /** Deliver through this SQS queue subscribed to the topic: the event is then that queue's SQS event. */
  readonly queue?: string;
}

/**
 * An SNS event for a topic, delivered to the function (one record per notification) or, with
 * `queue`, through a subscribed SQS queue (the notification as each message's body, as SNS writes it).
 */
export function snsEvent(
  messages: readonly (string | SnsMessageInit)[],
  options: SnsEventOptions,
): RecordsEvent {
  const { region, account } = where(options);
  const topicArn = `arn:aws:sns:${region}:${account}:${options.topic}`;
  const host = `https://sns.${region}.amazonaws.com`;
  const envelopes = messages.map((m) => {
    const init = typeof m === 'string' ? { message: m } : m;
    const attributes: Record<string, { Type: string; Value: string }> = {};
    for (const [name, value] of Object.entries(init.attributes ?? {}))
      attributes[name] = { Type: typeof value === 'number' ? 'Number' : 'String', Value: String(value) };
    return { init, attributes, id: init.messageId ?? globalThis.crypto.randomUUID() };
  });
  // SNS names the URL keys `SigningCertUrl` in a Lambda record and `SigningCertURL` in what it writes to a
  // queue (raw delivery off), where it leaves out empty attributes.
  const viaQueue = options.queue !== undefined;
  const notifications = envelopes.map(({ init, attributes, id }) => ({
    Type: 'Notification',
    MessageId: id,
    TopicArn: topicArn,
    Subject: init.subject ?? null,
    Message: asText(init.message),
    Timestamp: (init.timestamp ?? new Date()).toISOString(),
    SignatureVersion: '1',
    Signature: Buffer.from(hex(128), 'hex').toString('base64'),
    [viaQueue ? 'SigningCertURL' : 'SigningCertUrl']: `${host}/SimpleNotificationService-${hex(16)}.pem`,
    [viaQueue ? 'UnsubscribeURL' : 'UnsubscribeUrl']:
      `${host}/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${globalThis.crypto.randomUUID()}`,
    ...(viaQueue && Object.keys(attributes).length === 0 ? {} : { MessageAttributes: attributes }),
  }));
  if (options.queue !== undefined)
    return sqsEvent(
      notifications.map((n) => ({ body: JSON.stringify(n, null, 2) })),
      { queue: options.queue, region, account },
    );
  return {
    Records: notifications.map((Sns) => ({
      EventVersion: '1.0',
      EventSubscriptionArn: `${topicArn}:${globalThis.crypto.randomUUID()}`,
      EventSource: 'aws:sns',
      Sns,
    })),
  };
}

/** One S3 object event; a plain string stands for `{ key: string }` (an `ObjectCreated:Put`). */
export interface S3ObjectInit {
  /** The object key as stored (the factory URL-encodes it as S3 does). */
  readonly key: string;
  /** S3's event name (default `ObjectCreated:Put`). */
  readonly eventName?: string;
  /** The object's content, for its size and ETag (default empty); not sent for removals. */
  readonly content?: string | Uint8Array;
  readonly versionId?: string;
  readonly time?: Date;
}

/** Options of {@link s3Event}. */
export interface S3EventOptions extends ResourceOptions {
  readonly bucket: string;
  /** Deliver through this SQS queue: one notification per message, as S3 sends them. */
  readonly queue?: string;
}

/**
 * An object key as S3 writes it in notifications: form encoding (a space as `+`, `+` as `%2B`, every
 * character but letters, digits, `-_.*` and `/` as UTF-8 `%XX`).
 */
export function s3NotificationKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${(c.codePointAt(0) as number).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/** An S3 event notification for a bucket, delivered to the function or, with `queue`, through SQS. */
export function s3Event(objects: readonly (string | S3ObjectInit)[], options: S3EventOptions): RecordsEvent {
  const { region } = where(options);
  const records = objects.map((o) => {
    const init = typeof o === 'string' ? { key: o } : o;
    const eventName = init.eventName ?? 'ObjectCreated:Put';
    const time = init.time ?? new Date();
    const content = init.content ?? '';
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const sequencer = (BigInt(time.getTime()) * 4096n + BigInt((counter += 1) % 4096))
      .toString(16)
      .toUpperCase()
      .padStart(18, '0');
    return {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: region,
      eventTime: time.toISOString(),
      eventName,
      userIdentity: { principalId: 'AWS:AIDAINPONIXQXHT3IKHL2' },
      requestParameters: { sourceIPAddress: '203.0.113.10' },
      responseElements: {
        'x-amz-request-id': hex(8).toUpperCase(),
        'x-amz-id-2': Buffer.from(hex(48), 'hex').toString('base64'),
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'lift-notification',
        bucket: {
          name: options.bucket,
          ownerIdentity: { principalId: 'A3I5XTEXAMAI3E' },
          arn: `arn:aws:s3:::${options.bucket}`,
        },
        object: {
          key: s3NotificationKey(init.key),
          ...(eventName.startsWith('ObjectRemoved') ? {} : { size: bytes.length, eTag: md5(bytes) }),
          ...(init.versionId === undefined ? {} : { versionId: init.versionId }),
          sequencer,
        },
      },
    };
  });
  if (options.queue !== undefined)
    return sqsEvent(
      records.map((r) => ({ body: { Records: [r] } })),
      { queue: options.queue, region, account: where(options).account },
    );
  return { Records: records };
}

/** What {@link eventBridgeEvent} takes. */
export interface EventBridgeEventInit extends ResourceOptions {
  /** The event's `source`, such as `kefir.batches`. */
  readonly source: string;
  readonly detailType: string;
  /** The detail (default `{}`). */
  readonly detail?: unknown;
  readonly resources?: readonly string[];
  readonly id?: string;
  readonly time?: Date;
  /** Deliver through this SQS queue (a rule targeting a queue): the event is then that queue's SQS event. */
  readonly queue?: string;
}

/** An EventBridge event, as a rule delivers it to the function (or, with `queue`, through SQS). */
export function eventBridgeEvent(init: EventBridgeEventInit): Record<string, unknown> {
  const { region, account } = where(init);
  const event = {
    version: '0',
    id: init.id ?? globalThis.crypto.randomUUID(),
    'detail-type': init.detailType,
    source: init.source,
    account,
    time: isoSeconds(init.time ?? new Date()),
    region,
    resources: [...(init.resources ?? [])],
    detail: init.detail ?? {},
  };
  if (init.queue !== undefined)
    return { ...sqsEvent([{ body: event }], { queue: init.queue, region, account }) };
  return event;
}

/** Options of {@link scheduleEvent}. */
export interface ScheduleEventOptions {
  /** When the firing was due (default now). */
  readonly time?: Date;
  readonly executionId?: string;
  readonly attempt?: number;
}

/** The key of Lift's schedule payload (the same as `SCHEDULE_KEY` of `@lift/core/events`). */
const SCHEDULE_KEY = 'lift.schedule';

/**
 * Lift's schedule payload for a declared schedule, as `lift dev` and `lift invoke --schedule` send it:
 * the firing's origin is `local`.
 */
export function scheduleEvent(name: string, options: ScheduleEventOptions = {}): Record<string, unknown> {
  return {
    [SCHEDULE_KEY]: name,
    time: isoSeconds(options.time ?? new Date()),
    executionId: options.executionId ?? globalThis.crypto.randomUUID(),
    attempt: String(options.attempt ?? 1),
    local: true,
  };
}

/** Options of {@link scheduledRuleEvent}. */
export interface ScheduledRuleEventOptions extends ResourceOptions {
  readonly time?: Date;
  /** The rule's event bus, when not the default one. */
  readonly bus?: string;
}

/**
 * The event an EventBridge scheduled rule sends (`aws.events`, `Scheduled Event`), which reaches the
 * schedule named like the rule.
 */
export function scheduledRuleEvent(
  rule: string,
  options: ScheduledRuleEventOptions = {},
): Record<string, unknown> {
  const { region, account } = where(options);
  return {
    version: '0',
    id: globalThis.crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: isoSeconds(options.time ?? new Date()),
    region,
    resources: [
      `arn:aws:events:${region}:${account}:rule/${options.bus === undefined ? '' : `${options.bus}/`}${rule}`,
    ],
    detail: {},
  };
}
