/**
 * The circuit breaker walked through its states on a fake clock: closed, open after the threshold,
 * refusing fast, half-open after the cool-down with one trial call, closed again or reopened; and
 * the log lines and EMF metrics each transition writes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../errors/errors.js';
import { captureJsonLinesAsync } from '../test-support/capture.js';
import { circuitBreaker } from './breaker.js';
import { DependencyUnavailableError } from './faults.js';

const outage = () =>
  Object.assign(new Error('boom'), { $fault: 'server', $metadata: { httpStatusCode: 500 } });
const throttle = () => Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
const fail = () => Promise.reject(outage());
const succeed = () => Promise.resolve('ok');

let names = 0;
/** A breaker with a fresh name (breakers are per name and per process), its lines and metrics. */
function breaker(options: { failureThreshold?: number; halfOpenAfterMs?: number } = {}) {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const metrics: Record<string, unknown>[] = [];
  const created = circuitBreaker(`dep-${++names}`, {
    failureThreshold: 3,
    halfOpenAfterMs: 10_000,
    ...options,
    logger: {
      info: (message, fields) => lines.push({ level: 'INFO', message, fields }),
      warn: (message, fields) => lines.push({ level: 'WARN', message, fields }),
    },
    metrics: { namespace: 'tests', write: (line) => metrics.push(JSON.parse(line)) },
  });
  return { breaker: created, lines, metrics };
}

async function refusal(run: Promise<unknown>): Promise<DependencyUnavailableError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DependencyUnavailableError);
  return error as DependencyUnavailableError;
}

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-11-23T10:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('circuit breaker states', () => {
  it('closed → open after the threshold; open refuses fast with a 503, Retry-After and no call', async () => {
    const { breaker: b } = breaker();
    const call = vi.fn(fail);
    for (let i = 0; i < 2; i++) await expect(b.execute(call)).rejects.toThrow('boom');
    expect(b.state).toBe('closed');
    await expect(b.execute(call)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
    expect(call).toHaveBeenCalledTimes(3);

    const refused = await refusal(b.execute(call));
    expect(call).toHaveBeenCalledTimes(3);
    expect([refused.status, refused.code, refused.reason, refused.headers]).toEqual([
      503,
      'DEPENDENCY_UNAVAILABLE',
      'circuit-open',
      { 'retry-after': '10' },
    ]);
    vi.advanceTimersByTime(4_200);
    expect(b.retryAfterMs()).toBe(5_800);
    expect((await refusal(b.execute(call))).headers).toEqual({ 'retry-after': '6' });
  });

  it('half-open after the cool-down lets one trial through; its success closes the circuit', async () => {
    const { breaker: b } = breaker();
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow();
    vi.advanceTimersByTime(9_999);
    await refusal(b.execute(succeed));
    vi.advanceTimersByTime(1);

    let finish: (value: string) => void = () => undefined;
    const trial = b.execute(() => new Promise<string>((resolve) => (finish = resolve)));
    expect(b.state).toBe('half-open');
    // Others are refused at once while the trial runs, rather than wait for its outcome.
    const other = vi.fn(succeed);
    await refusal(b.execute(other));
    expect(other).not.toHaveBeenCalled();

    finish('fine');
    await expect(trial).resolves.toBe('fine');
    expect(b.state).toBe('closed');
    await expect(b.execute(succeed)).resolves.toBe('ok');
  });

  it("the trial's failure reopens the circuit for another cool-down", async () => {
    const { breaker: b } = breaker();
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow();
    vi.advanceTimersByTime(10_000);
    await expect(b.execute(fail)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
    expect(b.retryAfterMs()).toBe(10_000);
    vi.advanceTimersByTime(10_000);
    await expect(b.execute(succeed)).resolves.toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('counts only outages and timeouts, in a row: throttling, 4xx and successes do not open it', async () => {
    const { breaker: b } = breaker();
    await expect(b.execute(fail)).rejects.toThrow();
    await expect(b.execute(fail)).rejects.toThrow();
    await expect(b.execute(succeed)).resolves.toBe('ok');
    await expect(b.execute(fail)).rejects.toThrow();
    await expect(b.execute(fail)).rejects.toThrow();
    for (let i = 0; i < 5; i++) await expect(b.execute(() => Promise.reject(throttle()))).rejects.toThrow();
    await expect(b.execute(() => Promise.reject(new Error('a bug')))).rejects.toThrow();
    expect(b.state).toBe('closed');
    const timeout = Object.assign(new Error('slow'), { name: 'TimeoutError' });
    await expect(b.execute(() => Promise.reject(timeout))).rejects.toBe(timeout);
    expect(b.state).toBe('open');
  });

  it('a trial answered with a throttle closes the circuit and starts the count again', async () => {
    const { breaker: b } = breaker();
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow();
    vi.advanceTimersByTime(10_000);
    await expect(b.execute(() => Promise.reject(throttle()))).rejects.toThrow('slow down');
    expect(b.state).toBe('closed');
    // One failure is one failure, not the fourth of the earlier run.
    await expect(b.execute(fail)).rejects.toThrow();
    expect(b.state).toBe('closed');
  });

  it('a result marked failed counts as a failure and is still returned', async () => {
    const { breaker: b } = breaker({ failureThreshold: 2 });
    const bad = () => Promise.resolve({ status: 503 });
    const failed = (r: { status: number }) => r.status >= 500;
    await expect(b.execute(bad, undefined, failed)).resolves.toEqual({ status: 503 });
    await expect(b.execute(bad, undefined, failed)).resolves.toEqual({ status: 503 });
    expect(b.state).toBe('open');
  });
});

describe('transition lines and metrics', () => {
  it('WARN on opening, INFO on half-open and closing; one EMF count per transition', async () => {
    const { breaker: b, lines, metrics } = breaker();
    for (let i = 0; i < 3; i++) await expect(b.execute(fail)).rejects.toThrow();
    vi.advanceTimersByTime(10_000);
    await b.execute(succeed);
    const name = b.name;
    expect(lines).toEqual([
      {
        level: 'WARN',
        message: 'Circuit opened',
        fields: { dependency: name, state: 'open', previous_state: 'closed' },
      },
      {
        level: 'INFO',
        message: 'Circuit half-open: trying one call',
        fields: { dependency: name, state: 'half-open', previous_state: 'open' },
      },
      {
        level: 'INFO',
        message: 'Circuit closed',
        fields: { dependency: name, state: 'closed', previous_state: 'half-open' },
      },
    ]);
    expect(metrics.map((m) => m.state)).toEqual(['open', 'half-open', 'closed']);
    expect(metrics[0]).toMatchObject({
      _aws: {
        Timestamp: Date.parse('2026-11-23T10:00:00Z'),
        CloudWatchMetrics: [
          {
            Namespace: 'tests',
            Dimensions: [['service', 'dependency', 'state']],
            Metrics: [{ Name: 'circuit_transitions', Unit: 'Count' }],
          },
        ],
      },
      dependency: name,
      circuit_transitions: 1,
    });
  });

  it('a logger that throws does not fail the call that caused the transition', async () => {
    const b = circuitBreaker(`dep-${++names}`, {
      failureThreshold: 1,
      logger: {
        info: () => undefined,
        warn: () => {
          throw new Error('log sink down');
        },
      },
      metrics: false,
    });
    await expect(b.execute(fail)).rejects.toThrow('boom');
    expect(b.state).toBe('open');
  });

  it('the defaults write to stdout at the configured level, and EMF only where metrics are on', async () => {
    const saved = { ...process.env };
    try {
      process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
      process.env.POWERTOOLS_DEV = 'true';
      process.env.POWERTOOLS_SERVICE_NAME = 'orders';
      delete process.env.POWERTOOLS_METRICS_DISABLED;
      delete process.env.AWS_LAMBDA_LOG_LEVEL;
      delete process.env.LOG_LEVEL;
      const quiet = circuitBreaker(`dep-${++names}`, { failureThreshold: 1 });
      const first = await captureJsonLinesAsync(() => quiet.execute(fail).catch(() => undefined));
      expect(first).toEqual([
        expect.objectContaining({
          level: 'WARN',
          message: 'Circuit opened',
          service: 'orders',
          state: 'open',
        }),
      ]);

      process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
      process.env.POWERTOOLS_METRICS_DISABLED = 'false';
      const loud = circuitBreaker(`dep-${++names}`, { failureThreshold: 1 });
      const lines = await captureJsonLinesAsync(() => loud.execute(fail).catch(() => undefined));
      expect(lines.map((l) => (l._aws === undefined ? l.level : 'EMF'))).toEqual(['WARN', 'EMF']);
      expect(lines[1]).toMatchObject({ service: 'orders', state: 'open', circuit_transitions: 1 });
      vi.advanceTimersByTime(10_000);
      const closing = await captureJsonLinesAsync(() => loud.execute(succeed));
      expect(closing.map((l) => (l._aws === undefined ? l.level : 'EMF'))).toEqual([
        'INFO',
        'EMF',
        'INFO',
        'EMF',
      ]);
    } finally {
      process.env = saved;
    }
  });
});

describe('one breaker per dependency', () => {
  it('the same name is the same breaker; other settings for it are a configuration error', () => {
    const name = `dep-${++names}`;
    const a = circuitBreaker(name, { logger: false, metrics: false });
    expect(circuitBreaker(name, { logger: false })).toBe(a);
    expect(() => circuitBreaker(name, { failureThreshold: 9 })).toThrow(ConfigurationError);
  });

  it('refuses names unfit for a metric dimension and bad settings', () => {
    expect(() => circuitBreaker('')).toThrow(ConfigurationError);
    expect(() => circuitBreaker('has space')).toThrow(ConfigurationError);
    expect(() => circuitBreaker(`dep-${++names}`, { failureThreshold: 0 })).toThrow(/failureThreshold/);
    expect(() => circuitBreaker(`dep-${++names}`, { halfOpenAfterMs: 0 })).toThrow(/halfOpenAfterMs/);
    expect(() => circuitBreaker(`dep-${++names}`, { threshold: 2 } as never)).toThrow(/threshold/);
  });
});
