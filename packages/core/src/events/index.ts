/**
 * `@lift/core/events`: the record types and options of every event source an app consumes besides
 * HTTP (`app.sqs`, `app.sns`, `app.s3`, `app.eventBridge`, `app.schedule`, `app.dynamodbStream`,
 * `app.kinesis`), and what deployment tools read from a declared schedule.
 */
export { backoffSeconds } from './backoff.js';
export type { BatchResponse } from './dispatcher.js';
export { type EventBridgeManifest, type RecordManifest, Records, records } from './feature.js';
export type {
  DynamoDBStreamMethod,
  EventBridgeMethod,
  KinesisMethod,
  RecordHandler,
  RecordHost,
  S3Method,
  ScheduleContext,
  ScheduleHandler,
  ScheduleMethod,
  SnsMethod,
  SqsMethod,
} from './methods.js';
export { nameFromArn } from './names.js';
export type {
  BackoffOptions,
  BatchOptions,
  ChangeName,
  DynamoDBStreamOptions,
  EventBridgeOptions,
  EventBridgePattern,
  KinesisOptions,
  RecordMiddleware,
  RecordNext,
  RecordOptions,
  S3Options,
  SnsOptions,
  SqsOptions,
} from './registry.js';
export {
  SCHEDULE_KEY,
  type ScheduleDeclaration,
  type ScheduleInfo,
  type ScheduleTiming,
  scheduleInput,
} from './schedule.js';
export type {
  AnyRecord,
  Delivery,
  DynamoDBChange,
  EventBridgeEvent,
  KinesisRecord,
  RecordContext,
  RecordSource,
  S3ObjectEvent,
  ScheduleFiring,
  SnsMessage,
  SqsMessage,
  SqsMessageAttribute,
} from './types.js';
