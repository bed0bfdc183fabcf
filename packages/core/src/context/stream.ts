import { InternalServerError } from '../errors/errors.js';
import { LiftResponse } from './response.js';

/** One piece of a streamed body: text (sent as UTF-8) or bytes. */
export type StreamChunk = string | Uint8Array;

/** What a producer function given to `ctx.stream` writes with. */
export interface StreamWriter {
  /**
   * Sends a chunk. Resolves once the destination can take more (backpressure): await it before the
   * next write, so a slow client never makes the function hold the whole body in memory.
   */
  write(chunk: StreamChunk): Promise<void>;
  /** Aborted at the deadline (as `ctx.signal`) or when the destination failed; stop producing then. */
  readonly signal: AbortSignal;
}

/**
 * The body of a streamed response: an async (or plain) iterable of chunks, an async generator
 * function (`async function* () { yield row }`), or a function that writes them with
 * {@link StreamWriter} and resolves when it is done.
 */
export type StreamBody =
  | AsyncIterable<StreamChunk>
  | Iterable<StreamChunk>
  | ((writer: StreamWriter) => Promise<void> | void | AsyncIterable<StreamChunk>);

/** Status and content type of a streamed response (`ctx.stream(body, init)`). */
export interface StreamInit {
  /** Default 200. It is sent before the first chunk and cannot change afterwards. */
  readonly status?: number;
  /** Default `application/octet-stream`; a `content-type` set with `ctx.header` wins. */
  readonly contentType?: string;
}

/**
 * A response whose body is produced while it is being sent. A streaming handler (`streamify(app)`)
 * writes it chunk by chunk; `app.handler` collects it into an ordinary buffered answer, within
 * Lambda's 6 MB limit. Headers, cookies and status are final once the route chain has run, as for
 * any other response, so middleware (security headers, CORS, request id) reaches the streamed prelude.
 */
export class StreamingResponse extends LiftResponse {
  /** What produces the body. */
  readonly source: StreamBody;
  private settledHooks: (() => void)[] | undefined;

  /** Use `ctx.stream` instead. */
  constructor(status: number, headers: Record<string, string>, source: StreamBody) {
    super(status, headers, null);
    this.source = source;
    this.settledHooks = undefined;
  }

  /** @internal Runs `hook` once the body has been sent or has failed (observability waits for it). */
  onSettled(hook: () => void): void {
    (this.settledHooks ??= []).push(hook);
  }

  /** @internal Called once by whoever sent the body, after the last byte or the failure. */
  settle(): void {
    const hooks = this.settledHooks;
    this.settledHooks = undefined;
    for (const hook of hooks ?? []) {
      try {
        hook();
      } catch {
        // Recording a finished request must never fail the request itself.
      }
    }
  }
}

/** Where a pumped body goes: each write resolves once the destination can take more. */
export interface ChunkSink {
  write(bytes: Uint8Array): Promise<void> | void;
}

const encoder = new TextEncoder();

function bytesOf(chunk: unknown): Uint8Array {
  if (typeof chunk === 'string') return encoder.encode(chunk);
  if (chunk instanceof Uint8Array) return chunk;
  throw new TypeError(`ctx.stream: a chunk must be a string or a Uint8Array, not ${typeof chunk}`);
}

/**
 * Writes every chunk of `source` to `sink` in order, waiting for each write before asking for the
 * next. Empty chunks are skipped, so the first write to the sink carries the first real byte.
 * Rejects with what the source throws, or with `signal`'s reason once it aborts.
 */
export async function pumpStream(source: StreamBody, sink: ChunkSink, signal: AbortSignal): Promise<void> {
  const send = async (chunk: unknown) => {
    signal.throwIfAborted();
    const bytes = bytesOf(chunk);
    if (bytes.byteLength > 0) await sink.write(bytes);
  };
  let iterable: AsyncIterable<unknown> | Iterable<unknown>;
  if (typeof source === 'function') {
    let done = false;
    const out = source({
      write: (chunk) => {
        if (done) return Promise.reject(new Error('ctx.stream: write() after the producer finished'));
        return send(chunk);
      },
      signal,
    });
    if (
      out === undefined ||
      typeof (out as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function'
    ) {
      await out;
      done = true;
      return;
    }
    // An async generator function: its generator is the body.
    iterable = out as AsyncIterable<unknown>;
  } else {
    // A string is iterable too, but one character at a time: it is one chunk.
    iterable = typeof source === 'string' ? [source] : source;
  }
  for await (const chunk of iterable) await send(chunk);
}

/** Lambda's limit on a buffered (non-streamed) response payload: 6 MB. */
export const BUFFERED_RESPONSE_LIMIT = 6 * 1024 * 1024;

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|csv)|application\/[\w.+-]+\+(json|xml))/i;

function tooLarge(limit: number): InternalServerError {
  return new InternalServerError({
    cause: new Error(
      `A streamed response passed ${limit} bytes, Lambda's limit for a buffered answer: serve this route through streamify(app) on a Function URL with invokeMode RESPONSE_STREAM`,
    ),
  });
}

/**
 * Runs a streamed body to the end and returns it as a buffered body: text for textual content
 * types (when it is valid UTF-8), else bytes, which the adapter sends base64-encoded. Refuses with
 * a 500 whose cause names the limit once the encoded body would pass `limit`.
 */
export async function collectStream(
  source: StreamBody,
  contentType: string | undefined,
  signal: AbortSignal,
  limit: number = BUFFERED_RESPONSE_LIMIT,
): Promise<string | Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  await pumpStream(
    source,
    {
      write(bytes) {
        size += bytes.byteLength;
        if (size > limit) throw tooLarge(limit);
        chunks.push(bytes);
      },
    },
    signal,
  );
  const body = Buffer.concat(chunks, size);
  if (contentType !== undefined && TEXTUAL.test(contentType)) {
    let text: string | undefined;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      // Not UTF-8 after all: sent as bytes.
    }
    // Text travels inside the JSON result, escaped: quotes and control characters grow it.
    if (text !== undefined) {
      if (Buffer.byteLength(JSON.stringify(text)) > limit) throw tooLarge(limit);
      return text;
    }
  }
  // Bytes travel base64-encoded, a third larger.
  if (Math.ceil(size / 3) * 4 > limit) throw tooLarge(limit);
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}
