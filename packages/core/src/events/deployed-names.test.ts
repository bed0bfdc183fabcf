/**
 * A deployment names resources as it must (stage suffixes, generated bucket names) and maps each
 * deployed name back to the declared one in LIFT_RESOURCE_NAMES; registrations keep the declared names.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { s3Event, sqsEvent } from '../testing/records.js';

afterEach(() => {
  delete process.env.LIFT_RESOURCE_NAMES;
});

describe('deployed resource names (LIFT_RESOURCE_NAMES)', () => {
  it('routes a deployed queue and a generated bucket name to the registrations of the declared names', async () => {
    const seen: string[] = [];
    const app = createApp({ service: 'kefir', logger: false, metrics: false, tracing: false });
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
    const app = createApp({ service: 'kefir', logger: false, metrics: false, tracing: false });
    app.sqs('orders', async () => {});
    process.env.LIFT_RESOURCE_NAMES = JSON.stringify({ 'sns:orders': 'orders-prod' });
    await expect(app.handler(sqsEvent(['x'], { queue: 'orders-prod' }))).rejects.toThrow(/orders-prod/);
    expect(await app.handler(sqsEvent(['x'], { queue: 'orders' }))).toEqual({ batchItemFailures: [] });
  });

  it('refuses a value that is not a JSON object', async () => {
    const app = createApp({ service: 'kefir', logger: false, metrics: false, tracing: false });
    app.sqs('orders', async () => {});
    process.env.LIFT_RESOURCE_NAMES = '["orders"]';
    await expect(app.handler(sqsEvent(['x'], { queue: 'orders' }))).rejects.toThrow(/LIFT_RESOURCE_NAMES/);
  });
});
