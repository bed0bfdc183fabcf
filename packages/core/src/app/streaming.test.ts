import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cors } from '../http/cors.js';
import { idempotency } from '../idempotency/routes.js';
import { memoryIdempotencyStore } from '../idempotency/store.js';
import { createLogger } from '../observability/logger.js';
import {
  FakeResponseStream,
  installFakeAwslambda,
  invokeStreaming,
} from '../test-support/lambda-streaming.js';
import { functionUrlEvent } from '../testing/events.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { createApp } from './app.js';
import { streamify } from './streaming.js';

function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  let clock = 1_000;
  const errors: unknown[] = [];
  const app = createApp({
    service: 'streams',
    now: () => clock,
    metrics: false,
    tracing: false,
    logger: createLogger({ service: 'streams', level: 'INFO', write: (l) => lines.push(JSON.parse(l)) }),
    onError: (error) => errors.push(error),
  });
  app.use(cors({ origins: ['https://app.example.com'] }));
  const advance = (ms: number) => {
    clock += ms;
  };
  return { app, lines, errors, advance };
}

const event = (path: string, method = 'GET') =>
  functionUrlEvent({ path, method, headers: { origin: ['https://app.example.com'] } });

describe('streamify under the Lambda runtime (fake awslambda global)', () => {
  let uninstall: () => void;
  beforeEach(() => {
    uninstall = installFakeAwslambda();
  });
  afterEach(() => uninstall());

  it('writes the prelude (status, security, CORS and request-id headers, cookies) then the chunks', async () => {
    const { app, lines, advance } = appWithLog();
    app.get('/csv', (ctx) =>
      ctx.cookie('seen', '1').stream(
        async function* () {
          yield 'a,b\n';
          advance(40);
          yield new TextEncoder().encode('1,2\n');
        },
        { contentType: 'text/csv; charset=utf-8', status: 201 },
      ),
    );
    const out = await invokeStreaming(streamify(app), event('/csv'), fakeLambdaContext());
    expect(out.contentType).toBe('application/vnd.awslambda.http-integration-response');
    expect(out.prelude?.statusCode).toBe(201);
    const headers = out.prelude?.headers ?? {};
    expect(headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(headers['strict-transport-security']).toMatch(/max-age/);
    expect(headers['x-request-id']).toBeTruthy();
    expect(out.prelude?.cookies).toEqual([expect.stringMatching(/^seen=1; /)]);
    expect(out.body.toString()).toBe('a,b\n1,2\n');
    // The JSON prelude, 8 NUL bytes, then the body, as the runtime sends it.
    const raw = out.stream.bytes();
    const nul = raw.indexOf(Buffer.alloc(8));
    expect(JSON.parse(raw.subarray(0, nul).toString()).statusCode).toBe(201);
    const access = lines.find((l) => l.message === 'request');
    expect(access).toMatchObject({ status: 201, route: '/csv', duration_ms: 40 });
  });

  it('sends each chunk before the producer has finished, waiting on backpressure', async () => {
    const { app } = appWithLog();
    const stream = new FakeResponseStream(2, 16);
    const seenBeforeEnd: number[] = [];
    app.get('/slow', (ctx) =>
      ctx.stream(async ({ write }) => {
        for (let i = 0; i < 5; i++) {
          await write('x'.repeat(64));
          // Every awaited write has reached the runtime's stream: nothing piles up in memory.
          seenBeforeEnd.push(stream.received.length);
        }
      }),
    );
    const out = await invokeStreaming(streamify(app), event('/slow'), fakeLambdaContext(), stream);
    expect(out.body.length).toBe(320);
    // Prelude JSON and delimiter are two writes before the first chunk.
    expect(seenBeforeEnd).toEqual([3, 4, 5, 6, 7]);
  });

  it('answers a failure before the first byte with the error envelope and its status', async () => {
    const { app, errors } = appWithLog();
    app.get('/broken', (ctx) =>
      ctx.stream(
        (async function* () {
          yield* [];
          throw new Error('database password=hunter2 unreachable');
        })(),
      ),
    );
    const out = await invokeStreaming(streamify(app), event('/broken'), fakeLambdaContext());
    expect(out.prelude?.statusCode).toBe(500);
    expect(out.prelude?.headers['x-request-id']).toBeTruthy();
    const body = JSON.parse(out.body.toString());
    expect(body.error.code).toBe('INTERNAL_ERROR');
    expect(out.body.toString()).not.toContain('hunter2');
    expect(errors).toHaveLength(1);
  });

  it('destroys the stream and logs a 5xx when the producer fails after the first byte', async () => {
    const { app, lines, errors } = appWithLog();
    app.get('/half', (ctx) =>
      ctx.stream(async function* () {
        yield 'first row\n';
        throw new Error('lost the table');
      }),
    );
    const out = await invokeStreaming(streamify(app), event('/half'), fakeLambdaContext());
    expect(out.prelude?.statusCode).toBe(200);
    expect(out.body.toString()).toBe('first row\n');
    expect(out.stream.destroyedWith?.message).toBe('lost the table');
    expect(errors).toHaveLength(1);
    const access = lines.find((l) => l.message === 'request');
    expect(access).toMatchObject({ status: 500, stream_error: 'after_first_byte' });
  });

  it('sends buffered answers whole, and HEAD without a body', async () => {
    const { app } = appWithLog();
    app.get('/json', (ctx) => ctx.json({ ok: true }));
    const out = await invokeStreaming(streamify(app), event('/json'), fakeLambdaContext());
    expect(out.prelude?.statusCode).toBe(200);
    expect(JSON.parse(out.body.toString())).toEqual({ ok: true });
    const head = await invokeStreaming(streamify(app), event('/json', 'HEAD'), fakeLambdaContext());
    expect(head.prelude?.statusCode).toBe(200);
    expect(head.body.length).toBe(0);
    const missing = await invokeStreaming(streamify(app), event('/nope'), fakeLambdaContext());
    expect(missing.prelude?.statusCode).toBe(404);
  });

  it('tells the route it is streaming', async () => {
    const { app } = appWithLog();
    app.get('/mode', (ctx) => ctx.json({ streaming: ctx.streaming }));
    const out = await invokeStreaming(streamify(app), event('/mode'), fakeLambdaContext());
    expect(JSON.parse(out.body.toString())).toEqual({ streaming: true });
    const buffered = (await app.handler(event('/mode'), fakeLambdaContext())) as { body: string };
    expect(JSON.parse(buffered.body)).toEqual({ streaming: false });
  });
});

describe('streamify without the awslambda global (lift dev, tests)', () => {
  it('marks the handler as the runtime would and writes the same bytes', async () => {
    const { app } = appWithLog();
    app.get('/t', (ctx) => ctx.stream(['one', 'two'], { contentType: 'text/plain' }));
    const handler = streamify(app);
    expect(
      (handler as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming')],
    ).toBe('response');
    const out = await invokeStreaming(handler, event('/t'), fakeLambdaContext());
    expect(out.contentType).toBe('application/vnd.awslambda.http-integration-response');
    expect(out.prelude?.statusCode).toBe(200);
    expect(out.body.toString()).toBe('onetwo');
  });
});

describe('ctx.stream under app.handler (buffered)', () => {
  it('collects the chunks into an ordinary answer and logs it once', async () => {
    const { app, lines } = appWithLog();
    app.get('/csv', (ctx) =>
      ctx.stream(
        async function* () {
          yield 'a,b\n';
          yield '1,2\n';
        },
        { contentType: 'text/csv' },
      ),
    );
    const res = await app.request('/csv');
    expect(res.status).toBe(200);
    expect(res.text()).toBe('a,b\n1,2\n');
    expect(res.headers.get('content-type')).toBe('text/csv');
    expect(lines.filter((l) => l.message === 'request')).toHaveLength(1);
  });

  it('sends bytes base64-encoded', async () => {
    const { app } = appWithLog();
    app.get('/bin', (ctx) => ctx.stream([new Uint8Array([0, 255, 1])]));
    const result = (await app.handler(event('/bin'), fakeLambdaContext())) as {
      body: string;
      isBase64Encoded: boolean;
    };
    expect(result.isBase64Encoded).toBe(true);
    expect([...Buffer.from(result.body, 'base64')]).toEqual([0, 255, 1]);
  });

  it("refuses a body over Lambda's 6 MB buffered limit with a 500 that names the fix in the log", async () => {
    const { app, errors } = appWithLog();
    const mb = 'x'.repeat(1024 * 1024);
    app.get('/big', (ctx) =>
      ctx.stream(
        async function* () {
          for (let i = 0; i < 7; i++) yield mb;
        },
        { contentType: 'text/plain' },
      ),
    );
    const res = await app.request('/big');
    expect(res.status).toBe(500);
    expect(res.text()).not.toContain('streamify');
    expect(String((errors[0] as Error).cause)).toMatch(/streamify\(app\)/);
  });

  it('escaping growth: text under 6 MB that JSON-escapes past it is refused, not left to Lambda', async () => {
    const { app, errors } = appWithLog();
    // 4 MiB of quotes: each becomes \" in the JSON result, 8 MiB in all.
    const quotes = '"'.repeat(1024 * 1024);
    app.get('/quotes', (ctx) =>
      ctx.stream(
        async function* () {
          for (let i = 0; i < 4; i++) yield quotes;
        },
        { contentType: 'text/plain' },
      ),
    );
    const res = await app.request('/quotes');
    expect(res.status).toBe(500);
    expect(String((errors[0] as Error).cause)).toMatch(/streamify\(app\)/);
  });

  it('empty replay: an idempotent route that streams is refused, never stored as an empty 200', async () => {
    const errors: unknown[] = [];
    const app = createApp({
      service: 'streams',
      logger: false,
      idempotency: idempotency({ store: memoryIdempotencyStore() }),
      onError: (error) => errors.push(error),
    });
    app.post('/export', { idempotency: true }, (ctx) =>
      ctx.stream(async function* () {
        yield 'a,b\n';
      }),
    );
    const send = () => app.request('/export', { method: 'POST', headers: { 'idempotency-key': 'k-1' } });
    const first = await send();
    expect(first.status).toBe(500);
    const again = await send();
    expect(again.status).toBe(500);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(String((errors[0] as Error).cause)).toMatch(/cannot answer with ctx.stream/);
  });

  it('answers a producer failure with the error envelope', async () => {
    const { app } = appWithLog();
    app.get('/oops', (ctx) =>
      ctx.stream(() => {
        throw new TypeError('boom');
      }),
    );
    const res = await app.request('/oops');
    expect(res.status).toBe(500);
    expect(res.json()).toMatchObject({ error: { code: 'INTERNAL_ERROR' } });
  });
});
