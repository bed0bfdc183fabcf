import { describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { createApp as createFullApp } from '../app/app.js';
import { ConfigurationError, NotFoundError, PermanentError } from '../errors/errors.js';
import { records } from '../events/feature.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { captureJsonLinesAsync } from '../test-support/capture.js';
import { useProductionObservability } from '../test-support/environment.js';
import { httpApiEvent } from '../testing/events.js';
import { sqsEvent } from '../testing/records.js';
import { createApp } from './lean.js';

describe('createApp from @lift/core/lean', () => {
  // Lines are written as on Lambda, so a lean app writing none is a finding, not the test set-up.
  useProductionObservability();

  it('serves a request with the protections every app has, and writes no line', async () => {
    const app = createApp({ service: 'lean' });
    app.get('/items/:id', (ctx) => ({ id: ctx.params.id }));
    let status = 0;
    let headers = new Headers();
    const lines = await captureJsonLinesAsync(async () => {
      const res = await app.request('/items/42');
      status = res.status;
      headers = res.headers;
      expect(res.json()).toEqual({ id: '42' });
    });
    expect(status).toBe(200);
    expect(headers.get('x-request-id')).toMatch(/\S/);
    expect(headers.get('strict-transport-security')).toMatch(/max-age/);
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(lines).toEqual([]);
  });

  it('answers as the full app does with its observability switched off', async () => {
    const build = (app: ReturnType<typeof createApp>) => {
      app.get('/ok', () => ({ ok: true }));
      app.post('/fail', () => {
        throw new NotFoundError('no such order');
      });
      return app;
    };
    const lean = build(createApp());
    const full = build(createFullApp({ logger: false, metrics: false, tracing: false }));
    for (const [path, method] of [
      ['/ok', 'GET'],
      ['/fail', 'POST'],
      ['/missing', 'GET'],
      ['/ok', 'DELETE'],
    ] as const) {
      // The same event (and so the same request id) to both: their results must be identical.
      const event = httpApiEvent({
        path,
        method,
        requestId: 'req-1',
        headers: { origin: 'https://a.example' },
      });
      expect(await lean.handler(structuredClone(event))).toEqual(await full.handler(structuredClone(event)));
    }
  });

  it('writes the 5xx detail to stderr through onError, as every app does', async () => {
    const app = createApp();
    app.get('/boom', () => {
      throw new Error('database password was hunter2');
    });
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const body = await (await app.request('/boom')).text();
      expect(body).not.toContain('hunter2');
      expect(reported).toHaveBeenCalledOnce();
      expect(String(reported.mock.calls[0]?.[0])).toContain('hunter2');
    } finally {
      reported.mockRestore();
    }
  });

  it('accepts the observability options as false, so an app switches by its import alone', () => {
    expect(() =>
      createApp({ logger: false, metrics: false, tracing: false, accessLog: false, tenantMetrics: false }),
    ).not.toThrow();
  });

  it('refuses observability it cannot give, naming the option and the full createApp', () => {
    const given: Record<string, unknown>[] = [
      { logger: createLogger({ service: 's' }) },
      { metrics: createMetrics({ namespace: 'n', service: 's' }) },
      { tracing: true },
      { accessLog: true },
      { tenantMetrics: true },
    ];
    for (const options of given) {
      const create = () => createApp(options as never);
      expect(create).toThrow(ConfigurationError);
      expect(create).toThrow(new RegExp(`"${Object.keys(options)[0]}" may only be false.*'@lift/core'`));
    }
  });

  it('throws from ctx.log as an app without a logger does', async () => {
    const app = createApp();
    let message = '';
    app.get('/', (ctx) => {
      try {
        ctx.log.info('hello');
      } catch (error) {
        message = (error as Error).message;
      }
      return 'ok';
    });
    await app.request('/');
    expect(message).toMatch(/ctx\.log needs a logger/);
  });

  it('serves records, without logs or metrics', async () => {
    const seen: string[] = [];
    const app = createApp({ records: records() });
    app.sqs('orders', (message) => {
      seen.push(message.body);
    });
    let result: unknown;
    const lines = await captureJsonLinesAsync(async () => {
      result = await app.handler(sqsEvent(['a', 'b'], { queue: 'orders' }));
    });
    expect(seen).toEqual(['a', 'b']);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(lines).toEqual([]);
  });

  it('hands 5xx errors to its own onError', async () => {
    const seen: unknown[] = [];
    const app = createApp({ onError: (error) => seen.push(error) });
    const failure = new Error('downstream timed out');
    app.get('/boom', () => {
      throw failure;
    });
    expect((await app.request('/boom')).status).toBe(500);
    expect(seen).toEqual([failure]);
  });

  it('reports a failed or dropped record on stderr, since it has no logger to report through', async () => {
    const app = createApp({ records: records() });
    app.sqs('orders', (message) => {
      if (message.body === 'poison') throw new PermanentError('order has no lines');
      if (message.body === 'flaky') throw new Error('warehouse unavailable');
    });
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const event = sqsEvent(['ok', 'poison', 'flaky'], { queue: 'orders' });
      const result = (await app.handler(event)) as { batchItemFailures: { itemIdentifier: string }[] };
      const lines = reported.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
      const ids = (event as { Records: { messageId: string }[] }).Records.map((r) => r.messageId);
      // The dropped one is not retried; the failed one is, and both leave a line naming the record.
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: ids[2] }]);
      expect(lines).toMatchObject([
        {
          level: 'ERROR',
          message: 'Record dropped: permanent failure, not retried',
          record_id: ids[1],
          event_source: 'sqs',
          error: { message: 'order has no lines' },
        },
        {
          level: 'ERROR',
          message: 'Record failed',
          record_id: ids[2],
          error: { message: 'warehouse unavailable' },
        },
      ]);
    } finally {
      reported.mockRestore();
    }
  });

  it('answers the batch when a record throws what cannot be turned into text', async () => {
    const app = createApp({ records: records() });
    app.sqs('orders', (message) => {
      // Neither has a toString: reporting them must not fail the whole batch.
      if (message.body === 'bare') throw Object.create(null);
      throw new Error('lookup failed', { cause: Object.create(null) });
    });
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const event = sqsEvent(['bare', 'caused'], { queue: 'orders' });
      const result = (await app.handler(event)) as { batchItemFailures: unknown[] };
      expect(result.batchItemFailures).toHaveLength(2);
      const lines = reported.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
      expect(lines).toMatchObject([
        { message: 'Record failed', error: { message: '[object Object]' } },
        { message: 'Record failed', error: { message: 'lookup failed', cause: '[object Object]' } },
      ]);
    } finally {
      reported.mockRestore();
    }
  });

  it("reports which fields a record's schema refused, as the logger would", async () => {
    const app = createApp({ records: records() });
    app.sqs('orders', { body: z.object({ total: z.number() }) }, () => {});
    const reported = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await app.handler(sqsEvent([JSON.stringify({ total: 'ten' })], { queue: 'orders' }));
      const [line] = reported.mock.calls.map(([text]) => JSON.parse(String(text)) as Record<string, unknown>);
      expect(line).toMatchObject({ error: { details: { issues: [{ path: 'body.total' }] } } });
    } finally {
      reported.mockRestore();
    }
  });

  it('still checks the options every app checks', () => {
    expect(() => createApp({ bodyLimit: -1 })).toThrow(ConfigurationError);
    expect(() => createApp({ nope: 1 } as never)).toThrow(/nope/);
  });
});
