import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { captureJsonLines } from '../test-support/capture.js';
import { powertoolsColdStartBlob } from '../test-support/emf.js';
import { useProductionObservability } from '../test-support/environment.js';
import {
  COLD_START_BLOB,
  createMetrics,
  type LiftMetrics,
  type MetricsOptions,
  REQUEST_BLOB,
} from './metrics.js';

useProductionObservability();

const withoutTimestamp = (blob: Record<string, unknown>) => {
  const aws = blob._aws as Record<string, unknown>;
  expect(typeof aws.Timestamp).toBe('number');
  return { ...blob, _aws: { ...aws, Timestamp: 0 } };
};

describe('golden: the same EMF as Powertools Metrics', () => {
  it('matches key for key: _aws, metadata, dimensions, values (arrays for repeats), high resolution', () => {
    const theirs = captureJsonLines(() => {
      const m = new PowertoolsMetrics({ namespace: 'Lift', serviceName: 'orders' });
      m.addDimension('route', '/orders/:id');
      m.addMetric('latency', 'Milliseconds', 12.5);
      m.addMetric('latency', 'Milliseconds', 7);
      m.addMetric('requests', 'Count', 1);
      m.addMetric('fast', 'Count', 1, 1);
      m.addMetadata('requestId', 'r-1');
      m.publishStoredMetrics();
    });
    const ours = captureJsonLines(() => {
      const m = createMetrics({ namespace: 'Lift', service: 'orders' });
      m.addDimension('route', '/orders/:id');
      m.addMetric('latency', 'Milliseconds', 12.5);
      m.addMetric('latency', 'Milliseconds', 7);
      m.addMetric('requests', 'Count', 1);
      m.addMetric('fast', 'Count', 1, 'high');
      m.addMetadata('requestId', 'r-1');
      m.flush();
    });
    expect(ours).toHaveLength(1);
    expect(Object.keys(ours[0] as object)).toEqual(Object.keys(theirs[0] as object));
    expect(withoutTimestamp(ours[0] as Record<string, unknown>)).toEqual(
      withoutTimestamp(theirs[0] as Record<string, unknown>),
    );
  });
});

describe('EMF limits', () => {
  const collect = () => {
    const blobs: Record<string, unknown>[] = [];
    return {
      blobs,
      metrics: createMetrics({
        namespace: 'Lift',
        service: 's',
        write: (l) => blobs.push(JSON.parse(l) as Record<string, unknown>),
      }),
    };
  };
  const names = (blob: Record<string, unknown>) =>
    (
      (blob._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]?.Metrics ??
      []
    ).map((m) => m.Name);

  it('flushes by itself at 100 metrics and at 100 values of one metric', () => {
    const { blobs, metrics } = collect();
    for (let i = 0; i < 150; i++) metrics.addMetric(`m${i}`, 'Count', 1);
    metrics.flush();
    expect(blobs.map((b) => names(b).length)).toEqual([100, 50]);
    const values = collect();
    for (let i = 0; i < 150; i++) values.metrics.addMetric('latency', 'Milliseconds', i);
    values.metrics.flush();
    expect(values.blobs.map((b) => (b.latency as number[]).length)).toEqual([100, 50]);
  });

  it('refuses a 30th dimension, unknown units, bad names and non-finite values', () => {
    const { metrics } = collect();
    for (let i = 0; i < 28; i++) metrics.addDimension(`d${i}`, 'x');
    expect(() => metrics.addDimension('one-too-many', 'x')).toThrow(/more than 29/);
    expect(() => metrics.addMetric('m', 'Furlongs' as never, 1)).toThrow(/invalid unit/);
    expect(() => metrics.addMetric('bad name!', 'Count', 1)).toThrow(/invalid metric name/);
    expect(() => metrics.addMetric('m', 'Count', Number.NaN)).toThrow(/finite/);
  });

  it('writes the blob JSON.stringify would write, whatever the names, and starts afresh after each flush', () => {
    const lines: string[] = [];
    const m = createMetrics({
      namespace: 'Lift',
      service: 'orders',
      now: () => 7,
      write: (l) => lines.push(l),
    });
    const expected = (values: Record<string, unknown>, dimensions: string[], metrics: object[]) =>
      `{"_aws":{"Timestamp":7,"CloudWatchMetrics":${JSON.stringify([{ Namespace: 'Lift', Dimensions: [dimensions], Metrics: metrics }])}}${JSON.stringify(values).replace(/^\{/, ',')}`;
    // A value needing escapes, a default overridden, repeated values, high resolution.
    m.addDimension('ro#ute', 'a\\b "q" \u0007');
    m.addDimension('service', 'billing');
    m.addMetric('lat:ency', 'Milliseconds', 1.5);
    m.addMetric('lat:ency', 'Milliseconds', -0);
    m.addMetric('hits', 'Count', 1e21, 'high');
    m.flush();
    // A metric named like a dimension, an array-index name, and metadata: JSON.stringify's order.
    m.addMetadata('requestId', 'r-1');
    m.addDimension('route', '/x');
    m.addMetric('route', 'Count', 2);
    m.addMetric('42', 'Count', 3);
    m.flush();
    m.addMetric('hits', 'Count', 1);
    m.flush();
    expect(lines).toEqual([
      expected(
        { service: 'billing', 'ro#ute': 'a\\b "q" \u0007', 'lat:ency': [1.5, 0], hits: 1e21 },
        ['service', 'ro#ute'],
        [
          { Name: 'lat:ency', Unit: 'Milliseconds' },
          { Name: 'hits', Unit: 'Count', StorageResolution: 1 },
        ],
      ),
      expected(
        { requestId: 'r-1', service: 'orders', route: 2, 42: 3 },
        ['service', 'route'],
        [
          { Name: 'route', Unit: 'Count' },
          { Name: '42', Unit: 'Count' },
        ],
      ),
      expected({ service: 'orders', hits: 1 }, ['service'], [{ Name: 'hits', Unit: 'Count' }]),
    ]);
  });

  it('writes nothing when nothing was collected', () => {
    const { blobs, metrics } = collect();
    metrics.flush();
    expect(blobs).toEqual([]);
  });
});

describe('switching metrics off', () => {
  afterEach(() => {
    delete process.env.POWERTOOLS_DEV;
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });

  it('follows POWERTOOLS_METRICS_DISABLED, then POWERTOOLS_DEV, as Powertools does; still checks input', () => {
    const written = (disabled?: boolean) => {
      const lines: string[] = [];
      const m = createMetrics({
        namespace: 'Lift',
        write: (l) => lines.push(l),
        ...(disabled === undefined ? {} : { disabled }),
      });
      m.addMetric('requests', 'Count', 1);
      m.flush();
      expect(() => m.addMetric('bad', 'Parsecs' as never, 1)).toThrow(/unit/);
      return lines.length;
    };
    expect(written()).toBe(1);
    process.env.POWERTOOLS_DEV = 'true';
    expect(written()).toBe(0);
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    expect(written()).toBe(1);
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    expect(written()).toBe(0);
    expect(written(false)).toBe(1);
  });
});

describe('per-request metrics', () => {
  const blobs: Record<string, unknown>[] = [];
  const metrics = createMetrics({
    namespace: 'Lift',
    service: 'orders',
    disabled: false,
    write: (l) => blobs.push(JSON.parse(l) as Record<string, unknown>),
  });
  const app = createApp({ service: 'orders', onError: () => {}, logger: false, metrics });
  app.get('/orders/:id', () => ({ ok: true }));
  app.get('/boom', () => {
    throw new Error('x');
  });

  it('flushes after every request, errors included, with route pattern, method and status class only', async () => {
    blobs.length = 0;
    await app.request('/orders/o-123456');
    await app.request('/boom');
    await app.request('/does/not/exist/42');
    await app.request({ path: '/orders/1', method: 'BREW' });
    expect(blobs.map((b) => [b.route, b.method, b.status_class, b.requests])).toEqual([
      ['/orders/:id', 'GET', '2xx', 1],
      ['/boom', 'GET', '5xx', 1],
      ['unmatched', 'GET', '4xx', 1],
      ['unmatched', 'OTHER', '4xx', 1], // a 405: no route matched
    ]);
    // A raw path never becomes a dimension.
    expect(JSON.stringify(blobs)).not.toMatch(/o-123456|does\/not|BREW/);
    expect(typeof blobs[0]?.latency).toBe('number');
  });
});

// What running the fast way or the long way came to: 'ok', or what it threw.
const outcome = (run: () => void) => {
  try {
    run();
    return 'ok';
  } catch (error) {
    return String(error);
  }
};

// Two metrics alike but for where their lines go: one to try the fast way on, one for the long way.
function metricsPair(config: Partial<MetricsOptions>) {
  const fast: string[] = [];
  const slow: string[] = [];
  const options = { namespace: 'Lift', service: 'orders', now: () => 7, ...config };
  const a = createMetrics({ ...options, write: (l) => fast.push(l) }) as LiftMetrics;
  const b = createMetrics({ ...options, write: (l) => slow.push(l) });
  return { a, b, fast, slow };
}

describe('the request blob', () => {
  type Input = [
    route: string,
    method: string,
    statusClass: string,
    tenant: string | undefined,
    latency: number,
  ];
  // What recordRequestMetrics does without the fast way.
  const longWay = (
    m: ReturnType<typeof createMetrics>,
    [route, method, statusClass, tenant, latency]: Input,
  ) => {
    m.addDimension('route', route);
    m.addDimension('method', method);
    m.addDimension('status_class', statusClass);
    if (tenant !== undefined) m.addDimension('tenant', tenant);
    m.addMetric('latency', 'Milliseconds', latency);
    m.addMetric('requests', 'Count', 1);
    m.flush();
  };

  it('is written byte for byte as adding the dimensions and metrics and flushing writes it', () => {
    const configs = [
      {},
      { defaultDimensions: { env: 'prod', 'r"egion': 'eu\u0001' } },
      { defaultDimensions: { route: '/fixed' } },
      { defaultDimensions: { latency: 'x' } },
      { defaultDimensions: { 7: 'seven' } },
      { defaultDimensions: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`d${i}`, 'v'])) },
      { disabled: true },
    ];
    const inputs: Input[] = [
      ['/orders/:id', 'GET', '2xx', undefined, 12.5],
      ['/orders/:id', 'GET', '2xx', 't1', 0],
      ['/q"uote\\', 'OTHER', '5xx', 'té\u2028', -0],
      ['unmatched', 'POST', '4xx', undefined, 1e21],
      ['', 'GET', '2xx', undefined, 1],
      ['/a', 'GET', '2xx', '', 1],
      ['/a', 'GET', '2xx', undefined, Number.NaN],
    ];
    for (const config of configs) {
      const { a, b, fast, slow } = metricsPair(config);
      for (const input of inputs) {
        const ours = outcome(() => {
          if (!a[REQUEST_BLOB](...input)) longWay(a, input);
        });
        expect(ours).toBe(outcome(() => longWay(b, input)));
        // After a refusal the long way left nothing behind, or both left the same.
        a.flush();
        b.flush();
      }
      // Something collected first: the blob declines, and the long way adds to what was collected.
      a.addMetric('orders', 'Count', 2);
      b.addMetric('orders', 'Count', 2);
      expect(a[REQUEST_BLOB]('/a', 'GET', '2xx', undefined, 3)).toBe(false);
      longWay(a, ['/a', 'GET', '2xx', undefined, 3]);
      longWay(b, ['/a', 'GET', '2xx', undefined, 3]);
      expect(fast).toEqual(slow);
      if (config.disabled !== true) expect(fast.length).toBeGreaterThan(0);
    }
  });
});

describe('the cold-start blob', () => {
  // What recordColdStart does without the fast way (`undefined`: no Lambda context).
  const longWay = (m: ReturnType<typeof createMetrics>, functionName: string | undefined) => {
    if (functionName !== undefined) m.addDimension('function_name', functionName);
    m.addMetric('ColdStart', 'Count', 1);
    m.flush();
  };

  it('is written byte for byte as the long way writes it, and declines wherever that differs', () => {
    const configs = [
      {},
      { defaultDimensions: { env: 'prod', 'r"egion': 'eu\u0001' } },
      { defaultDimensions: { function_name: 'fixed' } },
      { defaultDimensions: { ColdStart: 'x' } },
      { defaultDimensions: { 0: 'zero' } },
      { defaultDimensions: Object.fromEntries(Array.from({ length: 28 }, (_, i) => [`d${i}`, 'v'])) },
      { disabled: true },
    ];
    const inputs = [undefined, 'orders-api', 'q"uote\\é\u2028', ''];
    // Where the fast way must be the one taken (so a writer that always declines fails here).
    const plainConfig = (config: object) => Object.keys(config).length === 0;
    for (const config of configs) {
      const { a, b, fast, slow } = metricsPair(config);
      for (const input of inputs) {
        const ours = outcome(() => {
          const fastWay = a[COLD_START_BLOB](input);
          if (plainConfig(config)) expect(fastWay).toBe(input !== '');
          if (!fastWay) longWay(a, input);
        });
        expect(ours).toBe(outcome(() => longWay(b, input)));
        a.flush();
        b.flush();
      }
      // Something collected first: the blob declines, and the long way adds to what was collected.
      a.addMetric('orders', 'Count', 2);
      b.addMetric('orders', 'Count', 2);
      expect(a[COLD_START_BLOB]('orders-api')).toBe(false);
      expect(outcome(() => longWay(a, 'orders-api'))).toBe(outcome(() => longWay(b, 'orders-api')));
      expect(fast).toEqual(slow);
      if (config.disabled !== true) expect(fast.length).toBeGreaterThan(0);
    }
  });

  it('has the shape Powertools gives ColdStart: service and function name, Count 1', () => {
    const lines: string[] = [];
    const m = createMetrics({
      namespace: 'Lift',
      service: 'orders',
      now: () => 7,
      write: (l) => lines.push(l),
    });
    expect((m as LiftMetrics)[COLD_START_BLOB]('orders-api')).toBe(true);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      powertoolsColdStartBlob({
        namespace: 'Lift',
        service: 'orders',
        functionName: 'orders-api',
        timestamp: 7,
      }),
    ]);
  });
});
