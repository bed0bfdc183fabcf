/**
 * `@lift/core/middy`: Lift's middleware (security headers, CORS, body limits, request id, your own)
 * inside a Middy handler, for teams moving to Lift route by route. Middy itself is not imported: the
 * object returned has the shape `@middy/core` expects of a middleware.
 */
import { detectHttpAdapter } from '../adapters/detect.js';
import type { HttpAdapter, RawEvent } from '../adapters/types.js';
import { Context, type RequestInput } from '../context/context.js';
import { isHeaderName, isHeaderValue } from '../context/headers.js';
import type { LambdaContext } from '../context/lambda.js';
import type { LoggerLike } from '../context/logger-like.js';
import { guardedErrorHook, logUnhandledError } from '../context/report-error.js';
import { LiftResponse } from '../context/response.js';
import { ConfigurationError, InternalServerError } from '../errors/errors.js';
import { compose, isMiddleware, type Middleware, type Step } from '../middleware/compose.js';

type AnyContext = Context<RequestInput, object>;

/** What Lift reads and writes of Middy's request object. */
export interface MiddyRequestLike {
  event: unknown;
  context: unknown;
  response: unknown;
  error: unknown;
}

/** A Middy middleware object (`middy(handler).use(liftMiddleware([...]))`). */
export interface MiddyMiddlewareLike {
  readonly before: (request: MiddyRequestLike) => Promise<unknown>;
  readonly after: (request: MiddyRequestLike) => Promise<void>;
  readonly onError: (request: MiddyRequestLike) => Promise<void>;
}

/** Options of {@link liftMiddleware}. */
export interface LiftMiddyOptions {
  /** Service name for `ctx.service` and error reports (default `POWERTOOLS_SERVICE_NAME`, else `service_undefined`). */
  readonly service?: string;
  /** Largest decoded request body in bytes, as `createApp`'s (default 1 MiB); `false` for Lambda's own limit. */
  readonly bodyLimit?: number | false;
  /**
   * The logger behind `ctx.log` (`createLogger()` from `@lift/core/observability`, or
   * `powertoolsLogger(logger)`); without one, `ctx.log` throws and errors go to stderr.
   */
  readonly logger?: LoggerLike;
  /** Called with full detail for every 5xx (default: through `logger`, else one JSON line on stderr); the caller sees a safe message. */
  readonly onError?: (error: unknown, ctx: AnyContext) => void;
}

interface ProxyResult {
  statusCode: number;
  headers?: Record<string, unknown>;
  multiValueHeaders?: Record<string, unknown>;
  cookies?: unknown;
  body?: unknown;
  isBase64Encoded?: unknown;
}

interface Flight {
  readonly ctx: AnyContext;
  readonly adapter: HttpAdapter;
  readonly raw: RawEvent;
  readonly done: Promise<void>;
  readonly deliver: (outcome: { response: LiftResponse } | { error: unknown }) => void;
  cookies: string[];
}

const NO_PATHS = { basePaths: [], stripStage: true } as const;

/** A header the handler set that could split the response (CR, LF, NUL) is a server bug: a 500. */
function checkedHeader(name: string, value: string): string {
  if (!isHeaderName(name) || !isHeaderValue(value))
    throw new InternalServerError({
      cause: new Error(`The handler set an invalid header: ${JSON.stringify(name)}`),
    });
  return value;
}

/** Hands the handler's result to Lift's middleware on the way out; an invalid one as the error it is. */
function deliverResult(flight: Flight, result: unknown): void {
  try {
    const { response, cookies } = fromResult(result);
    flight.cookies = cookies;
    flight.deliver({ response });
  } catch (error) {
    flight.deliver({ error });
  }
}

/** A Middy handler's result as a Lift response (proxy result, or a value HTTP APIs would send as JSON). */
function fromResult(result: unknown): { response: LiftResponse; cookies: string[] } {
  const r = result as ProxyResult | null | undefined;
  if (typeof r !== 'object' || r === null || !Number.isInteger(r.statusCode)) {
    const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    const type = typeof result === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    return { response: new LiftResponse(200, { 'content-type': type }, text), cookies: [] };
  }
  const headers: Record<string, string> = {};
  const cookies = Array.isArray(r.cookies) ? r.cookies.map(String) : [];
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    const key = name.toLowerCase();
    if (key === 'set-cookie') cookies.push(checkedHeader(key, String(value)));
    else if (key !== '__proto__') headers[key] = checkedHeader(key, String(value));
  }
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {})) {
    const key = name.toLowerCase();
    if (!Array.isArray(values) || key === '__proto__') continue;
    const texts = values.map((v) => checkedHeader(key, String(v)));
    if (key === 'set-cookie') cookies.push(...texts);
    else headers[key] = texts.join(', ');
  }
  const text = typeof r.body === 'string' ? r.body : null;
  const body =
    text !== null && r.isBase64Encoded === true ? new Uint8Array(Buffer.from(text, 'base64')) : text;
  return { response: new LiftResponse(r.statusCode, headers, body), cookies };
}

/**
 * Runs Lift middleware around a Middy handler: `middy(handler).use(liftMiddleware([cors({...}),
 * bodyLimit({...})]))`. Each request gets a Lift `Context` read from the raw event (API Gateway REST
 * or HTTP API, Function URL, ALB); the middleware runs in order on the way in (in Middy's `before`)
 * and in reverse on the way out (in `after`/`onError`), with the handler's result as `ctx.res`. An
 * early answer (a CORS preflight, a body over the limit) skips the handler as Lift would. A handler error becomes
 * Lift's error envelope with the request id; a 5xx is reported with full detail, never sent.
 *
 * The request id and security headers, on by default in `createApp`, are ordinary middleware here:
 * pass `requestId()` and `securityHeaders()` from `@lift/core/http`. Route-level features of an app
 * (access control, validation, rate limits, idempotency) are not middleware and need `createApp`.
 */
export function liftMiddleware(
  middleware: readonly Middleware<object>[],
  options: LiftMiddyOptions = {},
): MiddyMiddlewareLike {
  if (!Array.isArray(middleware) || !middleware.every(isMiddleware))
    throw new ConfigurationError('liftMiddleware takes an array of Lift middleware');
  const onError = options.onError ?? logUnhandledError;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const service = options.service ?? (process.env.POWERTOOLS_SERVICE_NAME || 'service_undefined');
  const runtime = {
    service,
    bodyLimit: bodyLimit === false ? Number.POSITIVE_INFINITY : bodyLimit,
    deadlineMarginMs: 500,
    generateId: () => globalThis.crypto.randomUUID(),
    now: Date.now,
    logger: options.logger,
    reportError: guardedErrorHook(onError, service),
  };
  const flights = new WeakMap<object, Flight>();

  const resultOf = (flight: Flight): unknown => {
    const { ctx, adapter, raw } = flight;
    ctx.dispose();
    const cookies = [...flight.cookies, ...ctx.responseCookies];
    return adapter.toResult(ctx.res as LiftResponse, cookies, raw, ctx.method);
  };

  return {
    async before(request) {
      const adapter = detectHttpAdapter(request.event);
      if (adapter === undefined)
        throw new ConfigurationError(
          'liftMiddleware serves HTTP events only (API Gateway, Function URL, ALB)',
        );
      const raw = request.event as RawEvent;
      const method = adapter.method(raw);
      const lambda = request.context as LambdaContext | undefined;
      const ctx = new Context(raw, lambda, adapter, runtime, method, adapter.path(raw, NO_PATHS));
      const anyCtx = ctx as unknown as AnyContext;
      let reached: (atHandler: boolean) => void = () => {};
      const atHandler = new Promise<boolean>((resolve) => {
        reached = resolve;
      });
      let deliver: Flight['deliver'] = () => {};
      const outcome = new Promise<{ response: LiftResponse } | { error: unknown }>((resolve) => {
        deliver = resolve;
      });
      // The handler's place in the chain: it waits for Middy to run the handler and report back.
      const chain: Step = compose(middleware, async (c) => {
        // The handler reads the raw event, not Lift's body: the body limit is checked here, once.
        void c.rawBody;
        reached(true);
        const result = await outcome;
        if ('error' in result) throw result.error;
        c.respond(result.response);
      });
      const done = (async () => {
        const pending = chain(anyCtx);
        if (pending !== undefined) await pending;
        reached(false);
      })();
      const flight: Flight = { ctx: anyCtx, adapter, raw, done, deliver, cookies: [] };
      if (await atHandler) {
        flights.set(request, flight);
        return undefined;
      }
      // Answered on the way in: Middy skips the handler and its `after` middleware.
      await done;
      return resultOf(flight);
    },
    async after(request) {
      const flight = flights.get(request);
      if (flight === undefined) return;
      flights.delete(request);
      deliverResult(flight, request.response);
      await flight.done;
      request.response = resultOf(flight);
    },
    async onError(request) {
      const flight = flights.get(request);
      // An error before Lift's `before` ran (another middleware's): not Lift's to answer.
      if (flight === undefined) return;
      flights.delete(request);
      // A Middy error handler that ran first (used after this one) may have answered already.
      if (request.response === undefined) flight.deliver({ error: request.error });
      else deliverResult(flight, request.response);
      await flight.done;
      request.response = resultOf(flight);
    },
  };
}
