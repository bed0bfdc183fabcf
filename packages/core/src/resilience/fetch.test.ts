/**
 * `resilientFetch` against a real HTTP server on 127.0.0.1: retries of 429/5xx and network errors,
 * Retry-After, per-attempt timeouts before the deadline, the request's abort, the breaker, and that
 * no request is left open on the server once the call has answered.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayTimeoutError } from '../errors/errors.js';
import { closedEndpoint } from '../test-support/dynamodb-faults.js';
import { fakeRequestScope } from '../test-support/request-scope.js';
import { DependencyTimeoutError, DependencyUnavailableError } from './faults.js';
import { resilientFetch } from './fetch.js';
import { resiliencePolicy } from './policy.js';
import { withRequestScope } from './scope.js';

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

let server: Server;
let base = '';
let handler: Handler = (_req, res) => res.end('ok');
/** Requests received; `open` until the answer is written or the connection is gone. */
let received: { method: string; open: boolean }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const record = { method: req.method ?? '', open: true };
    received.push(record);
    res.on('close', () => {
      record.open = false;
    });
    handler(req, res, received.length);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});
afterEach(async () => {
  received = [];
  handler = (_req, res) => res.end('ok');
  // Leave no deadline behind for the next test (a finished request stays the current scope).
  await withRequestScope({ signal: new AbortController().signal, budgetMs: () => Infinity }, async () => {});
});

let names = 0;
const policy = (options: Omit<Parameters<typeof resiliencePolicy>[0], 'name'> = {}) =>
  resiliencePolicy({
    name: `fetch-${++names}`,
    breaker: false,
    retry: { random: () => 0 },
    ...options,
  });

/** Runs `run` as a request with `budgetMs` before its deadline; its signal aborts then with a 504. */
async function asRequest<T>(budgetMs: number, run: () => Promise<T>): Promise<T> {
  const scope = fakeRequestScope({ timeoutMs: budgetMs, marginMs: 0 });
  try {
    return await withRequestScope(scope, run);
  } finally {
    scope.dispose();
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('resilientFetch', () => {
  it('retries a 503 and returns the success', async () => {
    handler = (_req, res, i) => res.writeHead(i === 1 ? 503 : 200).end(i === 1 ? 'busy' : 'fine');
    const response = await resilientFetch(policy())(`${base}/a`);
    expect([response.status, await response.text(), received.length]).toEqual([200, 'fine', 2]);
  });

  it('honours a short Retry-After; answers a long one at once with the response', async () => {
    handler = (_req, res, i) => res.writeHead(i === 1 ? 429 : 200, { 'retry-after': '0' }).end();
    expect((await resilientFetch(policy())(`${base}/a`)).status).toBe(200);
    received = [];
    handler = (_req, res) => res.writeHead(429, { 'retry-after': '30' }).end();
    const started = performance.now();
    const response = await resilientFetch(policy())(`${base}/a`);
    expect([response.status, response.headers.get('retry-after'), received.length]).toEqual([429, '30', 1]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('a failed answer that survives its retries is returned (status to check)', async () => {
    handler = (_req, res) => res.writeHead(502).end('bad gateway');
    const response = await resilientFetch(policy())(`${base}/a`);
    expect([response.status, received.length]).toEqual([502, 3]);
  });

  it('POST is not repeated after a 500, unless declared idempotent', async () => {
    handler = (_req, res) => res.writeHead(500).end();
    expect((await resilientFetch(policy())(`${base}/a`, { method: 'POST', body: 'x' })).status).toBe(500);
    expect(received.length).toBe(1);
    received = [];
    await resilientFetch(policy(), undefined, { idempotent: true })(`${base}/a`, {
      method: 'POST',
      body: 'x',
    });
    expect(received.length).toBe(3);
  });

  it('a server that is down: 503 DEPENDENCY_UNAVAILABLE after the retries, fast', async () => {
    const down = await closedEndpoint();
    const started = performance.now();
    const error = await resilientFetch(policy())(`${down}/a`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).headers).toEqual({ 'retry-after': '1' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('a server that hangs: 504 DEPENDENCY_TIMEOUT before the deadline, and the request is closed', async () => {
    handler = () => undefined;
    const started = performance.now();
    const error = await asRequest(2000, () =>
      resilientFetch(policy({ timeoutMs: 300, retry: { maxAttempts: 2, random: () => 0 } }))(`${base}/a`),
    ).catch((e: unknown) => e);
    const took = performance.now() - started;
    expect(error).toBeInstanceOf(DependencyTimeoutError);
    expect((error as DependencyTimeoutError).status).toBe(504);
    expect(took).toBeGreaterThanOrEqual(590);
    expect(took).toBeLessThan(1500);
    await wait(50);
    expect(received.map((r) => r.open)).toEqual([false, false]);
  });

  it("each attempt's timeout is cut to the time the request has left", async () => {
    handler = () => undefined;
    const started = performance.now();
    const error = await asRequest(700, () =>
      resilientFetch(policy({ timeoutMs: 10_000 }))(`${base}/a`),
    ).catch((e: unknown) => e);
    const took = performance.now() - started;
    // The attempt's timer and the request's signal both fire at 700 ms: either answer is a 504
    // (DEPENDENCY_TIMEOUT from the timer, the request's own TIMEOUT from its signal).
    expect((error as { status?: number }).status).toBe(504);
    expect(took).toBeLessThan(1000);
    await wait(50);
    expect(received.every((r) => !r.open)).toBe(true);
  });

  it("the request's abort stops the call at once with its reason, closing the request", async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const reason = new GatewayTimeoutError();
    setTimeout(() => controller.abort(reason), 150);
    const started = performance.now();
    const error = await resilientFetch(policy())(`${base}/a`, { signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toBe(reason);
    expect(performance.now() - started).toBeLessThan(600);
    await wait(50);
    expect(received.map((r) => r.open)).toEqual([false]);
  });

  it('the timeout covers the answer, not the reading of its body', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part ');
      setTimeout(() => res.end('and the rest'), 250);
    };
    const response = await resilientFetch(policy({ timeoutMs: 100 }))(`${base}/a`);
    expect(await response.text()).toBe('part and the rest');
  });

  it('opens the breaker on repeated 5xx and then refuses without sending', async () => {
    handler = (_req, res) => res.writeHead(503).end();
    const send = resilientFetch(
      policy({ retry: false, breaker: { failureThreshold: 2, logger: false, metrics: false } }),
    );
    expect((await send(`${base}/a`)).status).toBe(503);
    expect((await send(`${base}/a`)).status).toBe(503);
    const error = await send(`${base}/a`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).reason).toBe('circuit-open');
    expect(received.length).toBe(2);
  });
});
