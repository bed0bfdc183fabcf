import type { Writable } from 'node:stream';
import { detectHttpAdapter } from '../adapters/detect.js';
import type { RawEvent } from '../adapters/types.js';
import type { Context, RequestInput } from '../context/context.js';
import type { LambdaContext } from '../context/lambda.js';
import type { LiftResponse } from '../context/response.js';
import { collectStream, pumpStream, StreamingResponse } from '../context/stream.js';
import { InternalServerError } from '../errors/errors.js';
import { isInstance } from '../errors/instance.js';
import { safeText } from '../errors/report.js';
import type { Step } from '../middleware/compose.js';
import { withRequestScope } from '../resilience/scope.js';
import type { App } from './app.js';

type AnyContext = Context<RequestInput, object>;

const EMPTY = new Uint8Array(0);

/**
 * The symbol and value the Lambda Node.js runtime reads on a handler to call it with a response
 * stream (`awslambda.streamifyResponse` sets them; so does {@link streamify} without the global).
 */
export const STREAMING_HANDLER = Symbol.for('aws.lambda.runtime.handler.streaming');

/** The content type of a response stream that starts with an HTTP prelude (Function URLs). */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** What a Function URL reads before the body: status, headers and cookies (never joined). */
export interface HttpPrelude {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly cookies: string[];
}

/** The response stream Lambda hands a streaming handler: a Node `Writable`, plus its content type. */
export type LambdaResponseStream = Writable & { setContentType?(type: string): void };

/** A Lambda handler the runtime calls with a response stream (`export const handler = streamify(app)`). */
export type StreamingHandler = ((
  event: unknown,
  responseStream: LambdaResponseStream,
  context?: LambdaContext,
) => Promise<void>) & { readonly [STREAMING_HANDLER]?: string };

interface LambdaGlobal {
  streamifyResponse<H>(handler: H): H;
  HttpResponseStream: { from(stream: Writable, prelude: HttpPrelude): Writable };
}

/** The parts of an app `streamify` drives. */
interface StreamableApp {
  readonly handler: (event: unknown, context?: LambdaContext) => Promise<unknown>;
  prepareHttp(
    adapter: NonNullable<ReturnType<typeof detectHttpAdapter>>,
    raw: RawEvent,
    lambdaContext: LambdaContext | undefined,
  ): { ctx: AnyContext; run: Step };
}

/**
 * The runtime's `HttpResponseStream.from`, for when the `awslambda` global is absent (`lift dev`,
 * tests): the same bytes, the JSON prelude then eight NUL bytes, before the first body byte.
 */
function preludeWriter(stream: LambdaResponseStream, prelude: HttpPrelude): Writable {
  stream.setContentType?.(HTTP_INTEGRATION_CONTENT_TYPE);
  stream.write(JSON.stringify(prelude));
  stream.write(new Uint8Array(8));
  return stream;
}

/** Writes `bytes`, resolving once the stream can take more: at once, or on `drain`. */
function writeTo(stream: Writable, bytes: Uint8Array): Promise<void> {
  if (stream.destroyed || stream.writableEnded)
    return Promise.reject(new Error('The response stream was closed before the body was sent'));
  if (stream.write(bytes)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', settle);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error('The response stream closed while the body was being sent'));
    stream.once('drain', onDrain);
    stream.once('close', onClose);
    stream.once('error', settle);
  });
}

function endStream(stream: Writable): Promise<void> {
  return new Promise((resolve) => stream.end(() => resolve()));
}

/**
 * Collects the streamed body of `ctx.res` into a buffered one (`app.handler`), within Lambda's 6 MB;
 * a failure becomes the error envelope, as nothing has been sent yet.
 */
export async function bufferStreamed(ctx: AnyContext): Promise<void> {
  const res = ctx.res as StreamingResponse;
  try {
    if (ctx.method !== 'HEAD')
      res.body = await collectStream(res.source, res.headers['content-type'], ctx.signal);
  } catch (error) {
    ctx.fail(error);
  } finally {
    res.settle();
  }
}

function preludeOf(res: LiftResponse, cookies: readonly string[]): HttpPrelude {
  return { statusCode: res.status, headers: res.headers, cookies: [...cookies] };
}

/** Sends an answer down a Lambda response stream: prelude first, then the body as it is produced. */
async function sendStreamed(
  ctx: AnyContext,
  stream: LambdaResponseStream,
  from: (stream: LambdaResponseStream, prelude: HttpPrelude) => Writable,
): Promise<void> {
  // The destination failing (the runtime, a client gone) stops the producer through this signal.
  const failed = new AbortController();
  const onError = (error: unknown) => failed.abort(error);
  stream.on('error', onError);
  const signal = AbortSignal.any([ctx.signal, failed.signal]);
  const res = ctx.res as LiftResponse;
  let out: Writable | undefined;
  const open = () => {
    out ??= from(stream, preludeOf(ctx.res as LiftResponse, ctx.responseCookies));
    return out;
  };
  const sendWhole = async (whole: LiftResponse) => {
    const body = ctx.method === 'HEAD' ? null : whole.body;
    // Always one write, even empty: the runtime sends the prelude before the first write, and a
    // stream ended without one reaches the Function URL with no status or headers at all.
    const bytes = body === null ? EMPTY : typeof body === 'string' ? Buffer.from(body) : body;
    const target = open();
    await writeTo(target, bytes);
    await endStream(target);
  };
  try {
    if (!(res instanceof StreamingResponse)) return await sendWhole(res);
    try {
      // The prelude goes out with the first byte, so a producer failing before it still gets the
      // ordinary error envelope and status.
      if (ctx.method !== 'HEAD') await pumpStream(res.source, { write: (b) => writeTo(open(), b) }, signal);
      // An empty body still needs its prelude (see sendWhole).
      if (out === undefined) await writeTo(open(), EMPTY);
      await endStream(open());
    } catch (error) {
      if (out === undefined) {
        ctx.fail(error);
        await sendWhole(ctx.res as LiftResponse);
        return;
      }
      // The status is gone already: the failure is logged (a 5xx on the access line) and the stream
      // destroyed, so the client sees a broken transfer rather than a body that looks complete.
      ctx.annotate('stream_error', 'after_first_byte');
      ctx.fail(error);
      try {
        out.destroy(isInstance(error, Error) ? error : new Error(safeText(error)));
      } catch {
        // Node reads the error's stack as it destroys; one whose parts cannot be read still ends it.
        out.destroy(new Error('The response stream failed'));
      }
    } finally {
      res.settle();
    }
  } finally {
    stream.off('error', onError);
  }
}

/**
 * A Lambda handler that streams its answers (Function URLs with invoke mode `RESPONSE_STREAM`):
 * `export const handler = streamify(app)`. A route's `ctx.stream(...)` body goes out chunk by chunk
 * with backpressure, after a prelude carrying the status, headers (security headers, request id,
 * CORS included) and cookies; every other answer goes out whole. Wrapped with
 * `awslambda.streamifyResponse` when the Lambda runtime provides it; elsewhere (`lift dev`, tests)
 * the handler carries the same marker and writes the same bytes.
 *
 * Events that are not HTTP requests are served by `app.handler`, and its result written as JSON.
 */
export function streamify<S extends object>(given: App<S>): StreamingHandler {
  // The internal entry points it drives are stripped from the published types, not from the app.
  const app = given as unknown as StreamableApp;
  const lambda = (globalThis as { awslambda?: LambdaGlobal }).awslambda;
  const from =
    lambda?.HttpResponseStream === undefined
      ? preludeWriter
      : (stream: LambdaResponseStream, prelude: HttpPrelude) =>
          lambda.HttpResponseStream.from(stream, prelude);
  const handler = async (event: unknown, stream: LambdaResponseStream, lambdaContext?: LambdaContext) => {
    const adapter = detectHttpAdapter(event);
    if (adapter === undefined) {
      const result = await app.handler(event, lambdaContext);
      stream.write(JSON.stringify(result ?? null));
      await endStream(stream);
      return;
    }
    const { ctx, run } = app.prepareHttp(adapter, event as RawEvent, lambdaContext);
    ctx.streaming = true;
    try {
      const pending = withRequestScope(ctx, () => run(ctx));
      if (pending !== undefined) await pending;
      if (ctx.res === undefined)
        ctx.fail(new InternalServerError({ cause: new Error('No response was produced') }));
      await withRequestScope(ctx, () => sendStreamed(ctx, stream, from));
    } finally {
      ctx.dispose();
    }
  };
  if (typeof lambda?.streamifyResponse === 'function') return lambda.streamifyResponse(handler);
  return Object.defineProperty(handler, STREAMING_HANDLER, { value: 'response' }) as StreamingHandler;
}
