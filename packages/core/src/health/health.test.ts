import { createServer, type Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { ensureTables } from '../dynamodb/ensure.js';
import { defineTable } from '../dynamodb/table.js';
import { createSecrets } from '../secrets/secrets.js';
import { type DynamoDBServer, localClientConfig, startDynalite } from '../testing/dynamodb.js';
import { dynamoTableCheck, httpCheck, registerHealth, secretCheck } from './health.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });

describe('readiness', () => {
  it('a slow dependency times out without delaying the others', async () => {
    const app = createApp({ service: 'h' });
    let fastRan = 0;
    registerHealth(app, {
      timeoutMs: 100,
      showDetails: () => true,
      checks: [
        { name: 'slow', check: (signal) => sleep(5_000, signal) },
        { name: 'fast', check: () => void fastRan++ },
      ],
    });
    const started = Date.now();
    const res = await app.request('/health/ready');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({
      status: 'fail',
      checks: { slow: { status: 'timeout' }, fast: { status: 'ok' } },
    });
    expect(fastRan).toBe(1);
  });

  it('caches results for a few seconds, and answers 200 when all pass', async () => {
    let clock = 0;
    let calls = 0;
    const app = createApp({ service: 'h' });
    registerHealth(app, {
      cacheMs: 5_000,
      now: () => clock,
      checks: [{ name: 'db', check: () => void calls++ }],
    });
    expect((await app.request('/health/ready')).status).toBe(200);
    await Promise.all([app.request('/health/ready'), app.request('/health/ready')]);
    expect(calls).toBe(1);
    clock = 6_000;
    await app.request('/health/ready');
    expect(calls).toBe(2);
  });

  it('answers 503 when one check fails, and shows details only to allowed callers, never messages', async () => {
    const app = createApp({ service: 'h' });
    registerHealth(app, {
      cacheMs: 0,
      showDetails: (ctx) => ctx.header('x-ops') === 'yes',
      checks: [{ name: 'db', check: () => Promise.reject(new TypeError('password=hunter2 rejected')) }],
    });
    const anonymous = await app.request('/health/ready');
    expect(anonymous.status).toBe(503);
    expect(anonymous.json()).toEqual({ status: 'fail' });
    const ops = await app.request('/health/ready', { headers: { 'x-ops': 'yes' } });
    expect(ops.json()).toMatchObject({ checks: { db: { status: 'fail', error: 'TypeError' } } });
    expect(ops.text()).not.toContain('hunter2');
    expect((await app.request('/health/live')).json()).toEqual({ status: 'ok' });
  });

  it('answers 503 when a check throws a revoked proxy or an error whose name getter throws', async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const odd = new Error('odd');
    Object.defineProperty(odd, 'name', {
      get() {
        throw new Error('getter');
      },
    });
    const app = createApp({ service: 'h' });
    registerHealth(app, {
      cacheMs: 0,
      showDetails: () => true,
      checks: [
        { name: 'revoked', check: () => Promise.reject(proxy) },
        { name: 'odd', check: () => Promise.reject(odd) },
      ],
    });
    const res = await app.request('/health/ready');
    expect(res.status).toBe(503);
    expect(res.json()).toMatchObject({
      checks: { revoked: { status: 'fail', error: 'Error' }, odd: { status: 'fail', error: 'Error' } },
    });
  });

  it('refuses checks without a unique name', () => {
    const app = createApp({ service: 'h' });
    expect(() =>
      registerHealth(app, {
        checks: [
          { name: 'a', check: () => 1 },
          { name: 'a', check: () => 1 },
        ],
      }),
    ).toThrow(/unique name/);
  });
});

describe('dependency checks', () => {
  let dynamo: DynamoDBServer;
  let raw: DynamoDBClient;
  let http: Server;
  let httpUrl: string;
  beforeAll(async () => {
    dynamo = await startDynalite();
    raw = new DynamoDBClient(localClientConfig(dynamo.endpoint));
    http = createServer((req, res) => res.writeHead(req.url === '/up' ? 200 : 500).end());
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    raw.destroy();
    await dynamo.close();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });

  it('checks a DynamoDB table, an HTTP dependency and a secret for real', async () => {
    const present = defineTable({ name: 'health-present', partitionKey: { name: 'PK', type: 'S' } });
    const missing = defineTable({ name: 'health-missing', partitionKey: { name: 'PK', type: 'S' } });
    await ensureTables(raw, [present]);
    const secrets = createSecrets({
      source: { load: async (name) => (name === 'ok' ? 'v' : Promise.reject(new Error('no'))) },
    });
    const app = createApp({ service: 'h' });
    registerHealth(app, {
      cacheMs: 0,
      showDetails: () => true,
      checks: [
        dynamoTableCheck(present, { client: raw }),
        dynamoTableCheck(missing, { client: raw }),
        httpCheck('partner', `${httpUrl}/up`),
        httpCheck('broken', `${httpUrl}/down`),
        secretCheck(secrets, 'ok'),
        secretCheck(secrets, 'absent'),
      ],
    });
    const res = await app.request('/health/ready');
    expect(res.status).toBe(503);
    const checks = res.json<{ checks: Record<string, { status: string }> }>().checks;
    expect(Object.fromEntries(Object.entries(checks).map(([k, v]) => [k, v.status]))).toEqual({
      'dynamodb:health-present': 'ok',
      'dynamodb:health-missing': 'fail',
      partner: 'ok',
      broken: 'fail',
      'secret:ok': 'ok',
      'secret:absent': 'fail',
    });
  });
});
