/**
 * A stand-in for the Lambda Node.js runtime's response streaming, reproducing what
 * aws-lambda-nodejs-runtime-interface-client (v3, `HttpResponseStream.js`, `ResponseStream.js`) does:
 *
 * - `awslambda.streamifyResponse(handler)` marks the handler with
 *   `Symbol.for('aws.lambda.runtime.handler.streaming') = 'response'`; the runtime then calls it as
 *   `handler(event, responseStream, context)` and ignores what it returns.
 * - `awslambda.HttpResponseStream.from(stream, prelude)` sets the stream's content type to
 *   `application/vnd.awslambda.http-integration-response` and registers `_onBeforeFirstWrite`: before
 *   the first body byte the stream writes `JSON.stringify(prelude)` and then 8 NUL bytes. The Function
 *   URL reads status, headers and cookies from the prelude and the rest as the body.
 * - The response stream is a Node `Writable` (over the HTTP request to the runtime API), so `write`
 *   returns false past its high-water mark and emits `drain` later.
 */
import { Writable } from 'node:stream';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const PRELUDE_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = 8;

/** One write as the runtime received it, with the order it arrived in relative to other events. */
export interface ReceivedChunk {
  readonly bytes: Buffer;
  readonly at: number;
}

/** The runtime's response stream: a Writable that is slow to drain, recording what it receives. */
export class FakeResponseStream extends Writable {
  contentType: string | undefined;
  readonly received: ReceivedChunk[] = [];
  /** Set by `HttpResponseStream.from`, called once before the first write (as the runtime does). */
  _onBeforeFirstWrite: ((write: (chunk: string | Uint8Array) => void) => void) | undefined;
  private firstWriteDone = false;
  private clock = 0;
  destroyedWith: Error | undefined;

  /** @param delayMs how long each chunk takes to "leave", so backpressure shows (0: the next turn of the loop) */
  constructor(
    private readonly delayMs = 1,
    highWaterMark = 16,
  ) {
    super({ highWaterMark });
    this.on('error', (error) => {
      this.destroyedWith = error;
    });
  }

  setContentType(type: string): void {
    this.contentType = type;
  }

  /** A counter shared with the test, so it can see what arrived before what. */
  tick(): number {
    this.clock += 1;
    return this.clock;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.firstWriteDone) {
      this.firstWriteDone = true;
      this._onBeforeFirstWrite?.((c) =>
        this.received.push({ bytes: Buffer.from(c as Uint8Array), at: this.tick() }),
      );
    }
    this.received.push({ bytes: Buffer.from(chunk), at: this.tick() });
    if (this.delayMs === 0) setImmediate(callback);
    else setTimeout(() => callback(), this.delayMs);
  }

  /** Everything received, concatenated. */
  bytes(): Buffer {
    return Buffer.concat(this.received.map((r) => r.bytes));
  }
}

/** Installs `globalThis.awslambda` as the runtime defines it; returns a function removing it. */
export function installFakeAwslambda(): () => void {
  const global = globalThis as { awslambda?: unknown };
  const before = global.awslambda;
  global.awslambda = {
    streamifyResponse<H extends object>(handler: H): H {
      Object.defineProperty(handler, STREAMING, { value: 'response' });
      return handler;
    },
    HttpResponseStream: {
      from(stream: FakeResponseStream, prelude: unknown) {
        stream.setContentType(PRELUDE_TYPE);
        const metadata = JSON.stringify(prelude);
        stream._onBeforeFirstWrite = (write) => {
          write(metadata);
          write(new Uint8Array(DELIMITER));
        };
        return stream;
      },
    },
  };
  return () => {
    if (before === undefined) delete global.awslambda;
    else global.awslambda = before;
  };
}

/** What a Function URL makes of a streamed invocation. */
export interface StreamedInvocation {
  readonly stream: FakeResponseStream;
  readonly contentType: string | undefined;
  readonly prelude: { statusCode: number; headers: Record<string, string>; cookies?: string[] } | undefined;
  readonly body: Buffer;
}

/** Splits an `http-integration-response` stream into its prelude and body. */
export function parseHttpIntegration(bytes: Buffer): { prelude: unknown; body: Buffer } {
  const end = bytes.indexOf(Buffer.alloc(DELIMITER));
  if (end === -1) throw new Error(`no prelude delimiter in the response stream: ${bytes.toString()}`);
  return {
    prelude: JSON.parse(bytes.subarray(0, end).toString('utf8')),
    body: bytes.subarray(end + DELIMITER),
  };
}

/** Invokes a handler as the runtime does: with a response stream when it is marked for streaming. */
export async function invokeStreaming(
  handler: unknown,
  event: unknown,
  context?: unknown,
  stream = new FakeResponseStream(),
): Promise<StreamedInvocation> {
  const fn = handler as ((event: unknown, stream: Writable, context: unknown) => Promise<void>) & {
    [STREAMING]?: string;
  };
  if (fn[STREAMING] !== 'response') throw new Error('the handler is not marked for response streaming');
  await fn(event, stream, context);
  if (!stream.closed) await new Promise((r) => stream.once('close', r));
  // A destroyed stream reads as closed at once but reports its error on the next tick.
  else await new Promise((r) => setImmediate(r));
  const bytes = stream.bytes();
  if (stream.contentType !== PRELUDE_TYPE)
    return { stream, contentType: stream.contentType, prelude: undefined, body: bytes };
  const { prelude, body } = parseHttpIntegration(bytes);
  return { stream, contentType: stream.contentType, prelude: prelude as StreamedInvocation['prelude'], body };
}
