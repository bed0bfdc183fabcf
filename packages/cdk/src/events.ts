import type { EventBridgeManifest, RecordManifest } from '@lift/core';
import type { ScheduleInfo } from '@lift/core/events';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Stream, StreamEncryption } from 'aws-cdk-lib/aws-kinesis';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import {
  DynamoEventSource,
  KinesisEventSource,
  S3EventSourceV2,
  SqsDlq,
  SqsEventSource,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import type { EventType, IBucket } from 'aws-cdk-lib/aws-s3';
import type { Schedule, ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LiftBucket, LiftTable } from './data.js';
import type { LiftFunction } from './function.js';
import type { StageSettings } from './stage.js';
import { wireRules, wireSchedules } from './triggers.js';

/** Options of {@link LiftEvents}. */
export interface LiftEventsProps {
  readonly stage: StageSettings;
  readonly service: string;
  /** Each record registration of the app with the function that serves it. */
  readonly records?: readonly { readonly record: RecordManifest; readonly fn: LiftFunction }[];
  readonly eventBridge?: readonly { readonly pattern: EventBridgeManifest; readonly fn: LiftFunction }[];
  readonly schedules?: readonly { readonly schedule: ScheduleInfo; readonly fn: LiftFunction }[];
  /** The declared tables and buckets (streams and notifications attach to them by declared name). */
  readonly tables?: readonly LiftTable[];
  readonly buckets?: readonly LiftBucket[];
}

/** A DynamoDB Streams or Kinesis mapping retries a failing batch this often before its DLQ. */
const STREAM_RETRIES = 10;

/**
 * The event wiring of a service: a queue with a DLQ per `app.sqs` (visibility six times the function's
 * timeout, partial-batch responses on), a topic per `app.sns`, bucket notifications per `app.s3`, a
 * rule per `app.eventBridge`, stream mappings per `app.dynamodbStream`/`app.kinesis` (partial-batch
 * responses, failures to a DLQ), and an EventBridge Scheduler schedule per `app.schedule` in the
 * service's group, each invoking the function that registered it with a DLQ for failed invocations.
 * Each function learns the deployed names through `LIFT_RESOURCE_NAMES`.
 */
export class LiftEvents extends Construct {
  /** Every dead-letter queue created (of queues, subscriptions, stream mappings, schedules), for alarms. */
  readonly deadLetterQueues: Queue[] = [];
  readonly queues: Queue[] = [];
  readonly schedules: Schedule[] = [];
  readonly group: ScheduleGroup | undefined;
  private readonly claimed = new Set<string>();

  constructor(scope: Construct, id: string, props: LiftEventsProps) {
    super(scope, id);
    const { stage } = props;
    // Every name carries the service and the stage: two services (or stages) in one account never collide.
    const prefix = `${props.service}-${stage.name}`;
    for (const { record, fn } of props.records ?? []) {
      if (!record.exact)
        throw new Error(
          `LiftEvents: ${record.source} registration "${record.name}" is a glob; a deployment creates named resources, so register the exact name`,
        );
      const rid = `${record.source}-${record.name}`;
      switch (record.source) {
        case 'sqs': {
          const fifo = record.name.endsWith('.fifo');
          const base = fifo ? record.name.slice(0, -5) : record.name;
          const dlq = this.queue(
            `${rid}-dlq`,
            `${prefix}-${base}-dlq${fifo ? '.fifo' : ''}`,
            fifo,
            Duration.days(14),
          );
          const timeout = fn.function.timeout ?? Duration.seconds(3);
          const queue = new Queue(this, rid, {
            queueName: this.claim(`${prefix}-${base}${fifo ? '.fifo' : ''}`, 80),
            ...(fifo ? { fifo: true } : {}),
            visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
            encryption: QueueEncryption.SQS_MANAGED,
            enforceSSL: true,
            deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
          });
          this.queues.push(queue);
          fn.function.addEventSource(
            new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }),
          );
          fn.addResourceName('sqs', record.name, queue.queueName);
          break;
        }
        case 'sns': {
          const topic = new Topic(this, rid, {
            topicName: this.claim(`${prefix}-${record.name}`, 256),
            enforceSSL: true,
            masterKey: Alias.fromAliasName(this, `${rid}-key`, 'alias/aws/sns'),
          });
          const dlq = this.queue(`${rid}-dlq`, `${prefix}-${record.name}-sns-dlq`, false, Duration.days(14));
          topic.addSubscription(new LambdaSubscription(fn.function, { deadLetterQueue: dlq }));
          fn.addResourceName('sns', record.name, topic.topicName);
          break;
        }
        case 's3': {
          const bucket = props.buckets?.find((b) => b.definition.name === record.name);
          if (bucket === undefined)
            throw new Error(`LiftEvents: app.s3("${record.name}") names no declared bucket`);
          const events = (record.events ?? ['ObjectCreated:*']).map((e) => `s3:${e}` as EventType);
          const filter = {
            ...(record.prefix === undefined ? {} : { prefix: record.prefix }),
            ...(record.suffix === undefined ? {} : { suffix: record.suffix }),
          };
          fn.function.addEventSource(
            new S3EventSourceV2(bucket.bucket as IBucket, { events, filters: [filter] }),
          );
          fn.addResourceName('s3', record.name, bucket.bucket.bucketName);
          acknowledgeNotificationsHandler(Stack.of(this));
          break;
        }
        case 'dynamodb': {
          const table = props.tables?.find((t) => t.definition.name === record.name);
          if (table === undefined)
            throw new Error(`LiftEvents: app.dynamodbStream("${record.name}") names no declared table`);
          const dlq = this.queue(`${rid}-dlq`, `${prefix}-${record.name}-ddb-dlq`, false, Duration.days(14));
          fn.function.addEventSource(
            new DynamoEventSource(table.table as ITable, {
              startingPosition: StartingPosition.LATEST,
              reportBatchItemFailures: true,
              retryAttempts: STREAM_RETRIES,
              onFailure: new SqsDlq(dlq),
            }),
          );
          fn.addResourceName('dynamodb', record.name, table.table.tableName);
          break;
        }
        case 'kinesis': {
          const stream = new Stream(this, rid, {
            streamName: this.claim(`${prefix}-${record.name}`, 128),
            encryption: StreamEncryption.MANAGED,
          });
          const dlq = this.queue(
            `${rid}-dlq`,
            `${prefix}-${record.name}-kinesis-dlq`,
            false,
            Duration.days(14),
          );
          fn.function.addEventSource(
            new KinesisEventSource(stream, {
              startingPosition: StartingPosition.LATEST,
              reportBatchItemFailures: true,
              retryAttempts: STREAM_RETRIES,
              onFailure: new SqsDlq(dlq),
            }),
          );
          fn.addResourceName('kinesis', record.name, stream.streamName);
          break;
        }
      }
    }

    wireRules(this, props.service, props.eventBridge ?? []);

    const wired = wireSchedules(this, {
      service: props.service,
      stage,
      schedules: props.schedules ?? [],
      deadLetterQueue: (name) =>
        this.queue(`schedule-${name}-dlq`, `${prefix}-${name}-schedule-dlq`, false, Duration.days(14)),
    });
    this.group = wired.group;
    this.schedules.push(...wired.schedules);
  }

  /** Refuses, at synthesis, a name used twice or longer than AWS takes: both would fail only at deploy. */
  private claim(name: string, max: number): string {
    if (this.claimed.has(name))
      throw new Error(`LiftEvents: two resources would be named "${name}"; rename one of the registrations`);
    if (name.length > max)
      throw new Error(
        `LiftEvents: "${name}" is longer than the ${max} characters AWS allows; shorten the service or registration name`,
      );
    this.claimed.add(name);
    return name;
  }

  private queue(id: string, name: string, fifo: boolean, retention: Duration): Queue {
    const queue = new Queue(this, id, {
      queueName: this.claim(name, 80),
      ...(fifo ? { fifo: true } : {}),
      retentionPeriod: retention,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue (of a queue, subscription, stream mapping or schedule).',
    });
    this.deadLetterQueues.push(queue);
    return queue;
  }
}

/**
 * CDK sets bucket notifications through one function of its own per stack (CloudFormation cannot add
 * them to an existing bucket without replacing its configuration); its role and runtime are CDK's.
 */
function acknowledgeNotificationsHandler(stack: Stack): void {
  const handler = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
  // Several buckets share one handler: acknowledging it again is harmless.
  if (handler === undefined) return;
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's own bucket-notifications handler (runs only during deployment) uses the basic execution role CDK gives it.",
  });
}
