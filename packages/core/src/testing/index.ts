/**
 * `@lift/core/testing`: event factories for every HTTP source and every record source, a fake Lambda
 * context, and the helpers behind `app.request`.
 */
export {
  type AlbEventOptions,
  albEvent,
  functionUrlEvent,
  type HttpEventInit,
  httpApiEvent,
  restApiEvent,
} from './events.js';
export { type FakeLambdaContextOptions, fakeLambdaContext } from './lambda-context.js';
export {
  type EventBridgeEventInit,
  eventBridgeEvent,
  type MessageAttributeValue,
  type RecordsEvent,
  type ResourceOptions,
  type S3EventOptions,
  type S3ObjectInit,
  type ScheduledRuleEventOptions,
  type ScheduleEventOptions,
  type SnsEventOptions,
  type SnsMessageInit,
  type SqsEventOptions,
  type SqsMessageInit,
  s3Event,
  s3NotificationKey,
  scheduledRuleEvent,
  scheduleEvent,
  snsEvent,
  sqsEvent,
} from './records.js';
export {
  type DynamoDBChangeInit,
  type DynamoDBStreamEventOptions,
  dynamodbStreamEvent,
  type KinesisEventOptions,
  type KinesisRecordInit,
  kinesisEvent,
} from './records-streams.js';
export {
  readResult,
  requestThrough,
  type TestRequestInit,
  type TestResponse,
  type TestSource,
} from './request.js';
