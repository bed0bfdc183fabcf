import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../app/app.js';
import { captureJsonLinesAsync } from '../test-support/capture.js';
import { httpApiEvent } from '../testing/events.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { isPowertoolsLogger, powertoolsLogger } from './powertools.js';

beforeEach(() => {
  // Powertools pretty-prints over several lines in dev mode; Lambda gets one JSON line per entry.
  vi.stubEnv('POWERTOOLS_DEV', 'false');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
});
afterEach(() => vi.unstubAllEnvs());

// A made-up token: the masker recognises the JWT shape, never the secret.
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';

function appWith(logger: Logger) {
  const app = createApp({ service: 'orders', logger, metrics: false, tracing: false });
  app.get('/orders/:id', (ctx) => {
    ctx.log.info('looking up', { order: ctx.params.id, password: 'hunter2' });
    return ctx.json({ id: ctx.params.id });
  });
  app.get('/boom', () => {
    throw new Error(`token ${JWT} refused`);
  });
  return app;
}

const call = (app: ReturnType<typeof appWith>, path: string, id: string) =>
  app.handler(
    httpApiEvent({ path, requestId: id, headers: { 'x-request-id': [id] } }),
    fakeLambdaContext({ awsRequestId: `aws-${id}`, functionName: 'orders-fn' }),
  );

describe('a Powertools Logger as the app logger', () => {
  it('is recognised by shape, and Lift’s own logger is not', () => {
    expect(isPowertoolsLogger(new Logger())).toBe(true);
    expect(isPowertoolsLogger({ info() {} })).toBe(false);
  });

  it('writes ctx.log and the access line through Powertools with the request keys, masked', async () => {
    const app = appWith(new Logger({ serviceName: 'orders' }));
    const lines = await captureJsonLinesAsync(() => call(app, '/orders/7', 'req-1'));
    const own = lines.find((l) => l.message === 'looking up');
    expect(own).toMatchObject({
      level: 'INFO',
      service: 'orders',
      function_name: 'orders-fn',
      function_request_id: 'aws-req-1',
      request_id: 'req-1',
      route: '/orders/:id',
      method: 'GET',
      order: '7',
    });
    expect(JSON.stringify(own)).not.toContain('hunter2');
    const access = lines.find((l) => l.message === 'request');
    expect(access).toMatchObject({ level: 'INFO', status: 200, route: '/orders/:id', request_id: 'req-1' });
    expect(typeof access?.duration_ms).toBe('number');
  });

  it('keeps no request key after its request: not on the next request, not on direct Powertools lines', async () => {
    const pt = new Logger({ serviceName: 'orders' });
    pt.appendKeys({ team: 'payments' });
    const app = appWith(pt);
    const lines = await captureJsonLinesAsync(async () => {
      await call(app, '/orders/1', 'req-a');
      await call(app, '/orders/2', 'req-b');
      pt.info('outside any request');
    });
    const second = lines.filter(
      (l) => l.function_request_id === 'aws-req-b' && l.message !== 'outside any request',
    );
    expect(second.length).toBeGreaterThan(0);
    for (const line of second) expect(line.request_id).toBe('req-b');
    const outside = lines.find((l) => l.message === 'outside any request');
    expect(outside).toMatchObject({ team: 'payments' });
    expect(outside).not.toHaveProperty('request_id');
    expect(outside).not.toHaveProperty('route');
    expect(outside).not.toHaveProperty('trace_id');
  });

  it('reports a 5xx as a Powertools ERROR line with the error, its secrets masked', async () => {
    const app = appWith(new Logger({ serviceName: 'orders' }));
    const lines = await captureJsonLinesAsync(() => call(app, '/boom', 'req-e'));
    const failure = lines.find((l) => l.message === 'Request failed');
    expect(failure).toMatchObject({ level: 'ERROR', request_id: 'req-e', error: { name: 'Error' } });
    expect(JSON.stringify(failure)).not.toContain(JWT);
    expect(lines.find((l) => l.message === 'request')).toMatchObject({ level: 'ERROR', status: 500 });
  });

  it('reports an error whose cause chain loops, cut after eight causes, on the Powertools line', async () => {
    const app = createApp({
      service: 'orders',
      logger: new Logger({ serviceName: 'orders' }),
      metrics: false,
      tracing: false,
    });
    app.get('/loop', () => {
      const error = new Error('insert failed');
      error.cause = error;
      throw error;
    });
    const lines = await captureJsonLinesAsync(() => call(app as never, '/loop', 'req-l'));
    const failure = lines.find((l) => l.message === 'Request failed');
    expect(failure).toMatchObject({ level: 'ERROR', request_id: 'req-l' });
    expect(JSON.stringify(failure)).toContain('[cause chain cut]');
  });

  it('marks a log field that cannot be read, and answers the request', async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const app = createApp({
      service: 'orders',
      logger: new Logger({ serviceName: 'orders' }),
      metrics: false,
      tracing: false,
    });
    app.get('/odd', (ctx) => {
      ctx.log.info('odd field', { odd: proxy });
      return 'ok';
    });
    const lines = await captureJsonLinesAsync(async () => {
      expect(((await call(app as never, '/odd', 'req-o')) as { statusCode: number }).statusCode).toBe(200);
    });
    expect(lines.find((l) => l.message === 'odd field')).toMatchObject({ odd: '[unserializable value]' });
  });

  it('follows the Powertools log level', () => {
    const quiet = powertoolsLogger(new Logger({ logLevel: 'WARN' }));
    expect(quiet.enabled('INFO')).toBe(false);
    expect(quiet.enabled('ERROR')).toBe(true);
  });
});
