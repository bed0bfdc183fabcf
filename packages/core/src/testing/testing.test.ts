import { describe, expect, it } from 'vitest';
import { detectHttpAdapter } from '../adapters/detect.js';
import { loadFixture } from '../test-support/fixtures.js';
import {
  albEvent,
  fakeLambdaContext,
  functionUrlEvent,
  httpApiEvent,
  readResult,
  restApiEvent,
} from './index.js';

function keysDeep(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...keysDeep(v, `${prefix}${k}.`)]);
}

/** Keys a factory must produce: those AWS always sends in the captured sample of that source. */
function requiredKeys(sample: string, skip: RegExp): string[] {
  return keysDeep(loadFixture(sample)).filter((k) => !skip.test(k));
}

describe('event factories', () => {
  it('produce the shapes of the captured samples', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        httpApiEvent({ method: 'POST', body: 'x', cookies: { a: '1' }, query: { q: '1' } }),
        'aws-lambda-go/apigw-v2-request-no-authorizer.json',
        /authentication|^headers\.|requestContext\.http\.userAgent$/,
      ],
      [
        functionUrlEvent({ method: 'POST', body: 'x', cookies: { a: '1' }, query: { q: '1' } }),
        'powertools/lambda--get-request.json',
        /^headers\./,
      ],
      [
        restApiEvent({ method: 'POST', body: 'x', query: { q: '1' } }),
        'powertools/apigw-rest--no-auth.json',
        /^headers\.|^multiValueHeaders\.|identity\.|deploymentId|requestContext\.(domainPrefix|extendedRequestId)|^(queryStringParameters|multiValueQueryStringParameters|pathParameters)\./,
      ],
      [albEvent({ query: { q: '1' } }), 'powertools/alb--base.json', /^headers\.|^queryStringParameters\./],
      [
        albEvent({ query: { q: '1' } }, { multiValue: true }),
        'powertools/alb--multi-fields.json',
        /^multiValueHeaders\./,
      ],
    ];
    for (const [event, sample, skip] of cases) {
      const produced = new Set(keysDeep(event));
      for (const key of requiredKeys(sample, skip)) expect(produced.has(key), `${sample}: ${key}`).toBe(true);
      expect(detectHttpAdapter(event)).toBeDefined();
    }
  });

  it('encode paths the way each service delivers them', () => {
    expect(httpApiEvent({ path: '/a%20b/c%2Fd?x=%26' }).rawPath).toBe('/a b/c/d');
    expect(functionUrlEvent({ path: '/a%20b' }).rawPath).toBe('/a%20b');
    expect(restApiEvent({ path: '/a%20b?x=%26' })).toMatchObject({
      path: '/a%20b',
      queryStringParameters: { x: '&' },
    });
    expect(albEvent({ path: '/a%20b?x=%26' })).toMatchObject({
      path: '/a%20b',
      queryStringParameters: { x: '%26' },
    });
    expect(httpApiEvent({ path: '/x', stage: 'prod' }).rawPath).toBe('/prod/x');
  });

  it('fakeLambdaContext counts down', async () => {
    let now = 1_000;
    const context = fakeLambdaContext({ timeoutMs: 3_000, now: () => now });
    expect(context.getRemainingTimeInMillis()).toBe(3_000);
    now += 2_500;
    expect(context.getRemainingTimeInMillis()).toBe(500);
    now += 1_000;
    expect(context.getRemainingTimeInMillis()).toBe(0);
  });

  it('readResult reads every result shape back', () => {
    const alb = readResult(loadFixture('aws-lambda-go/alb-lambda-target-response.json'));
    expect(alb.cookies).toHaveLength(3);
    const url = readResult(loadFixture('aws-lambda-go/lambda-urls-response.json'));
    expect(url.status).toBe(201);
    expect(url.headers.getSetCookie()).toHaveLength(2);
    expect(url.json()).toEqual({ message: 'Hello, world!' });
  });
});
