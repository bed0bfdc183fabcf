import {
  eventBody,
  lowerCasedHeaders,
  lowerCaseHeader,
  parseQueryString,
  proxyResult,
  record,
  str,
  stripBasePath,
  stripStage,
} from './shared.js';
import type { HttpAdapter, HttpSource, OutgoingResponse, PathOptions, RawEvent } from './types.js';

function http(event: RawEvent): Record<string, unknown> {
  return record(record(event.requestContext)?.http) as Record<string, unknown>;
}

function toResult(response: OutgoingResponse, cookies: readonly string[], _event: RawEvent, method: string) {
  const result: ReturnType<typeof proxyResult> & { cookies?: string[] } = proxyResult(response, method);
  if (cookies.length > 0) result.cookies = [...cookies];
  return result;
}

function payloadV2(source: HttpSource, pathEncoded: boolean): HttpAdapter {
  return {
    source,
    method: (event) => http(event).method as string,
    path: (event: RawEvent, options: PathOptions) =>
      stripBasePath(
        pathEncoded ? (event.rawPath as string) : stripStage(event.rawPath as string, event, options),
        options,
      ),
    sentPath: (event) => event.rawPath as string,
    pathEncoded: () => pathEncoded,
    headers: (event) => lowerCasedHeaders(event.headers),
    header: lowerCaseHeader,
    // rawQueryString keeps repeated keys apart; queryStringParameters joins them with commas.
    query: (event) => parseQueryString(str(event.rawQueryString) ?? ''),
    cookieHeader: (event) => {
      const cookies = event.cookies;
      return Array.isArray(cookies) && cookies.length > 0 ? cookies.join('; ') : undefined;
    },
    body: eventBody,
    sourceIp: (event) => str(http(event).sourceIp),
    awsRequestId: (event) => str(record(event.requestContext)?.requestId),
    toResult,
  };
}

/** API Gateway HTTP API events (payload format 2.0). The path arrives already percent-decoded. */
export const apigwHttpAdapter: HttpAdapter = payloadV2('apigw-http', false);

/** Lambda Function URL events (payload format 2.0 shape). The path keeps its percent-encoding. */
export const functionUrlAdapter: HttpAdapter = payloadV2('function-url', true);
