import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { HttpError, ServiceUnavailableError } from '../errors/errors.js';
import { createErrorReporter, type ErrorReport } from './error-reporter.js';
import { createLogger } from './logger.js';

describe('error reporter', () => {
  const reported: [unknown, ErrorReport][] = [];
  const logged: string[] = [];
  const app = createApp({
    service: 'orders',
    onError: createErrorReporter({
      report: (error, context) => {
        reported.push([error, context]);
      },
      logger: createLogger({ service: 'orders', write: (l) => logged.push(l) }),
    }),
  });
  app.get('/orders/:id', () => {
    throw new Error('db connection lost for password=hunter2');
  });
  app.get('/busy', () => {
    throw new ServiceUnavailableError();
  });
  app.get('/teapot', () => {
    throw new HttpError(418, 'TEAPOT', 'no');
  });

  it('reports every 5xx and unhandled exception with the unmasked error and a masked context', async () => {
    reported.length = 0;
    await app.request('/orders/o-1', {
      requestId: 'req-7',
      headers: { authorization: 'Bearer eyJabc.eyJdef.sig', 'x-trace': 't' },
    });
    await app.request('/busy');
    await app.request('/teapot');
    expect(reported).toHaveLength(2);
    const [error, context] = reported[0] as [Error, ErrorReport];
    expect(error.message).toBe('db connection lost for password=hunter2');
    expect(context).toMatchObject({
      level: 'error',
      tags: { service: 'orders', route: '/orders/:id', method: 'GET', source: 'apigw-http' },
      request: {
        route: '/orders/:id',
        requestId: 'req-7',
        headers: { authorization: '***', 'x-trace': 't' },
      },
      extra: { status: 500 },
    });
    expect(reported[1]?.[0]).toBeInstanceOf(ServiceUnavailableError);
    expect(logged.some((l) => l.includes('"request_id":"req-7"') && l.includes('"level":"ERROR"'))).toBe(
      true,
    );
  });

  it('a failing tracker never changes the answer', async () => {
    const fragile = createApp({
      service: 'x',
      onError: createErrorReporter({
        report: () => {
          throw new Error('tracker down');
        },
      }),
    });
    fragile.get('/', () => {
      throw new Error('x');
    });
    expect((await fragile.request('/')).status).toBe(500);
  });
});
