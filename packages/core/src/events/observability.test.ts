import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { useProductionObservability } from '../test-support/environment.js';
import { type SqsStandIn, startSqsStandIn } from '../test-support/sqs-standin.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { backoffSeconds } from './backoff.js';
import { records } from './feature.js';

function sqs(queue: string, bodies: string[], receiveCount = 1) {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `rh${i}`,
      body,
      attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1700000000000' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
      awsRegion: 'eu-west-1',
    })),
  };
}

function observed() {
  const logs: Record<string, unknown>[] = [];
  const emf: Record<string, unknown>[] = [];
  const app = createApp({
    records: records(),
    service: 'worker',
    logger: createLogger({ service: 'worker', level: 'INFO', write: (l) => logs.push(JSON.parse(l)) }),
    metrics: createMetrics({ namespace: 'kefir', service: 'worker', write: (l) => emf.push(JSON.parse(l)) }),
    tracing: false,
  });
  return { app, logs, emf };
}

describe('records are observed like requests', () => {
  useProductionObservability();

  it('a batch from two queues, interleaved, with an unclaimed one: each record reaches its own handler and tally', async () => {
    const { app, logs } = observed();
    const seen: string[] = [];
    app.sqs('alpha', (m) => {
      seen.push(`alpha:${m.body}`);
    });
    app.sqs('beta', (m) => {
      seen.push(`beta:${m.body}`);
    });
    const records = [
      ...sqs('alpha', ['a1']).Records,
      ...sqs('beta', ['b1']).Records,
      ...sqs('alpha', ['a2']).Records,
      ...sqs('gamma', ['g1']).Records,
      ...sqs('alpha', ['a3']).Records,
    ].map((r, i) => ({ ...r, messageId: `m${i}` }));
    const out = await app.handler({ Records: records }, fakeLambdaContext());
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm3' }] });
    expect(seen).toEqual(['alpha:a1', 'beta:b1', 'alpha:a2', 'alpha:a3']);
    const summary = logs
      .filter((l) => l.message === 'Records processed')
      .map((l) => [l.event_name, l.received, l.failed]);
    expect(summary).toEqual([
      ['alpha', 3, 0],
      ['beta', 1, 0],
      ['unclaimed', 1, 1],
    ]);
  });

  it('one summary line per registration, each failure with its record id and masked error, metrics by source and name only', async () => {
    const { app, logs, emf } = observed();
    app.sqs('reminders', (m, ctx) => {
      ctx.log.info('working');
      if (m.body === 'bad') throw new Error('card 4111 1111 1111 1111 refused');
    });
    await app.handler(sqs('reminders', ['ok', 'bad', 'ok']), fakeLambdaContext());
    const summary = logs.filter((l) => l.message === 'Records processed');
    expect(summary).toEqual([
      expect.objectContaining({
        event_source: 'sqs',
        event_name: 'reminders',
        received: 3,
        failed: 1,
        dropped: 0,
      }),
    ]);
    const failure = logs.find((l) => l.message === 'Record failed');
    expect(failure).toMatchObject({
      level: 'ERROR',
      event_source: 'sqs',
      event_name: 'reminders',
      record_id: 'm1',
    });
    expect(JSON.stringify(failure)).not.toContain('4111 1111 1111 1111');
    const working = logs.filter((l) => l.message === 'working');
    expect(working.map((l) => l.record_id)).toEqual(['m0', 'm1', 'm2']);
    const blob = emf.find((b) => 'records' in b) as Record<string, unknown>;
    expect(blob).toMatchObject({
      event_source: 'sqs',
      event_name: 'reminders',
      records: 3,
      record_failures: 1,
      records_dropped: 0,
    });
    expect(JSON.stringify(emf)).not.toContain('"m1"');
  });
});

describe('a record handler that throws a value which cannot be turned into text', () => {
  useProductionObservability();

  it('answers the batch and logs the failure, rather than throwing the whole batch back for a retry', async () => {
    const { app, logs } = observed();
    app.sqs('orders', (m) => {
      // No prototype, so no toString: String() of either throws.
      if (m.body === 'bare') throw Object.create(null);
      if (m.body === 'caused') throw new Error('lookup failed', { cause: Object.create(null) });
    });
    const out = await app.handler(sqs('orders', ['ok', 'bare', 'caused']), fakeLambdaContext());
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
    const failures = logs.filter((l) => l.message === 'Record failed');
    expect(failures.map((l) => [l.record_id, l.error])).toEqual([
      ['m1', '[object Object]'],
      ['m2', expect.objectContaining({ message: 'lookup failed', cause: {} })],
    ]);
  });
});

describe('visibility backoff for failed SQS messages', () => {
  let sqsServer: SqsStandIn;
  const saved = { ...process.env };
  beforeAll(async () => {
    sqsServer = await startSqsStandIn();
    process.env.AWS_ENDPOINT_URL_SQS = sqsServer.endpoint;
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  });
  afterAll(async () => {
    process.env = saved;
    await sqsServer.close();
  });

  it('grows with the receive count, capped, with jitter within half of the step', () => {
    const opts = { baseSeconds: 10, maxSeconds: 300 };
    expect(backoffSeconds(1, opts, () => 0)).toBe(5);
    expect(backoffSeconds(1, opts, () => 1)).toBe(10);
    expect(backoffSeconds(3, opts, () => 1)).toBe(40);
    expect(backoffSeconds(50, opts, () => 1)).toBe(300);
    expect(backoffSeconds(50, opts, () => 0)).toBe(150);
  });

  it('changes the visibility of the failed messages only, through the real SQS client', async () => {
    sqsServer.calls.length = 0;
    const app = createApp({
      records: records(),
      service: 'w',
      logger: false,
      metrics: false,
      tracing: false,
    }).sqs('orders', { backoff: { baseSeconds: 20, maxSeconds: 600 } }, (m) => {
      if (m.body === 'bad') throw new Error('no');
    });
    const out = await app.handler(sqs('orders', ['ok', 'bad', 'bad'], 3), fakeLambdaContext());
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }] });
    expect(sqsServer.calls).toHaveLength(1);
    const call = sqsServer.calls[0];
    expect(call?.action).toBe('ChangeMessageVisibilityBatch');
    expect(call?.input.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/orders');
    const entries = call?.input.Entries as { ReceiptHandle: string; VisibilityTimeout: number }[];
    expect(entries.map((e) => e.ReceiptHandle)).toEqual(['rh1', 'rh2']);
    for (const e of entries) {
      expect(e.VisibilityTimeout).toBeGreaterThanOrEqual(40);
      expect(e.VisibilityTimeout).toBeLessThanOrEqual(80);
    }
  });

  it('a throttled or hanging SQS never changes the answer, and the wait is bounded by the deadline', async () => {
    const app = createApp({
      records: records(),
      service: 'w',
      logger: false,
      metrics: false,
      tracing: false,
    }).sqs('orders', { backoff: {} }, () => {
      throw new Error('no');
    });
    sqsServer.failWith({ type: 'RequestThrottled', status: 400 });
    expect(await app.handler(sqs('orders', ['x']), fakeLambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm0' }],
    });
    sqsServer.failWith('hang');
    const context = { ...fakeLambdaContext(), getRemainingTimeInMillis: () => 900 };
    const started = Date.now();
    expect(await app.handler(sqs('orders', ['x']), context)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm0' }],
    });
    expect(Date.now() - started).toBeLessThan(1_500);
    sqsServer.failWith(undefined);
  });
});
