import { afterEach, describe, expect, it, vi } from 'vitest';
import { powertoolsColdStartBlob } from '../test-support/emf.js';
import { useProductionObservability } from '../test-support/environment.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { sqsEvent } from '../testing/records.js';

useProductionObservability();

// The cold-start flag is read when request-metrics.ts loads, as a Lambda environment sets it before
// the handler's module is imported: each case loads the modules afresh under its own environment.
async function freshApp(initialization: string | undefined) {
  if (initialization === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = initialization;
  vi.resetModules();
  const { createApp } = await import('../app/app.js');
  const { createMetrics } = await import('./metrics.js');
  const { records } = await import('../events/feature.js');
  const blobs: Record<string, unknown>[] = [];
  const app = createApp({
    service: 'orders',
    logger: false,
    tracing: false,
    records: records(),
    metrics: createMetrics({ namespace: 'Lift', service: 'orders', write: (l) => blobs.push(JSON.parse(l)) }),
  });
  app.get('/ping', () => 'pong');
  app.sqs('jobs', () => {});
  return { app, blobs };
}

const coldStarts = (blobs: readonly Record<string, unknown>[]) => blobs.filter((b) => 'ColdStart' in b);

describe('the ColdStart metric', () => {
  const saved = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = saved;
    vi.resetModules();
  });

  it('is written once per on-demand environment, in a blob of its own, by service and function name', async () => {
    const { app, blobs } = await freshApp('on-demand');
    const lambda = fakeLambdaContext({ functionName: 'orders-api' });
    await app.request({ path: '/ping', lambda });
    await app.request({ path: '/ping', lambda });
    expect(coldStarts(blobs)).toEqual([
      powertoolsColdStartBlob({ namespace: 'Lift', service: 'orders', functionName: 'orders-api' }),
    ]);
    // The request blobs never carry it.
    expect(blobs.filter((b) => 'requests' in b)).toHaveLength(2);
  });

  it('is written by the first invocation whichever it is, a batch of records included', async () => {
    const { app, blobs } = await freshApp('on-demand');
    await app.handler(
      sqsEvent(['a'], { queue: 'jobs' }),
      fakeLambdaContext({ functionName: 'orders-worker' }),
    );
    await app.request({ path: '/ping', lambda: fakeLambdaContext({ functionName: 'orders-worker' }) });
    expect(coldStarts(blobs).map((b) => b.function_name)).toEqual(['orders-worker']);
  });

  it('refuses, as addDimension does, a Lambda context whose function name is not a string', async () => {
    const { app } = await freshApp('on-demand');
    const lambda = { ...fakeLambdaContext(), functionName: undefined as unknown as string };
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // The metric cannot be written, and says why on stderr; the request is still answered.
      expect((await app.request({ path: '/ping', lambda })).status).toBe(200);
      expect(reported.mock.calls.map(([line]) => JSON.parse(String(line)).error.message)).toEqual([
        'addDimension: invalid dimension function_name',
      ]);
    } finally {
      reported.mockRestore();
    }
  });

  it('is not written by provisioned concurrency, SnapStart or outside Lambda', async () => {
    for (const initialization of ['provisioned-concurrency', 'snap-start', undefined]) {
      const { app, blobs } = await freshApp(initialization);
      await app.request({ path: '/ping', lambda: fakeLambdaContext() });
      expect(coldStarts(blobs)).toEqual([]);
    }
  });
});
