/** Writing answers: S3's XML and error documents, and CORS. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorXml, S3Error } from './errors.js';

/** Which browser origins may call the stand-in (bucket CORS, one rule for every bucket). */
export interface CorsRule {
  /** Origins allowed, or `['*']` for any. */
  readonly allowedOrigins: readonly string[];
  /** Response headers a browser may read; default `ETag`, `x-amz-request-id`. */
  readonly exposeHeaders?: readonly string[];
}

/** S3's answer to a method a resource does not take. */
export function methodNotAllowed(req: IncomingMessage): S3Error {
  return new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    Method: req.method ?? '',
  });
}

/** Ends the answer: an XML document, or no body. */
export function send(res: ServerResponse, status: number, xml?: string): void {
  res.statusCode = status;
  if (xml === undefined) {
    res.setHeader('content-length', 0);
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/xml');
  res.setHeader('content-length', Buffer.byteLength(xml));
  res.end(xml);
}

/** Writes an error as S3 does (no body for HEAD); a body refused unread closes the connection. */
export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  requestId: string,
  resource: string,
): void {
  const s3Error =
    error instanceof S3Error
      ? error
      : new S3Error('InternalError', `We encountered an internal error: ${String(error)}`);
  const status = error instanceof S3Error ? s3Error.status : 500;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const name of ['etag', 'last-modified', 'content-range', 'location']) res.removeHeader(name);
  if (!req.complete) {
    // The body was refused unread: close the connection after the answer rather than read it all.
    res.setHeader('connection', 'close');
    res.once('finish', () => {
      req.resume();
      setTimeout(() => req.destroy(), 2_000).unref();
    });
  }
  if (req.method === 'HEAD') {
    send(res, status);
    return;
  }
  res.statusCode = status;
  const xml = errorXml(s3Error, requestId, resource);
  res.setHeader('content-type', 'application/xml');
  res.setHeader('content-length', Buffer.byteLength(xml));
  res.end(xml);
}

function matchOrigin(cors: CorsRule | undefined, origin: string | undefined): string | undefined {
  if (cors === undefined || origin === undefined) return undefined;
  if (cors.allowedOrigins.includes('*')) return '*';
  return cors.allowedOrigins.includes(origin) ? origin : undefined;
}

/** Adds the CORS headers of an allowed origin to any answer. */
export function allowOrigin(cors: CorsRule | undefined, req: IncomingMessage, res: ServerResponse): void {
  const allowed = matchOrigin(cors, req.headers.origin);
  if (allowed === undefined || cors === undefined) return;
  res.setHeader('access-control-allow-origin', allowed);
  res.setHeader(
    'access-control-expose-headers',
    (cors.exposeHeaders ?? ['ETag', 'x-amz-request-id']).join(', '),
  );
  res.setHeader('vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
}

/** A CORS preflight, answered from the rule without authentication, as S3 does. */
export function preflight(cors: CorsRule | undefined, req: IncomingMessage, res: ServerResponse): void {
  const method = req.headers['access-control-request-method'];
  if (req.headers.origin === undefined || method === undefined) {
    throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
  }
  if (cors === undefined)
    throw new S3Error('AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.');
  if (
    matchOrigin(cors, req.headers.origin) === undefined ||
    !['GET', 'PUT', 'POST', 'DELETE', 'HEAD'].includes(method)
  ) {
    throw new S3Error(
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    );
  }
  res.setHeader('access-control-allow-methods', 'GET, PUT, POST, DELETE, HEAD');
  const requested = req.headers['access-control-request-headers'];
  if (requested !== undefined) res.setHeader('access-control-allow-headers', requested);
  res.setHeader('access-control-max-age', '3000');
  send(res, 200);
}
