import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { signedFetch } from '../signing/signer.js';
import { captureSpans, stopCapturingSpans } from '../test-support/spans.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import {
  parseTraceparent,
  parseXRayHeader,
  tracedFetch,
  traceHeaders,
  traceOf,
  xrayTraceId,
} from './tracing.js';

const W3C_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const XRAY = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

afterEach(() => {
  delete process.env._X_AMZN_TRACE_ID;
});

describe('trace headers', () => {
  it('parses W3C traceparent and X-Ray headers, refusing malformed ones', () => {
    expect(parseTraceparent(`00-${W3C_ID}-00f067aa0ba902b7-01`)).toEqual({
      traceId: W3C_ID,
      parentId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(parseTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
    expect(parseXRayHeader(XRAY)).toEqual({
      traceId: '5759e988bd862e3fe1be46a994272793',
      parentId: '53995c3f42cd8ad8',
      sampled: true,
    });
    expect(parseXRayHeader('Root=nope')).toBeUndefined();
    expect(xrayTraceId('5759e988bd862e3fe1be46a994272793')).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });

  it('parses X-Ray headers as splitting on ; and = does, odd spacing and repeats included', () => {
    // The parser as it was written first, with arrays and a map: the reference for the scanning one.
    const reference = (value: string) => {
      const parts = new Map(value.split(';').map((p) => p.trim().split('=') as [string, string]));
      const root = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/.exec(parts.get('Root') ?? '');
      if (root === null) return undefined;
      const parent = parts.get('Parent');
      return {
        traceId: `${root[1]}${root[2]}`,
        parentId: parent !== undefined && /^[0-9a-f]{16}$/.test(parent) ? parent : undefined,
        sampled: parts.get('Sampled') === '1',
      };
    };
    const root = 'Root=1-5759e988-bd862e3fe1be46a994272793';
    const samples = [
      '',
      ';',
      XRAY,
      `${XRAY};Lineage=a87bd80c:1|68fd508a:5`,
      ` ${root} ; Parent=53995c3f42cd8ad8 ;\tSampled=1\n`,
      `\u00a0${root}\u2028;Sampled=1`,
      `${root};Root=1-11111111-222222222222222222222222`,
      `${root};Root`,
      `${root}=extra;Parent=53995c3f42cd8ad8=x;Sampled=1=1`,
      `${root};Parent;Sampled`,
      `${root};Parent=53995C3F42CD8AD8;Sampled=0`,
      `${root};Parent=;Sampled=`,
      `Parent=53995c3f42cd8ad8;${root};Sampled=1;Sampled=0`,
      'Root=1-5759e988-bd862e3fe1be46a99427279',
      'Root=1-5759E988-bd862e3fe1be46a994272793',
      'root=1-5759e988-bd862e3fe1be46a994272793',
      'XRoot=1-5759e988-bd862e3fe1be46a994272793',
      'Root =1-5759e988-bd862e3fe1be46a994272793',
      'Roots=1-5759e988-bd862e3fe1be46a994272793;Parents=53995c3f42cd8ad8',
      '=Root;Root=;;',
    ];
    for (const sample of samples) expect(parseXRayHeader(sample)).toEqual(reference(sample));
    // Random headers from the pieces above, a few thousand of them.
    const pieces = [root, 'Parent=53995c3f42cd8ad8', 'Sampled=1', 'Sampled=0', ' ', ';', '=', 'Root', 'x'];
    let seed = 7;
    for (let i = 0; i < 3000; i++) {
      let header = '';
      for (let n = 0; n < 6; n++) {
        seed = (seed * 48_271) % 2_147_483_647;
        header += pieces[seed % pieces.length];
      }
      expect(parseXRayHeader(header)).toEqual(reference(header));
    }
  });

  it('takes the trace from traceparent, then x-amzn-trace-id, then the Lambda environment', async () => {
    const app = createApp({ service: 't' });
    app.get('/', (ctx) => traceOf(ctx));
    expect(
      (
        await app.request('/', {
          headers: { traceparent: `00-${W3C_ID}-00f067aa0ba902b7-01`, 'x-amzn-trace-id': XRAY },
        })
      ).json(),
    ).toMatchObject({ traceId: W3C_ID });
    expect((await app.request('/', { headers: { 'x-amzn-trace-id': XRAY } })).json()).toMatchObject({
      traceId: '5759e988bd862e3fe1be46a994272793',
    });
    process.env._X_AMZN_TRACE_ID = 'Root=1-11111111-222222222222222222222222;Sampled=0';
    expect((await app.request('/')).json()).toMatchObject({
      traceId: '11111111222222222222222222222222',
      sampled: false,
    });
    delete process.env._X_AMZN_TRACE_ID;
    expect((await app.request('/')).json()).toMatchObject({
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it('starts a new trace from the Lambda request id, with the time first as X-Ray wants it', async () => {
    const app = createApp({ service: 't' });
    app.get('/', (ctx) => traceOf(ctx));
    const lambda = fakeLambdaContext({ awsRequestId: '8f5a1c3e-2b7d-4e9a-9c1f-0d3b6a7e5f42' });
    const before = Math.floor(Date.now() / 1000);
    const { traceId, parentId } = (await app.request('/', { lambda })).json() as {
      traceId: string;
      parentId?: string;
    };
    expect(traceId.slice(8)).toBe('2b7d4e9a9c1f0d3b6a7e5f42');
    expect(Number.parseInt(traceId.slice(0, 8), 16)).toBeGreaterThanOrEqual(before);
    expect(Number.parseInt(traceId.slice(0, 8), 16)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(parentId).toBeUndefined();
    // Without a UUID to derive from, the id is random: two requests, two traces.
    const odd = fakeLambdaContext({ awsRequestId: 'not-a-uuid' });
    const a = (await app.request('/', { lambda: odd })).json() as { traceId: string };
    const b = (await app.request('/', { lambda: odd })).json() as { traceId: string };
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.traceId).not.toBe(b.traceId);
  });

  it('propagates the trace on outbound calls in both formats, with a new parent', async () => {
    const headers = traceHeaders({ traceId: W3C_ID, parentId: 'aaaaaaaaaaaaaaaa', sampled: true });
    expect(headers.traceparent).toMatch(new RegExp(`^00-${W3C_ID}-[0-9a-f]{16}-01$`));
    expect(headers.traceparent).not.toContain('aaaaaaaaaaaaaaaa');
    expect(headers['x-amzn-trace-id']).toMatch(
      /^Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=[0-9a-f]{16};Sampled=1$/,
    );
    const sent: Record<string, string>[] = [];
    const app = createApp({ service: 't' });
    app.get('/', async (ctx) => {
      await tracedFetch(ctx, async (_url, init) => {
        sent.push(Object.fromEntries(new Headers(init?.headers).entries()));
        return new Response('ok');
      })('https://downstream.example/x', { headers: { accept: 'application/json' } });
      return 'ok';
    });
    await app.request('/', { headers: { 'x-amzn-trace-id': XRAY } });
    expect(sent[0]).toMatchObject({
      accept: 'application/json',
      traceparent: expect.stringContaining('5759e988bd862e3fe1be46a994272793'),
    });
  });
});

describe('trace propagation on signed calls', () => {
  it('tracedFetch over signedFetch sends a signed request carrying the trace', async () => {
    const sent: Record<string, string>[] = [];
    const signed = signedFetch({
      keyId: 'orders-service',
      secret: 'a-development-secret-of-32-characters!',
      fetch: async (_url, init) => {
        sent.push(Object.fromEntries(new Headers(init?.headers).entries()));
        return new Response('ok');
      },
    });
    const app = createApp({ service: 't' });
    app.get('/', async (ctx) => {
      await tracedFetch(ctx, signed)('https://billing.example/charges', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      return 'ok';
    });
    await app.request('/', { headers: { 'x-amzn-trace-id': XRAY } });
    expect(sent[0]).toMatchObject({
      'x-lift-key-id': 'orders-service',
      'x-lift-signature': expect.any(String),
      traceparent: expect.stringContaining('5759e988bd862e3fe1be46a994272793'),
    });
  });
});

describe('OpenTelemetry spans', () => {
  it('creates one span per request, named by route pattern, once a tracer provider is registered', async () => {
    stopCapturingSpans();
    const app = createApp({ service: 't', onError: () => {}, logger: false, metrics: false });
    app.get('/orders/:id', () => 'ok');
    app.get('/boom', () => {
      throw new Error('x');
    });
    // No provider: nothing to record into, and nothing fails.
    expect((await app.request('/orders/o-1')).status).toBe(200);
    // A provider registered after the app was created is used from the next request on.
    const spans = captureSpans();
    await app.request('/orders/o-42');
    await app.request('/boom');
    expect(spans.map((s) => [s.name, s.attributes['http.response.status_code'], s.status, s.ended])).toEqual([
      ['GET /orders/:id', 200, undefined, true],
      ['GET /boom', 500, SpanStatusCode.ERROR, true],
    ]);
    expect(spans.map((s) => s.kind)).toEqual([SpanKind.SERVER, SpanKind.SERVER]);
    expect(JSON.stringify(spans)).not.toContain('o-42');
    stopCapturingSpans();
  });
});
