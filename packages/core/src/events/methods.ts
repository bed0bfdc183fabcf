import type { RecordIdempotency } from '../idempotency/routes.js';
import type { Infer, StandardSchemaV1 } from '../schema/validate.js';
import type {
  DynamoDBStreamOptions,
  EventBridgeOptions,
  EventBridgePattern,
  KinesisOptions,
  RecordMiddleware,
  RecordOptions,
  S3Options,
  SnsOptions,
  SqsOptions,
} from './registry.js';
import type { ScheduleDeclaration } from './schedule.js';
import type {
  DynamoDBChange,
  EventBridgeEvent,
  KinesisRecord,
  RecordContext,
  S3ObjectEvent,
  ScheduleFiring,
  SnsMessage,
  SqsMessage,
} from './types.js';

// The typed registration methods of an app. The output type of a declared schema becomes the type of
// the record's field; without one the field keeps its wire type.
type Out<O, K extends string, F> = O extends { readonly [P in K]: infer X } ? Infer<X, F> : F;
type SchemaOut<B, F> = B extends StandardSchemaV1 ? Infer<B, F> : F;

/** A record handler: what it returns is ignored; a throw fails the record. */
export type RecordHandler<R, S extends object> = (record: R, ctx: RecordContext<S>) => unknown;

/** `app.sqs(queue, [options], handler)`. */
export interface SqsMethod<S extends object, Self> {
  <B extends StandardSchemaV1 | undefined = undefined>(
    queue: string,
    options: SqsOptions<S> & {
      readonly body?: B;
      readonly idempotency?: RecordIdempotency<SqsMessage<SchemaOut<B, string>>>;
    },
    handler: RecordHandler<SqsMessage<SchemaOut<B, string>>, S>,
  ): Self;
  (queue: string, handler: RecordHandler<SqsMessage<string>, S>): Self;
}

/** `app.sns(topic, [options], handler)`. */
export interface SnsMethod<S extends object, Self> {
  <O extends SnsOptions<S>>(
    topic: string,
    options: O,
    handler: RecordHandler<SnsMessage<Out<O, 'message', string>>, S>,
  ): Self;
  (topic: string, handler: RecordHandler<SnsMessage<string>, S>): Self;
}

/** `app.s3(bucket, [options], handler)`. */
export interface S3Method<S extends object, Self> {
  (bucket: string, options: S3Options<S>, handler: RecordHandler<S3ObjectEvent, S>): Self;
  (bucket: string, handler: RecordHandler<S3ObjectEvent, S>): Self;
}

/** `app.eventBridge(pattern, [options], handler)`. */
export interface EventBridgeMethod<S extends object, Self> {
  <O extends EventBridgeOptions<S>>(
    pattern: EventBridgePattern,
    options: O,
    handler: RecordHandler<EventBridgeEvent<Out<O, 'detail', unknown>>, S>,
  ): Self;
  (pattern: EventBridgePattern, handler: RecordHandler<EventBridgeEvent<unknown>, S>): Self;
}

/** What a schedule's handler gets: a record context with the firing. */
export interface ScheduleContext<S extends object = Record<string, unknown>> extends RecordContext<S> {
  readonly schedule: ScheduleFiring;
}

/** A schedule's handler. */
export type ScheduleHandler<S extends object> = (ctx: ScheduleContext<S>) => unknown;

/** `app.schedule(name, declaration, [options], handler)`. */
export interface ScheduleMethod<S extends object, Self> {
  (
    name: string,
    declaration: ScheduleDeclaration,
    options: RecordOptions<S>,
    handler: ScheduleHandler<S>,
  ): Self;
  (name: string, declaration: ScheduleDeclaration, handler: ScheduleHandler<S>): Self;
}

/** `app.dynamodbStream(table, [options], handler)`. */
export interface DynamoDBStreamMethod<S extends object, Self> {
  <O extends DynamoDBStreamOptions<S>>(
    table: string,
    options: O,
    handler: RecordHandler<
      DynamoDBChange<
        Out<O, 'newImage', Record<string, unknown>>,
        Out<O, 'oldImage', Record<string, unknown>>
      >,
      S
    >,
  ): Self;
  (table: string, handler: RecordHandler<DynamoDBChange, S>): Self;
}

/** `app.kinesis(stream, [options], handler)`. */
export interface KinesisMethod<S extends object, Self> {
  <O extends KinesisOptions<S>>(
    stream: string,
    options: O,
    handler: RecordHandler<KinesisRecord<Out<O, 'data', string>>, S>,
  ): Self;
  (stream: string, handler: RecordHandler<KinesisRecord<string>, S>): Self;
}

/**
 * The record registration methods an app (`createApp({ records: records() })`) and a worker
 * (`createWorker()`) both have. Each registers on its owner and returns it, for chaining.
 */
export interface RecordHost<S extends object> {
  /** Consumes an SQS queue (by name or glob); answers with the failed messages only. */
  readonly sqs: SqsMethod<S, this>;
  /** Consumes an SNS topic, delivered to the function or through a subscribed queue. */
  readonly sns: SnsMethod<S, this>;
  /** Consumes a bucket's object events, from notifications (direct, SQS, SNS) or EventBridge. */
  readonly s3: S3Method<S, this>;
  /** Consumes DynamoDB Streams changes of a table, images unmarshalled. */
  readonly dynamodbStream: DynamoDBStreamMethod<S, this>;
  /** Consumes a Kinesis stream, data decoded. */
  readonly kinesis: KinesisMethod<S, this>;
  /** Consumes EventBridge events matching a pattern of source and detail type. */
  readonly eventBridge: EventBridgeMethod<S, this>;
  /**
   * Declares a schedule and its handler. The declaration is the only description of it: `lift dev`
   * runs it on its clock, deployment creates it from `schedules()`.
   */
  readonly schedule: ScheduleMethod<S, this>;
  /** Adds record middleware: it runs around every record's handler, before each registration's own. */
  readonly useRecords: (...middleware: RecordMiddleware<S>[]) => this;
}
