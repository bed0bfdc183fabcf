import type { ResponseSchemaMap } from '../app/group.js';
import type { FetchLike } from '../resilience/fetch.js';
import type { StandardSchemaV1 } from '../schema/validate.js';
import { ClientError } from './error.js';
import type { Client, ClientErrorBody, ClientMethod, DataMode } from './types.js';
import { addQuery, fillPattern, routeUrl } from './url.js';

export type { FetchLike } from '../resilience/fetch.js';

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Sends the requests; default `globalThis.fetch`, looked up on each call. */
  readonly fetch?: FetchLike | undefined;
  /** A bearer token, or a function returning one (called per request, so it can refresh). */
  readonly token?: string | (() => string | undefined | Promise<string | undefined>) | undefined;
  /** Headers sent with every request; a call's own headers win. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /**
   * What `fetch` does with a redirect (default `'follow'`, as `fetch` does). Fetch drops
   * `Authorization` on a redirect to another origin but keeps other headers: a client sending an API
   * key in `headers` to a server that may redirect elsewhere should say `'manual'` or `'error'`.
   */
  readonly redirect?: RequestInit['redirect'] | undefined;
  /**
   * How long a call may take before it is aborted (default 10,000 ms), on top of a call's own
   * `signal`: no call waits forever on a server that never answers.
   */
  readonly timeoutMs?: number | undefined;
}

/** Options of a client that parses answers with the routes' response schemas. */
export interface ParsingClientOptions extends ClientOptions {
  /**
   * The response schemas to parse answers with: the app itself (service to service) or a map of
   * `METHOD /pattern` → status → schema shared with a frontend (`app.responseSchemas()`).
   */
  readonly schemas: ResponseSchemaMap | { responseSchemas(): ResponseSchemaMap };
}

interface CallInit {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly query?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

const OPTION_KEYS = new Set(['fetch', 'token', 'headers', 'schemas', 'redirect', 'timeoutMs']);
const DEFAULT_TIMEOUT_MS = 10_000;
const INIT_KEYS = new Set(['params', 'query', 'headers', 'body', 'signal']);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

function refuseUnknown(value: object, known: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(value))
    if (!known.has(key)) throw new ClientError(`${where}: unknown option "${key}"`);
}

/** The envelope of an error answer; an answer from something other than Lift gets one made up. */
function errorBody(status: number, data: unknown, headers: Headers): ClientErrorBody {
  const error = (data as { error?: Partial<ClientErrorBody> } | null)?.error;
  if (typeof error === 'object' && error !== null && typeof error.code === 'string') {
    return {
      code: error.code,
      message: typeof error.message === 'string' ? error.message : '',
      requestId: typeof error.requestId === 'string' ? error.requestId : (headers.get('x-request-id') ?? ''),
      ...(error.details === undefined ? {} : { details: error.details }),
    };
  }
  return { code: `HTTP_${status}`, message: `HTTP ${status}`, requestId: headers.get('x-request-id') ?? '' };
}

async function readBody(res: Response, method: string): Promise<unknown> {
  if (method === 'HEAD' || res.status === 204 || res.status === 304) return undefined;
  const text = await res.text();
  if (text === '') return undefined;
  if (!JSON_TYPE.test(res.headers.get('content-type') ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new ClientError(`${method} ${res.url}: answered ${res.status} with invalid JSON`);
  }
}

async function parseWith(schema: StandardSchemaV1, data: unknown, route: string, status: number) {
  let result = schema['~standard'].validate(data);
  if (result instanceof Promise) result = await result;
  if (result.issues === undefined) return result.value;
  const summary = result.issues.map((i) => i.message).join('; ');
  throw new ClientError(
    `${route}: the ${status} answer does not match its schema: ${summary}`,
    result.issues,
  );
}

function schemaFor(map: ResponseSchemaMap, method: string, pattern: string, status: number) {
  const byStatus = map[`${method} ${pattern}`] ?? map[`* ${pattern}`];
  return byStatus?.[status];
}

/**
 * A typed client for the app type `A` (`typeof app`): `client.get('/items/:id', { params })`
 * resolves to `{ ok: true, status, data }` typed by the route, or `{ ok: false, status, error }` with
 * Lift's error envelope. Given `schemas`, each answer is parsed with its route's schema for its
 * status and typed as the schema's output (a `Date` arrives as a `Date`); without, data is typed as
 * JSON carries it (that `Date` is a `string`). It throws only a {@link ClientError} (a call it
 * refuses, an answer breaking its schema) or what `fetch` throws (network failure, abort). No Node
 * built-ins: it runs in browsers.
 */
export function createClient<A>(baseUrl: string | URL, options: ParsingClientOptions): Client<A, 'parsed'>;
/** A typed client whose answers are typed as JSON carries them (see the overload with `schemas`). */
export function createClient<A>(baseUrl: string | URL, options?: ClientOptions): Client<A, 'json'>;
export function createClient<A>(
  baseUrl: string | URL,
  options: ClientOptions & { readonly schemas?: ParsingClientOptions['schemas'] } = {},
): Client<A, DataMode> {
  if (typeof options !== 'object' || options === null)
    throw new ClientError('createClient: options must be an object');
  refuseUnknown(options, OPTION_KEYS, 'createClient');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new ClientError('createClient: timeoutMs must be a positive number of milliseconds');
  const base = new URL(baseUrl);
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw new ClientError(`createClient: base URL must be http or https, not ${base.protocol}`);
  let schemas: ResponseSchemaMap | undefined;
  const schemaMap = (): ResponseSchemaMap | undefined => {
    const given = options.schemas;
    if (schemas === undefined && given !== undefined)
      schemas =
        typeof given.responseSchemas === 'function'
          ? (given.responseSchemas as () => ResponseSchemaMap)()
          : (given as ResponseSchemaMap);
    return schemas;
  };

  const call = async (method: ClientMethod, pattern: string, init: CallInit = {}) => {
    if (typeof init !== 'object' || init === null)
      throw new ClientError(`${method} ${pattern}: init must be an object`);
    refuseUnknown(init, INIT_KEYS, `${method} ${pattern}`);
    const url = routeUrl(base, fillPattern(pattern, init.params));
    addQuery(url, init.query);
    const headers = new Headers(options.headers);
    for (const [name, value] of Object.entries(init.headers ?? {})) headers.set(name, value);
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    let body: string | URLSearchParams | undefined;
    if (init.body instanceof URLSearchParams) body = init.body;
    else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    const request: RequestInit = { method, headers };
    if (body !== undefined) request.body = body;
    const deadline = AbortSignal.timeout(timeoutMs);
    request.signal = init.signal === undefined ? deadline : AbortSignal.any([init.signal, deadline]);
    if (options.redirect !== undefined) request.redirect = options.redirect;
    const send = options.fetch ?? globalThis.fetch;
    const res = await send(url.href, request);
    const data = await readBody(res, method);
    if (res.status >= 400)
      return {
        ok: false,
        status: res.status,
        error: errorBody(res.status, data, res.headers),
        headers: res.headers,
      };
    const schema =
      data === undefined
        ? undefined
        : schemaFor(schemaMap() ?? {}, method === 'HEAD' ? 'GET' : method, pattern, res.status);
    const parsed =
      // A status declared without a body (`null`) has nothing to parse.
      schema === undefined || schema === null
        ? data
        : await parseWith(schema, data, `${method} ${pattern}`, res.status);
    return { ok: true, status: res.status, data: parsed, headers: res.headers };
  };

  const client = {
    get: (path: string, init?: CallInit) => call('GET', path, init),
    post: (path: string, init?: CallInit) => call('POST', path, init),
    put: (path: string, init?: CallInit) => call('PUT', path, init),
    patch: (path: string, init?: CallInit) => call('PATCH', path, init),
    delete: (path: string, init?: CallInit) => call('DELETE', path, init),
    head: (path: string, init?: CallInit) => call('HEAD', path, init),
  };
  return client as unknown as Client<A, DataMode>;
}
