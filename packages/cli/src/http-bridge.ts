import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import {
  HTTP_INTEGRATION_CONTENT_TYPE as HTTP_INTEGRATION,
  STREAMING_HANDLER as STREAMING,
} from '@lift/core';
import { httpApiEvent, restApiEvent } from '@lift/core/testing';

/** Which API Gateway payload the dev server sends: HTTP API v2 (default) or REST (v1). */
export type EventFormat = 'http' | 'rest';

// Bodies API Gateway passes as text; anything else arrives base64-encoded.
const TEXT =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|application\/[\w.+-]+\+(json|xml))/i;

/** Whether API Gateway passes a body of this content type as text (else base64-encoded). */
export function isTextContentType(contentType: string): boolean {
  return TEXT.test(contentType);
}

/** API Gateway's payload limit: 10 MB. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A request body over the limit, refused as it arrives. */
export class BodyTooLargeError extends Error {
  /** @param limit the limit in bytes */
  constructor(readonly limit: number) {
    super(`Request body over ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The client went away before its request had arrived whole. */
export class ClientGoneError extends Error {
  constructor() {
    super('The client disconnected before sending the whole request');
    this.name = 'ClientGoneError';
  }
}

function cookiePairs(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] ??= part.slice(eq + 1).trim();
  }
  return out;
}

/** Whether the request declares a body over `limit` in its Content-Length. */
export function declaresTooLarge(req: IncomingMessage, limit: number = MAX_BODY_BYTES): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

/**
 * Reads a whole request body of at most `limit` bytes. A Content-Length over the limit is refused
 * before any byte is read, and a chunked body as soon as it passes the limit, so an oversized upload
 * costs neither its time nor its memory: {@link BodyTooLargeError}. A client that disconnects midway:
 * {@link ClientGoneError}.
 */
export function readRequestBody(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<Buffer> {
  if (declaresTooLarge(req, limit)) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) stop(new BodyTooLargeError(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    req.on('data', onData);
    req.once('end', onEnd);
    // Node reports a client that went away mid-body as an 'aborted' error, then 'close'.
    req.once('error', () => stop(new ClientGoneError()));
    req.once('close', () => {
      if (!req.complete) stop(new ClientGoneError());
    });
  });
}

/** Builds the API Gateway event for a local request, as API Gateway would deliver it. */
export function toEvent(
  req: IncomingMessage,
  body: Buffer,
  format: EventFormat,
  requestId: string,
): Record<string, unknown> {
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values !== undefined && (format === 'rest' || name !== 'cookie')) headers[name] = values;
  }
  const contentType = req.headers['content-type'] ?? '';
  const init = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers,
    cookies: format === 'http' ? cookiePairs(req.headers.cookie) : {},
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    requestId,
    domainName: req.headers.host ?? 'localhost',
    ...(body.length === 0
      ? {}
      : { body: isTextContentType(contentType) ? body.toString('utf8') : new Uint8Array(body) }),
  };
  return format === 'http' ? httpApiEvent(init) : restApiEvent(init);
}

/** Checks a handler result has the proxy-integration shape API Gateway accepts. */
function isProxyResult(value: unknown): value is {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
} {
  const r = value as { statusCode?: unknown } | null;
  return typeof r === 'object' && r !== null && Number.isInteger(r.statusCode);
}

/**
 * Writes a handler's result back as API Gateway would: status, headers (single and multi-value),
 * every cookie as its own Set-Cookie, base64 bodies decoded. A result API Gateway would reject is
 * answered 502, as API Gateway does. Returns the status sent.
 */
export function writeResult(res: ServerResponse, result: unknown): number {
  if (!isProxyResult(result)) {
    res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
    return 502;
  }
  const cookies: string[] = [...(result.cookies ?? [])];
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    if (name.toLowerCase() === 'set-cookie') cookies.push(value);
    else res.setHeader(name, value);
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'set-cookie') cookies.push(...values);
    else res.setHeader(name, values);
  }
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  const body = result.body ?? '';
  res.statusCode = result.statusCode;
  res.end(result.isBase64Encoded === true ? Buffer.from(body, 'base64') : body);
  return result.statusCode;
}

const DELIMITER = Buffer.alloc(8);

/** Whether a handler asks for a response stream (`awslambda.streamifyResponse`, Lift's `streamify`). */
export function isStreamingHandler(handler: unknown): boolean {
  return (
    typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[STREAMING] === 'response'
  );
}

interface Prelude {
  statusCode?: unknown;
  headers?: unknown;
  cookies?: unknown;
}

/**
 * The response stream Lambda hands a streaming handler, as a Function URL with invoke mode
 * `RESPONSE_STREAM` forwards it: with the `http-integration-response` content type, the JSON prelude
 * up to eight NUL bytes gives status, headers and cookies; every byte after it goes to the client
 * as it arrives (chunked), a write completing only once the client's socket took it.
 */
class FunctionUrlStream extends Writable {
  private contentType: string | undefined;
  private pending: Buffer | undefined = Buffer.alloc(0);
  status = 200;
  /** Whether the client went away before the answer ended. */
  clientGone = false;

  constructor(private readonly res: ServerResponse) {
    super();
    // A client gone mid-answer: the producer stops (its writes fail), as on a Function URL, instead
    // of waiting forever for a 'drain' that will not come.
    res.once('close', () => {
      if (res.writableFinished || this.destroyed) return;
      this.clientGone = true;
      this.destroy(new Error('The client disconnected'));
    });
  }

  setContentType(type: string): void {
    this.contentType = type;
  }

  private head(prelude: Prelude | undefined): void {
    if (prelude === undefined) {
      this.res.writeHead(200, { 'content-type': this.contentType ?? 'application/octet-stream' });
      this.res.flushHeaders();
      return;
    }
    const status = Number.isInteger(prelude.statusCode) ? (prelude.statusCode as number) : 200;
    const headers =
      typeof prelude.headers === 'object' && prelude.headers !== null
        ? (prelude.headers as Record<string, string>)
        : {};
    const cookies = Array.isArray(prelude.cookies) ? prelude.cookies.map(String) : [];
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() === 'set-cookie') cookies.push(String(value));
      else this.res.setHeader(name, String(value));
    }
    if (cookies.length > 0) this.res.setHeader('set-cookie', cookies);
    this.status = status;
    this.res.writeHead(status);
    // The status and headers leave now, as a Function URL sends them before the body.
    this.res.flushHeaders();
  }

  private forward(bytes: Buffer, callback: (error?: Error | null) => void): void {
    if (bytes.length === 0 || this.res.write(bytes)) callback();
    else this.res.once('drain', () => callback());
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.pending === undefined) {
      this.forward(chunk, callback);
      return;
    }
    if (this.contentType !== HTTP_INTEGRATION) {
      this.pending = undefined;
      this.head(undefined);
      this.forward(chunk, callback);
      return;
    }
    const seen = Buffer.concat([this.pending, chunk]);
    const end = seen.indexOf(DELIMITER);
    if (end === -1) {
      this.pending = seen;
      callback();
      return;
    }
    this.pending = undefined;
    let prelude: Prelude;
    try {
      prelude = JSON.parse(seen.subarray(0, end).toString('utf8')) as Prelude;
    } catch {
      callback(new Error('The response stream began with a prelude that is not JSON'));
      return;
    }
    this.head(prelude);
    this.forward(seen.subarray(end + DELIMITER.length), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.pending !== undefined) {
      // Ended before the prelude was complete: nothing the client can use, as a Function URL says.
      this.status = 502;
      this.res.writeHead(502, { 'content-type': 'application/json' });
      this.res.end('{"message":"Internal Server Error"}');
    } else this.res.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A handler failing mid-body: the client sees the transfer break (what was written, then the
    // connection closed without the last chunk), never a body that looks complete.
    if (error !== null && !this.res.writableEnded) {
      const socket = this.res.socket;
      // Ended on the next turn: the last chunk written is still corked in `res` until then (Node 24
      // would otherwise close the socket before it left).
      if (this.res.headersSent && socket !== null) setImmediate(() => socket.end());
      else this.res.destroy(error);
    }
    callback(error);
  }
}

/**
 * Invokes a streaming handler with a response stream wired to `res` and resolves once the answer
 * has been sent, or broken off. Returns the status sent (500 when the handler failed mid-body).
 */
export async function streamResult(
  res: ServerResponse,
  handler: unknown,
  event: unknown,
  context: unknown,
): Promise<number> {
  const stream = new FunctionUrlStream(res);
  let failed: Error | undefined;
  const finished = new Promise<void>((resolve) => {
    stream.once('close', () => resolve());
    stream.on('error', (error) => {
      failed = error;
    });
  });
  await (handler as (event: unknown, stream: Writable, context: unknown) => Promise<void>)(
    event,
    stream,
    context,
  );
  if (!stream.writableEnded && !stream.destroyed) stream.end();
  await finished;
  // A client that left is not the handler's failure (the dev server logs the disconnect itself).
  if (failed !== undefined && !stream.clientGone) throw failed;
  return stream.status;
}
