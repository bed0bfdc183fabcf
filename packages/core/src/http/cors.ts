import type { Context, RequestInput } from '../context/context.js';
import type { LiftResponse } from '../context/response.js';
import { ConfigurationError, ForbiddenError, refuseUnknownOptions } from '../errors/errors.js';
import { type MiddlewareHooks, markCors } from '../middleware/compose.js';

/** Options of {@link cors}. Nothing is allowed unless listed. */
export interface CorsOptions {
  /**
   * Exact origins allowed (`https://app.example.com`), or a predicate. `['*']` allows any origin,
   * but only without credentials. The `null` origin is never allowed by a list.
   */
  readonly origins: readonly string[] | ((origin: string) => boolean);
  /** Send `Access-Control-Allow-Credentials: true` (requires explicit origins). Default false. */
  readonly credentials?: boolean;
  /** Methods a preflight may ask for (default GET, HEAD, POST, PUT, PATCH, DELETE). */
  readonly methods?: readonly string[];
  /** Request headers a preflight may ask for (default `content-type`, `authorization`). */
  readonly allowHeaders?: readonly string[];
  /** Response headers scripts may read (default `x-request-id`). */
  readonly exposeHeaders?: readonly string[];
  /** Seconds a browser may cache a preflight (default 600). */
  readonly maxAge?: number;
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const KNOWN = new Set(['origins', 'credentials', 'methods', 'allowHeaders', 'exposeHeaders', 'maxAge']);

function checkTokens(label: string, values: readonly string[]): void {
  for (const v of values) if (!TOKEN.test(v)) throw new ConfigurationError(`cors: invalid ${label} "${v}"`);
}

function addVary(headers: Record<string, string>, value: string): void {
  const current = headers.vary;
  if (current === undefined || current === '') headers.vary = value;
  else if (
    !current
      .toLowerCase()
      .split(/\s*,\s*/)
      .includes(value.toLowerCase())
  )
    headers.vary = `${current}, ${value}`;
}

/**
 * CORS, deny by default: only listed origins get `Access-Control-Allow-Origin`, always the exact
 * origin (never a reflected arbitrary one), credentials only with explicit origins, and every answer
 * carries `Vary: Origin`. Preflights are answered here, before the route runs: 204 for an allowed
 * origin and method, 403 otherwise.
 */
export function cors(options: CorsOptions): MiddlewareHooks<object> {
  if (typeof options !== 'object' || options === null)
    throw new ConfigurationError('cors: options are required');
  refuseUnknownOptions(options, KNOWN, 'cors');
  const credentials = options.credentials ?? false;
  const methods = (options.methods ?? ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).map((m) =>
    m.toUpperCase(),
  );
  const allowHeaders = (options.allowHeaders ?? ['content-type', 'authorization']).map((h) =>
    h.toLowerCase(),
  );
  const exposeHeaders = (options.exposeHeaders ?? ['x-request-id']).map((h) => h.toLowerCase());
  const maxAge = options.maxAge ?? 600;
  checkTokens('method', methods);
  checkTokens('header', allowHeaders);
  checkTokens('header', exposeHeaders);
  if (!Number.isInteger(maxAge) || maxAge < 0)
    throw new ConfigurationError('cors: maxAge must be whole seconds');

  let anyOrigin = false;
  let isAllowed: (origin: string) => boolean;
  if (typeof options.origins === 'function') {
    const predicate = options.origins;
    isAllowed = (origin) => origin !== 'null' && predicate(origin) === true;
  } else if (Array.isArray(options.origins)) {
    const list = options.origins as readonly string[];
    if (list.length === 1 && list[0] === '*') {
      if (credentials)
        throw new ConfigurationError('cors: credentials cannot be combined with origins ["*"]');
      anyOrigin = true;
      isAllowed = () => true;
    } else {
      for (const origin of list) {
        if (!ORIGIN.test(origin)) {
          throw new ConfigurationError(
            `cors: "${origin}" is not an exact origin like https://app.example.com`,
          );
        }
      }
      const set = new Set(list.map((o) => o.toLowerCase()));
      // Browsers send origins in lower case; only an unusual one pays for lower-casing. One allowed
      // origin (the usual case) is compared as a string, without hashing the request's first.
      const only = set.size === 1 ? (list[0] as string).toLowerCase() : undefined;
      isAllowed =
        only !== undefined
          ? (origin) => origin === only || origin.toLowerCase() === only
          : (origin) => set.has(origin) || set.has(origin.toLowerCase());
    }
  } else {
    throw new ConfigurationError('cors: "origins" must list the allowed origins or be a function');
  }

  const allowMethods = methods.join(', ');
  const allowHeaderList = allowHeaders.join(', ');
  const exposeList = exposeHeaders.join(', ');
  const allowOrigin = (origin: string) => (anyOrigin ? '*' : origin);

  const preflight = (ctx: Context<RequestInput, object>, origin: string, requested: string): LiftResponse => {
    if (!isAllowed(origin) || !methods.includes(requested.toUpperCase())) {
      ctx.fail(new ForbiddenError('CORS preflight rejected'));
      const denied = ctx.res as LiftResponse;
      addVary(denied.headers, 'Origin');
      return denied;
    }
    const res = ctx.empty(204);
    const h = res.headers;
    h['access-control-allow-origin'] = allowOrigin(origin);
    h['access-control-allow-methods'] = allowMethods;
    if (allowHeaderList !== '') h['access-control-allow-headers'] = allowHeaderList;
    h['access-control-max-age'] = String(maxAge);
    if (credentials) h['access-control-allow-credentials'] = 'true';
    addVary(h, 'Origin');
    addVary(h, 'Access-Control-Request-Method');
    addVary(h, 'Access-Control-Request-Headers');
    return res;
  };

  const origins = typeof options.origins === 'function' ? undefined : [...options.origins];
  return markCors(
    {
      before(ctx) {
        if (ctx.method !== 'OPTIONS') return;
        const origin = ctx.readHeader('origin');
        const requested = origin === undefined ? undefined : ctx.readHeader('access-control-request-method');
        if (origin !== undefined && requested !== undefined) return preflight(ctx, origin, requested);
      },
      after(ctx) {
        const headers = ctx.res?.headers;
        if (headers === undefined) return;
        addVary(headers, 'Origin');
        const origin = ctx.readHeader('origin');
        if (origin === undefined || !isAllowed(origin)) return;
        headers['access-control-allow-origin'] = allowOrigin(origin);
        if (credentials) headers['access-control-allow-credentials'] = 'true';
        if (exposeList !== '') headers['access-control-expose-headers'] = exposeList;
      },
    } satisfies MiddlewareHooks<object>,
    { origins, credentials, methods, allowHeaders, exposeHeaders, maxAge },
  );
}
