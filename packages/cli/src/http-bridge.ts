import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpApiEvent, restApiEvent } from '@lift/core/testing';

/** Which API Gateway payload the dev server sends: HTTP API v2 (default) or REST (v1). */
export type EventFormat = 'http' | 'rest';

// Bodies API Gateway passes as text; anything else arrives base64-encoded.
const TEXT =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|application\/[\w.+-]+\+(json|xml))/i;

function cookiePairs(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] ??= part.slice(eq + 1).trim();
  }
  return out;
}

/** Reads a whole request body. */
export async function readRequestBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
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
      : { body: TEXT.test(contentType) ? body.toString('utf8') : new Uint8Array(body) }),
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
