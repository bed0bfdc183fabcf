import { parseJsonSafely } from '../body/json.js';
import { InvalidEventError } from '../errors/errors.js';
import { parseTraceparent, parseXRayHeader, type TraceContext } from '../observability/tracing.js';
import { nameFromArn } from './names.js';
import {
  eventBridgeEvent,
  isEventBridgeEvent,
  isObject,
  isS3Notification,
  isS3TestEvent,
  isSnsEnvelope,
  kinesisRecord,
  s3FromEventBridge,
  s3NotificationRecord,
  snsMessage,
  sqsMessage,
  text,
} from './records.js';
import { type EventRegistry, type Registration, type S3Options, s3Accepts } from './registry.js';
import { firingOf, isSchedulePayload } from './schedule.js';
import type { AnyRecord, Delivery, EventBridgeEvent, RecordSource, SqsMessage } from './types.js';

/** One unit of work for a registration: the record it receives and its ids. */
export interface Target {
  readonly registration: Registration;
  readonly record: AnyRecord;
  /** The registration's resource name for this record (the queue, topic, bucket, ...). */
  readonly name: string;
  readonly recordId: string;
  readonly trace: TraceContext | undefined;
}

/**
 * One item of an invocation: what Lambda counts as a record (and reports by `id` in a partial
 * batch), with the registrations it reaches. An S3 notification carried by one SQS message can reach
 * several; a test notification reaches none and is acknowledged.
 */
export interface Item {
  readonly id: string;
  /** The FIFO message group, for SQS FIFO queues. */
  readonly group: string | undefined;
  readonly targets: readonly Target[];
  /** Why nothing claims the item, when nothing does. */
  readonly unclaimed: string | undefined;
  /** The SQS message the item came in, for visibility backoff. */
  readonly sqs: SqsMessage<string> | undefined;
  /** For logs: what kind of record arrived (`sqs`, `kinesis`, ...). */
  readonly source: RecordSource;
}

/** How Lambda expects the invocation to answer. */
export type Mode = 'sqs' | 'stream' | 'async';

/** An invocation's items and how to answer it. */
export interface Resolved {
  readonly mode: Mode;
  readonly items: Item[];
}

type Raw = Record<string, unknown>;

/**
 * The registry's lookups for one invocation. A batch comes from one queue, topic or stream, so its
 * records share their ARN and registration: each is worked out once (the name from the ARN, the
 * deployment's name map from the environment, the search of registrations), not once a record.
 * Lookups that filter (S3 prefixes and event names) are not kept.
 */
interface Lookups {
  /** The resource name in an ARN ({@link nameFromArn}). */
  nameOf(arn: string): string | undefined;
  /** {@link EventRegistry.find}, the last unfiltered answer kept. */
  find(source: RecordSource, name: string, accept?: (r: Registration) => boolean): Registration | undefined;
}

function lookups(registry: EventRegistry): Lookups {
  let arn: string | undefined;
  let arnName: string | undefined;
  let source: RecordSource | undefined;
  let name: string | undefined;
  let found: Registration | undefined;
  return {
    nameOf(next) {
      if (next !== arn) {
        arnName = nameFromArn(next);
        arn = next;
      }
      return arnName;
    },
    find(nextSource, nextName, accept) {
      if (accept !== undefined) return registry.find(nextSource, nextName, accept);
      if (nextSource !== source || nextName !== name) {
        found = registry.find(nextSource, nextName);
        source = nextSource;
        name = nextName;
      }
      return found;
    },
  };
}

function unclaimedItem(id: string, source: RecordSource, why: string, sqs?: SqsMessage<string>): Item {
  return { id, group: sqs?.messageGroupId, targets: [], unclaimed: why, sqs, source };
}

function claimed(id: string, source: RecordSource, targets: Target[], sqs?: SqsMessage<string>): Item {
  return { id, group: sqs?.messageGroupId, targets, unclaimed: undefined, sqs, source };
}

function eventBridgeTargets(lookup: Lookups, event: EventBridgeEvent<unknown>): Target[] | string {
  const reg = lookup.find('eventbridge', `${event.source}\n${event.detailType}`);
  if (reg !== undefined)
    return [{ registration: reg, record: event, name: event.source, recordId: event.id, trace: undefined }];
  const s3 = s3FromEventBridge(event);
  if (s3 !== undefined) {
    const found = lookup.find('s3', s3.bucket, (r) =>
      s3Accepts(r.options as S3Options<object>, s3.eventName, s3.key),
    );
    if (found !== undefined)
      return [{ registration: found, record: s3, name: s3.bucket, recordId: event.id, trace: undefined }];
    return `S3 event ${s3.eventName} for bucket "${s3.bucket}"`;
  }
  if (event.source === 'aws.events' && event.detailType === 'Scheduled Event') {
    const rule = nameFromArn(event.resources[0]);
    const reg = rule === undefined ? undefined : lookup.find('schedule', rule);
    if (reg !== undefined && rule !== undefined) {
      const firing = {
        kind: 'schedule' as const,
        name: rule,
        time: event.time,
        executionId: event.id,
        attempt: undefined,
        origin: 'rule' as const,
      };
      return [{ registration: reg, record: firing, name: rule, recordId: event.id, trace: undefined }];
    }
    return `scheduled event of rule "${rule ?? '?'}"`;
  }
  return `EventBridge event source "${event.source}", detail-type "${event.detailType}"`;
}

// What an SQS body or SNS message may carry, for a queue or topic without a registration of its own.
function payloadTargets(
  lookup: Lookups,
  textValue: string,
  delivery: Delivery,
  id: string,
): Target[] | 'test' | string {
  let value: unknown;
  try {
    value = parseJsonSafely(textValue);
  } catch {
    return 'a message that is not JSON';
  }
  if (isSnsEnvelope(value)) {
    const message = snsMessage(value, delivery);
    const reg = lookup.find('sns', message.topic);
    if (reg !== undefined)
      return [
        {
          registration: reg,
          record: message,
          name: message.topic,
          recordId: message.messageId,
          trace: snsTrace(value),
        },
      ];
    const inner = payloadTargets(lookup, message.message, 'sns', id);
    return typeof inner === 'string' && inner !== 'test'
      ? `SNS topic "${message.topic}" carrying ${inner}`
      : inner;
  }
  if (isS3TestEvent(value)) return 'test';
  if (isS3Notification(value)) {
    const targets: Target[] = [];
    for (const record of value.Records) {
      const s3 = s3NotificationRecord(record, delivery);
      const reg = lookup.find('s3', s3.bucket, (r) =>
        s3Accepts(r.options as S3Options<object>, s3.eventName, s3.key),
      );
      if (reg === undefined) return `S3 event ${s3.eventName} for bucket "${s3.bucket}"`;
      targets.push({
        registration: reg,
        record: s3,
        name: s3.bucket,
        recordId: `${id}/${s3.sequencer ?? targets.length}`,
        trace: undefined,
      });
    }
    return targets;
  }
  if (isEventBridgeEvent(value)) return eventBridgeTargets(lookup, eventBridgeEvent(value, delivery));
  return 'a message no registration recognises';
}

// A malformed payload inside one message is that message's failure, not the whole batch's.
function carried(
  lookup: Lookups,
  textValue: string,
  delivery: Delivery,
  id: string,
): Target[] | 'test' | string {
  try {
    return payloadTargets(lookup, textValue, delivery, id);
  } catch (error) {
    if (error instanceof InvalidEventError) return `a malformed message (${error.message})`;
    throw error;
  }
}

function sqsTrace(message: SqsMessage<string>): TraceContext | undefined {
  const traceparent = message.messageAttributes.traceparent?.stringValue;
  return parseTraceparent(traceparent) ?? parseXRayHeader(message.attributes.AWSTraceHeader);
}

function snsTrace(envelope: Raw): TraceContext | undefined {
  const attrs = isObject(envelope.MessageAttributes) ? envelope.MessageAttributes : {};
  const tp =
    isObject(attrs.traceparent) && typeof attrs.traceparent.Value === 'string'
      ? attrs.traceparent.Value
      : undefined;
  return parseTraceparent(tp);
}

function sqsItem(lookup: Lookups, record: Raw): Item {
  const message = sqsMessage(record, lookup.nameOf);
  const reg = lookup.find('sqs', message.queue);
  const trace = sqsTrace(message);
  if (reg !== undefined)
    return claimed(
      message.messageId,
      'sqs',
      [{ registration: reg, record: message, name: message.queue, recordId: message.messageId, trace }],
      message,
    );
  const targets = carried(lookup, message.body, 'sqs', message.messageId);
  if (targets === 'test') return claimed(message.messageId, 'sqs', [], message);
  if (typeof targets === 'string')
    return unclaimedItem(message.messageId, 'sqs', `SQS queue "${message.queue}" (${targets})`, message);
  return claimed(
    message.messageId,
    'sqs',
    targets.map((t) => ({ ...t, trace: t.trace ?? trace })),
    message,
  );
}

function snsItem(lookup: Lookups, record: Raw): Item {
  const envelope = isObject(record.Sns) ? record.Sns : {};
  const message = snsMessage(envelope, 'direct');
  const reg = lookup.find('sns', message.topic);
  if (reg !== undefined)
    return claimed(message.messageId, 'sns', [
      {
        registration: reg,
        record: message,
        name: message.topic,
        recordId: message.messageId,
        trace: snsTrace(envelope),
      },
    ]);
  const targets = carried(lookup, message.message, 'sns', message.messageId);
  if (targets === 'test') return claimed(message.messageId, 'sns', []);
  if (typeof targets === 'string')
    return unclaimedItem(message.messageId, 'sns', `SNS topic "${message.topic}" (${targets})`);
  return claimed(message.messageId, 'sns', targets);
}

function s3Item(lookup: Lookups, record: Raw, index: number): Item {
  const s3 = s3NotificationRecord(record, 'direct');
  const id = s3.sequencer ?? String(index);
  const reg = lookup.find('s3', s3.bucket, (r) =>
    s3Accepts(r.options as S3Options<object>, s3.eventName, s3.key),
  );
  if (reg === undefined)
    return unclaimedItem(
      id,
      's3',
      `S3 event ${s3.eventName} for bucket "${s3.bucket}" key "${s3.key.slice(0, 100)}"`,
    );
  return claimed(id, 's3', [
    { registration: reg, record: s3, name: s3.bucket, recordId: id, trace: undefined },
  ]);
}

function streamItem(lookup: Lookups, record: Raw, source: 'dynamodb' | 'kinesis'): Item {
  const arn = text(
    record,
    'eventSourceARN',
    source === 'dynamodb' ? 'DynamoDB Streams record' : 'Kinesis record',
  );
  const name = lookup.nameOf(arn);
  if (name === undefined)
    throw new InvalidEventError(
      `${source} record: "eventSourceARN" is not a ${source === 'dynamodb' ? 'table stream' : 'stream'} ARN`,
    );
  let id: string;
  let recordValue: AnyRecord;
  if (source === 'kinesis') {
    const k = kinesisRecord(record);
    id = k.sequenceNumber;
    recordValue = k;
  } else {
    const ddb = isObject(record.dynamodb) ? record.dynamodb : {};
    id = text(ddb, 'SequenceNumber', 'DynamoDB Streams record');
    // Unmarshalled when the record runs: the codec is loaded lazily.
    recordValue = record as unknown as AnyRecord;
  }
  const reg = lookup.find(source, name);
  if (reg === undefined)
    return unclaimedItem(
      id,
      source,
      `${source === 'dynamodb' ? 'DynamoDB table' : 'Kinesis stream'} "${name}"`,
    );
  return claimed(id, source, [
    { registration: reg, record: recordValue, name, recordId: id, trace: undefined },
  ]);
}

// A Map, not an object: an `eventSource` of "constructor" or "__proto__" must find nothing.
const MODES = new Map<string, { mode: Mode; source: RecordSource }>([
  ['aws:sqs', { mode: 'sqs', source: 'sqs' }],
  ['aws:sns', { mode: 'async', source: 'sns' }],
  ['aws:s3', { mode: 'async', source: 's3' }],
  ['aws:dynamodb', { mode: 'stream', source: 'dynamodb' }],
  ['aws:kinesis', { mode: 'stream', source: 'kinesis' }],
]);

/** A short description of an event nothing recognises, for the error (never its values). */
export function describeEvent(event: unknown): string {
  if (!isObject(event)) return `a ${Array.isArray(event) ? 'list' : event === null ? 'null' : typeof event}`;
  const keys = Object.keys(event)
    .slice(0, 8)
    .map((k) => JSON.stringify(k.slice(0, 40)));
  return `an object with keys ${keys.join(', ')}${Object.keys(event).length > 8 ? ', ...' : ''}`;
}

/**
 * Reads an event into items and their registrations, or returns `undefined` when it is no event
 * source Lift knows. Malformed records of a known source are an {@link InvalidEventError}.
 */
export function resolveEvent(registry: EventRegistry, event: unknown, now: number): Resolved | undefined {
  if (!isObject(event)) return undefined;
  const lookup = lookups(registry);
  if (Array.isArray(event.Records)) {
    const records = event.Records;
    const first = records[0];
    const key = isObject(first) ? (first.eventSource ?? first.EventSource) : undefined;
    const kind = typeof key === 'string' ? MODES.get(key) : undefined;
    if (kind === undefined) return undefined;
    const items: Item[] = [];
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      if (!isObject(record) || (record.eventSource ?? record.EventSource) !== key)
        throw new InvalidEventError(`record ${i} is not an ${String(key)} record like the first`);
      if (kind.source === 'sqs') items.push(sqsItem(lookup, record));
      else if (kind.source === 'sns') items.push(snsItem(lookup, record));
      else if (kind.source === 's3') items.push(s3Item(lookup, record, i));
      else items.push(streamItem(lookup, record, kind.source as 'dynamodb' | 'kinesis'));
    }
    return { mode: kind.mode, items };
  }
  if (isSchedulePayload(event)) {
    const firing = firingOf(event, now);
    const reg = lookup.find('schedule', firing.name);
    const id = firing.executionId ?? `${firing.name}@${firing.time.toISOString()}`;
    return {
      mode: 'async',
      items: [
        reg === undefined
          ? unclaimedItem(id, 'schedule', `schedule "${firing.name}"`)
          : claimed(id, 'schedule', [
              { registration: reg, record: firing, name: firing.name, recordId: id, trace: undefined },
            ]),
      ],
    };
  }
  if (isEventBridgeEvent(event)) {
    const eb = eventBridgeEvent(event, 'direct');
    const targets = eventBridgeTargets(lookup, eb);
    return {
      mode: 'async',
      items: [
        typeof targets === 'string'
          ? unclaimedItem(eb.id, 'eventbridge', targets)
          : claimed(eb.id, 'eventbridge', targets),
      ],
    };
  }
  return undefined;
}
