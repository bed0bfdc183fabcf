import { apigwHttpAdapter } from '../adapters/apigw-http.js';
import { apigwRestAdapter } from '../adapters/apigw-rest.js';
import { record, str } from '../adapters/shared.js';
import type { HttpAdapter, RawEvent } from '../adapters/types.js';
import { DEFAULT_BODY_LIMIT } from '../body/body.js';
import { Context, type ContextRuntime, type RequestInput } from '../context/context.js';
import type { LambdaContext } from '../context/lambda.js';
import { InvalidEventError, UnauthorizedError } from '../errors/errors.js';
import { type ExecuteApiArn, parseArn } from './policy.js';

/** Which authorizer payload arrived: REST TOKEN, REST REQUEST, HTTP API payload 1.0 or 2.0. */
export type AuthorizerEventKind = 'rest-token' | 'rest-request' | 'http-v1' | 'http-v2';

/** An authorizer event, read: its kind, its ARN and the request context authenticators take. */
export interface AuthorizerRequest {
  /** Which payload it was. */
  readonly kind: AuthorizerEventKind;
  /** The method or route ARN, read. */
  readonly arn: ExecuteApiArn;
  /** The ARN API Gateway evaluates the policy against (`methodArn` or `routeArn`). */
  readonly arnText: string;
  /** The route as API Gateway names it, for logs (`/orders/{id}`, `GET /orders/{id}`). */
  readonly route: string | undefined;
  /** The request as authenticators take it; its `event` is the authorizer event. */
  readonly ctx: Context<RequestInput, object>;
}

function fail(what: string): never {
  throw new InvalidEventError(`Malformed authorizer event: ${what}`);
}

/**
 * API Gateway never hands a request body to an authorizer. What reads one (a signature over the body)
 * gets the empty body only when the request says it has none (no `Transfer-Encoding`, no
 * `Content-Length` other than 0); otherwise it is refused as unverifiable.
 */
function bodiless(adapter: HttpAdapter): HttpAdapter['body'] {
  return (event) => {
    const headers = adapter.headers(event);
    const length = headers['content-length'];
    if (headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '0'))
      throw new UnauthorizedError('The request body is not available to the authorizer');
    return { text: undefined, base64: false };
  };
}

const restRequestAdapter: HttpAdapter = { ...apigwRestAdapter, body: bodiless(apigwRestAdapter) };
const httpRequestAdapter: HttpAdapter = { ...apigwHttpAdapter, body: bodiless(apigwHttpAdapter) };

const noQuery = (): Record<string, string[]> => Object.create(null);
const noBody = () => ({ text: undefined, base64: false });
const unused = (): never => {
  throw new InvalidEventError('An authorizer event has no HTTP response');
};

/**
 * A REST TOKEN event carries the token and the method ARN, nothing else: the token is presented to
 * authenticators as the one header `name` (the header the authorizer's token source names).
 */
function tokenAdapter(name: string): HttpAdapter {
  const arnOf = (event: RawEvent) => parseArn(event.methodArn as string);
  const token = (event: RawEvent) => str(event.authorizationToken);
  return {
    source: 'apigw-rest',
    method: (event) => arnOf(event).method,
    path: (event) => arnOf(event).path,
    sentPath: (event) => arnOf(event).path,
    pathEncoded: () => true,
    headers(event) {
      const out: Record<string, string> = Object.create(null);
      const value = token(event);
      if (value !== undefined) out[name] = value;
      return out;
    },
    header: (event, wanted) => (wanted === name ? token(event) : undefined),
    query: noQuery,
    body: noBody,
    sourceIp: () => undefined,
    awsRequestId: () => undefined,
    toResult: unused,
  };
}

function checkHeaders(event: RawEvent): void {
  for (const field of [
    'headers',
    'multiValueHeaders',
    'queryStringParameters',
    'multiValueQueryStringParameters',
  ]) {
    const value = event[field];
    if (value !== undefined && value !== null && record(value) === undefined)
      fail(`"${field}" is not an object`);
  }
}

function readKind(event: RawEvent): { kind: AuthorizerEventKind; arnText: string } {
  if (event.version === '2.0') {
    if (event.type !== 'REQUEST' || typeof event.routeArn !== 'string') fail('"routeArn" is missing');
    if (str(event.rawPath)?.startsWith('/') !== true) fail('"rawPath" is missing');
    if (str(record(record(event.requestContext)?.http)?.method) === undefined)
      fail('"requestContext.http.method" is missing');
    if (event.cookies !== undefined && event.cookies !== null && !Array.isArray(event.cookies))
      fail('"cookies" is not an array');
    if (event.rawQueryString !== undefined && typeof event.rawQueryString !== 'string')
      fail('"rawQueryString" is not a string');
    checkHeaders(event);
    return { kind: 'http-v2', arnText: event.routeArn as string };
  }
  if (typeof event.methodArn !== 'string') fail('"methodArn" is missing');
  if (event.type === 'TOKEN') return { kind: 'rest-token', arnText: event.methodArn as string };
  if (event.type !== 'REQUEST') fail('"type" is neither TOKEN nor REQUEST');
  if (str(event.httpMethod) === undefined) fail('"httpMethod" is missing');
  if (str(event.path)?.startsWith('/') !== true) fail('"path" is missing');
  checkHeaders(event);
  return { kind: event.version === '1.0' ? 'http-v1' : 'rest-request', arnText: event.methodArn as string };
}

/** What the authorizer fixes at start-up for every request context it builds. */
export interface RequestSettings {
  /** The header a TOKEN event's token stands as, lower case. */
  readonly tokenHeader: string;
  /** What every context shares. */
  readonly runtime: ContextRuntime;
}

/**
 * Reads an authorizer event into a Lift `Context` through the HTTP adapters that read the same
 * fields in ordinary requests (REST for REQUEST and payload 1.0, HTTP API for 2.0), so headers,
 * repeated headers, query strings and cookies are parsed exactly as for an app. The context's
 * `event` is the authorizer event itself. Throws an `InvalidEventError` for anything else.
 */
export function readAuthorizerEvent(
  payload: unknown,
  lambda: LambdaContext | undefined,
  settings: RequestSettings,
): AuthorizerRequest {
  const event = record(payload);
  if (event === undefined) fail('not an object');
  const { kind, arnText } = readKind(event);
  const arn = parseArn(arnText);
  const adapter =
    kind === 'http-v2'
      ? httpRequestAdapter
      : kind === 'rest-token'
        ? tokenAdapter(settings.tokenHeader)
        : restRequestAdapter;
  const method = adapter.method(event);
  const path = adapter.path(event, { basePaths: [], stripStage: true });
  const ctx = new Context(event, lambda, adapter, settings.runtime, method, path);
  const route =
    kind === 'http-v2' ? str(event.routeKey) : kind === 'rest-token' ? undefined : str(event.resource);
  return { kind, arn, arnText, route, ctx: ctx as unknown as Context<RequestInput, object> };
}

/** The runtime a context needs, for an authorizer: no body limit matters, errors are logged by it. */
export function authorizerRuntime(
  service: string,
  now: () => number,
  logger: ContextRuntime['logger'],
): ContextRuntime {
  return {
    service,
    bodyLimit: DEFAULT_BODY_LIMIT,
    deadlineMarginMs: 500,
    generateId: () => globalThis.crypto.randomUUID(),
    now,
    reportError: () => {},
    logger,
  };
}
