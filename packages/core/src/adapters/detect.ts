import { InvalidEventError } from '../errors/errors.js';
import { albAdapter } from './alb.js';
import { apigwHttpAdapter, functionUrlAdapter } from './apigw-http.js';
import { apigwRestAdapter } from './apigw-rest.js';
import { record, str } from './shared.js';
import type { HttpAdapter, RawEvent } from './types.js';

function fail(kind: string, what: string): never {
  throw new InvalidEventError(`Malformed ${kind} event: ${what}`);
}

function checkOptional(event: RawEvent, kind: string): void {
  const { headers, body } = event;
  if (headers !== undefined && headers !== null && record(headers) === undefined)
    fail(kind, '"headers" is not an object');
  if (body !== undefined && body !== null && typeof body !== 'string') fail(kind, '"body" is not a string');
}

/**
 * Recognises an HTTP event from a few fixed keys and checks the fields routing relies on, so a
 * malformed payload fails here with a clear {@link InvalidEventError} instead of deep inside.
 * Returns `undefined` for payloads that are not HTTP events at all (queues, streams, authorizers...).
 */
export function detectHttpAdapter(payload: unknown): HttpAdapter | undefined {
  const event = record(payload);
  if (event === undefined) return undefined;
  const context = record(event.requestContext);
  if (context === undefined) return undefined;
  // The most common shape first, with only the checks it needs.
  if (event.version === '2.0') {
    // HTTP API Lambda-authorizer payloads use version 2.0 too, but are not requests to answer.
    if (typeof event.type === 'string' && 'routeArn' in event) return undefined;
    const domain = context.domainName;
    const isUrl = typeof domain === 'string' && domain.includes('.lambda-url.');
    const kind = isUrl ? 'Function URL' : 'HTTP API';
    if (str(event.rawPath) === undefined || !(event.rawPath as string).startsWith('/'))
      fail(kind, '"rawPath" is missing');
    if (str(record(context.http)?.method) === undefined)
      fail(kind, '"requestContext.http.method" is missing');
    if (event.cookies !== undefined && event.cookies !== null && !Array.isArray(event.cookies)) {
      fail(kind, '"cookies" is not an array');
    }
    checkOptional(event, kind);
    return isUrl ? functionUrlAdapter : apigwHttpAdapter;
  }
  // REST authorizer payloads carry httpMethod and path, and WebSocket events always say which way
  // the message went; neither is a request to answer. (REST events proxied from a WebSocket
  // integration carry a connectionId too, but they are ordinary requests.)
  if (typeof event.type === 'string' && 'methodArn' in event) return undefined;
  if ('messageDirection' in context || 'connectedAt' in context) return undefined;
  if (record(context.elb) !== undefined) {
    if (str(event.httpMethod) === undefined) fail('ALB', '"httpMethod" is missing');
    if (str(event.path) === undefined || !(event.path as string).startsWith('/'))
      fail('ALB', '"path" is missing');
    checkOptional(event, 'ALB');
    return albAdapter;
  }
  if ('httpMethod' in event) {
    const kind = event.version === '1.0' ? 'HTTP API (payload 1.0)' : 'API Gateway REST';
    if (str(event.httpMethod) === undefined) fail(kind, '"httpMethod" is not a string');
    if (str(event.path) === undefined || !(event.path as string).startsWith('/'))
      fail(kind, '"path" is missing');
    if (str(context.stage) === undefined) fail(kind, '"requestContext.stage" is missing');
    if (str(context.requestId) === undefined) fail(kind, '"requestContext.requestId" is missing');
    checkOptional(event, kind);
    return apigwRestAdapter;
  }
  return undefined;
}
