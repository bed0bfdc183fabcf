import middy from '@middy/core';
import { describe, expect, it, vi } from 'vitest';
import { NotFoundError } from '../errors/errors.js';
import { bodyLimit } from '../http/body-limit.js';
import { cors } from '../http/cors.js';
import { requestId } from '../http/request-id.js';
import { securityHeaders } from '../http/security-headers.js';
import type { Middleware } from '../middleware/compose.js';
import { createLogger } from '../observability/logger.js';
import { loadFixture } from '../test-support/fixtures.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { liftMiddleware } from './index.js';

type Result = {
  statusCode: number;
  headers: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  body: string;
};

const ORIGIN = 'https://app.example.com';

function httpApi(extra: Record<string, string> = {}, method?: string): Record<string, unknown> {
  const event = loadFixture('aws-lambda-go/apigw-v2-request-no-authorizer.json');
  event.headers = { ...(event.headers as object), ...extra };
  if (method !== undefined) (event.requestContext as { http: { method: string } }).http.method = method;
  return event;
}

function wrap(
  handler: (event: unknown) => Promise<unknown>,
  more: Middleware<object>[] = [],
  errors: unknown[] = [],
) {
  let calls = 0;
  const fn = middy(async (event: unknown) => {
    calls += 1;
    return handler(event);
  }).use(
    liftMiddleware([requestId(), securityHeaders(), cors({ origins: [ORIGIN] }), ...more], {
      service: 'legacy',
      onError: (error) => errors.push(error),
    }),
  );
  return {
    invoke: (event: unknown) => fn(event as never, fakeLambdaContext() as never) as Promise<Result>,
    calls: () => calls,
  };
}

describe('liftMiddleware inside @middy/core', () => {
  it('adds the request id, security and CORS headers to the handler’s own answer', async () => {
    const { invoke } = wrap(async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'X-Legacy': 'yes' },
      body: '{"made":true}',
    }));
    const result = await invoke(httpApi({ origin: ORIGIN }));
    expect(result.statusCode).toBe(201);
    expect(result.body).toBe('{"made":true}');
    expect(result.headers['x-legacy']).toBe('yes');
    expect(result.headers['content-type']).toBe('application/json');
    expect(result.headers['x-request-id']).toBeTruthy();
    expect(result.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(result.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('response splitting: a handler header with CR/LF becomes a 500, never a forged header', async () => {
    const errors: unknown[] = [];
    const { invoke } = wrap(
      async () => ({
        statusCode: 200,
        headers: { 'x-a': 'v\r\nset-cookie: evil=1' },
        multiValueHeaders: {},
        body: 'ok',
      }),
      [],
      errors,
    );
    const result = await invoke(httpApi());
    expect(result.statusCode).toBe(500);
    expect(JSON.stringify(result)).not.toContain('evil=1');
    expect(result.headers['x-a']).toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it('answers a CORS preflight itself, without running the handler', async () => {
    const { invoke, calls } = wrap(async () => ({ statusCode: 200, body: 'handler' }));
    const result = await invoke(
      httpApi({ origin: ORIGIN, 'access-control-request-method': 'POST' }, 'OPTIONS'),
    );
    expect(result.statusCode).toBe(204);
    expect(result.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(calls()).toBe(0);
  });

  it('refuses a body over the limit with a 413 before the handler runs', async () => {
    const { invoke, calls } = wrap(
      async () => ({ statusCode: 200, body: 'ok' }),
      [bodyLimit({ maxBytes: 8 })],
    );
    const event = loadFixture('aws-lambda-go/lambda-urls-request.json');
    const result = await invoke(event);
    expect(result.statusCode).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect(calls()).toBe(0);
  });

  it('turns a handler error into Lift’s envelope: a 5xx reported, never sent; an HttpError keeps its status', async () => {
    const errors: unknown[] = [];
    const { invoke } = wrap(
      async (event) => {
        if ((event as { rawPath?: string }).rawPath === '/missing') throw new NotFoundError('No such order');
        throw new Error('connection string postgres://admin:pw@db');
      },
      [],
      errors,
    );
    const failed = await invoke(httpApi());
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain('postgres');
    expect(JSON.parse(failed.body).error.requestId).toBe(failed.headers['x-request-id']);
    expect(failed.headers['x-content-type-options']).toBe('nosniff');
    expect(errors).toHaveLength(1);
    const missing = httpApi();
    missing.rawPath = '/missing';
    const notFound = await invoke(missing);
    expect(notFound.statusCode).toBe(404);
    expect(errors).toHaveLength(1);
  });

  it('works on REST events and keeps the handler’s cookies next to Lift’s', async () => {
    const setCookie: Middleware<object> = async (ctx, next) => {
      ctx.cookie('lift', '1');
      await next();
    };
    const { invoke } = wrap(
      async () => ({ statusCode: 200, multiValueHeaders: { 'Set-Cookie': ['legacy=1'] }, body: 'ok' }),
      [setCookie],
    );
    const result = await invoke(loadFixture('powertools/apigw-rest--no-auth.json'));
    expect(result.statusCode).toBe(200);
    expect(result.multiValueHeaders?.['set-cookie']).toEqual([
      'legacy=1',
      expect.stringMatching(/^lift=1; /),
    ]);
  });

  it('takes the answer of a Middy error handler that ran before its own onError', async () => {
    const errors: unknown[] = [];
    const teapot = {
      onError: async (request: { error: unknown; response: unknown }) => {
        request.response = { statusCode: 418, body: `handled: ${(request.error as Error).message}` };
      },
    };
    const fn = middy(async () => {
      throw new Error('legacy failure');
    })
      .use(liftMiddleware([requestId()], { onError: (e) => errors.push(e) }))
      .use(teapot);
    const result = (await fn(httpApi() as never, fakeLambdaContext() as never)) as Result;
    expect(result.statusCode).toBe(418);
    expect(result.body).toBe('handled: legacy failure');
    expect(result.headers['x-request-id']).toBeTruthy();
    expect(errors).toHaveLength(0);
  });

  it('gives ctx.log and error reports the logger it is handed', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'legacy',
      level: 'INFO',
      write: (l) => lines.push(JSON.parse(l)),
    });
    const logging: Middleware<object> = async (ctx, next) => {
      ctx.log.info('on the way in');
      await next();
    };
    const fn = middy(async () => {
      throw new Error('legacy failure');
    }).use(liftMiddleware([requestId(), logging], { logger }));
    const result = (await fn(httpApi() as never, fakeLambdaContext() as never)) as Result;
    expect(result.statusCode).toBe(500);
    const requestIdSent = result.headers['x-request-id'];
    expect(lines.find((l) => l.message === 'on the way in')).toMatchObject({ request_id: requestIdSent });
    expect(lines.find((l) => l.message === 'Request failed')).toMatchObject({
      level: 'ERROR',
      request_id: requestIdSent,
      error: { message: 'legacy failure' },
    });
  });

  it('leaves a stderr line with the failure when its onError throws, as createApp does', async () => {
    const said: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      said.push(String(line));
    });
    try {
      const fn = middy(async () => {
        throw new Error('db down');
      }).use(
        liftMiddleware([], {
          service: 'orders',
          onError: () => {
            throw new Error('tracker down');
          },
        }),
      );
      const result = (await fn(httpApi() as never, fakeLambdaContext() as never)) as Result;
      expect(result.statusCode).toBe(500);
      expect(said.map((l) => JSON.parse(l))).toMatchObject([
        {
          message: 'Request failed, and onError threw',
          on_error: 'Error: tracker down',
          error: { message: 'db down' },
        },
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses what is not Lift middleware', () => {
    expect(() => liftMiddleware([42 as never])).toThrow(/array of Lift middleware/);
  });
});
