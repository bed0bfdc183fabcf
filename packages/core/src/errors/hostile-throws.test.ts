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
import { createErrorReporter } from '../observability/error-reporter.js';
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

const failingStore = (error: unknown): RateLimitStore => ({
  consume: async (_key, rule) => failed(rule, 'store_error', error),
});
// An app whose one route fails open when its rate-limit store fails.
const failOpenApp = (store: RateLimitStore, logger?: ReturnType<typeof createLogger>) => {
  const app = createApp({
    service: 'limits',
    metrics: false,
    tracing: false,
    ...(logger === undefined ? {} : { logger }),
    rateLimits: rateLimits({ store }),
  });
  app.post(
    '/open',
    { rateLimit: { limit: 5, window: '1m', name: 'open', onStoreError: 'open' } },
    () => 'ran',
  );
  return app;
};

let stderr: string[] = [];
// Both ways a line reaches stderr: `console.error` (failure reports) and the raw stream (lines a
// failed log write sends there as they are).
const spyOnStderr = () => {
  stderr = [];
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
    stderr.push(String(line));
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    stderr.push(String(chunk).trimEnd());
    return true;
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
    // The logger could not write its lines: they went to stderr, after one line saying why.
    const said = stderr.map((l) => JSON.parse(l).message);
    expect(said.filter((m) => m === 'Log write failed: its lines go to stderr')).toHaveLength(1);
    expect(said).toContain('Record failed');
  });
});

describe('a rate-limit store that fails with a value that cannot be turned into text', () => {
  it('still fails open as its rule says, and the warning is written', async () => {
    const app = failOpenApp(failingStore(Object.create(null)));
    const lines = await captureJsonLinesAsync(async () => {
      expect((await app.request('/open', { method: 'POST' })).status).toBe(200);
    });
    expect(lines.filter((l) => l.level === 'WARN').map((l) => l.error)).toEqual(['[object Object]']);
  });
});

describe('what the logger writes of a hostile error (on its own line, not the stderr fallback)', () => {
  const logged = async (thrown: () => unknown) => {
    const lines: Record<string, unknown>[] = [];
    const app = createApp({
      service: 'jobs',
      records: records(),
      metrics: false,
      tracing: false,
      logger: createLogger({ service: 'jobs', write: (l) => void lines.push(JSON.parse(l)) }),
    });
    app.sqs('jobs', () => {
      throw thrown();
    });
    spyOnStderr();
    await app.handler(sqsEvent(['a'], { queue: 'jobs' }), fakeLambdaContext());
    expect(stderr).toEqual([]);
    return lines.find((l) => l.message === 'Record failed')?.error as Record<string, unknown>;
  };

  it('a BigInt in the cause, written as its digits, the message kept', async () => {
    expect(await logged(bigintCause)).toMatchObject({ message: 'insert failed', cause: { id: '1' } });
  });

  it('a cause chain that loops, cut after eight causes', async () => {
    let error = (await logged(cyclic)) as Record<string, unknown> | undefined;
    for (let depth = 0; depth < 8; depth++) error = error?.cause as Record<string, unknown> | undefined;
    expect(error?.cause).toBe('[cause chain cut]');
  });

  it('a cause whose toJSON throws, or which cannot be read, marked, the message kept', async () => {
    const unserializable = {
      toJSON() {
        throw new Error('no');
      },
    };
    expect(await logged(() => new Error('db down', { cause: unserializable }))).toMatchObject({
      message: 'db down',
      cause: '[unserializable value]',
    });
    expect(await logged(() => new Error('db down', { cause: { inner: revoked() } }))).toMatchObject({
      message: 'db down',
      cause: '[unserializable value]',
    });
  });
});

describe('an HttpError that cannot be answered as it says', () => {
  const cases: readonly (readonly [string, () => HttpError])[] = [
    [
      'a header value with CRLF',
      () =>
        new HttpError(401, 'UNAUTHORIZED', 'no', {
          headers: { 'www-authenticate': 'Bearer\r\nset-cookie: a=1' },
        }),
    ],
    [
      'a header value that is not a string',
      () => new HttpError(429, 'LIMITED', 'slow down', { headers: { 'retry-after': 5 as never } }),
    ],
    ['a status that is not an HTTP status', () => new HttpError(1000, 'ODD', 'odd')],
    ['a status that is not a number', () => new HttpError(Number.NaN, 'ODD', 'odd')],
  ];
  for (const [name, make] of cases) {
    it(`answers a clean 500 without its headers, reported: ${name}`, async () => {
      spyOnStderr();
      const app = createLeanApp({ service: 'orders' });
      app.get('/x', () => {
        throw make();
      });
      const res = await app.request({ path: '/x' });
      expect(res.status).toBe(500);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(res.headers.get('retry-after')).toBeNull();
      expect(stderr.map((l) => JSON.parse(l).message)).toEqual(['Request failed']);
    });
  }

  it('still answers a redirect thrown as an HttpError, with its Location', async () => {
    const app = createLeanApp({ service: 'orders' });
    app.get('/x', () => {
      throw new HttpError(302, 'MOVED', 'moved', { headers: { Location: '/y' } });
    });
    const res = await app.request({ path: '/x' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/y');
  });

  it('reports why it answered a 500, with the error it was given as the cause', async () => {
    spyOnStderr();
    const app = createLeanApp({ service: 'orders' });
    app.get('/x', () => {
      throw new HttpError(401, 'UNAUTHORIZED', 'no', { headers: { 'x-bad': 'a\nb' } });
    });
    expect((await app.request({ path: '/x' })).status).toBe(500);
    expect(stderr.map((l) => JSON.parse(l).error)).toMatchObject([
      { message: 'The error could not be answered as it is: its header "x-bad" is not a valid header' },
    ]);
  });

  it('still sends a valid header given in mixed case, lower-cased', async () => {
    const app = createLeanApp({ service: 'orders' });
    app.get('/x', () => {
      throw new HttpError(429, 'LIMITED', 'slow down', { headers: { 'Retry-After': '5' } });
    });
    const res = await app.request({ path: '/x' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('5');
  });
});

describe('framework log lines through a logger whose write throws', () => {
  const throwingLogger = () =>
    createLogger({
      service: 'limits',
      write: () => {
        throw new Error('disk full');
      },
    });

  it('a rate-limit store failure still fails open as its rule says', async () => {
    spyOnStderr();
    const app = failOpenApp(failingStore(new Error('down')), throwingLogger());
    expect((await app.request('/open', { method: 'POST' })).status).toBe(200);
    const said = stderr.map((l) => JSON.parse(l));
    expect(said.map((l) => l.message)).toContain('Log write failed: its lines go to stderr');
    // The warning itself is not lost: it is on stderr.
    expect(said.filter((l) => l.level === 'WARN').map((l) => l.error)).toEqual(['down']);
  });

  it('an error tracker is still called when the logger beside it fails', async () => {
    spyOnStderr();
    const reported: unknown[] = [];
    const app = createLeanApp({
      service: 'orders',
      onError: createErrorReporter({
        logger: throwingLogger(),
        report: (error) => {
          reported.push(error);
        },
      }),
    });
    app.get('/x', () => {
      throw new Error('db down');
    });
    expect((await app.request({ path: '/x' })).status).toBe(500);
    expect(reported).toHaveLength(1);
  });
});
