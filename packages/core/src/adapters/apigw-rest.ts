import {
  copyQuery,
  eventBody,
  lowerCaseHeaders,
  proxyResult,
  record,
  str,
  stripBasePath,
  stripStage,
} from './shared.js';
import type { HttpAdapter, OutgoingResponse, PathOptions, RawEvent } from './types.js';

/**
 * API Gateway REST API proxy events, and HTTP API events in payload format 1.0 (same shape, with
 * `version: "1.0"`). REST keeps the path percent-encoded; HTTP API hands it over decoded.
 * Answers go in `headers`, with every `Set-Cookie` in `multiValueHeaders` so none is joined.
 */
export const apigwRestAdapter: HttpAdapter = {
  source: 'apigw-rest',
  // Methods are case-sensitive (RFC 9110): `get` is not GET, so it is not upper-cased.
  method: (event) => event.httpMethod as string,
  path: (event: RawEvent, options: PathOptions) =>
    // Payload 1.0 from an HTTP API carries the stage in the path like 2.0 does; REST never does.
    stripBasePath(
      event.version === '1.0' ? stripStage(event.path as string, event, options) : (event.path as string),
      options,
    ),
  sentPath: (event) => event.path as string,
  pathEncoded: (event) => event.version !== '1.0',
  headers: (event) => lowerCaseHeaders(event.headers, event.multiValueHeaders),
  query: (event) => copyQuery(event.queryStringParameters, event.multiValueQueryStringParameters, false),
  body: eventBody,
  sourceIp: (event) => str(record(record(event.requestContext)?.identity)?.sourceIp),
  awsRequestId: (event) => str(record(event.requestContext)?.requestId),
  toResult(response: OutgoingResponse, cookies: readonly string[], _event: RawEvent, method: string) {
    const result: ReturnType<typeof proxyResult> & { multiValueHeaders?: Record<string, string[]> } =
      proxyResult(response, method);
    if (cookies.length > 0) result.multiValueHeaders = { 'set-cookie': [...cookies] };
    return result;
  },
};
