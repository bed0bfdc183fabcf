import type { Context, RequestInput } from '../context/context.js';
import { type OtelSpan, otelTracer, SPAN_KIND, SPAN_STATUS_ERROR } from '../otel/otel.js';

/** The trace a request belongs to, in both X-Ray and W3C terms. */
export interface TraceContext {
  /** W3C trace id: 32 lower-case hex digits. */
  readonly traceId: string;
  /** The caller's span id: 16 hex digits (absent when the trace starts here). */
  readonly parentId: string | undefined;
  readonly sampled: boolean;
}

const W3C = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;

/** Parses a W3C `traceparent` header; `undefined` for anything malformed or all-zero. */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  const m = W3C.exec(value?.trim() ?? '');
  if (m === null || /^0+$/.test(m[1] as string) || /^0+$/.test(m[2] as string)) return undefined;
  return {
    traceId: m[1] as string,
    parentId: m[2] as string,
    sampled: (Number.parseInt(m[3] as string, 16) & 1) === 1,
  };
}

/** Parses an X-Ray trace header (`Root=1-...;Parent=...;Sampled=1`); `undefined` when malformed. */
export function parseXRayHeader(value: string | undefined): TraceContext | undefined {
  if (value === undefined) return undefined;
  const parts = new Map(value.split(';').map((p) => p.trim().split('=') as [string, string]));
  const root = XRAY_ROOT.exec(parts.get('Root') ?? '');
  if (root === null) return undefined;
  const parent = parts.get('Parent');
  return {
    traceId: `${root[1]}${root[2]}`,
    parentId: parent !== undefined && /^[0-9a-f]{16}$/.test(parent) ? parent : undefined,
    sampled: parts.get('Sampled') === '1',
  };
}

/** The X-Ray form of a W3C trace id (`1-<8 hex>-<24 hex>`). */
export function xrayTraceId(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

const traces = new WeakMap<object, TraceContext>();

// Span ids (and trace ids with no request id to derive them from) come from a pool filled by the
// CSPRNG in one call: asking for 8 or 12 bytes at a time costs a system call per request. The Web
// Crypto global is used rather than importing node:crypto, whose import alone costs milliseconds of
// a cold start; its first call still loads Web Crypto (about 1 to 5 ms), which is why a request's
// own trace never needs it when Lambda gave the invocation an id (see newTraceId).
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

// Lambda writes its request ids in lower case.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A new trace id in the X-Ray shape (8 hex digits of epoch seconds, then 24 of randomness). The 24
 * digits are those of the invocation's Lambda request id, a random UUID AWS made for this very
 * invocation, so starting a trace costs no random-number generator (and no Web Crypto load on the
 * first request); only without one (tests, non-UUID ids) do they come from the CSPRNG.
 */
function newTraceId(ctx: Context<RequestInput, object>): string {
  const seconds = Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0');
  const id = ctx.lambda?.awsRequestId;
  return id === undefined || !UUID.test(id)
    ? `${seconds}${randomHex(12)}`
    : `${seconds}${id.slice(9, 13)}${id.slice(14, 18)}${id.slice(19, 23)}${id.slice(24)}`;
}

/**
 * The request's trace: the caller's `traceparent`, else its `x-amzn-trace-id`, else the one Lambda
 * sets for the invocation (`_X_AMZN_TRACE_ID`), else a new trace (its id derived from the Lambda
 * request id when there is one). Decided once per request, so the log lines and every outbound call
 * of one request share it.
 */
export function traceOf(ctx: Context<RequestInput, object>): TraceContext {
  return traces.get(ctx) ?? decideTrace(ctx, process.env._X_AMZN_TRACE_ID);
}

/**
 * {@link traceOf} for a caller that has read `_X_AMZN_TRACE_ID` already (reading the environment
 * costs a few hundred nanoseconds; the request pipeline needs the value for the logger too).
 */
export function traceWith(
  ctx: Context<RequestInput, object>,
  lambdaTraceHeader: string | undefined,
): TraceContext {
  return traces.get(ctx) ?? decideTrace(ctx, lambdaTraceHeader);
}

function decideTrace(
  ctx: Context<RequestInput, object>,
  lambdaTraceHeader: string | undefined,
): TraceContext {
  const trace = parseTraceparent(ctx.header('traceparent')) ??
    parseXRayHeader(ctx.header('x-amzn-trace-id')) ??
    parseXRayHeader(lambdaTraceHeader) ?? {
      traceId: newTraceId(ctx),
      parentId: undefined,
      sampled: false,
    };
  traces.set(ctx, trace);
  return trace;
}

/** Headers that carry a trace to the next service, with a fresh span id as the parent. */
export function traceHeaders(trace: TraceContext): Record<string, string> {
  const span = randomHex(8);
  const flag = trace.sampled ? '01' : '00';
  return {
    traceparent: `00-${trace.traceId}-${span}-${flag}`,
    'x-amzn-trace-id': `Root=${xrayTraceId(trace.traceId)};Parent=${span};Sampled=${trace.sampled ? 1 : 0}`,
  };
}

/** Anything shaped like `fetch`: `fetch` itself, or `signedFetch(...)` from `@lift/core/signing`. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` for calls made while handling `ctx`: the trace goes along in both header formats. It
 * composes with signed calls: `tracedFetch(ctx, signedFetch({ keyId, secret }))`.
 */
export function tracedFetch(
  ctx: Context<RequestInput, object>,
  send: FetchLike = globalThis.fetch,
): FetchLike {
  const trace = traceOf(ctx);
  return (url: string | URL, init: RequestInit = {}) =>
    send(url, {
      ...init,
      headers: { ...Object.fromEntries(new Headers(init.headers).entries()), ...traceHeaders(trace) },
    });
}

/** Starts and ends OpenTelemetry request spans; see {@link requestSpans}. */
export interface RequestSpans {
  start(ctx: Context<RequestInput, object>): void;
  end(ctx: Context<RequestInput, object>): void;
}

/**
 * Request spans through OpenTelemetry, when a tracer provider is registered (see `otelTracer`: Lift
 * reads the provider the API registers, it never imports the API); otherwise nothing. The span is
 * named by method and route pattern, never the raw path, and carries the status; 5xx marks it as an
 * error. No dependency on the CommonJS X-Ray SDK.
 */
export function requestSpans(): RequestSpans {
  const spans = new WeakMap<object, OtelSpan>();
  return {
    start(ctx) {
      const tracer = otelTracer();
      if (tracer === undefined) return;
      const route = ctx.route ?? 'unmatched';
      const span = tracer.startSpan(`${ctx.method} ${route}`, {
        kind: SPAN_KIND.SERVER,
        attributes: {
          'http.request.method': ctx.method,
          'http.route': route,
          'lift.trace_id': traceOf(ctx).traceId,
        },
      });
      spans.set(ctx, span);
    },
    end(ctx) {
      const span = spans.get(ctx);
      if (span === undefined) return;
      const status = ctx.res?.status ?? 500;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SPAN_STATUS_ERROR });
      span.end();
    },
  };
}
