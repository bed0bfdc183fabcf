import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import { InvalidEventError } from '../errors/errors.js';
import { loadFixture } from '../test-support/fixtures.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { records } from './feature.js';
import type { AnyRecord } from './types.js';

// Some samples carry placeholders where AWS puts an ARN; they get a real-shaped one here.
function withArn(
  event: Record<string, unknown>,
  arn: string,
  key = 'eventSourceARN',
): Record<string, unknown> {
  for (const record of event.Records as Record<string, unknown>[]) {
    const holder = (key === 'TopicArn' ? record.Sns : record) as Record<string, unknown>;
    holder[key] = arn;
  }
  return event;
}

const quiet = () =>
  createApp({ records: records(), service: 'events-test', logger: false, metrics: false, tracing: false });
const lambda = () => fakeLambdaContext({ timeoutMs: 30_000 });

describe('every non-HTTP sample in the fixtures reaches its registration', () => {
  it('aws-lambda-go/sqs-event.json: an SQS batch, answered with no failures', async () => {
    const seen: AnyRecord[] = [];
    const app = quiet().sqs('SQSQueue', (m) => {
      seen.push(m);
    });
    const out = await app.handler(loadFixture('aws-lambda-go/sqs-event.json'), lambda());
    expect(out).toEqual({ batchItemFailures: [] });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      messageId: 'MessageID_1',
      queue: 'SQSQueue',
      body: 'Message Body',
      receiveCount: 2,
      messageGroupId: undefined,
    });
    const attrs = (seen[0] as { messageAttributes: Record<string, { binaryValue?: Uint8Array }> })
      .messageAttributes;
    expect(Buffer.from(attrs.Attribute3?.binaryValue ?? []).toString()).toBe('1100');
  });

  it('powertools/sqs--base.json and sqs--sns-body.json', async () => {
    const base = loadFixture('powertools/sqs--base.json');
    const queue = ((base.Records as Record<string, string>[])[0]?.eventSourceARN ?? '')
      .split(':')
      .pop() as string;
    const bodies: string[] = [];
    const app = quiet().sqs(queue, (m) => {
      bodies.push(m.body);
    });
    expect(await app.handler(base, lambda())).toEqual({ batchItemFailures: [] });
    expect(bodies.length).toBe((base.Records as unknown[]).length);

    // A queue subscribed to a topic, with no registration of its own: the topic's registration gets it.
    const wrapped = loadFixture('powertools/sqs--sns-body.json');
    const messages: unknown[] = [];
    const viaTopic = quiet().sns('*', (m) => {
      messages.push({ topic: m.topic, message: m.message, delivery: m.delivery });
    });
    expect(await viaTopic.handler(wrapped, lambda())).toEqual({ batchItemFailures: [] });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ delivery: 'sqs' });
  });

  it('sns-event.json and powertools/sns--base.json: direct SNS', async () => {
    for (const name of ['aws-lambda-go/sns-event.json', 'powertools/sns--base.json']) {
      const event =
        name === 'aws-lambda-go/sns-event.json'
          ? withArn(loadFixture(name), 'arn:aws:sns:us-east-1:123456789012:EXAMPLE', 'TopicArn')
          : loadFixture(name);
      const got: unknown[] = [];
      const app = quiet().sns('*', (m) => {
        got.push(m);
      });
      expect(await app.handler(event, lambda())).toBeUndefined();
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ delivery: 'direct' });
    }
  });

  it('S3 notifications, direct and through SQS, keys decoded', async () => {
    for (const name of [
      'aws-lambda-go/s3-event.json',
      'aws-lambda-go/s3-event-with-decoded.json',
      'powertools/s3--base.json',
      'powertools/s3--decoded-key.json',
      'powertools/s3--delete-object.json',
      'powertools/s3--glacier.json',
      'powertools/s3--s3-lifecycle-event.json',
    ]) {
      const event = loadFixture(name);
      const got: { bucket: string; key: string; eventName: string }[] = [];
      const app = quiet().s3('*', (o) => {
        got.push(o);
      });
      expect(await app.handler(event, lambda()), name).toBeUndefined();
      expect(got.length, name).toBe((event.Records as unknown[]).length);
      for (const o of got) expect(o.key).not.toMatch(/%[0-9A-F]{2}|\+/);
    }
    const viaSqs = loadFixture('powertools/s3--sqs-event.json');
    const keys: string[] = [];
    const app = quiet().s3('*', { events: ['ObjectCreated:*'] }, (o) => {
      keys.push(`${o.delivery}:${o.bucket}/${o.key}`);
    });
    expect(await app.handler(viaSqs, lambda())).toEqual({ batchItemFailures: [] });
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith('sqs:'))).toBe(true);
  });

  it('S3 events through EventBridge reach app.s3 in notification terms', async () => {
    const expected: Record<string, string> = {
      'powertools/s3--eventbridge-object-created.json': 'ObjectCreated:',
      'powertools/s3--eventbridge-object-deleted.json': 'ObjectRemoved:',
      'powertools/s3--eventbridge-object-expired.json': 'LifecycleExpiration:',
      'powertools/s3--eventbridge-object-restored.json': 'ObjectRestore:',
    };
    for (const [name, prefix] of Object.entries(expected)) {
      const got: string[] = [];
      const app = quiet().s3('*', (o) => {
        got.push(`${o.delivery} ${o.eventName}`);
      });
      expect(await app.handler(loadFixture(name), lambda()), name).toBeUndefined();
      expect(got, name).toHaveLength(1);
      expect(got[0], name).toMatch(new RegExp(`^eventbridge ${prefix}`));
    }
  });

  it('eventbridge--base.json: an EventBridge event, its detail validated', async () => {
    const got: { instance_id: string; state: string }[] = [];
    const app = quiet().eventBridge(
      { source: 'aws.ec2', detailType: 'EC2 Instance State-change Notification' },
      { detail: z.object({ instance_id: z.string(), state: z.enum(['running', 'terminated']) }) },
      (event) => {
        got.push(event.detail);
      },
    );
    expect(await app.handler(loadFixture('powertools/eventbridge--base.json'), lambda())).toBeUndefined();
    expect(got).toEqual([{ instance_id: 'i-1234567890abcdef0', state: 'terminated' }]);
  });

  it('DynamoDB Streams: dynamodb-event.json and powertools/dynamodb--base.json, images unmarshalled', async () => {
    for (const name of ['aws-lambda-go/dynamodb-event.json', 'powertools/dynamodb--base.json']) {
      const event =
        name === 'powertools/dynamodb--base.json'
          ? withArn(
              loadFixture(name),
              'arn:aws:dynamodb:us-east-1:123456789012:table/Example/stream/2024-01-01T00:00:00.000',
            )
          : loadFixture(name);
      const got: { eventName: string; keys: Record<string, unknown> }[] = [];
      const app = quiet().dynamodbStream('*', (change) => {
        got.push(change);
      });
      expect(await app.handler(event, lambda()), name).toEqual({ batchItemFailures: [] });
      expect(got.length, name).toBe((event.Records as unknown[]).length);
      for (const change of got) {
        expect(['INSERT', 'MODIFY', 'REMOVE']).toContain(change.eventName);
        for (const value of Object.values(change.keys))
          expect(typeof value === 'object' && value !== null && 'S' in value).toBe(false);
      }
    }
  });

  it('Kinesis: kinesis-event.json and powertools/kinesis--stream.json, data decoded', async () => {
    for (const name of ['aws-lambda-go/kinesis-event.json', 'powertools/kinesis--stream.json']) {
      const event = loadFixture(name);
      const got: string[] = [];
      const app = quiet().kinesis('*', (record) => {
        got.push(record.data);
      });
      expect(await app.handler(event, lambda()), name).toEqual({ batchItemFailures: [] });
      expect(got.length, name).toBe((event.Records as unknown[]).length);
      const first = (event.Records as { kinesis: { data: string } }[])[0]?.kinesis.data ?? '';
      expect(got[0]).toBe(Buffer.from(first, 'base64').toString('utf8'));
    }
  });

  it('a sample nothing claims fails the invocation, naming what arrived', async () => {
    const app = quiet().sqs('other-queue', () => {});
    await expect(app.handler(loadFixture('aws-lambda-go/sqs-event.json'), lambda())).rejects.toThrow(
      /No registration claims SQS queue "SQSQueue"/,
    );
    await expect(
      app.handler(loadFixture('aws-lambda-go/cloudwatch-logs-event.json'), lambda()),
    ).rejects.toThrow(InvalidEventError);
    await expect(app.handler(loadFixture('aws-lambda-go/kinesis-event.json'), lambda())).rejects.toThrow(
      /No registration claims Kinesis stream/,
    );
  });
});
