import { ConfigurationError } from '../errors/errors.js';
import type { RecordEngine } from '../events/feature.js';
import type { RecordHost } from '../events/methods.js';
import type { EventBridgePattern, RecordMiddleware } from '../events/registry.js';
import type { ScheduleDeclaration } from '../events/schedule.js';
import type { RecordSource } from '../events/types.js';

/**
 * @internal Puts the record methods on `host`, written once for `createApp` and `createWorker`: each
 * asks `engineFor` for the record engine (which refuses when the owner is frozen or has none),
 * registers, and returns `host` for chaining. The owner's type merges {@link RecordHost}.
 */
export function installRecordMethods<S extends object>(
  host: RecordHost<S>,
  engineFor: (action: string, method: string) => RecordEngine,
): void {
  const register = (source: RecordSource, what: string, name: string, a: unknown, b: unknown) => {
    engineFor(`register ${what}(${JSON.stringify(name)})`, what).add(source, what, name, a, b);
    return host;
  };
  type Method<K extends keyof RecordHost<S>> = RecordHost<S>[K];
  const methods: RecordHost<S> = {
    sqs: ((queue: string, a: unknown, b?: unknown) => register('sqs', 'sqs', queue, a, b)) as Method<'sqs'>,
    sns: ((topic: string, a: unknown, b?: unknown) => register('sns', 'sns', topic, a, b)) as Method<'sns'>,
    s3: ((bucket: string, a: unknown, b?: unknown) => register('s3', 's3', bucket, a, b)) as Method<'s3'>,
    dynamodbStream: ((table: string, a: unknown, b?: unknown) =>
      register('dynamodb', 'dynamodbStream', table, a, b)) as Method<'dynamodbStream'>,
    kinesis: ((stream: string, a: unknown, b?: unknown) =>
      register('kinesis', 'kinesis', stream, a, b)) as Method<'kinesis'>,
    eventBridge: ((pattern: EventBridgePattern, a: unknown, b?: unknown) => {
      engineFor('register an EventBridge handler', 'eventBridge').addEventBridge(pattern, a, b);
      return host;
    }) as Method<'eventBridge'>,
    schedule: ((name: string, declaration: ScheduleDeclaration, a: unknown, b?: unknown) => {
      engineFor(`declare schedule ${name}`, 'schedule').addSchedule(name, declaration, a, b);
      return host;
    }) as Method<'schedule'>,
    useRecords: (...middleware: RecordMiddleware<S>[]) => {
      const records = engineFor('add record middleware', 'useRecords');
      for (const fn of middleware) {
        if (typeof fn !== 'function')
          throw new ConfigurationError('useRecords() takes functions (record, ctx, next) => ...');
        records.use(fn as RecordMiddleware<object>);
      }
      return host;
    },
  };
  Object.assign(host, methods);
}
