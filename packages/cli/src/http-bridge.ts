import type { IncomingMessage, ServerResponse } from 'node:http';
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
