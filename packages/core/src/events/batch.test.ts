import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import { PermanentError, RecordsFailedError } from '../errors/errors.js';
import type { StandardSchemaV1 } from '../schema/validate.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { records } from './feature.js';

const quiet = () =>
  createApp({ records: records(), service: 'batch-test', logger: false, metrics: false, tracing: false });
const lambda = (timeoutMs = 30_000) => fakeLambdaContext({ timeoutMs });

interface Msg {
  id: string;
  body: string;
  group?: string;
}

function sqs(queue: string, messages: Msg[]): Record<string, unknown> {
  return {
    Records: messages.map((m, i) => ({
      messageId: m.id,
      receiptHandle: `rh-${m.id}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(1_700_000_000_000 + i),
        SenderId: 'AIDA',
        ApproximateFirstReceiveTimestamp: String(1_700_000_000_000 + i),
        ...(m.group === undefined
          ? {}
          : { MessageGroupId: m.group, MessageDeduplicationId: m.id, SequenceNumber: String(i) }),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
      awsRegion: 'eu-west-1',
    })),
  };
}

function kinesis(stream: string, data: string[]): Record<string, unknown> {
  return {
    Records: data.map((d, i) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'pk',
        sequenceNumber: `4959${String(i).padStart(4, '0')}`,
        data: Buffer.from(d).toString('base64'),
        approximateArrivalTimestamp: 1_700_000_000.5 + i,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:4959${String(i).padStart(4, '0')}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/r',
      awsRegion: 'eu-west-1',
      eventSourceARN: `arn:aws:kinesis:eu-west-1:123456789012:stream/${stream}`,
    })),
  };
}

function ddb(table: string, changes: { id: string; name?: 'INSERT' | 'MODIFY' | 'REMOVE'; n?: number }[]) {
  return {
    Records: changes.map((c, i) => ({
      eventID: `e${i}`,
      eventName: c.name ?? 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: 1_700_000_000,
        Keys: { id: { S: c.id } },
        NewImage: { id: { S: c.id }, n: { N: String(c.n ?? i) } },
        SequenceNumber: `${100 + i}`,
        SizeBytes: 26,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}/stream/2024-01-01T00:00:00.000`,
    })),
  };
}

const ids = (out: unknown) =>
  (out as { batchItemFailures: { itemIdentifier: string }[] }).batchItemFailures.map((f) => f.itemIdentifier);

describe('SQS partial batches', () => {
  it('reports exactly the messages whose handler threw or whose body failed validation', async () => {
    const done: string[] = [];
    const app = quiet().sqs('orders', { body: z.object({ n: z.number() }) }, (m) => {
      if (m.body.n === 13) throw new Error('unlucky');
      done.push(m.messageId);
    });
    const out = await app.handler(
      sqs('orders', [
        { id: 'a', body: '{"n":1}' },
        { id: 'b', body: '{"n":13}' },
        { id: 'c', body: '{"n":"x"}' },
        { id: 'd', body: 'not json' },
        { id: 'e', body: '{"n":5}' },
      ]),
      lambda(),
    );
    expect(ids(out)).toEqual(['b', 'c', 'd']);
    expect(done).toEqual(['a', 'e']);
  });

  it('reports every id and does not throw when every message fails, unless asked to', async () => {
    const failing = quiet().sqs('q', () => {
      throw new Error('down');
    });
    const event = sqs('q', [
      { id: 'a', body: 'x' },
      { id: 'b', body: 'y' },
    ]);
    expect(ids(await failing.handler(event, lambda()))).toEqual(['a', 'b']);
    const throwing = quiet().sqs('q', { throwOnFullBatchFailure: true }, () => {
      throw new Error('down');
    });
    await expect(throwing.handler(event, lambda())).rejects.toBeInstanceOf(RecordsFailedError);
  });

  it('acknowledges a permanent failure: not retried, not reported', async () => {
    const app = quiet().sqs('q', (m) => {
      if (m.body === 'gone') throw new PermanentError('order no longer exists');
      if (m.body === 'retry') throw new Error('try later');
    });
    const out = await app.handler(
      sqs('q', [
        { id: 'a', body: 'gone' },
        { id: 'b', body: 'retry' },
        { id: 'c', body: 'ok' },
      ]),
      lambda(),
    );
    expect(ids(out)).toEqual(['b']);
  });

  it('FIFO: after a failure in a group, the rest of that group is reported unprocessed, in order; other groups go on', async () => {
    const ran: string[] = [];
    const app = quiet().sqs('jobs.fifo', (m) => {
      ran.push(m.messageId);
      if (m.body === 'fail') throw new Error('no');
    });
    const out = await app.handler(
      sqs('jobs.fifo', [
        { id: 'a1', body: 'ok', group: 'A' },
        { id: 'b1', body: 'ok', group: 'B' },
        { id: 'a2', body: 'fail', group: 'A' },
        { id: 'b2', body: 'ok', group: 'B' },
        { id: 'a3', body: 'ok', group: 'A' },
        { id: 'b3', body: 'ok', group: 'B' },
      ]),
      lambda(),
    );
    expect(ids(out)).toEqual(['a2', 'a3']);
    expect(ran).not.toContain('a3');
    expect(ran.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(ran.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2', 'b3']);
  });

  it('FIFO with concurrency keeps each group in order', async () => {
    const ran: string[] = [];
    const app = quiet().sqs('jobs.fifo', { concurrency: 4 }, async (m) => {
      await new Promise((r) => setTimeout(r, Number(m.body)));
      ran.push(m.messageId);
    });
    const messages: Msg[] = [];
    for (let i = 0; i < 12; i++)
      messages.push({ id: `${'ABC'[i % 3]}${i}`, body: String((12 - i) % 5), group: 'ABC'[i % 3] as string });
    expect(ids(await app.handler(sqs('jobs.fifo', messages), lambda()))).toEqual([]);
    for (const g of 'ABC') {
      const expected = messages.filter((m) => m.group === g).map((m) => m.id);
      expect(ran.filter((id) => id.startsWith(g))).toEqual(expected);
    }
  });

  it('standard queues: bounded concurrency, never above the limit', async () => {
    let active = 0;
    let peak = 0;
    const app = quiet().sqs('q', { concurrency: 3 }, async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
    });
    const messages = Array.from({ length: 10 }, (_, i) => ({ id: `m${i}`, body: 'x' }));
    expect(ids(await app.handler(sqs('q', messages), lambda()))).toEqual([]);
    expect(peak).toBe(3);
  });

  it('records not started before the deadline are reported, not lost', async () => {
    let left = 1_500;
    const context = { ...fakeLambdaContext(), getRemainingTimeInMillis: () => left };
    const app = createApp({
      records: records(),
      service: 's',
      logger: false,
      metrics: false,
      tracing: false,
      deadlineMarginMs: 500,
    }).sqs('q', () => {
      left -= 1_000;
    });
    const out = await app.handler(
      sqs('q', [
        { id: 'a', body: 'x' },
        { id: 'b', body: 'x' },
        { id: 'c', body: 'x' },
      ]),
      context,
    );
    expect(ids(out)).toEqual(['b', 'c']);
  });
});

describe('stream partial batches', () => {
  it('Kinesis: nothing after a failed record of the shard runs; it and the rest are reported', async () => {
    const ran: string[] = [];
    const app = quiet().kinesis('clicks', { data: z.object({ v: z.number() }) }, (r) => {
      ran.push(r.sequenceNumber);
      if (r.data.v < 0) throw new Error('negative');
    });
    const out = await app.handler(kinesis('clicks', ['{"v":1}', '{"v":-1}', '{"v":2}']), lambda());
    expect(ids(out)).toEqual(['49590001', '49590002']);
    expect(ran).toEqual(['49590000', '49590001']);
  });

  it('Kinesis: a record failing validation stops the shard too', async () => {
    const ran: string[] = [];
    const app = quiet().kinesis('clicks', { data: z.object({ v: z.number() }) }, (r) => {
      ran.push(r.sequenceNumber);
    });
    const out = await app.handler(kinesis('clicks', ['{"v":1}', '{"v":"no"}', '{"v":2}']), lambda());
    expect(ids(out)).toEqual(['49590001', '49590002']);
    expect(ran).toEqual(['49590000']);
  });

  it('DynamoDB Streams: images unmarshalled and validated; a failure stops the shard', async () => {
    const seen: unknown[] = [];
    const app = quiet().dynamodbStream(
      'kefir',
      { newImage: z.object({ id: z.string(), n: z.number().max(5) }) },
      (c) => {
        seen.push(c.newImage);
      },
    );
    const out = await app.handler(
      ddb('kefir', [
        { id: 'a', n: 1 },
        { id: 'b', n: 9 },
        { id: 'c', n: 2 },
      ]),
      lambda(),
    );
    expect(seen).toEqual([{ id: 'a', n: 1 }]);
    expect(ids(out)).toEqual(['101', '102']);
  });

  it('DynamoDB Streams: events outside the registration filter are acknowledged without running', async () => {
    const seen: string[] = [];
    const app = quiet().dynamodbStream('kefir', { events: ['INSERT'] }, (c) => {
      seen.push(c.eventName);
    });
    const out = await app.handler(
      ddb('kefir', [{ id: 'a' }, { id: 'b', name: 'REMOVE' }, { id: 'c' }]),
      lambda(),
    );
    expect(ids(out)).toEqual([]);
    expect(seen).toEqual(['INSERT', 'INSERT']);
  });
});

describe('names and asynchronous sources', () => {
  it('matches exact names before globs, and refuses a second registration of a name', async () => {
    const hits: string[] = [];
    const app = quiet()
      .sqs('orders-*', () => {
        hits.push('glob');
      })
      .sqs('orders-eu', () => {
        hits.push('exact');
      });
    await app.handler(sqs('orders-eu', [{ id: 'a', body: 'x' }]), lambda());
    await app.handler(sqs('orders-us', [{ id: 'a', body: 'x' }]), lambda());
    expect(hits).toEqual(['exact', 'glob']);
    expect(() =>
      quiet()
        .sqs('a', () => {})
        .sqs('a', () => {}),
    ).toThrow(/registered twice/);
    expect(() => quiet().sqs('a(b)', () => {})).toThrow(/name/);
  });

  it('an SNS handler failure fails the invocation so Lambda retries; a permanent one does not', async () => {
    const event = {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:alerts:1',
          Sns: {
            Type: 'Notification',
            MessageId: 'm1',
            TopicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts',
            Subject: '',
            Message: '{"level":"high"}',
            Timestamp: '2024-01-01T00:00:00.000Z',
            MessageAttributes: {},
          },
        },
      ],
    };
    const failing = quiet().sns('alerts', { message: z.object({ level: z.literal('low') }) }, () => {});
    await expect(failing.handler(event, lambda())).rejects.toBeInstanceOf(RecordsFailedError);
    const permanent = quiet().sns('alerts', () => {
      throw new PermanentError('obsolete');
    });
    await expect(permanent.handler(event, lambda())).resolves.toBeUndefined();
  });

  it('schedules: Lift payload and scheduled rules reach the schedule; app.schedules() lists declarations', async () => {
    const fired: unknown[] = [];
    const app = quiet()
      .schedule('due-reminders', { rate: '1 minute' }, (ctx) => {
        fired.push({ name: ctx.schedule.name, origin: ctx.schedule.origin, attempt: ctx.schedule.attempt });
      })
      .schedule('nightly', { cron: '0 3 * * ? *', timezone: 'Europe/Paris' }, () => {});
    await app.handler(
      { 'lift.schedule': 'due-reminders', time: '2024-01-01T00:01:00Z', executionId: 'x', attempt: '1' },
      lambda(),
    );
    await app.handler(
      {
        version: '0',
        id: 'ev',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '123456789012',
        time: '2024-01-01T00:01:00Z',
        region: 'eu-west-1',
        resources: ['arn:aws:events:eu-west-1:123456789012:rule/due-reminders'],
        detail: {},
      },
      lambda(),
    );
    expect(fired).toEqual([
      { name: 'due-reminders', origin: 'scheduler', attempt: 1 },
      { name: 'due-reminders', origin: 'rule', attempt: undefined },
    ]);
    expect(app.schedules().map((s) => [s.name, s.expression, s.timezone])).toEqual([
      ['due-reminders', 'rate(1 minute)', undefined],
      ['nightly', 'cron(0 3 * * ? *)', 'Europe/Paris'],
    ]);
    await expect(app.handler({ 'lift.schedule': 'unknown' }, lambda())).rejects.toThrow(
      /No registration claims schedule "unknown"/,
    );
    expect(() => quiet().schedule('x', { rate: '1 minutes' }, () => {})).toThrow(/1 minute/);
    expect(() => quiet().schedule('x', { cron: '0 3 * * * *' }, () => {})).toThrow(/\?/);
    expect(() =>
      quiet().schedule('x', { rate: '5 minutes', cron: '0 3 * * ? *' } as never, () => {}),
    ).toThrow(/exactly one/);
  });
});

// A thenable that is not a Promise: awaited, it rejects.
function rejectingThenable(): PromiseLike<never> {
  // biome-ignore lint/suspicious/noThenProperty: a thenable other than a Promise is the case under test
  return { then: (_ok, fail) => fail?.(new Error('thenable')) as never };
}

describe('record middleware and context', () => {
  it('runs app and registration middleware around each record, outermost first, with typed state', async () => {
    const trail: string[] = [];
    const app = createApp<{ tenant?: string }>({
      records: records(),
      service: 's',
      logger: false,
      metrics: false,
      tracing: false,
    })
      .useRecords(async (_record, ctx, next) => {
        trail.push(`app in ${ctx.recordId}`);
        ctx.state.tenant = 'acme';
        await next();
        trail.push(`app out ${ctx.recordId}`);
      })
      .sqs(
        'q',
        {
          middleware: [
            async (_r, ctx, next) => {
              trail.push(`reg in ${ctx.state.tenant}`);
              await next();
            },
          ],
        },
        (m, ctx) => {
          trail.push(`handler ${m.messageId} ${ctx.source}/${ctx.name} ${ctx.requestId}`);
        },
      );
    await app.handler(sqs('q', [{ id: 'a', body: 'x' }]), fakeLambdaContext({ awsRequestId: 'req-1' }));
    expect(trail).toEqual(['app in a', 'reg in acme', 'handler a sqs/q req-1', 'app out a']);
  });

  it('runs record middleware for a record whose body fails validation, which still fails', async () => {
    const seen: string[] = [];
    const app = quiet()
      .useRecords(async (record, ctx, next) => {
        seen.push(`${ctx.recordId}:${record.kind === 'sqs' ? typeof record.body : '?'}`);
        await next();
      })
      .sqs('q', { body: z.object({ n: z.number() }) }, () => {});
    const out = await app.handler(
      sqs('q', [
        { id: 'bad', body: '{"n":"x"}' },
        { id: 'good', body: '{"n":1}' },
      ]),
      lambda(),
    );
    expect(ids(out)).toEqual(['bad']);
    // The valid record reaches middleware validated (an object), the invalid one as delivered.
    expect(seen).toEqual(['bad:string', 'good:object']);
  });

  it('a synchronous handler throwing fails its record, and next() rejects rather than throws', async () => {
    const caught: string[] = [];
    const app = quiet()
      .useRecords((_record, ctx, next) => {
        // Called without await: a throw here would escape the middleware's own catch.
        return next().catch((error: Error) => {
          caught.push(`${ctx.recordId}:${error.message}`);
          throw error;
        });
      })
      .sqs('q', (m) => {
        if (m.body === 'sync') throw new Error('sync');
        if (m.body === 'async') return Promise.reject(new Error('async'));
        if (m.body === 'thenable') return rejectingThenable();
        return undefined;
      });
    const out = await app.handler(
      sqs('q', [
        { id: 'a', body: 'sync' },
        { id: 'b', body: 'ok' },
        { id: 'c', body: 'async' },
        { id: 'd', body: 'thenable' },
      ]),
      lambda(),
    );
    expect(ids(out)).toEqual(['a', 'c', 'd']);
    expect(caught).toEqual(['a:sync', 'c:async', 'd:thenable']);
    // Without middleware, each step's outcome is the handler's own.
    const bare = quiet().sqs('q', (m) => {
      if (m.body === 'sync') throw new Error('sync');
      if (m.body === 'thenable') return rejectingThenable();
      return undefined;
    });
    const out2 = await bare.handler(
      sqs('q', [
        { id: 'a', body: 'sync' },
        { id: 'b', body: 'ok' },
        { id: 'd', body: 'thenable' },
      ]),
      lambda(),
    );
    expect(ids(out2)).toEqual(['a', 'd']);
  });

  it("system attributes keep their text values only, on a null-prototype copy; a sender's attribute named __proto__ stays an attribute", async () => {
    const seen: unknown[] = [];
    const app = quiet().sqs('q', (m) => {
      seen.push(
        m.attributes,
        Object.getPrototypeOf(m.attributes),
        Object.getPrototypeOf(m.messageAttributes),
        Object.getOwnPropertyDescriptor(m.messageAttributes, '__proto__')?.value,
      );
    });
    const event = sqs('q', [{ id: 'a', body: 'x' }]);
    const record = (event.Records as Record<string, unknown>[])[0] as Record<string, unknown>;
    (record.attributes as Record<string, unknown>).SentTimestamp = 1_700_000_000_000;
    record.messageAttributes = JSON.parse('{"__proto__":{"dataType":"String","stringValue":"p"}}');
    expect(ids(await app.handler(event, lambda()))).toEqual([]);
    const [attributes, attributesProto, proto, attr] = seen;
    expect(attributesProto).toBeNull();
    expect(Object.keys(attributes as object).sort()).toEqual([
      'ApproximateFirstReceiveTimestamp',
      'ApproximateReceiveCount',
      'SenderId',
    ]);
    expect(proto).toBeNull();
    expect(attr).toEqual({ dataType: 'String', stringValue: 'p' });
  });

  it('an asynchronous schema: a failing body is a 422-kind error and a non-JSON one a 400-kind, both through middleware', async () => {
    // A Standard Schema whose validate answers a promise, as some validators do.
    const asyncSchema: StandardSchemaV1<unknown, { n: number }> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) =>
          typeof (value as { n?: unknown }).n === 'number'
            ? { value: value as { n: number } }
            : { issues: [{ message: 'n must be a number', path: ['n'] }] },
      },
    };
    const rejected: string[] = [];
    const handled: number[] = [];
    const app = quiet()
      .useRecords(async (_record, ctx, next) => {
        await next().catch((error: Error) => {
          rejected.push(`${ctx.recordId}:${error.name}`);
          throw error;
        });
      })
      .sqs('q', { body: asyncSchema }, (m) => {
        handled.push(m.body.n);
      });
    const out = await app.handler(
      sqs('q', [
        { id: 'good', body: '{"n":1}' },
        { id: 'bad', body: '{"n":"x"}' },
        { id: 'text', body: 'not json' },
      ]),
      lambda(),
    );
    expect(ids(out)).toEqual(['bad', 'text']);
    expect(handled).toEqual([1]);
    expect(rejected).toEqual(['bad:UnprocessableError', 'text:BadRequestError']);
  });

  it('takes the trace from the message (traceparent attribute, else AWSTraceHeader)', async () => {
    const traces: string[] = [];
    const app = quiet().sqs('q', (_m, ctx) => {
      traces.push(ctx.trace.traceId);
    });
    const event = sqs('q', [
      { id: 'a', body: 'x' },
      { id: 'b', body: 'x' },
    ]);
    const [a, b] = event.Records as Record<string, Record<string, unknown>>[];
    (a as Record<string, unknown>).messageAttributes = {
      traceparent: {
        stringValue: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        dataType: 'String',
      },
    };
    (b?.attributes as Record<string, string>).AWSTraceHeader =
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    await app.handler(event, lambda());
    expect(traces).toEqual(['0af7651916cd43dd8448eb211c80319c', '5759e988bd862e3fe1be46a994272793']);
  });
});
