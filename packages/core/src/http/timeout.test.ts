import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { timeout } from './timeout.js';

describe('timeout', () => {
  // app.request loads the test kit on first use; loaded here, so it does not eat the short deadlines.
  beforeAll(() => import('../testing/index.js'));

  it('answers 504 before the Lambda deadline and aborts ctx.signal', async () => {
    const app = createApp({ service: 'slow', deadlineMarginMs: 100, onError: () => {} });
    app.use(timeout());
    let aborted: unknown;
    app.get('/slow', async (ctx) => {
      const signal = ctx.signal;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      aborted = signal.reason;
      return 'late';
    });
    const started = Date.now();
    const res = await app.request('/slow', { lambda: fakeLambdaContext({ timeoutMs: 250 }) });
    const took = Date.now() - started;
    expect(res.status).toBe(504);
    expect(res.json()).toMatchObject({ error: { code: 'TIMEOUT', message: 'Request timed out' } });
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(900);
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(aborted).toBeInstanceOf(Error);
  });

  it('uses maxMs when it is sooner, and lets fast handlers through', async () => {
    const app = createApp({ service: 'slow', onError: () => {} });
    app.use(timeout({ maxMs: 50 }));
    app.get('/slow', () => new Promise((resolve) => setTimeout(() => resolve('late'), 300)));
    app.get('/fast', () => 'fast');
    expect((await app.request('/slow')).status).toBe(504);
    expect((await app.request('/fast')).json()).toBe('fast');
    expect(() => timeout({ maxMs: 0 })).toThrow(/maxMs/);
  });

  it('ctx.signal alone fires at the deadline minus the margin', async () => {
    const app = createApp({ service: 'signal', deadlineMarginMs: 50 });
    app.get('/', async (ctx) => {
      const started = Date.now();
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      return { waited: Date.now() - started, remaining: ctx.remainingMs() };
    });
    const res = await app.request('/', { lambda: fakeLambdaContext({ timeoutMs: 150 }) });
    const body = res.json<{ waited: number; remaining: number }>();
    expect(body.waited).toBeGreaterThanOrEqual(80);
    expect(body.remaining).toBeLessThanOrEqual(70);
  });
});

describe('the default deadline', () => {
  beforeAll(() => import('../testing/index.js'));

  it('answers every app a 504 envelope before the Lambda deadline, with the request id and headers', async () => {
    const app = createApp({ service: 'slow', deadlineMarginMs: 100, onError: () => {} });
    app.get('/slow', () => new Promise((resolve) => setTimeout(() => resolve('late'), 600)));
    const started = Date.now();
    const res = await app.request('/slow', { lambda: fakeLambdaContext({ timeoutMs: 300 }) });
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(550);
    expect(res.json()).toMatchObject({ error: { code: 'TIMEOUT' } });
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('takes maxMs, and timeout: false leaves only the platform deadline', async () => {
    const bounded = createApp({ service: 's', timeout: { maxMs: 50 }, onError: () => {} });
    bounded.get('/slow', () => new Promise((resolve) => setTimeout(() => resolve('late'), 300)));
    expect(
      (await bounded.request('/slow', { lambda: fakeLambdaContext({ timeoutMs: 10_000 }) })).status,
    ).toBe(504);
    const off = createApp({ service: 's', timeout: false, deadlineMarginMs: 100 });
    off.get('/slow', () => new Promise((resolve) => setTimeout(() => resolve('late'), 300)));
    expect((await off.request('/slow', { lambda: fakeLambdaContext({ timeoutMs: 250 }) })).status).toBe(200);
    expect(() => createApp({ timeout: { maxMs: -1 } })).toThrow(/maxMs/);
    expect(() => createApp({ timeout: 5 as never })).toThrow(/timeout/);
  });
});

describe('the deadline error reported once', () => {
  it('a handler rejecting with the deadline error after the 504 is reported once, not twice', async () => {
    const errors: unknown[] = [];
    const app = createApp({
      logger: false,
      metrics: false,
      tracing: false,
      deadlineMarginMs: 100,
      onError: (e) => errors.push(e),
    });
    app.get(
      '/slow',
      (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener('abort', () => setTimeout(() => reject(ctx.signal.reason), 5)),
        ),
    );
    const res = await app.request('/slow', { lambda: fakeLambdaContext({ timeoutMs: 300 }) });
    await new Promise((r) => setTimeout(r, 50));
    expect(res.status).toBe(504);
    expect(errors.map((e) => (e as Error).name)).toEqual(['GatewayTimeoutError']);
  });
});
