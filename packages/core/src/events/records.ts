import { InvalidEventError } from '../errors/errors.js';
import { nameFromArn } from './names.js';
import type {
  Delivery,
  EventBridgeEvent,
  KinesisRecord,
  S3ObjectEvent,
  SnsMessage,
  SqsMessage,
  SqsMessageAttribute,
} from './types.js';

// Readers of AWS's record shapes. A field Lift relies on that is missing or of the wrong type is an
// InvalidEventError naming it: such a record cannot be processed or reported, so the invocation fails.

type Raw = Record<string, unknown>;

/** Whether a value is a plain JSON object. */
export function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A required string field. */
export function text(record: Raw, key: string, what: string): string {
  const value = record[key];
  if (typeof value !== 'string') throw new InvalidEventError(`${what}: "${key}" is missing or not a string`);
  return value;
}

function optionalText(record: Raw | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' ? value : undefined;
}

function date(value: unknown): Date {
  const d =
    typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))
      ? new Date(Number(value))
      : new Date(typeof value === 'string' ? value : Number.NaN);
  return d;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 decoding: anything that is not base64 is refused rather than silently truncated. */
export function base64(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value))
    throw new InvalidEventError(`${what} is not base64`);
  return Buffer.from(value, 'base64');
}

function messageAttributes(value: unknown): Record<string, SqsMessageAttribute> {
  const out: Record<string, SqsMessageAttribute> = Object.create(null);
  if (!isObject(value)) return out;
  for (const name of Object.keys(value)) {
    const attr = value[name];
    if (!isObject(attr)) continue;
    const stringValue = optionalText(attr, 'stringValue');
    const binary = optionalText(attr, 'binaryValue');
    const dataType = optionalText(attr, 'dataType') ?? 'String';
    const read: SqsMessageAttribute = stringValue === undefined ? { dataType } : { dataType, stringValue };
    // Decoded when read: a malformed binary attribute fails the handler that reads it, not the batch.
    if (binary !== undefined) {
      let decoded: Uint8Array | undefined;
      Object.defineProperty(read, 'binaryValue', {
        enumerable: true,
        get: () => {
          decoded ??= base64(binary, `message attribute ${name}`);
          return decoded;
        },
      });
    }
    out[name] = read;
  }
  return out;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!isObject(value)) return out;
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (typeof v === 'string') out[key] = v;
  }
  return out;
}

/**
 * An SQS record as a message whose body is still the text (validation comes later). `nameOf` reads
 * the queue's name from its ARN ({@link nameFromArn}, kept once a batch by the caller).
 */
export function sqsMessage(record: Raw, nameOf: (arn: string) => string | undefined): SqsMessage<string> {
  const what = 'SQS record';
  const queueArn = text(record, 'eventSourceARN', what);
  const queue = nameOf(queueArn);
  if (queue === undefined) throw new InvalidEventError(`${what}: "eventSourceARN" is not a queue ARN`);
  const attributes = stringMap(record.attributes);
  const body = text(record, 'body', what);
  return {
    kind: 'sqs',
    messageId: text(record, 'messageId', what),
    queue,
    queueArn,
    body,
    rawBody: body,
    receiptHandle: optionalText(record, 'receiptHandle') ?? '',
    receiveCount: Number(attributes.ApproximateReceiveCount ?? '1') || 1,
    sentAt: date(attributes.SentTimestamp),
    messageGroupId: attributes.MessageGroupId,
    messageDeduplicationId: attributes.MessageDeduplicationId,
    attributes,
    messageAttributes: messageAttributes(record.messageAttributes),
  };
}

/** Whether a parsed JSON value is an SNS notification envelope (as SNS writes it to SQS or Lambda). */
export function isSnsEnvelope(value: unknown): value is Raw {
  return (
    isObject(value) &&
    value.Type === 'Notification' &&
    typeof value.TopicArn === 'string' &&
    typeof value.Message === 'string' &&
    typeof value.MessageId === 'string'
  );
}

/** An SNS envelope (the `Sns` of a Lambda record, or an SQS body) as a message. */
export function snsMessage(envelope: Raw, delivery: Delivery): SnsMessage<string> {
  const what = 'SNS message';
  const topicArn = text(envelope, 'TopicArn', what);
  const topic = nameFromArn(topicArn);
  if (topic === undefined) throw new InvalidEventError(`${what}: "TopicArn" is not a topic ARN`);
  const attributes: Record<string, { type: string; value: string }> = Object.create(null);
  if (isObject(envelope.MessageAttributes)) {
    for (const [name, attr] of Object.entries(envelope.MessageAttributes)) {
      if (isObject(attr) && typeof attr.Value === 'string')
        attributes[name] = { type: optionalText(attr, 'Type') ?? 'String', value: attr.Value };
    }
  }
  const message = text(envelope, 'Message', what);
  const subject = optionalText(envelope, 'Subject');
  return {
    kind: 'sns',
    messageId: text(envelope, 'MessageId', what),
    topic,
    topicArn,
    subject: subject === '' ? undefined : subject,
    message,
    rawMessage: message,
    timestamp: date(envelope.Timestamp),
    attributes,
    delivery,
  };
}

/** Whether a parsed JSON value is an S3 event notification (`Records` of `aws:s3`). */
export function isS3Notification(value: unknown): value is { Records: Raw[] } {
  return (
    isObject(value) &&
    Array.isArray(value.Records) &&
    value.Records.length > 0 &&
    value.Records.every((r) => isObject(r) && r.eventSource === 'aws:s3')
  );
}

/** S3's test message, sent once when a notification destination is configured. */
export function isS3TestEvent(value: unknown): boolean {
  return isObject(value) && value.Event === 's3:TestEvent' && value.Service === 'Amazon S3';
}

// Notification keys are form-encoded: `+` for a space, `%XX` for the rest.
function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    throw new InvalidEventError('S3 record: the object key is not valid URL encoding');
  }
}

/** One record of an S3 notification. */
export function s3NotificationRecord(record: Raw, delivery: Delivery): S3ObjectEvent {
  const what = 'S3 record';
  const s3 = isObject(record.s3) ? record.s3 : {};
  const bucket = isObject(s3.bucket) ? s3.bucket : {};
  const object = isObject(s3.object) ? s3.object : {};
  const size = object.size;
  return {
    kind: 's3',
    bucket: text(bucket, 'name', `${what} bucket`),
    key: decodeKey(text(object, 'key', `${what} object`)),
    eventName: text(record, 'eventName', what),
    eventTime: date(record.eventTime),
    size: typeof size === 'number' ? size : undefined,
    eTag: optionalText(object, 'eTag'),
    versionId: optionalText(object, 'versionId'),
    sequencer: optionalText(object, 'sequencer'),
    region: optionalText(record, 'awsRegion'),
    delivery,
  };
}

/** Whether a parsed JSON value is an EventBridge event. */
export function isEventBridgeEvent(value: unknown): value is Raw {
  return (
    isObject(value) &&
    typeof value['detail-type'] === 'string' &&
    typeof value.source === 'string' &&
    'detail' in value
  );
}

/** An EventBridge event, its detail not yet validated. */
export function eventBridgeEvent(event: Raw, delivery: Delivery): EventBridgeEvent<unknown> {
  const what = 'EventBridge event';
  return {
    kind: 'eventbridge',
    id: text(event, 'id', what),
    source: text(event, 'source', what),
    detailType: text(event, 'detail-type', what),
    detail: event.detail,
    account: optionalText(event, 'account') ?? '',
    region: optionalText(event, 'region') ?? '',
    time: date(event.time),
    resources: Array.isArray(event.resources)
      ? event.resources.filter((r): r is string => typeof r === 'string')
      : [],
    delivery,
  };
}

// EventBridge names S3 events by what happened ("Object Created", reason "PutObject"); notifications
// by event name ("ObjectCreated:Put"). One vocabulary for both lets one registration filter either.
const CREATED_REASONS: Readonly<Record<string, string>> = {
  PutObject: 'Put',
  POST: 'Post',
  CopyObject: 'Copy',
  CompleteMultipartUpload: 'CompleteMultipartUpload',
};

/** The S3 notification event name an S3 EventBridge event stands for, or undefined if none does. */
export function s3EventNameOf(detailType: string, detail: Raw): string | undefined {
  const reason = optionalText(detail, 'reason');
  switch (detailType) {
    case 'Object Created':
      return `ObjectCreated:${CREATED_REASONS[reason ?? ''] ?? reason ?? 'Put'}`;
    case 'Object Deleted':
      return `${reason === 'Lifecycle Expiration' ? 'LifecycleExpiration' : 'ObjectRemoved'}:${
        optionalText(detail, 'deletion-type') === 'Delete Marker Created' ? 'DeleteMarkerCreated' : 'Delete'
      }`;
    case 'Object Restore Initiated':
      return 'ObjectRestore:Post';
    case 'Object Restore Completed':
      return 'ObjectRestore:Completed';
    case 'Object Restore Expired':
      return 'ObjectRestore:Delete';
    case 'Object Storage Class Changed':
      return 'LifecycleTransition';
    case 'Object Tags Added':
      return 'ObjectTagging:Put';
    case 'Object Tags Deleted':
      return 'ObjectTagging:Delete';
    case 'Object ACL Updated':
      return 'ObjectAcl:Put';
    default:
      return undefined;
  }
}

/** An S3 event EventBridge delivered, in the same shape as a notification's; undefined for other S3 events. */
export function s3FromEventBridge(event: EventBridgeEvent<unknown>): S3ObjectEvent | undefined {
  if (event.source !== 'aws.s3' || !isObject(event.detail)) return undefined;
  const detail = event.detail;
  const eventName = s3EventNameOf(event.detailType, detail);
  const bucket = isObject(detail.bucket) ? optionalText(detail.bucket, 'name') : undefined;
  const object = isObject(detail.object) ? detail.object : undefined;
  const key = optionalText(object, 'key');
  if (eventName === undefined || bucket === undefined || key === undefined) return undefined;
  const size = object?.size;
  return {
    kind: 's3',
    bucket,
    // EventBridge delivers keys as stored, not URL-encoded.
    key,
    eventName,
    eventTime: event.time,
    size: typeof size === 'number' ? size : undefined,
    eTag: optionalText(object, 'etag'),
    versionId: optionalText(object, 'version-id'),
    sequencer: optionalText(object, 'sequencer'),
    region: event.region,
    delivery: event.delivery === 'direct' ? 'eventbridge' : event.delivery,
  };
}

/** A Kinesis record with its data still as bytes and text (validation comes later). */
export function kinesisRecord(record: Raw): KinesisRecord<string> & { readonly text: string | undefined } {
  const what = 'Kinesis record';
  const kinesis = isObject(record.kinesis) ? record.kinesis : {};
  const arn = text(record, 'eventSourceARN', what);
  const stream = nameFromArn(arn);
  if (stream === undefined) throw new InvalidEventError(`${what}: "eventSourceARN" is not a stream ARN`);
  const eventId = text(record, 'eventID', what);
  const bytes = base64(kinesis.data, `${what} data`);
  return {
    kind: 'kinesis',
    eventId,
    stream,
    shardId: eventId.includes(':') ? (eventId.split(':')[0] as string) : '',
    partitionKey: optionalText(kinesis, 'partitionKey') ?? '',
    sequenceNumber: text(kinesis, 'sequenceNumber', `${what} kinesis`),
    data: '',
    bytes,
    text: undefined,
    arrivedAt: date(
      typeof kinesis.approximateArrivalTimestamp === 'number'
        ? kinesis.approximateArrivalTimestamp * 1000
        : Number.NaN,
    ),
  };
}
