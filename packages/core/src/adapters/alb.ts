import { InternalServerError } from '../errors/errors.js';
import { REASON_PHRASES } from './reason-phrases.js';
import { copyQuery, eventBody, lowerCaseHeaders, resultBody, stripBasePath } from './shared.js';
import type { HttpAdapter, OutgoingResponse, PathOptions, RawEvent } from './types.js';

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
  // Methods are case-sensitive (RFC 9110): `get` is not GET, so it is not upper-cased.
  method: (event) => event.httpMethod as string,
  path: (event: RawEvent, options: PathOptions) => stripBasePath(event.path as string, options),
  sentPath: (event) => event.path as string,
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
  toResult(response: OutgoingResponse, cookies: readonly string[], event: RawEvent, method: string) {
    const { body, isBase64Encoded } = resultBody(response, method);
    const statusDescription = `${response.status} ${REASON_PHRASES[response.status] ?? 'Unknown'}`;
    if (multiValueMode(event)) {
      const multiValueHeaders: Record<string, string[]> = {};
      for (const name in response.headers) multiValueHeaders[name] = [response.headers[name] as string];
      if (cookies.length > 0) multiValueHeaders['set-cookie'] = [...cookies];
      return { statusCode: response.status, statusDescription, multiValueHeaders, body, isBase64Encoded };
    }
    if (cookies.length > 1) {
      // Single-value mode can carry one Set-Cookie; dropping the rest silently would break sessions.
      throw new InternalServerError({
        cause: new Error(
          'The response sets several cookies but the ALB target group uses single-value headers; enable multi-value headers on the target group',
        ),
      });
    }
    const headers: Record<string, string> = { ...response.headers };
    if (cookies.length === 1) headers['set-cookie'] = cookies[0] as string;
    return { statusCode: response.status, statusDescription, headers, body, isBase64Encoded };
  },
};
