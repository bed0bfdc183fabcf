/**
 * A deployment names resources as it must (stage suffixes, generated bucket names) and maps each
 * deployed name back to the declared one in LIFT_RESOURCE_NAMES; registrations keep the declared names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { s3Event, sqsEvent } from '../testing/records.js';
import { records } from './feature.js';

afterEach(() => {
  delete process.env.LIFT_RESOURCE_NAMES;
});

describe('deployed resource names (LIFT_RESOURCE_NAMES)', () => {
  it('routes a deployed queue and a generated bucket name to the registrations of the declared names', async () => {
    const seen: string[] = [];
    const app = createApp({
      records: records(),
      service: 'kefir',
      logger: false,
      metrics: false,
      tracing: false,
    });
    app.sqs('reminders', async (m) => void seen.push(`sqs ${String(m.body)}`));
    app.s3('photos', async (o) => void seen.push(`s3 ${o.key}`));
    process.env.LIFT_RESOURCE_NAMES = JSON.stringify({
      'sqs:reminders': 'reminders-prod',
      's3:photos': 'kefir-prod-photosbucket-1x2y3z',
    });
    expect(await app.handler(sqsEvent(['due'], { queue: 'reminders-prod' }))).toEqual({
      batchItemFailures: [],
    });
    await app.handler(s3Event(['a.jpg'], { bucket: 'kefir-prod-photosbucket-1x2y3z' }));
    expect(seen).toEqual(['sqs due', 's3 a.jpg']);
  });

  it('maps per source: a queue alias does not rename a topic of the same name, and unmapped names stay as they are', async () => {
    const app = createApp({
      records: records(),
      service: 'kefir',
      logger: false,
      metrics: false,
      tracing: false,
    });
    app.sqs('orders', async () => {});
    process.env.LIFT_RESOURCE_NAMES = JSON.stringify({ 'sns:orders': 'orders-prod' });
    await expect(app.handler(sqsEvent(['x'], { queue: 'orders-prod' }))).rejects.toThrow(/orders-prod/);
    expect(await app.handler(sqsEvent(['x'], { queue: 'orders' }))).toEqual({ batchItemFailures: [] });
  });

  it('refuses a value it cannot read, on every call (not only the first): not JSON, an array, a bad entry, two names for one resource', async () => {
    const app = createApp({
      records: records(),
      service: 'kefir',
      logger: false,
      metrics: false,
      tracing: false,
    });
    app.sqs('orders', async () => {});
    for (const [value, message] of [
      ['{not json', /LIFT_RESOURCE_NAMES is not JSON/],
      ['["orders"]', /must be a JSON object/],
      ['{"orders":"orders-prod"}', /"orders" must be "<sqs\|sns\|s3\|dynamodb\|kinesis>:<declared name>"/],
      ['{"sqs:orders":7}', /"sqs:orders" must be/],
      ['{"sqs:a":"x","sqs:b":"x"}', /two declared names stand for sqs:x/],
    ] as const) {
      process.env.LIFT_RESOURCE_NAMES = value;
      for (let call = 0; call < 2; call++)
        await expect(app.handler(sqsEvent(['x'], { queue: 'orders' }))).rejects.toThrow(message);
    }
  });

  it("mis-routing: a record the declared name's registration refuses is not handed to the registration of a name that equals the deployed one", async () => {
    const seen: string[] = [];
    const app = createApp({
      records: records(),
      service: 'kefir',
      logger: false,
      metrics: false,
      tracing: false,
    });
    app.s3('uploads', { prefix: 'incoming/' }, async (o) => void seen.push(`uploads ${o.key}`));
    app.s3('photos', async (o) => void seen.push(`photos ${o.key}`));
    // The bucket deployed for "uploads" happens to be named "photos"; "photos" is deployed elsewhere.
    process.env.LIFT_RESOURCE_NAMES = JSON.stringify({
      's3:uploads': 'photos',
      's3:photos': 'photos-gen-123',
    });
    await app.handler(s3Event(['incoming/a.jpg'], { bucket: 'photos' }));
    await expect(app.handler(s3Event(['other/a.jpg'], { bucket: 'photos' }))).rejects.toThrow(/photos/);
    await app.handler(s3Event(['b.jpg'], { bucket: 'photos-gen-123' }));
    expect(seen).toEqual(['uploads incoming/a.jpg', 'photos b.jpg']);
  });

  it('an app that registered the deployed name it read at import still gets its records', async () => {
    const seen: string[] = [];
    const app = createApp({
      records: records(),
      service: 'kefir',
      logger: false,
      metrics: false,
      tracing: false,
    });
    app.sqs('kefir-prod-jobs', async (m) => void seen.push(String(m.body)));
    process.env.LIFT_RESOURCE_NAMES = JSON.stringify({ 'sqs:jobs': 'kefir-prod-jobs' });
    expect(await app.handler(sqsEvent(['due'], { queue: 'kefir-prod-jobs' }))).toEqual({
      batchItemFailures: [],
    });
    expect(seen).toEqual(['due']);
  });
});
