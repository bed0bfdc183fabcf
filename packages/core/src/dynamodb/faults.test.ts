/**
 * Lift's own DynamoDB calls under faults: the real `@aws-sdk/client-dynamodb`, through
 * `createDocumentClient` and `tableClient`, against a loopback endpoint speaking DynamoDB's JSON
 * protocol that is down, resets, hangs, throttles or fails. Each call runs as a request of a Lambda
 * with a 1.5 s timeout and the app's 500 ms margin (a 1 s budget), and each test checks the error's
 * status, code and `Retry-After`, that it came before the deadline, and that the endpoint has no
 * request left open, nor receives one, once the call has answered.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { GatewayTimeoutError, HttpError } from '../errors/errors.js';
import { circuitBreaker, withCircuitBreaker } from '../resilience/breaker.js';
import {
  DependencyThrottledError,
  DependencyTimeoutError,
  DependencyUnavailableError,
} from '../resilience/faults.js';
import { withRequestScope } from '../resilience/scope.js';
import { captureJsonLinesAsync } from '../test-support/capture.js';
import {
  closedEndpoint,
  type DynamoDBFault,
  type DynamoDBFaultServer,
  INTERNAL_ERROR,
  startDynamoDBFaultServer,
  THROTTLING,
  THROUGHPUT_EXCEEDED,
} from '../test-support/dynamodb-faults.js';
import { fakeRequestScope } from '../test-support/request-scope.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { tableClient } from './client.js';
import { createDocumentClient, type DocumentClientOptions } from './documents.js';
import { defineTable } from './table.js';

const table = defineTable({ name: 'lift-faults', partitionKey: { name: 'PK', type: 'S' } });
const BUDGET_MS = 1000;
const LAMBDA_MS = 1500;

let server: DynamoDBFaultServer;
const clients: DynamoDBDocumentClient[] = [];

beforeAll(async () => {
  server = await startDynamoDBFaultServer();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await server.close();
});
afterEach(async () => {
  server.answer({ kind: 'ok' });
  // A finished request stays the current scope until the next one (see resilience/scope.ts).
  await withRequestScope({ signal: new AbortController().signal, budgetMs: () => Infinity }, async () => {});
});

async function documents(endpoint: string, options: Omit<DocumentClientOptions, 'config'> = {}) {
  const client = await createDocumentClient({
    ...options,
    config: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
  });
  clients.push(client);
  return client;
}

interface Outcome {
  readonly error: unknown;
  /** Time from the call to its answer. */
  readonly ms: number;
  /** Time the Lambda still had when the call answered. */
  readonly lambdaLeftMs: number;
  /** `performance.now()` when it answered. */
  readonly at: number;
}

/** Runs `call` as a request of a 1.5 s Lambda (1 s budget) and says how and when it ended. */
async function asRequest(call: () => Promise<unknown>): Promise<Outcome> {
  const scope = fakeRequestScope({ timeoutMs: LAMBDA_MS, marginMs: LAMBDA_MS - BUDGET_MS });
  const started = performance.now();
  let error: unknown;
  try {
    await withRequestScope(scope, call);
  } catch (caught) {
    error = caught;
  }
  const at = performance.now();
  const outcome = { error, ms: at - started, lambdaLeftMs: scope.remainingMs(), at };
  scope.dispose();
  return outcome;
}

/** After a short wait: no request still open, none that arrived after the call answered. */
async function expectNothingOutlives(outcome: Outcome, from = 0): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 150));
  const mine = server.requests.slice(from);
  expect(mine.filter((r) => r.endedAt === undefined)).toEqual([]);
  expect(mine.filter((r) => r.receivedAt > outcome.at)).toEqual([]);
  // The client closes its socket before it answers; the server hears of it a moment later (on a
  // loaded CI machine, tens of milliseconds later: 25 ms was once missed by 2 ms).
  for (const r of mine) expect(r.endedAt as number).toBeLessThanOrEqual(outcome.at + 100);
}

function expectHttpError(error: unknown, status: number, code: string, retryAfter?: string): void {
  expect(error).toBeInstanceOf(HttpError);
  const http = error as HttpError;
  expect([http.status, http.code, http.headers?.['retry-after']]).toEqual([status, code, retryAfter]);
}

async function faultCase(fault: DynamoDBFault, options: Omit<DocumentClientOptions, 'config'> = {}) {
  server.answer(fault);
  const from = server.requests.length;
  const items = tableClient(table, { client: await documents(server.endpoint, options) });
  const outcome = await asRequest(() => items.get({ PK: 'a' }));
  return { outcome, from, attempts: () => server.requests.length - from };
}

describe('DynamoDB faults, answered before the deadline', () => {
  it('down (connection refused): 503 DEPENDENCY_UNAVAILABLE with Retry-After, at once', async () => {
    const items = tableClient(table, { client: await documents(await closedEndpoint()) });
    const outcome = await asRequest(() => items.get({ PK: 'a' }));
    expectHttpError(outcome.error, 503, 'DEPENDENCY_UNAVAILABLE', '1');
    expect(outcome.error).toBeInstanceOf(DependencyUnavailableError);
    expect(outcome.ms).toBeLessThan(BUDGET_MS);
  });

  it('connection reset without an answer: 503 DEPENDENCY_UNAVAILABLE, not a timeout', async () => {
    const { outcome, from, attempts } = await faultCase({ kind: 'reset' });
    expectHttpError(outcome.error, 503, 'DEPENDENCY_UNAVAILABLE', '1');
    expect(attempts()).toBe(3);
    expect(outcome.ms).toBeLessThan(BUDGET_MS);
    await expectNothingOutlives(outcome, from);
  });

  it.each([
    ['ThrottlingException', THROTTLING],
    ['ProvisionedThroughputExceededException', THROUGHPUT_EXCEEDED],
  ])('%s: 503 DEPENDENCY_THROTTLED with Retry-After after 3 quick attempts', async (_name, fault) => {
    const { outcome, from, attempts } = await faultCase(fault);
    expectHttpError(outcome.error, 503, 'DEPENDENCY_THROTTLED', '1');
    expect(outcome.error).toBeInstanceOf(DependencyThrottledError);
    expect(attempts()).toBe(3);
    expect(outcome.ms).toBeLessThan(BUDGET_MS);
    await expectNothingOutlives(outcome, from);
  });

  it('a slow throttle: no retry is started that could not finish, so it is a 503 before the deadline', async () => {
    const { outcome, from, attempts } = await faultCase({ ...THROTTLING, delayMs: 400 });
    expectHttpError(outcome.error, 503, 'DEPENDENCY_THROTTLED', '1');
    expect(attempts()).toBe(2);
    expect(outcome.ms).toBeLessThan(BUDGET_MS);
    await expectNothingOutlives(outcome, from);
  });

  it('500 InternalServerError: 503 DEPENDENCY_UNAVAILABLE with Retry-After', async () => {
    const { outcome, from, attempts } = await faultCase(INTERNAL_ERROR);
    expectHttpError(outcome.error, 503, 'DEPENDENCY_UNAVAILABLE', '1');
    expect(attempts()).toBe(3);
    expect(outcome.ms).toBeLessThan(BUDGET_MS);
    await expectNothingOutlives(outcome, from);
  });

  it('a write is answered the same way (PutItem throttled)', async () => {
    server.answer(THROUGHPUT_EXCEEDED);
    const items = tableClient(table, { client: await documents(server.endpoint) });
    const outcome = await asRequest(() => items.put({ PK: 'a', n: 1 }));
    expectHttpError(outcome.error, 503, 'DEPENDENCY_THROTTLED', '1');
    expect(server.requests.at(-1)?.action).toBe('PutItem');
  });

  it("hangs (accepts, never answers): the request's own 504 at its deadline; the request is closed", async () => {
    const { outcome, from, attempts } = await faultCase({ kind: 'hang' });
    expect(outcome.error).toBeInstanceOf(GatewayTimeoutError);
    expectHttpError(outcome.error, 504, 'TIMEOUT');
    expect(attempts()).toBe(1);
    expect(outcome.ms).toBeGreaterThanOrEqual(BUDGET_MS - 20);
    expect(outcome.ms).toBeLessThan(BUDGET_MS + 100);
    expect(outcome.lambdaLeftMs).toBeGreaterThan(350);
    await expectNothingOutlives(outcome, from);
  });

  it('hangs, with a request timeout shorter than the budget: 504 DEPENDENCY_TIMEOUT after the retries', async () => {
    const { outcome, from, attempts } = await faultCase({ kind: 'hang' }, { requestTimeoutMs: 250 });
    expect(outcome.error).toBeInstanceOf(DependencyTimeoutError);
    expectHttpError(outcome.error, 504, 'DEPENDENCY_TIMEOUT');
    expect(attempts()).toBe(3);
    expect(outcome.ms).toBeGreaterThanOrEqual(750);
    expect(outcome.ms).toBeLessThan(BUDGET_MS);
    await expectNothingOutlives(outcome, from);
  });

  it('an explicit signal (ctx.signal) stops the call outside any scope too', async () => {
    server.answer({ kind: 'hang' });
    const from = server.requests.length;
    const items = tableClient(table, { client: await documents(server.endpoint) });
    const scope = fakeRequestScope({ timeoutMs: 800, marginMs: 500 });
    const started = performance.now();
    const error = await items.get({ PK: 'a' }, { signal: scope.signal }).catch((e: unknown) => e);
    const outcome = { error, ms: performance.now() - started, lambdaLeftMs: 0, at: performance.now() };
    scope.dispose();
    expectHttpError(error, 504, 'TIMEOUT');
    expect(outcome.ms).toBeLessThan(400);
    await expectNothingOutlives(outcome, from);
  });

  it('a healthy endpoint still answers (and a slow one within its time)', async () => {
    const items = tableClient(table, { client: await documents(server.endpoint) });
    expect((await asRequest(() => items.get({ PK: 'a' }))).error).toBeUndefined();
    server.answer({ kind: 'slow', ms: 300 });
    expect((await asRequest(() => items.get({ PK: 'a' }))).error).toBeUndefined();
  });
});

describe('a circuit breaker on the DynamoDB client (withCircuitBreaker)', () => {
  it('opens after failed commands and then refuses without sending; throttling does not count', async () => {
    const client = withCircuitBreaker(
      await documents(server.endpoint, { retry: { maxAttempts: 1 } }),
      circuitBreaker('dynamodb-faults-test', { failureThreshold: 2, logger: false, metrics: false }),
    );
    const items = tableClient(table, { client });
    server.answer(THROTTLING);
    for (let i = 0; i < 3; i++)
      expectHttpError(
        (await asRequest(() => items.get({ PK: 'a' }))).error,
        503,
        'DEPENDENCY_THROTTLED',
        '1',
      );
    server.answer(INTERNAL_ERROR);
    for (let i = 0; i < 2; i++) await asRequest(() => items.get({ PK: 'a' }));
    const sent = server.requests.length;
    const refused = await asRequest(() => items.get({ PK: 'a' }));
    expectHttpError(refused.error, 503, 'DEPENDENCY_UNAVAILABLE', '10');
    expect((refused.error as DependencyUnavailableError).reason).toBe('circuit-open');
    expect(server.requests.length).toBe(sent);
    expect(refused.ms).toBeLessThan(50);
  });
});

describe('through an app', () => {
  it('the caller gets 503 with Retry-After and the stable code, or 504 before the Lambda deadline', async () => {
    const items = tableClient(table, { client: await documents(server.endpoint) });
    const app = createApp();
    // No signal passed: app.handler enters the request's scope, which bounds the call and its retries.
    app.get('/item', async () => ({ item: (await items.get({ PK: 'a' })) ?? null }));

    server.answer(THROTTLING);
    let throttled: Awaited<ReturnType<typeof app.request>> | undefined;
    let hung: Awaited<ReturnType<typeof app.request>> | undefined;
    let took = 0;
    // The app logs each failed request (ERROR lines); they are captured here, not printed.
    const lines = await captureJsonLinesAsync(async () => {
      throttled = await app.request('/item', { lambda: fakeLambdaContext({ timeoutMs: LAMBDA_MS }) });
      server.answer({ kind: 'hang' });
      const started = performance.now();
      hung = await app.request('/item', { lambda: fakeLambdaContext({ timeoutMs: LAMBDA_MS }) });
      took = performance.now() - started;
    });
    if (throttled === undefined || hung === undefined) throw new Error('no answer');
    expect([throttled.status, throttled.headers.get('retry-after')]).toEqual([503, '1']);
    expect(throttled.json()).toMatchObject({ error: { code: 'DEPENDENCY_THROTTLED' } });

    expect(hung.status).toBe(504);
    expect(lines.filter((l) => l.message === 'request').map((l) => l.status)).toEqual([503, 504]);
    expect(took).toBeLessThan(LAMBDA_MS - 300);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.openRequests()).toBe(0);
  });
});
