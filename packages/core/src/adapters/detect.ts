import { InvalidEventError } from '../errors/errors.js';
import { albAdapter } from './alb.js';
import { apigwHttpAdapter, functionUrlAdapter } from './apigw-http.js';
import { apigwRestAdapter } from './apigw-rest.js';
import { httpEventKind } from './kind.js';
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
 * Recognises an HTTP event by its shape ({@link httpEventKind}) and checks the fields routing relies
 * on, so a malformed payload fails here with a clear {@link InvalidEventError} instead of deep inside.
 * Returns `undefined` for payloads that are not HTTP events at all (queues, streams, authorizers...).
 */
export function detectHttpAdapter(payload: unknown): HttpAdapter | undefined {
  const kind = httpEventKind(payload);
  if (kind === undefined) return undefined;
  const event = payload as RawEvent;
  const context = event.requestContext as Record<string, unknown>;
  if (kind === 'v2') {
    const domain = context.domainName;
    const isUrl = typeof domain === 'string' && domain.includes('.lambda-url.');
    const kindName = isUrl ? 'Function URL' : 'HTTP API';
    if (str(event.rawPath) === undefined || !(event.rawPath as string).startsWith('/'))
      fail(kindName, '"rawPath" is missing');
    if (str(record(context.http)?.method) === undefined)
      fail(kindName, '"requestContext.http.method" is missing');
    if (event.cookies !== undefined && event.cookies !== null && !Array.isArray(event.cookies)) {
      fail(kindName, '"cookies" is not an array');
    }
    checkOptional(event, kindName);
    return isUrl ? functionUrlAdapter : apigwHttpAdapter;
  }
  if (kind === 'alb') {
    if (str(event.httpMethod) === undefined) fail('ALB', '"httpMethod" is missing');
    if (str(event.path) === undefined || !(event.path as string).startsWith('/'))
      fail('ALB', '"path" is missing');
    checkOptional(event, 'ALB');
    return albAdapter;
  }
  const kindName = event.version === '1.0' ? 'HTTP API (payload 1.0)' : 'API Gateway REST';
  if (str(event.httpMethod) === undefined) fail(kindName, '"httpMethod" is not a string');
  if (str(event.path) === undefined || !(event.path as string).startsWith('/'))
    fail(kindName, '"path" is missing');
  if (str(context.stage) === undefined) fail(kindName, '"requestContext.stage" is missing');
  if (str(context.requestId) === undefined) fail(kindName, '"requestContext.requestId" is missing');
  checkOptional(event, kindName);
  return apigwRestAdapter;
}
