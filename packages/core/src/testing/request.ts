import type { LambdaContext } from '../context/lambda.js';
import { albEvent, functionUrlEvent, type HttpEventInit, httpApiEvent, restApiEvent } from './events.js';
import { fakeLambdaContext } from './lambda-context.js';

/** Which event shape a test request is sent as. */
export type TestSource = 'apigw-http' | 'apigw-rest' | 'function-url' | 'alb' | 'alb-multi';

/** A test request: the event fields plus conveniences. */
export interface TestRequestInit extends HttpEventInit {
  /** A JSON body; sets `content-type: application/json` unless given. */
  readonly json?: unknown;
  /** Event shape (default `apigw-http`, an HTTP API v2 event). */
  readonly source?: TestSource;
  /** The Lambda context (default a fresh {@link fakeLambdaContext}). */
  readonly lambda?: LambdaContext;
}

/** What a test gets back: the decoded result plus the raw result object the source would receive. */
export interface TestResponse {
  readonly status: number;
  /** Response headers; `headers.getSetCookie()` lists every cookie. */
  readonly headers: Headers;
  /** `Set-Cookie` values, one per cookie, never joined. */
  readonly cookies: readonly string[];
  /** The body bytes (base64 bodies decoded). */
  readonly bytes: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON. */
  json<T = unknown>(): T;
  /** The exact object the handler returned to Lambda. */
  readonly result: Record<string, unknown>;
}

function buildEvent(init: TestRequestInit): unknown {
  let eventInit: HttpEventInit = init;
  if (init.json !== undefined) {
    const headers = { ...init.headers };
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
      headers['content-type'] = 'application/json';
    eventInit = { ...init, headers, body: JSON.stringify(init.json) };
  }
  switch (init.source ?? 'apigw-http') {
    case 'apigw-http':
      return httpApiEvent(eventInit);
    case 'function-url':
      return functionUrlEvent(eventInit);
    case 'apigw-rest':
      return restApiEvent(eventInit);
    case 'alb':
      return albEvent(eventInit);
    case 'alb-multi':
      return albEvent(eventInit, { multiValue: true });
  }
}

/** Reads any HTTP result shape (API Gateway v1/v2, Function URL, ALB single/multi) back into a {@link TestResponse}. */
export function readResult(value: unknown): TestResponse {
  const result = value as Record<string, unknown>;
  const headers = new Headers();
  const cookies: string[] = [];
  const single = (result.headers ?? {}) as Record<string, string>;
  const multi = (result.multiValueHeaders ?? {}) as Record<string, string[]>;
  for (const [name, v] of Object.entries(single)) {
    if (name.toLowerCase() === 'set-cookie') cookies.push(v);
    else headers.set(name, v);
  }
  for (const [name, values] of Object.entries(multi)) {
    for (const v of values) {
      if (name.toLowerCase() === 'set-cookie') cookies.push(v);
      else headers.append(name, v);
    }
  }
  if (Array.isArray(result.cookies)) cookies.push(...(result.cookies as string[]));
  for (const c of cookies) headers.append('set-cookie', c);
  const body = typeof result.body === 'string' ? result.body : '';
  const bytes = result.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  return {
    status: result.statusCode as number,
    headers,
    cookies,
    bytes: new Uint8Array(bytes),
    text: () => bytes.toString('utf8'),
    json: <T>() => JSON.parse(bytes.toString('utf8')) as T,
    result,
  };
}

/** Builds the event for a test request, invokes the handler as Lambda would and reads the result. */
export async function requestThrough(
  handler: (event: unknown, context?: LambdaContext) => Promise<unknown>,
  input: string | TestRequestInit,
  init?: TestRequestInit,
): Promise<TestResponse> {
  const merged: TestRequestInit =
    typeof input === 'string' ? { ...init, path: input } : { ...input, ...init };
  const result = await handler(buildEvent(merged), merged.lambda ?? fakeLambdaContext());
  return readResult(result);
}
