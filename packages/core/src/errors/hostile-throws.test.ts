/**
 * Whatever a handler, hook, store or logger throws, Lift still answers (a clean 500 envelope, or the
 * batch's `batchItemFailures`) and the failure still leaves a line: a report must never become the
 * failure. Each case is a value an outside review found breaking that (a revoked proxy, a cyclic or
 * BigInt cause, details JSON cannot hold, getters that throw, a `write` that throws).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app/app.js';
import { records } from '../events/feature.js';
import { createApp as createLeanApp } from '../lean/lean.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { failed, type RateLimitStore } from '../ratelimit/decision.js';
import { rateLimits } from '../ratelimit/limits.js';
import { captureJsonLinesAsync } from '../test-support/capture.js';
import { useProductionObservability } from '../test-support/environment.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { sqsEvent } from '../testing/records.js';
import { createWorker } from '../worker/worker.js';
import { HttpError } from './errors.js';
import { safeText } from './report.js';

useProductionObservability();

const revoked = (): object => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};
const trapping = (): object =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('trap');
      },
      getPrototypeOf() {
        throw new Error('trap');
      },
    },
  );
const cyclic = (): Error => {
  const error = new Error('insert failed');
  error.cause = error;
  return error;
};
const bigintCause = (): Error => new Error('insert failed', { cause: { id: 1n } });
const throwingName = (): Error => {
  const error = new Error('odd');
  Object.defineProperty(error, 'name', {
    get() {
      throw new Error('getter');
    },
  });
  return error;
};

const HOSTILE: readonly (readonly [string, () => unknown])[] = [
  ['a revoked proxy', revoked],
  ['a proxy whose traps throw', trapping],
  ['an error whose cause is itself', cyclic],
  ['an error whose cause holds a BigInt', bigintCause],
  ['an error whose name getter throws', throwingName],
  [
    'a 5xx HttpError whose details hold a BigInt',
    () => new HttpError(503, 'DOWN', 'down', { details: { n: 1n } }),
  ],
];

let stderr: string[] = [];
const spyOnStderr = () => {
  stderr = [];
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
    stderr.push(String(line));
  });
};
afterEach(() => vi.restoreAllMocks());

describe('safeText', () => {
  it('turns anything into text, a revoked proxy and throwing traps included', () => {
    expect(safeText(revoked())).toBe('[unprintable value]');
    expect(safeText(trapping())).toBe('[unprintable value]');
    expect(safeText(Object.create(null))).toBe('[object Object]');
    expect(safeText(1n)).toBe('1');
  });
});

describe('a route that throws a hostile value', () => {
  for (const [name, make] of HOSTILE) {
    it(`answers a clean 500 and reports it: ${name}`, async () => {
      for (const build of [
        () => createApp({ service: 'orders', metrics: false, tracing: false }),
        () => createLeanApp({ service: 'orders' }),
      ]) {
        spyOnStderr();
        const app = build();
        app.get('/x', () => {
          throw make();
        });
        const lines = await captureJsonLinesAsync(async () => {
          const res = await app.request({ path: '/x', requestId: 'req-1' });
          expect(res.status).toBe(name.startsWith('a 5xx') ? 503 : 500);
          expect(res.json()).toMatchObject({ error: { requestId: 'req-1' } });
          expect(res.text()).not.toMatch(/insert failed|trap|getter/);
        });
        const reported = [...lines, ...stderr.map((l) => JSON.parse(l))].filter(
          (l) => l.level === 'ERROR' && l.message === 'Request failed',
        );
        expect(reported).toHaveLength(1);
        vi.restoreAllMocks();
      }
    });
  }

  it('answers a 4xx whose details JSON cannot hold as a clean 500, reported', async () => {
    spyOnStderr();
    const app = createLeanApp({ service: 'orders' });
    app.get('/x', () => {
      throw new HttpError(409, 'CONFLICT', 'stale', { details: { version: 7n } });
    });
    const res = await app.request({ path: '/x' });
    expect(res.status).toBe(500);
    expect(res.json()).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
    expect(stderr.map((l) => JSON.parse(l).message)).toEqual(['Request failed']);
  });

  it('leaves a line when onError throws or rejects with a revoked proxy', async () => {
    for (const onError of [
      () => {
        throw revoked();
      },
      async () => {
        throw revoked();
      },
    ]) {
      spyOnStderr();
      const app = createLeanApp({ service: 'orders', onError });
      app.get('/x', () => {
        throw new Error('db down');
      });
      expect((await app.request({ path: '/x' })).status).toBe(500);
      await new Promise((resolve) => setImmediate(resolve));
      expect(stderr.map((l) => JSON.parse(l))).toMatchObject([
        {
          message: 'Request failed, and onError threw',
          on_error: '[unprintable value]',
          error: { message: 'db down' },
        },
      ]);
      vi.restoreAllMocks();
    }
  });
});

describe('a record handler that throws a hostile value', () => {
  for (const [name, make] of HOSTILE) {
    it(`fails only that record, and reports it: ${name}`, async () => {
      const builds = [
        () => createApp({ service: 'jobs', records: records(), metrics: false, tracing: false }),
        () => createLeanApp({ service: 'jobs', records: records() }),
        () => createWorker({ service: 'jobs' }),
      ];
      for (const build of builds) {
        spyOnStderr();
        const app = build();
        app.sqs('jobs', (m) => {
          if (m.body === 'bad') throw make();
        });
        const lines = await captureJsonLinesAsync(async () => {
          const out = await app.handler(sqsEvent(['ok', 'bad'], { queue: 'jobs' }), fakeLambdaContext());
          expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: expect.any(String) }] });
        });
        const reported = [...lines, ...stderr.map((l) => JSON.parse(l))].filter(
          (l) => l.message === 'Record failed',
        );
        expect(reported).toHaveLength(1);
        vi.restoreAllMocks();
      }
    });
  }
});

describe('a logger or metrics whose write throws', () => {
  const broken = () => {
    throw new Error('disk full');
  };

  it("never changes a request's answer; the failure goes to stderr", async () => {
    spyOnStderr();
    const app = createApp({
      service: 'orders',
      logger: createLogger({ service: 'orders', write: broken }),
      metrics: createMetrics({ namespace: 'Lift', service: 'orders', write: broken }),
    });
    app.get('/x', () => ({ ok: true }));
    const res = await app.request({ path: '/x' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    expect(stderr.length).toBeGreaterThan(0);
  });

  it("never changes a batch's answer", async () => {
    spyOnStderr();
    const app = createApp({
      service: 'jobs',
      records: records(),
      logger: createLogger({ service: 'jobs', write: broken }),
      metrics: createMetrics({ namespace: 'Lift', service: 'jobs', write: broken }),
    });
    app.sqs('jobs', (m) => {
      if (m.body === 'bad') throw new Error('no');
    });
    const out = await app.handler(sqsEvent(['ok', 'bad'], { queue: 'jobs' }), fakeLambdaContext());
    expect(out).toEqual({ batchItemFailures: [{ itemIdentifier: expect.any(String) }] });
    expect(stderr.some((l) => JSON.parse(l).message === 'Record failed')).toBe(true);
  });
});

describe('a rate-limit store that fails with a value that cannot be turned into text', () => {
  it('still fails open as its rule says, and the warning is written', async () => {
    const store: RateLimitStore = {
      consume: async (_key, rule) => failed(rule, 'store_error', Object.create(null)),
    };
    const lines = await captureJsonLinesAsync(async () => {
      const app = createApp({
        service: 'limits',
        metrics: false,
        tracing: false,
        rateLimits: rateLimits({ store }),
      });
      app.post(
        '/open',
        { rateLimit: { limit: 5, window: '1m', name: 'open', onStoreError: 'open' } },
        () => 'ran',
      );
      expect((await app.request('/open', { method: 'POST' })).status).toBe(200);
    });
    expect(lines.filter((l) => l.level === 'WARN').map((l) => l.error)).toEqual(['[object Object]']);
  });
});
