import { ClientError } from './error.js';

type Params = Readonly<Record<string, unknown>>;

const PARAM = /^(?::([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}|(\*))$/;

function paramText(name: string, value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  throw new ClientError(`Path param "${name}" must be a non-empty string or a finite number`);
}

/**
 * Fills a route pattern (`/items/:id`, `/items/{id}`, `/files/*`, `/files/{proxy+}`) with params,
 * each encoded with `encodeURIComponent` (a wildcard segment by segment, keeping its slashes). A
 * missing param, or one the pattern does not have, is refused.
 */
export function fillPattern(pattern: string, params: Params | undefined): string {
  const given = params ?? {};
  const used = new Set<string>();
  const out = pattern.split('/').map((segment) => {
    const match = PARAM.exec(segment);
    if (match === null) return segment;
    const name = (match[1] ?? match[2] ?? match[4]) as string;
    const wildcard = match[3] === '+' || match[4] === '*';
    if (!Object.hasOwn(given, name) || given[name] === undefined)
      throw new ClientError(`Missing path param "${name}" for ${pattern}`);
    used.add(name);
    const text = paramText(name, given[name]);
    // URL parsing resolves `.` and `..` even percent-encoded, so such a value would reach another
    // route (with the client's token): refused like an empty segment.
    if (!wildcard) {
      if (text === '' || text === '.' || text === '..')
        throw new ClientError(`Path param "${name}" is empty or a dot segment`);
      return encodeURIComponent(text);
    }
    const parts = text.split('/');
    if (parts.some((part) => part === '' || part === '.' || part === '..'))
      throw new ClientError(`Path param "${name}" has an empty or dot segment`);
    return parts.map(encodeURIComponent).join('/');
  });
  for (const name of Object.keys(given)) {
    if (!used.has(name)) throw new ClientError(`Unknown path param "${name}" for ${pattern}`);
  }
  return out.join('/');
}

function queryText(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Date) return value.toISOString();
  throw new ClientError(
    `Query "${key}" must be a string, number, boolean, bigint or Date (or a list of them)`,
  );
}

/** Adds query values to `url`: `undefined` is left out, an array repeats its key. */
export function addQuery(url: URL, query: Params | undefined): void {
  if (query === undefined) return;
  if (typeof query !== 'object' || query === null) throw new ClientError('query must be an object');
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, queryText(key, item));
    else url.searchParams.append(key, queryText(key, value));
  }
}

/** The base URL with the filled path appended (a base path such as a stage is kept). */
export function routeUrl(base: URL, path: string): URL {
  const url = new URL(base.href);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  url.search = '';
  url.hash = '';
  return url;
}
