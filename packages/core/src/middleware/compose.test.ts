import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import type { MiddlewareHooks } from './compose.js';

// Hooks in a row run as one layer (compose's hooksLayer); these pin that it behaves exactly as one
// nested layer per hook would.
function recorder(calls: string[], name: string, before?: MiddlewareHooks<object>['before']) {
  return {
    before: (ctx: Parameters<NonNullable<MiddlewareHooks<object>['before']>>[0]) => {
      calls.push(`>${name}`);
      return before?.(ctx);
    },
    after: (ctx: Parameters<NonNullable<MiddlewareHooks<object>['after']>>[0]) =>
      void calls.push(`<${name} ${ctx.res?.status}`),
  };
}

function app(calls: string[], middle: MiddlewareHooks<object>['before'], handler: () => unknown) {
  const a = createApp({
    service: 'compose',
    logger: false,
    metrics: false,
    tracing: false,
    onError: () => {},
  });
  a.use(recorder(calls, 'a'), recorder(calls, 'b', middle), recorder(calls, 'c'));
  a.get('/', () => {
    calls.push('handler');
    return handler();
  });
  return a;
}

describe('hooks in a row', () => {
  it('run befores outermost first and afters innermost first', async () => {
    const calls: string[] = [];
    const res = await app(calls, undefined, () => 'ok').request('/');
    expect(res.status).toBe(200);
    expect(calls).toEqual(['>a', '>b', '>c', 'handler', '<c 200', '<b 200', '<a 200']);
  });

  it('wait for an asynchronous handler before running the afters', async () => {
    const calls: string[] = [];
    const res = await app(calls, undefined, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      calls.push('resolved');
      return 'ok';
    }).request('/');
    expect(res.status).toBe(200);
    expect(calls).toEqual(['>a', '>b', '>c', 'handler', 'resolved', '<c 200', '<b 200', '<a 200']);
  });

  it('skip the inner hooks, the handler and their own after when a before answers early', async () => {
    const calls: string[] = [];
    const res = await app(
      calls,
      (ctx) => ctx.json(403, { no: true }),
      () => 'ok',
    ).request('/');
    expect(res.status).toBe(403);
    expect(calls).toEqual(['>a', '>b', '<a 403']);
  });

  it('turn a throwing before into the error answer, seen by the outer afters only', async () => {
    const calls: string[] = [];
    const res = await app(
      calls,
      () => {
        throw new Error('boom');
      },
      () => 'ok',
    ).request('/');
    expect(res.status).toBe(500);
    expect(calls).toEqual(['>a', '>b', '<a 500']);
  });

  it('keep running the outer afters when an after throws', async () => {
    const calls: string[] = [];
    const a = createApp({
      service: 'compose',
      logger: false,
      metrics: false,
      tracing: false,
      onError: () => {},
    });
    a.use(recorder(calls, 'a'), {
      after: () => {
        throw new Error('broken');
      },
    });
    a.get('/', () => 'ok');
    const res = await a.request('/');
    expect(res.status).toBe(500);
    expect(calls).toEqual(['>a', '<a 500']);
  });

  it('stay in order around a function middleware between them', async () => {
    const calls: string[] = [];
    const a = createApp({ service: 'compose', logger: false, metrics: false, tracing: false });
    a.use(recorder(calls, 'a'), async (_ctx, next) => {
      calls.push('>fn');
      await next();
      calls.push('<fn');
    });
    a.use(recorder(calls, 'b'), recorder(calls, 'c'));
    a.get('/', () => {
      calls.push('handler');
      return 'ok';
    });
    await a.request('/');
    expect(calls).toEqual(['>a', '>fn', '>b', '>c', 'handler', '<c 200', '<b 200', '<fn', '<a 200']);
  });
});
