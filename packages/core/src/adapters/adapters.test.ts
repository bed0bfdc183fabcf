import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../app/app.js';
import { InvalidEventError } from '../errors/errors.js';
import { fixtureNames, loadFixture } from '../test-support/fixtures.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { readResult } from '../testing/request.js';

/** HTTP request samples and what Lift must read from them (values taken from the samples). */
const HTTP_SAMPLES: Record<string, { source: string; method: string; path: string; ip: string }> = {
  'aws-lambda-go/alb-lambda-target-request-headers-only.json': {
    source: 'alb',
    method: 'GET',
    path: '/',
    ip: '25.12.198.67',
  },
  'aws-lambda-go/alb-lambda-target-request-multivalue-headers.json': {
    source: 'alb',
    method: 'GET',
    path: '/',
    ip: '72.21.198.67',
  },
  'aws-lambda-go/apigw-request.json': {
    source: 'apigw-rest',
    method: 'POST',
    path: '/hello/world',
    ip: '192.168.196.186',
  },
  'aws-lambda-go/apigw-restapi-openapi-request.json': {
    source: 'apigw-rest',
    method: 'POST',
    path: '/hello/world',
    ip: '192.168.196.186',
  },
  'aws-lambda-go/apigw-v2-request-iam.json': {
    source: 'apigw-http',
    method: 'GET',
    path: '/my/path',
    ip: 'IP',
  },
  'aws-lambda-go/apigw-v2-request-jwt-authorizer.json': {
    source: 'apigw-http',
    method: 'GET',
    path: '/my/path',
    ip: 'IP',
  },
  'aws-lambda-go/apigw-v2-request-lambda-authorizer.json': {
    source: 'apigw-http',
    method: 'GET',
    path: '/my/path',
    ip: 'IP',
  },
  'aws-lambda-go/apigw-v2-request-no-authorizer.json': {
    source: 'apigw-http',
    method: 'GET',
    path: '/',
    ip: '1.2.3.4',
  },
  'aws-lambda-go/lambda-urls-request.json': {
    source: 'function-url',
    method: 'POST',
    path: '/my/path',
    ip: '123.123.123.123',
  },
  'powertools/alb--base.json': { source: 'alb', method: 'GET', path: '/lambda', ip: '72.12.164.125' },
  'powertools/alb--multi-fields.json': {
    source: 'alb',
    method: 'GET',
    path: '/lambda',
    ip: '123.123.123.123',
  },
  'powertools/apigw-http--iam-auth.json': {
    source: 'apigw-http',
    method: 'POST',
    path: '/iam',
    ip: '15.248.3.126',
  },
  'powertools/apigw-http--jwt-authorizer-auth.json': {
    source: 'apigw-http',
    method: 'POST',
    path: '/cognito',
    ip: '15.248.3.126',
  },
  'powertools/apigw-http--lambda-authorizer-auth.json': {
    source: 'apigw-http',
    method: 'POST',
    path: '/lambda',
    ip: '15.248.3.126',
  },
  'powertools/apigw-http--no-auth.json': {
    source: 'apigw-http',
    method: 'POST',
    path: '/lambda',
    ip: '15.248.3.126',
  },
  'powertools/apigw-rest--console-test-ui.json': {
    source: 'apigw-rest',
    method: 'POST',
    path: '/no-auth',
    ip: 'test-invoke-source-ip',
  },
  'powertools/apigw-rest--iam-auth.json': {
    source: 'apigw-rest',
    method: 'POST',
    path: '/iam',
    ip: '15.248.3.126',
  },
  'powertools/apigw-rest--jwt-authorizer-auth.json': {
    source: 'apigw-rest',
    method: 'POST',
    path: '/cognito',
    ip: '15.248.3.126',
  },
  'powertools/apigw-rest--lambda-authorizer-auth.json': {
    source: 'apigw-rest',
    method: 'POST',
    path: '/lambda-token',
    ip: '15.248.3.126',
  },
  'powertools/apigw-rest--no-auth.json': {
    source: 'apigw-rest',
    method: 'POST',
    path: '/no-auth',
    ip: '15.248.3.126',
  },
  'powertools/apigw-rest--websocket.json': {
    source: 'apigw-rest',
    method: 'POST',
    path: '/websocket',
    ip: '15.248.3.126',
  },
  'powertools/lambda--base.json': {
    source: 'function-url',
    method: 'POST',
    path: '/',
    ip: '123.123.123.123',
  },
  'powertools/lambda--get-request.json': {
    source: 'function-url',
    method: 'GET',
    path: '/',
    ip: '123.123.123.123',
  },
  'powertools/lambda--iam-auth.json': {
    source: 'function-url',
    method: 'POST',
    path: '/my/path',
    ip: '123.123.123.123',
  },
};

/** Samples an HTTP adapter must refuse as malformed. */
const INVALID_SAMPLES = [
  'powertools/apigw-http--invalid.json',
  'powertools/apigw-rest--invalid.json',
  'powertools/lambda--invalid.json',
];

const RESPONSE_SAMPLES: Record<string, string> = {
  'apigw-rest': 'aws-lambda-go/apigw-response.json',
  'apigw-http': 'aws-lambda-go/lambda-urls-response.json',
  'function-url': 'aws-lambda-go/lambda-urls-response.json',
  alb: 'aws-lambda-go/alb-lambda-target-response.json',
};

function echoApp() {
  const app = createApp({ service: 'echo' });
  const echo = (ctx: Parameters<Parameters<typeof app.get>[1]>[0]) => ({
    source: ctx.source,
    method: ctx.method,
    path: ctx.path,
    route: ctx.route,
    sourceIp: ctx.sourceIp,
    query: ctx.queryMulti(),
    headers: ctx.headers,
    cookies: ctx.cookies,
    requestId: ctx.requestId,
    body: Buffer.from(ctx.rawBody).toString('utf8'),
  });
  app.all('/', echo);
  app.all('/*', echo);
  return app;
}

describe('every captured HTTP sample', () => {
  const app = echoApp();
  const names = fixtureNames();

  it('covers every HTTP request sample in the fixtures folder', () => {
    const httpLike = names.filter(
      (n) =>
        /\/(alb|apigw|lambda)/.test(n) &&
        !n.includes('response') &&
        !n.includes('custom-auth') &&
        !n.includes('websocket-request') &&
        !n.includes('authorizer-request') &&
        !n.includes('authorizer-token') &&
        !n.includes('apigw-websocket') &&
        !n.includes('authorizer-v') &&
        !INVALID_SAMPLES.includes(n),
    );
    expect(httpLike.sort()).toEqual(Object.keys(HTTP_SAMPLES).sort());
  });

  for (const [name, expected] of Object.entries(HTTP_SAMPLES)) {
    it(`answers ${name}`, async () => {
      const event = loadFixture(name);
      const result = (await app.handler(event, fakeLambdaContext())) as Record<string, unknown>;
      const res = readResult(result);
      expect(res.status).toBe(200);
      const body = res.json<Record<string, unknown>>();
      expect(body).toMatchObject({
        source: expected.source,
        method: expected.method,
        path: expected.path,
        sourceIp: expected.ip,
      });
      for (const header of Object.keys(body.headers as object)) expect(header).toBe(header.toLowerCase());
      // The result carries only fields the source's own response sample has.
      const sample = loadFixture(RESPONSE_SAMPLES[expected.source] as string);
      for (const key of Object.keys(result))
        expect(Object.keys(sample).concat('isBase64Encoded')).toContain(key);
      if (expected.source === 'alb') {
        const multi = event.multiValueHeaders !== undefined;
        expect('multiValueHeaders' in result).toBe(multi);
        expect('headers' in result).toBe(!multi);
        expect(result.statusDescription).toBe('200 OK');
      }
    });
  }

  for (const name of INVALID_SAMPLES) {
    it(`rejects the malformed sample ${name} with a typed error`, async () => {
      await expect(app.handler(loadFixture(name))).rejects.toBeInstanceOf(InvalidEventError);
      await expect(app.handler(loadFixture(name))).rejects.toThrow(/Malformed .* event/);
    });
  }

  it('refuses non-HTTP payloads (authorizers, WebSocket, queues, streams) with a typed error, not a crash', async () => {
    const others = names.filter(
      (n) => !(n in HTTP_SAMPLES) && !INVALID_SAMPLES.includes(n) && !n.includes('response'),
    );
    expect(others.length).toBeGreaterThan(20);
    for (const name of others) {
      await expect(app.handler(loadFixture(name)), name).rejects.toBeInstanceOf(InvalidEventError);
    }
  });
});

describe('values read from the samples', () => {
  const app = echoApp();
  const call = async (event: Record<string, unknown>) =>
    readResult(await app.handler(event, fakeLambdaContext())).json<Record<string, unknown>>();

  it('REST: multi-value query, headers lower-cased, body, source IP from the request context', async () => {
    const body = await call(loadFixture('aws-lambda-go/apigw-request.json'));
    expect(body.query).toEqual({ name: 'me' });
    expect(body.headers).toMatchObject({ headername: 'headerValue', 'content-type': 'application/json' });
    expect(body.body).toBe('{\r\n\t"a": 1\r\n}');
    expect(body.requestId).toBe('deef4878-7910-11e6-8f14-25afc3e9ae33');
  });

  it('HTTP API: repeated query keys kept apart, cookies from cookies[]', async () => {
    const event = loadFixture('aws-lambda-go/apigw-v2-request-iam.json');
    event.cookies = ['session=abc', 'theme=dark'];
    const body = await call(event);
    expect(body.query).toEqual({ parameter1: ['value1', 'value2'], parameter2: 'value' });
    expect(body.cookies).toEqual({ session: 'abc', theme: 'dark' });
  });

  it('Function URL: query and body', async () => {
    const body = await call(loadFixture('aws-lambda-go/lambda-urls-request.json'));
    expect(body.query).toEqual({ parameter1: ['value1', 'value2'], parameter2: 'value' });
    expect(body.body).toBe('Hello from client!');
  });

  it('ALB: source IP is the entry the load balancer appended, query decoded', async () => {
    const event = loadFixture('powertools/alb--base.json');
    (event.headers as Record<string, string>)['x-forwarded-for'] = '6.6.6.6, 72.12.164.125';
    event.queryStringParameters = { q: 'a%20b%2Bc', 'k%5B%5D': 'x+y' };
    const body = await call(event);
    expect(body.sourceIp).toBe('72.12.164.125');
    expect(body.query).toEqual({ q: 'a b+c', 'k[]': 'x y' });
  });

  it('HTTP API: a named stage is removed from paths on the execute-api domain only', async () => {
    const event = loadFixture('aws-lambda-go/apigw-v2-request-no-authorizer.json');
    const context = event.requestContext as Record<string, unknown>;
    context.stage = 'prod';
    event.rawPath = '/prod/orders/1';
    expect((await call(event)).path).toBe('/orders/1');
    context.domainName = 'api.example.com';
    expect((await call(event)).path).toBe('/prod/orders/1');
  });

  it('custom-domain base paths are removed before routing', async () => {
    const mapped = createApp({ service: 'mapped', basePath: '/v1' });
    mapped.post('/hello/world', (ctx) => ({ route: ctx.route }));
    const event = loadFixture('aws-lambda-go/apigw-request.json');
    event.path = '/v1/hello/world';
    const res = readResult(await mapped.handler(event));
    expect(res.json()).toEqual({ route: '/hello/world' });
  });

  it('decodes a base64 request body', async () => {
    const event = loadFixture('powertools/lambda--iam-auth.json');
    event.body = Buffer.from('binary \u0000 body').toString('base64');
    event.isBase64Encoded = true;
    expect((await call(event)).body).toBe('binary \u0000 body');
  });
});

describe('result shapes', () => {
  const app = createApp({ service: 'shapes', onError: vi.fn() });
  app.get('/cookies', (ctx) => {
    ctx.cookie('a', '1').cookie('b', '2');
    return ctx.json({ ok: true });
  });
  app.get('/one-cookie', (ctx) => ctx.cookie('a', '1').text('hi'));
  app.get('/bin', (ctx) => ctx.binary(new Uint8Array([0, 255, 1, 2]), 'image/png'));
  app.get('/text', (ctx) => ctx.text('plain'));

  it('HTTP API and Function URL: Set-Cookie values go to cookies[]', async () => {
    for (const name of [
      'aws-lambda-go/apigw-v2-request-no-authorizer.json',
      'powertools/lambda--get-request.json',
    ]) {
      const event = loadFixture(name);
      event.rawPath = '/cookies';
      const result = (await app.handler(event)) as Record<string, unknown>;
      expect(result.cookies).toEqual([
        'a=1; Path=/; HttpOnly; Secure; SameSite=Lax',
        'b=2; Path=/; HttpOnly; Secure; SameSite=Lax',
      ]);
      expect(JSON.stringify(result.headers)).not.toContain('set-cookie');
    }
  });

  it('REST: Set-Cookie values go to multiValueHeaders, never comma-joined', async () => {
    const event = loadFixture('powertools/apigw-rest--no-auth.json');
    event.path = '/cookies';
    event.httpMethod = 'GET';
    const result = (await app.handler(event)) as Record<string, Record<string, unknown>>;
    expect(result.multiValueHeaders?.['set-cookie']).toHaveLength(2);
    expect(result.headers?.['set-cookie']).toBeUndefined();
  });

  it('ALB multi-value: every header as a list, cookies apart', async () => {
    const event = loadFixture('powertools/alb--multi-fields.json');
    event.path = '/cookies';
    const result = (await app.handler(event)) as Record<string, Record<string, string[]>>;
    expect(result.multiValueHeaders?.['set-cookie']).toHaveLength(2);
    expect(result.multiValueHeaders?.['content-type']).toEqual(['application/json; charset=utf-8']);
  });

  it('ALB single-value: one cookie fits; several is a 500, not a silently dropped cookie', async () => {
    const event = loadFixture('powertools/alb--base.json');
    event.path = '/one-cookie';
    const one = (await app.handler(event)) as Record<string, Record<string, string>>;
    expect(one.headers?.['set-cookie']).toBe('a=1; Path=/; HttpOnly; Secure; SameSite=Lax');
    event.path = '/cookies';
    const many = readResult(await app.handler(event));
    expect(many.status).toBe(500);
    expect(many.cookies).toEqual([]);
    expect(many.json()).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
  });

  it('binary bodies are base64-encoded, text is not', async () => {
    const event = loadFixture('aws-lambda-go/apigw-v2-request-no-authorizer.json');
    event.rawPath = '/bin';
    const bin = (await app.handler(event)) as Record<string, unknown>;
    expect(bin).toMatchObject({
      isBase64Encoded: true,
      body: Buffer.from([0, 255, 1, 2]).toString('base64'),
    });
    event.rawPath = '/text';
    expect(await app.handler(event)).toMatchObject({ isBase64Encoded: false, body: 'plain' });
  });

  it('HEAD answers carry the headers but no body', async () => {
    const event = loadFixture('aws-lambda-go/apigw-v2-request-no-authorizer.json');
    event.rawPath = '/text';
    (event.requestContext as { http: { method: string } }).http.method = 'HEAD';
    const result = (await app.handler(event)) as Record<string, Record<string, string>>;
    expect(result.body).toBe('');
    expect(result.headers?.['content-type']).toBe('text/plain; charset=utf-8');
  });
});
