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
  // Authorizer and WebSocket payloads look like HTTP ones but are not requests to answer.
  if (typeof event.type === 'string' && ('methodArn' in event || 'routeArn' in event)) return undefined;
  // WebSocket events always say which way the message went; REST events proxied from a WebSocket
  // integration carry a connectionId too but are ordinary requests.
  if ('messageDirection' in context || 'connectedAt' in context) return undefined;

  if (record(context.elb) !== undefined) {
    if (str(event.httpMethod) === undefined) fail('ALB', '"httpMethod" is missing');
    if (str(event.path) === undefined || !(event.path as string).startsWith('/'))
      fail('ALB', '"path" is missing');
    checkOptional(event, 'ALB');
    return albAdapter;
  }
  if (event.version === '2.0') {
    const isUrl = str(context.domainName)?.includes('.lambda-url.') === true;
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
