import type { LambdaContext } from '../context/lambda.js';
import type { LoggerLike } from '../context/logger-like.js';
import type { TraceContext } from '../observability/tracing.js';

/** The event sources an app consumes besides HTTP. */
export type RecordSource = 'sqs' | 'sns' | 's3' | 'eventbridge' | 'schedule' | 'dynamodb' | 'kinesis';

/** How a record reached the function: directly, or wrapped in another source's message. */
export type Delivery = 'direct' | 'sqs' | 'sns' | 'eventbridge';

/** An SQS message attribute; binary values are decoded from base64. */
export interface SqsMessageAttribute {
  readonly dataType: string;
  readonly stringValue?: string;
  readonly binaryValue?: Uint8Array;
}

/** One SQS message, its body parsed and validated when the registration has a `body` schema. */
export interface SqsMessage<B = string> {
  /** Which source the record is from; tells record types apart in middleware. */
  readonly kind: 'sqs';
  readonly messageId: string;
  /** The queue's name, from the record's ARN. */
  readonly queue: string;
  readonly queueArn: string;
  /** The body: the schema's output when the registration declares `body` (parsed as JSON), else the text. */
  readonly body: B;
  /** The body as delivered. */
  readonly rawBody: string;
  readonly receiptHandle: string;
  /** How many times the message has been received, this time included. */
  readonly receiveCount: number;
  readonly sentAt: Date;
  /** FIFO queues only. */
  readonly messageGroupId: string | undefined;
  readonly messageDeduplicationId: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, SqsMessageAttribute>>;
}

/** One SNS notification, delivered to the function or through an SQS queue subscribed to the topic. */
export interface SnsMessage<M = string> {
  /** Which source the record is from; tells record types apart in middleware. */
  readonly kind: 'sns';
  readonly messageId: string;
  /** The topic's name, from its ARN. */
  readonly topic: string;
  readonly topicArn: string;
  readonly subject: string | undefined;
  /** The message: the schema's output when the registration declares `message` (parsed as JSON), else the text. */
  readonly message: M;
  readonly rawMessage: string;
  readonly timestamp: Date;
  readonly attributes: Readonly<Record<string, { readonly type: string; readonly value: string }>>;
  readonly delivery: Delivery;
}

/** One S3 object event, from an S3 notification (direct, through SQS or SNS) or from EventBridge. */
export interface S3ObjectEvent {
  /** Which source the record is from; tells record types apart in middleware. */
  readonly kind: 's3';
  readonly bucket: string;
  /** The object key, decoded (notifications deliver it URL-encoded, spaces as `+`). */
  readonly key: string;
  /** In S3 notification terms, for either delivery: `ObjectCreated:Put`, `ObjectRemoved:Delete`, ... */
  readonly eventName: string;
  readonly eventTime: Date;
  readonly size: number | undefined;
  readonly eTag: string | undefined;
  readonly versionId: string | undefined;
  readonly sequencer: string | undefined;
  readonly region: string | undefined;
  readonly delivery: Delivery;
}

/** One EventBridge event. */
export interface EventBridgeEvent<D = unknown> {
  /** Which source the record is from; tells record types apart in middleware. */
  readonly kind: 'eventbridge';
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  /** The detail: the schema's output when the registration declares `detail`. */
  readonly detail: D;
  readonly account: string;
  readonly region: string;
  readonly time: Date;
  readonly resources: readonly string[];
  readonly delivery: Delivery;
}

/** What a schedule's handler learns about the firing. */
export interface ScheduleFiring {
  /** Which source the record is from; tells record types apart in middleware. */
  readonly kind: 'schedule';
  readonly name: string;
  /** When it was due (EventBridge Scheduler's scheduled time, or the rule event's time). */
  readonly time: Date;
  /** EventBridge Scheduler's execution id and attempt, when it sent them. */
  readonly executionId: string | undefined;
  readonly attempt: number | undefined;
  /** `scheduler` (Lift's own payload), `rule` (an EventBridge scheduled rule), `local` (lift dev, lift invoke). */
  readonly origin: 'scheduler' | 'rule' | 'local';
}

/** A DynamoDB Streams change, its images unmarshalled into plain values. */
export interface DynamoDBChange<N = Record<string, unknown>, O = Record<string, unknown>> {
  /** Which source the record is from; tells record types apart in middleware. */
  readonly kind: 'dynamodb';
  readonly eventId: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  /** The table's name, from the stream ARN. */
  readonly table: string;
  readonly keys: Record<string, unknown>;
  /** The item after the change (INSERT, MODIFY) when the stream view includes new images. */
  readonly newImage: N | undefined;
  /** The item before the change (MODIFY, REMOVE) when the stream view includes old images. */
  readonly oldImage: O | undefined;
  readonly sequenceNumber: string;
  readonly approximateCreationTime: Date | undefined;
  readonly sizeBytes: number | undefined;
  readonly streamViewType: string | undefined;
  /** A deletion by DynamoDB's time to live, not by a caller. */
  readonly expiredByTtl: boolean;
}

/** A Kinesis record, its data decoded. */
export interface KinesisRecord<D = string> {
  /** Which source the record is from; tells record types apart in middleware. */
  readonly kind: 'kinesis';
  readonly eventId: string;
  /** The stream's name, from its ARN. */
  readonly stream: string;
  readonly shardId: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  /** The data: the schema's output when the registration declares `data` (parsed as JSON), else UTF-8 text. */
  readonly data: D;
  /** The data's bytes as sent. */
  readonly bytes: Uint8Array;
  readonly arrivedAt: Date;
}

/** Any record a registration receives. */
export type AnyRecord =
  | SqsMessage<unknown>
  | SnsMessage<unknown>
  | S3ObjectEvent
  | EventBridgeEvent<unknown>
  | ScheduleFiring
  | DynamoDBChange<unknown, unknown>
  | KinesisRecord<unknown>;

/** What a record's handler and record middleware get besides the record. */
export interface RecordContext<S extends object = Record<string, unknown>> {
  readonly source: RecordSource;
  /** The registration's resource: queue, topic, bucket, table or stream name, event source, schedule name. */
  readonly name: string;
  /** The record's own id (message id, event id, sequence number, schedule execution). */
  readonly recordId: string;
  /** The invocation's request id (Lambda's `awsRequestId`). */
  readonly requestId: string;
  readonly service: string;
  readonly lambda: LambdaContext | undefined;
  /** The trace the record belongs to (its `traceparent` or `AWSTraceHeader`), else the invocation's. */
  readonly trace: TraceContext;
  /** The app's logger with the record's ids on every line. */
  readonly log: LoggerLike;
  /** Aborts shortly before the Lambda deadline; pass it to outbound calls. */
  readonly signal: AbortSignal;
  /** Milliseconds until Lambda stops this invocation (`Infinity` outside Lambda). */
  remainingMs(): number;
  /** State shared between record middleware and the handler, per record. */
  readonly state: S;
}
