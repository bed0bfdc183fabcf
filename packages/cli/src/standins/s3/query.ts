/** Query strings as S3 reads them. */
import { S3Error } from './errors.js';

/** A query string as S3 reads it: a repeated name keeps every value. */
export type Query = Record<string, string | string[]>;

/**
 * Splits a raw query string as S3 does: each name and value percent-decoded (a `+` stays a plus),
 * a repeated name keeps all its values. A malformed escape is a 400.
 */
export function parseQuery(raw: string): Query {
  const query: Query = Object.create(null);
  if (raw === '') return query;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
      value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1));
    } catch {
      throw new S3Error('InvalidArgument', 'The query string is not valid percent-encoding.');
    }
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else query[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}
