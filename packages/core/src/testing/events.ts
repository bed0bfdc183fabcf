/**
 * Factories for the HTTP events Lift serves, in the exact shapes AWS sends (checked against the
 * captured samples in the repository's fixtures). Give them a URL-style path with an optional query.
 */

/** What a test request says; every factory takes it. */
export interface HttpEventInit {
  readonly method?: string;
  /** Path with optional query string, percent-encoded as a client would send it: `/items/a%20b?tag=x`. */
  readonly path?: string;
  /** Extra query parameters (encoded for you). */
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  /** Request headers; repeated values as arrays. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** Cookies, sent as the source sends them (`cookies[]` for v2, a `Cookie` header otherwise). */
  readonly cookies?: Readonly<Record<string, string>>;
  /** Text body (sent as is) or bytes (sent base64-encoded, as API Gateway does for binary media). */
  readonly body?: string | Uint8Array;
  /** The caller's IP as AWS reports it (default `203.0.113.10`). */
  readonly sourceIp?: string;
  /** API Gateway stage (default `$default` for HTTP API, `prod` for REST). */
  readonly stage?: string;
  /** Host name (default an execute-api / lambda-url / elb host). */
  readonly domainName?: string;
  /** API Gateway request id (default random). */
  readonly requestId?: string;
  /**
   * What an API Gateway authorizer put in `requestContext.authorizer`: `{ jwt: { claims, scopes } }`
   * or `{ lambda: {...} }` or `{ iam: {...} }` for HTTP APIs; `{ claims }` or the Lambda authorizer's
   * context for REST APIs.
   */
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

interface Parsed {
  method: string;
  path: string;
  rawQuery: string;
  query: [string, string][];
  headers: [string, string][];
  cookies: string[];
  body: string | undefined;
  base64: boolean;
  sourceIp: string;
  requestId: string;
}

/** Decodes like the AWS services do; `+` is a space only in query strings. */
function decode(text: string, plusIsSpace = true): string {
  try {
    return decodeURIComponent(plusIsSpace ? text.replace(/\+/g, ' ') : text);
  } catch {
    return text;
  }
}

function parse(init: HttpEventInit): Parsed {
  const full = init.path ?? '/';
  const q = full.indexOf('?');
  const path = q === -1 ? full : full.slice(0, q);
  const rawParts = q === -1 || q === full.length - 1 ? [] : [full.slice(q + 1)];
  for (const [key, value] of Object.entries(init.query ?? {})) {
    for (const v of typeof value === 'string' ? [value] : value) {
      rawParts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
    }
  }
  const rawQuery = rawParts.join('&');
  const query: [string, string][] = [];
  for (const pair of rawQuery === '' ? [] : rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    query.push(eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)]);
  }
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    for (const v of typeof value === 'string' ? [value] : value) headers.push([name, v]);
  }
  const cookies = Object.entries(init.cookies ?? {}).map(([k, v]) => `${k}=${v}`);
  const bytes = init.body;
  return {
    method: init.method ?? 'GET',
    path,
    rawQuery,
    query,
    headers,
    cookies,
    body:
      bytes === undefined
        ? undefined
        : typeof bytes === 'string'
          ? bytes
          : Buffer.from(bytes).toString('base64'),
    base64: bytes instanceof Uint8Array,
    sourceIp: init.sourceIp ?? '203.0.113.10',
    requestId: init.requestId ?? globalThis.crypto.randomUUID(),
  };
}

/** A map for building events: a key like `__proto__` must stay an ordinary key, as JSON.parse makes it. */
function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Lambda hands the handler a freshly parsed JSON payload; so do the factories. */
function asDelivered(event: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
}

/**
 * The caller's own `X-Forwarded-For` entries are kept and the address AWS saw is appended, as
 * API Gateway, CloudFront and the ALB do; the rest of the caller's headers follow.
 */
function forwardedFor(pairs: readonly [string, string][], sourceIp: string): [string, string][] {
  const sent = pairs.filter(([k]) => k.toLowerCase() === 'x-forwarded-for').map(([, v]) => v);
  return [
    ['x-forwarded-for', [...sent, sourceIp].join(', ')],
    ...pairs.filter(([k]) => k.toLowerCase() !== 'x-forwarded-for'),
  ];
}

function singleHeaders(pairs: readonly [string, string][], lower: boolean): Record<string, string> {
  const out = dict<string>();
  for (const [name, value] of pairs) {
    const key = lower ? name.toLowerCase() : name;
    out[key] = out[key] === undefined ? value : `${out[key]},${value}`;
  }
  return out;
}

function multiHeaders(pairs: readonly [string, string][]): Record<string, string[]> {
  const out = dict<string[]>();
  for (const [name, value] of pairs) (out[name] ??= []).push(value);
  return out;
}

function payloadV2(init: HttpEventInit, isUrl: boolean): Record<string, unknown> {
  const p = parse(init);
  const stage = isUrl ? '$default' : (init.stage ?? '$default');
  const domainName =
    init.domainName ??
    (isUrl ? 'abcdefghij.lambda-url.us-east-1.on.aws' : 'abcdefghij.execute-api.us-east-1.amazonaws.com');
  // HTTP APIs deliver the path percent-decoded (and a named stage inside it); Function URLs keep it encoded.
  const withStage = !isUrl && stage !== '$default' ? `/${stage}${p.path === '/' ? '' : p.path}` : p.path;
  const rawPath = isUrl ? withStage : decode(withStage, false);
  const queryStringParameters = dict<string>();
  for (const [k, v] of p.query) {
    const key = decode(k);
    const value = decode(v);
    queryStringParameters[key] =
      queryStringParameters[key] === undefined ? value : `${queryStringParameters[key]},${value}`;
  }
  const now = Date.now();
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: p.rawQuery,
    headers: {
      host: domainName,
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...singleHeaders(forwardedFor(p.headers, p.sourceIp), true),
    },
    requestContext: {
      accountId: isUrl ? 'anonymous' : '123456789012',
      apiId: 'abcdefghij',
      domainName,
      domainPrefix: 'abcdefghij',
      http: {
        method: p.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: p.sourceIp,
        userAgent: 'lift-test',
      },
      requestId: p.requestId,
      routeKey: '$default',
      stage,
      ...(init.authorizer === undefined ? {} : { authorizer: init.authorizer }),
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    isBase64Encoded: p.base64,
  };
  if (p.cookies.length > 0) event.cookies = p.cookies;
  if (p.query.length > 0) event.queryStringParameters = queryStringParameters;
  if (p.body !== undefined) event.body = p.body;
  return asDelivered(event);
}

/** An API Gateway HTTP API event (payload format 2.0). */
export function httpApiEvent(init: HttpEventInit = {}): Record<string, unknown> {
  return payloadV2(init, false);
}

/** A Lambda Function URL event. */
export function functionUrlEvent(init: HttpEventInit = {}): Record<string, unknown> {
  return payloadV2(init, true);
}

function withCookieHeader(p: Parsed): [string, string][] {
  return p.cookies.length === 0 ? p.headers : [...p.headers, ['Cookie', p.cookies.join('; ')]];
}

/** An API Gateway REST API proxy event (`{proxy+}` resource). */
export function restApiEvent(init: HttpEventInit = {}): Record<string, unknown> {
  const p = parse(init);
  const stage = init.stage ?? 'prod';
  const domainName = init.domainName ?? 'abcdefghij.execute-api.us-east-1.amazonaws.com';
  // REST APIs sit behind CloudFront, which appends its own edge address after the caller's.
  const pairs: [string, string][] = [
    ['Host', domainName],
    ['X-Forwarded-Proto', 'https'],
    ...forwardedFor(withCookieHeader(p), `${p.sourceIp}, 130.176.209.21`),
  ];
  const multiQuery = dict<string[]>();
  for (const [k, v] of p.query) (multiQuery[decode(k)] ??= []).push(decode(v));
  const singleQuery = dict<string>();
  for (const [k, v] of Object.entries(multiQuery)) singleQuery[k] = v[v.length - 1] as string;
  const multi = multiHeaders(pairs);
  const now = Date.now();
  return asDelivered({
    resource: '/{proxy+}',
    path: p.path,
    httpMethod: p.method,
    // REST puts the last value of a repeated header in `headers` and all of them in `multiValueHeaders`.
    headers: Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.at(-1)])),
    multiValueHeaders: multi,
    queryStringParameters: p.query.length > 0 ? singleQuery : null,
    multiValueQueryStringParameters: p.query.length > 0 ? multiQuery : null,
    pathParameters: p.path === '/' ? null : { proxy: p.path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdefghij',
      domainName,
      domainPrefix: 'abcdefghij',
      extendedRequestId: 'ZhGnYGtqjoEFyzw=',
      httpMethod: p.method,
      identity: { sourceIp: p.sourceIp, userAgent: 'lift-test' },
      path: `/${stage}${p.path}`,
      protocol: 'HTTP/1.1',
      requestId: p.requestId,
      requestTime: new Date(now).toUTCString(),
      requestTimeEpoch: now,
      resourceId: 'abc123',
      resourcePath: '/{proxy+}',
      stage,
      ...(init.authorizer === undefined ? {} : { authorizer: init.authorizer }),
    },
    body: p.body ?? null,
    isBase64Encoded: p.base64,
  });
}

/** Options of {@link albEvent}. */
export interface AlbEventOptions {
  /** Whether the target group has multi-value headers enabled (default false). */
  readonly multiValue?: boolean;
}

/** An Application Load Balancer target event; the ALB keeps path and query percent-encoded. */
export function albEvent(init: HttpEventInit = {}, options: AlbEventOptions = {}): Record<string, unknown> {
  const p = parse(init);
  const host = init.domainName ?? 'lift-test-123456.us-east-1.elb.amazonaws.com';
  const pairs: [string, string][] = [
    ['host', host],
    ['x-forwarded-port', '443'],
    ['x-forwarded-proto', 'https'],
    ...forwardedFor(withCookieHeader(p), p.sourceIp).map(([k, v]): [string, string] => [k.toLowerCase(), v]),
  ];
  const event: Record<string, unknown> = {
    requestContext: {
      elb: {
        targetGroupArn:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/lift-test/0123456789abcdef',
      },
    },
    httpMethod: p.method,
    path: p.path,
    body: p.body ?? '',
    isBase64Encoded: p.base64,
  };
  if (options.multiValue === true) {
    const query = dict<string[]>();
    for (const [k, v] of p.query) (query[k] ??= []).push(v);
    event.multiValueQueryStringParameters = query;
    event.multiValueHeaders = multiHeaders(pairs);
  } else {
    const query = dict<string>();
    for (const [k, v] of p.query) query[k] = v;
    event.queryStringParameters = query;
    event.headers = singleHeaders(pairs, true);
  }
  return asDelivered(event);
}
