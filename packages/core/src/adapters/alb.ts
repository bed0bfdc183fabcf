import { InternalServerError } from '../errors/errors.js';
import { copyQuery, eventBody, lowerCaseHeaders, resultBody, stripBasePath } from './shared.js';
import type { HttpAdapter, OutgoingResponse, PathOptions, RawEvent } from './types.js';

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function multiValueMode(event: RawEvent): boolean {
  return event.multiValueHeaders !== undefined && event.multiValueHeaders !== null;
}

/**
 * Application Load Balancer target events. The ALB passes path and query still percent-encoded and
 * adds no source IP field: the client address is the last `X-Forwarded-For` entry, the one the ALB
 * appended (earlier entries are whatever the client sent). Answers use the same single- or
 * multi-value header mode the event used, as the target group expects.
 */
export const albAdapter: HttpAdapter = {
  source: 'alb',
  method: (event) => (event.httpMethod as string).toUpperCase(),
  path: (event: RawEvent, options: PathOptions) => stripBasePath(event.path as string, options),
  pathEncoded: () => true,
  headers: (event) => lowerCaseHeaders(event.headers, event.multiValueHeaders),
  query: (event) => copyQuery(event.queryStringParameters, event.multiValueQueryStringParameters, true),
  body: eventBody,
  sourceIp(event) {
    const forwarded = lowerCaseHeaders(event.headers, event.multiValueHeaders)['x-forwarded-for'];
    if (forwarded === undefined) return undefined;
    const last = forwarded.slice(forwarded.lastIndexOf(',') + 1).trim();
    return last === '' ? undefined : last;
  },
  awsRequestId: () => undefined,
  toResult(response: OutgoingResponse, event: RawEvent, method: string) {
    const { body, isBase64Encoded } = resultBody(response, method);
    const statusDescription = `${response.status} ${REASONS[response.status] ?? 'Unknown'}`;
    if (multiValueMode(event)) {
      const multiValueHeaders: Record<string, string[]> = {};
      for (const name in response.headers) multiValueHeaders[name] = [response.headers[name] as string];
      if (response.cookies.length > 0) multiValueHeaders['set-cookie'] = [...response.cookies];
      return { statusCode: response.status, statusDescription, multiValueHeaders, body, isBase64Encoded };
    }
    if (response.cookies.length > 1) {
      // Single-value mode can carry one Set-Cookie; dropping the rest silently would break sessions.
      throw new InternalServerError({
        cause: new Error(
          'The response sets several cookies but the ALB target group uses single-value headers; enable multi-value headers on the target group',
        ),
      });
    }
    const headers: Record<string, string> = { ...response.headers };
    if (response.cookies.length === 1) headers['set-cookie'] = response.cookies[0] as string;
    return { statusCode: response.status, statusDescription, headers, body, isBase64Encoded };
  },
};
