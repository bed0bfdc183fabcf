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

const XRAY_ROOT_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

// Printable ASCII other than a space: a part starting and ending with one has nothing to trim.
const bare = (code: number) => code > 0x20 && code < 0x7f;

// Whether `text` holds `key` at `at` (String#startsWith with a position is not inlined: ~100 ns).
function keyAt(text: string, at: number, key: string): boolean {
  for (let i = 0; i < key.length; i++) if (text.charCodeAt(at + i) !== key.charCodeAt(i)) return false;
  return true;
}

/**
 * Parses an X-Ray trace header (`Root=1-...;Parent=...;Sampled=1`); `undefined` when malformed.
 * Parts are trimmed, a later part wins over an earlier one of the same key, and a value ends at a
 * second `=`. On Lambda it runs on every request (`_X_AMZN_TRACE_ID` is set for each invocation),
 * so it walks the text by index instead of building arrays and a map.
 */
export function parseXRayHeader(value: string | undefined): TraceContext | undefined {
  if (value === undefined) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled: string | undefined;
  const length = value.length;
  for (let start = 0; start <= length; ) {
    let end = value.indexOf(';', start);
    if (end === -1) end = length;
    let text = value;
    let s = start;
    let e = end;
    if (e > s && !(bare(value.charCodeAt(s)) && bare(value.charCodeAt(e - 1)))) {
      text = value.slice(s, e).trim();
      s = 0;
      e = text.length;
    }
    let eq = text.indexOf('=', s);
    if (eq >= e) eq = -1;
    const keyLength = (eq === -1 ? e : eq) - s;
    if (keyLength === 4 || keyLength === 6 || keyLength === 7) {
      let found: string | undefined;
      if (eq !== -1) {
        const next = text.indexOf('=', eq + 1);
        found = text.slice(eq + 1, next !== -1 && next < e ? next : e);
      }
      if (keyLength === 4 && keyAt(text, s, 'Root')) root = found;
      else if (keyLength === 6 && keyAt(text, s, 'Parent')) parent = found;
      else if (keyLength === 7 && keyAt(text, s, 'Sampled')) sampled = found;
    }
    start = end + 1;
  }
  if (root === undefined || !XRAY_ROOT_ID.test(root)) return undefined;
  return {
    traceId: `${root.slice(2, 10)}${root.slice(11)}`,
    parentId: parent !== undefined && SPAN_ID.test(parent) ? parent : undefined,
    sampled: sampled === '1',
  };
}

/** The X-Ray form of a W3C trace id (`1-<8 hex>-<24 hex>`). */
export function xrayTraceId(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

// A request's trace is kept on its context, under a symbol (out of JSON, `Object.keys` and for-in):
// a WeakMap entry per request costs a few hundred nanoseconds to several microseconds, most of it
// in the collector's ephemeron pass, against a few nanoseconds for a property.
const TRACE: unique symbol = Symbol('lift.trace');
type Traced = { [TRACE]?: TraceContext };

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
let lastSecond = Number.NaN;
let lastSecondHex = '';
function newTraceId(ctx: Context<RequestInput, object>): string {
  // Requests of one second share the hex, written once.
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastSecondHex = second.toString(16).padStart(8, '0');
  }
  const seconds = lastSecondHex;
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
  return (ctx as Traced)[TRACE] ?? decideTrace(ctx, process.env._X_AMZN_TRACE_ID);
}

/**
 * {@link traceOf} for a caller that has read `_X_AMZN_TRACE_ID` already (reading the environment
 * costs a few hundred nanoseconds; the request pipeline needs the value for the logger too).
 */
export function traceWith(
  ctx: Context<RequestInput, object>,
  lambdaTraceHeader: string | undefined,
): TraceContext {
  return (ctx as Traced)[TRACE] ?? decideTrace(ctx, lambdaTraceHeader);
}

function decideTrace(
  ctx: Context<RequestInput, object>,
  lambdaTraceHeader: string | undefined,
): TraceContext {
  const trace = parseTraceparent(ctx.readHeader('traceparent')) ??
    parseXRayHeader(ctx.readHeader('x-amzn-trace-id')) ??
    parseXRayHeader(lambdaTraceHeader) ?? {
      traceId: newTraceId(ctx),
      parentId: undefined,
      sampled: false,
    };
  (ctx as Traced)[TRACE] = trace;
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
