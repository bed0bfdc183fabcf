import { BadRequestError } from '../errors/errors.js';
import type { HttpAdapter, OutgoingResponse, PathOptions, RawEvent } from './types.js';

/** Reads a nested record field, or `undefined` when any step is not an object. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A string field, or `undefined`. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Lower-cases header names into a prototype-free record. Multi-value headers win over single ones
 * (REST sends both); repeats are joined by `, `, except `cookie`, which HTTP joins by `; `.
 */
export function lowerCaseHeaders(single: unknown, multi: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const many = record(multi);
  if (many !== undefined) {
    for (const name in many) {
      const values = many[name];
      if (!Array.isArray(values) || values.length === 0) continue;
      const key = name.toLowerCase();
      const joined = values.filter((v) => typeof v === 'string').join(key === 'cookie' ? '; ' : ', ');
      const prior = out[key];
      out[key] = prior === undefined ? joined : `${prior}${key === 'cookie' ? '; ' : ', '}${joined}`;
    }
    return out;
  }
  const one = record(single);
  if (one !== undefined) {
    for (const name in one) {
      const value = one[name];
      if (typeof value !== 'string') continue;
      // Two spellings of one name are one header sent twice: keep both values, as repeats are kept.
      const key = name.toLowerCase();
      const prior = out[key];
      out[key] = prior === undefined ? value : `${prior}${key === 'cookie' ? '; ' : ', '}${value}`;
    }
  }
  return out;
}

const UPPER_CASE = /[A-Z]/;

/**
 * The headers of a source whose names AWS lower-cases (HTTP API, Function URL), copied into a
 * prototype-free record. A name with capitals cannot come from AWS (only from a hand-made event)
 * and is left out, so this view and the one-header fast path ({@link lowerCaseHeader}) always agree.
 */
export function lowerCasedHeaders(single: unknown): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const one = record(single);
  if (one === undefined) return out;
  for (const name in one) {
    const value = one[name];
    if (typeof value === 'string' && !UPPER_CASE.test(name)) out[name] = value;
  }
  return out;
}

/** Decodes one query component (`+` is a space), rejecting malformed percent-encoding with a 400. */
export function decodeQueryComponent(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new BadRequestError('Malformed percent-encoding in query string');
  }
}

/** Collapses a multi-value record: single values as strings, repeated ones as arrays (what schemas see). */
export function collapseValues(lists: Record<string, string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const key in lists) {
    const list = lists[key] as string[];
    out[key] = list.length === 1 ? (list[0] as string) : list;
  }
  return out;
}

/** Parses a raw query string or form body (`a=1&a=2&b`) into a prototype-free multi-value record. */
export function parseQueryString(raw: string): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  if (raw === '') return out;
  for (const pair of raw.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeQueryComponent(pair.slice(eq + 1));
    const list = out[key];
    if (list === undefined) out[key] = [value];
    else list.push(value);
  }
  return out;
}

/**
 * Copies an already-decoded query record into a prototype-free multi-value record, so a key like
 * `__proto__` stays an ordinary key. `decode` is for sources that pass values still encoded (ALB).
 */
export function copyQuery(single: unknown, multi: unknown, decode: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  const many = record(multi);
  const one = record(single);
  const fix = decode ? decodeQueryComponent : (s: string) => s;
  // Two spellings of one key (`tenantId` and `tenant%49d` from an ALB) are one key given twice:
  // their values are kept together, never one overwriting the other.
  if (many !== undefined) {
    for (const key in many) {
      const values = many[key];
      if (!Array.isArray(values)) continue;
      const decoded = values.filter((v) => typeof v === 'string').map(fix);
      const name = fix(key);
      const prior = out[name];
      out[name] = prior === undefined ? decoded : [...prior, ...decoded];
    }
  } else if (one !== undefined) {
    for (const key in one) {
      const value = one[key];
      if (typeof value !== 'string') continue;
      const name = fix(key);
      (out[name] ??= []).push(fix(value));
    }
  }
  return out;
}

/** Removes the first matching base path (`/v1` from `/v1/items`). */
export function stripBasePath(path: string, options: PathOptions): string {
  for (const base of options.basePaths) {
    if (path === base) return '/';
    if (path.startsWith(base) && path.charCodeAt(base.length) === 47 /* / */) return path.slice(base.length);
  }
  return path;
}

/**
 * Removes `/{stage}` from an HTTP API path. API Gateway puts a named stage in the path only on its
 * own execute-api domain; custom domains map stages away, so their paths are left alone.
 */
export function stripStage(path: string, event: RawEvent, options: PathOptions): string {
  if (!options.stripStage) return path;
  const context = record(event.requestContext);
  const stage = str(context?.stage);
  if (stage === undefined || stage === '$default' || stage === '') return path;
  if (!str(context?.domainName)?.includes('.execute-api.')) return path;
  const prefix = `/${stage}`;
  if (path === prefix) return '/';
  return path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47 ? path.slice(prefix.length) : path;
}

/** Reads one header from an event whose header names AWS already lower-cased. */
export function lowerCaseHeader(event: RawEvent, name: string): string | undefined {
  const headers = event.headers as Record<string, unknown> | null | undefined;
  if (typeof headers !== 'object' || headers === null) return undefined;
  const value = headers[name];
  // Inherited members (`constructor`, `__proto__`) are never strings, so this also guards the prototype.
  return typeof value === 'string' ? value : undefined;
}

/** The fields every proxy-style result shares: status, headers, body and its encoding. */
export function proxyResult(response: OutgoingResponse, method: string) {
  const text = response.body;
  // A text body, the usual answer, without the intermediate object resultBody returns.
  if (typeof text === 'string' && method !== 'HEAD')
    return {
      statusCode: response.status,
      headers: response.headers as Record<string, string>,
      body: text,
      isBase64Encoded: false,
    };
  const { body, isBase64Encoded } = resultBody(response, method);
  return {
    statusCode: response.status,
    headers: response.headers as Record<string, string>,
    body,
    isBase64Encoded,
  };
}

/** The body as the result carries it: bytes as base64, text as is; HEAD answers carry none. */
export function resultBody(
  response: OutgoingResponse,
  method: string,
): { readonly body: string; readonly isBase64Encoded: boolean } {
  const body = response.body;
  if (body === null || method === 'HEAD') return { body: '', isBase64Encoded: false };
  if (typeof body === 'string') return { body, isBase64Encoded: false };
  return {
    body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
    isBase64Encoded: true,
  };
}

/** Reads `event.body` and `event.isBase64Encoded`, shared by every HTTP source. */
export function eventBody(event: RawEvent): { readonly text: string | undefined; readonly base64: boolean } {
  const text = event.body;
  return { text: typeof text === 'string' ? text : undefined, base64: event.isBase64Encoded === true };
}

/**
 * The path as the source delivered it, percent-encoded: as is where the source keeps the encoding,
 * each segment encoded again where it delivers the path decoded (HTTP API), so a literal `%` reads
 * `%25`, never an escape. Only a lone surrogate cannot be encoded, and no client can send one.
 */
export function encodedPath(adapter: HttpAdapter, event: RawEvent): string {
  const path = adapter.sentPath(event);
  if (adapter.pathEncoded(event)) return path;
  try {
    return path
      .split('/')
      .map((segment) => encodeURIComponent(segment))
      .join('/');
  } catch {
    throw new BadRequestError('Malformed path');
  }
}
