import { ConfigurationError } from '../errors/errors.js';
import type { RecordEngine } from '../events/feature.js';
import type {
  DynamoDBStreamMethod,
  EventBridgeMethod,
  KinesisMethod,
  S3Method,
  ScheduleMethod,
  SnsMethod,
  SqsMethod,
} from '../events/methods.js';
import type { EventBridgePattern, RecordMiddleware } from '../events/registry.js';
import type { ScheduleDeclaration } from '../events/schedule.js';
import type { RecordSource } from '../events/types.js';

/** @internal The record registration methods an app and a worker both have, returning `Self`. */
export interface RecordMethods<S extends object, Self> {
  readonly sqs: SqsMethod<S, Self>;
  readonly sns: SnsMethod<S, Self>;
  readonly s3: S3Method<S, Self>;
  readonly dynamodbStream: DynamoDBStreamMethod<S, Self>;
  readonly kinesis: KinesisMethod<S, Self>;
  readonly eventBridge: EventBridgeMethod<S, Self>;
  readonly schedule: ScheduleMethod<S, Self>;
  readonly useRecords: (...middleware: RecordMiddleware<S>[]) => Self;
}

/**
 * @internal The record methods of `self`, written once for `createApp` and `createWorker`: each asks
 * `engineFor` for the record engine (which refuses when the owner is frozen or has none), registers,
 * and returns `self` for chaining.
 */
export function recordMethods<S extends object, Self>(
  self: Self,
  engineFor: (action: string, method: string) => RecordEngine,
): RecordMethods<S, Self> {
  const register = (source: RecordSource, what: string, name: string, a: unknown, b: unknown): Self => {
    engineFor(`register ${what}(${JSON.stringify(name)})`, what).add(source, what, name, a, b);
    return self;
  };
  return {
    sqs: ((queue: string, a: unknown, b?: unknown) => register('sqs', 'sqs', queue, a, b)) as SqsMethod<
      S,
      Self
    >,
    sns: ((topic: string, a: unknown, b?: unknown) => register('sns', 'sns', topic, a, b)) as SnsMethod<
      S,
      Self
    >,
    s3: ((bucket: string, a: unknown, b?: unknown) => register('s3', 's3', bucket, a, b)) as S3Method<
      S,
      Self
    >,
    dynamodbStream: ((table: string, a: unknown, b?: unknown) =>
      register('dynamodb', 'dynamodbStream', table, a, b)) as DynamoDBStreamMethod<S, Self>,
    kinesis: ((stream: string, a: unknown, b?: unknown) =>
      register('kinesis', 'kinesis', stream, a, b)) as KinesisMethod<S, Self>,
    eventBridge: ((pattern: EventBridgePattern, a: unknown, b?: unknown) => {
      engineFor('register an EventBridge handler', 'eventBridge').addEventBridge(pattern, a, b);
      return self;
    }) as EventBridgeMethod<S, Self>,
    schedule: ((name: string, declaration: ScheduleDeclaration, a: unknown, b?: unknown) => {
      engineFor(`declare schedule ${name}`, 'schedule').addSchedule(name, declaration, a, b);
      return self;
    }) as ScheduleMethod<S, Self>,
    useRecords: (...middleware: RecordMiddleware<S>[]) => {
      const records = engineFor('add record middleware', 'useRecords');
      for (const fn of middleware) {
        if (typeof fn !== 'function')
          throw new ConfigurationError('useRecords() takes functions (record, ctx, next) => ...');
        records.use(fn as RecordMiddleware<object>);
      }
      return self;
    },
  };
}
