import { ConfigurationError } from '../errors/errors.js';

/**
 * Route pattern syntax: `/items/:id`, API Gateway style `/items/{id}`, and a trailing wildcard
 * (`/files/*` or `/files/{proxy+}`) that matches one or more remaining segments.
 */

type Segments<P extends string> = P extends `${infer Head}/${infer Tail}` ? Head | Segments<Tail> : P;

type ParamName<S extends string> = S extends `:${infer N}`
  ? N
  : S extends `{${infer N}+}`
    ? N
    : S extends `{${infer N}}`
      ? N
      : S extends '*'
        ? '*'
        : never;

/** The params a path pattern declares, inferred from its literal: `'/a/:id/{slug}'` → `{ id; slug }`. */
export type ParamsOf<P extends string> = string extends P
  ? Record<string, string>
  : { [K in ParamName<Segments<P>>]: string };

/** Kind of one parsed pattern segment. */
export type SegmentKind = 'static' | 'param' | 'wildcard';

/** One segment of a parsed pattern. */
export interface PatternSegment {
  readonly kind: SegmentKind;
  /** Static text, or the param's name. */
  readonly value: string;
}

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Joins a group prefix and a route path into one pattern (`/v1` + `/items` → `/v1/items`). */
export function joinPaths(prefix: string, path: string): string {
  if (prefix === '' || prefix === '/') return path;
  const left = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return path === '/' ? left : left + path;
}

/** Parses and checks a route pattern; throws a {@link ConfigurationError} naming the problem. */
export function parsePattern(pattern: string): PatternSegment[] {
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw new ConfigurationError(`Route path must start with "/": ${JSON.stringify(pattern)}`);
  }
  const trimmed = pattern.length > 1 && pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  if (trimmed === '/') return [];
  const parts = trimmed.slice(1).split('/');
  const seen = new Set<string>();
  const segments: PatternSegment[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const last = i === parts.length - 1;
    if (part === '') throw new ConfigurationError(`Route path has an empty segment: ${pattern}`);
    let kind: SegmentKind;
    let value: string;
    if (part === '*') {
      kind = 'wildcard';
      value = '*';
    } else if (part.startsWith('{') && part.endsWith('+}')) {
      kind = 'wildcard';
      value = part.slice(1, -2);
    } else if (part.startsWith('{') && part.endsWith('}')) {
      kind = 'param';
      value = part.slice(1, -1);
    } else if (part.startsWith(':')) {
      kind = 'param';
      value = part.slice(1);
    } else {
      if (/[{}*]/.test(part) || part.includes(':')) {
        throw new ConfigurationError(
          `Route segment "${part}" in ${pattern} mixes text and parameter syntax; a parameter takes a whole segment`,
        );
      }
      segments.push({ kind: 'static', value: part });
      continue;
    }
    if (kind === 'wildcard' && !last) {
      throw new ConfigurationError(`Wildcard must be the last segment: ${pattern}`);
    }
    if (value !== '*' && (!PARAM_NAME.test(value) || value === '__proto__')) {
      throw new ConfigurationError(`Invalid parameter name "${value}" in ${pattern}`);
    }
    if (seen.has(value)) throw new ConfigurationError(`Parameter "${value}" appears twice in ${pattern}`);
    seen.add(value);
    segments.push({ kind, value });
  }
  return segments;
}

/** A canonical key for duplicate detection: param names do not make two routes different. */
export function patternShape(segments: readonly PatternSegment[]): string {
  let key = '';
  for (const s of segments) {
    key += s.kind === 'static' ? `/${s.value}` : s.kind === 'param' ? '/:' : '/*';
  }
  return key === '' ? '/' : key;
}
