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

/** Whether `value` is a usable param name: `[A-Za-z_][A-Za-z0-9_]*`, and not `__proto__`. */
function isParamName(value: string): boolean {
  if (value.length === 0 || value === '__proto__') return false;
  // Char codes rather than a regular expression: compiling one costs more at cold start than the
  // few names an app declares take to scan.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
    if (!letter && (i === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}

/** Whether a static segment holds parameter syntax (`{`, `}`, `*`, `:`). */
function hasParamSyntax(part: string): boolean {
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c === 123 || c === 125 || c === 42 || c === 58) return true;
  }
  return false;
}

/** Joins a group prefix and a route path into one pattern (`/v1` + `/items` → `/v1/items`). */
export function joinPaths(prefix: string, path: string): string {
  if (prefix === '' || prefix === '/') return path;
  const left = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return path === '/' ? left : left + path;
}

/** A checked pattern with what the route table and the router derive from it. */
export interface CheckedPattern {
  readonly segments: readonly PatternSegment[];
  /** The canonical key for duplicate detection, as {@link patternShape} gives it. */
  readonly shape: string;
  /** Names of the param and wildcard segments, in order. */
  readonly paramNames: readonly string[];
}

const ROOT: CheckedPattern = { segments: [], shape: '/', paramNames: [] };

// Patterns already checked, by text. An app's route table and its router both check each pattern
// (at registration, then at compile), and a check is most of what a route costs to register at cold
// start. Bounded, since anything may call parsePattern. Entries are shared, so they are read-only
// (typed so; not frozen, which costs more than the parse at cold start), and parsePattern hands
// out a copy of the list.
const checked = new Map<string, CheckedPattern>();
const CACHE_LIMIT = 2048;

/**
 * Checks a route pattern once per distinct text and returns it parsed and shared (read-only);
 * throws a {@link ConfigurationError} naming the problem, as {@link parsePattern} does.
 */
export function checkPattern(pattern: string): CheckedPattern {
  const known = checked.get(pattern);
  if (known !== undefined) return known;
  const result = check(pattern);
  if (checked.size >= CACHE_LIMIT) checked.clear();
  checked.set(pattern, result);
  return result;
}

/** Parses and checks a route pattern; throws a {@link ConfigurationError} naming the problem. */
export function parsePattern(pattern: string): PatternSegment[] {
  return [...checkPattern(pattern).segments];
}

function check(pattern: string): CheckedPattern {
  if (typeof pattern !== 'string' || pattern.charCodeAt(0) !== 47) {
    throw new ConfigurationError(`Route path must start with "/": ${JSON.stringify(pattern)}`);
  }
  // One trailing slash is ignored, so `//` is the root, as `/` is.
  const end =
    pattern.length > 1 && pattern.charCodeAt(pattern.length - 1) === 47 ? pattern.length - 1 : pattern.length;
  if (end === 1) return ROOT;
  const segments: PatternSegment[] = [];
  const paramNames: string[] = [];
  let shape = '';
  for (let start = 1; start <= end; ) {
    const slash = pattern.indexOf('/', start);
    const last = slash === -1 || slash >= end;
    const stop = last ? end : slash;
    const segment = parseSegment(pattern, pattern.slice(start, stop), last);
    if (segment.kind === 'static') shape += `/${segment.value}`;
    else {
      if (paramNames.includes(segment.value))
        throw new ConfigurationError(`Parameter "${segment.value}" appears twice in ${pattern}`);
      paramNames.push(segment.value);
      shape += segment.kind === 'param' ? '/:' : '/*';
    }
    segments.push(segment);
    start = stop + 1;
  }
  return { segments, shape, paramNames };
}

function parseSegment(pattern: string, part: string, last: boolean): PatternSegment {
  if (part === '') throw new ConfigurationError(`Route path has an empty segment: ${pattern}`);
  const first = part.charCodeAt(0);
  const final = part.charCodeAt(part.length - 1);
  let kind: SegmentKind;
  let value: string;
  if (part === '*') {
    kind = 'wildcard';
    value = '*';
  } else if (first === 123 && final === 125 && part.length > 2 && part.charCodeAt(part.length - 2) === 43) {
    // `{name+}`
    kind = 'wildcard';
    value = part.slice(1, -2);
  } else if (first === 123 && final === 125) {
    kind = 'param';
    value = part.slice(1, -1);
  } else if (first === 58) {
    kind = 'param';
    value = part.slice(1);
  } else {
    if (hasParamSyntax(part)) {
      throw new ConfigurationError(
        `Route segment "${part}" in ${pattern} mixes text and parameter syntax; a parameter takes a whole segment`,
      );
    }
    return { kind: 'static', value: part };
  }
  if (kind === 'wildcard' && !last) {
    throw new ConfigurationError(`Wildcard must be the last segment: ${pattern}`);
  }
  if (value !== '*' && !isParamName(value)) {
    throw new ConfigurationError(`Invalid parameter name "${value}" in ${pattern}`);
  }
  return { kind, value };
}

/** A canonical key for duplicate detection: param names do not make two routes different. */
export function patternShape(segments: readonly PatternSegment[]): string {
  let key = '';
  for (const s of segments) {
    key += s.kind === 'static' ? `/${s.value}` : s.kind === 'param' ? '/:' : '/*';
  }
  return key === '' ? '/' : key;
}
