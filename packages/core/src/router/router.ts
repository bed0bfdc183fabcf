import { BadRequestError, ConfigurationError } from '../errors/errors.js';
import { type CheckedPattern, checkPattern } from './pattern.js';

/** The method key used by `app.all(...)` routes. */
export const ANY_METHOD = '*';

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** One registered route, as the router keeps it. */
export interface RouteRecord<T> {
  /** Upper-case method, or {@link ANY_METHOD}. */
  readonly method: string;
  /** The pattern as registered (prefixes applied). */
  readonly pattern: string;
  /** Param names in the order their segments appear. */
  readonly paramNames: readonly string[];
  /** What the route carries (for the app: its compiled chain). */
  readonly value: T;
}

/** Outcome of {@link Router.match}. */
export type RouteMatch<T> =
  | { readonly found: true; readonly route: RouteRecord<T>; readonly params: Record<string, string> }
  | { readonly found: false; readonly allow: readonly string[] | undefined };

// A Map: the method comes from the request, and a Map looks a fresh string up by hash, where a
// prototype-free object would first have to find it in the string table.
type MethodTable<T> = Map<string, RouteRecord<T>>;

interface Node<T> {
  statics: Map<string, Node<T>> | undefined;
  // The one static child, when there is exactly one (`items` in `/:id/items/:itemId`): one string
  // comparison, where the map would hash the segment first.
  soleKey: string | undefined;
  sole: Node<T> | undefined;
  param: Node<T> | undefined;
  wildcard: MethodTable<T> | undefined;
  methods: MethodTable<T> | undefined;
}

const NO_PARAMS: Record<string, string> = Object.freeze(Object.create(null));

function newNode<T>(): Node<T> {
  return {
    statics: undefined,
    soleKey: undefined,
    sole: undefined,
    param: undefined,
    wildcard: undefined,
    methods: undefined,
  };
}

function table<T>(): MethodTable<T> {
  return new Map();
}

function pick<T>(t: MethodTable<T>, method: string): RouteRecord<T> | undefined {
  return t.get(method) ?? (method === 'HEAD' ? t.get('GET') : undefined) ?? t.get(ANY_METHOD);
}

/**
 * Method-aware route table. Static routes are a direct map lookup; the rest live in a segment trie
 * searched static > param > wildcard with backtracking, so registration order never matters.
 * Registration happens before {@link Router.compile}; after it the router is read-only.
 */
export class Router<T> {
  private readonly root: Node<T> = newNode();
  private readonly statics = new Map<string, MethodTable<T>>();
  private readonly shapes = new Set<string>();
  private readonly routes: RouteRecord<T>[] = [];
  private compiled = false;

  /** Adds a route; throws a {@link ConfigurationError} on a bad pattern or a duplicate. */
  add(method: string, pattern: string, value: T): RouteRecord<T> {
    if (this.compiled)
      throw new ConfigurationError(`Cannot add ${method} ${pattern}: the router is compiled`);
    const checked = checkPattern(pattern);
    const shapeKey = `${method} ${checked.shape}`;
    if (this.shapes.has(shapeKey)) {
      throw new ConfigurationError(`Duplicate route: ${method} ${pattern} is already registered`);
    }
    this.shapes.add(shapeKey);
    const route: RouteRecord<T> = { method, pattern, paramNames: checked.paramNames, value };
    this.routes.push(route);
    this.insert(checked, route);
    return route;
  }

  /** Every route, in registration order. */
  list(): readonly RouteRecord<T>[] {
    return this.routes;
  }

  /** Freezes the table; later {@link Router.add} calls throw. */
  compile(): void {
    this.compiled = true;
  }

  private insert({ segments, shape }: CheckedPattern, route: RouteRecord<T>): void {
    if (route.paramNames.length === 0) {
      // A pattern of static segments only is its own shape: the path it matches, normalized.
      let methods = this.statics.get(shape);
      if (methods === undefined) this.statics.set(shape, (methods = table()));
      methods.set(route.method, route);
    }
    let node = this.root;
    for (const segment of segments) {
      if (segment.kind === 'static') {
        node.statics ??= new Map();
        let next = node.statics.get(segment.value);
        if (next === undefined) node.statics.set(segment.value, (next = newNode()));
        const sole = node.statics.size === 1;
        node.soleKey = sole ? segment.value : undefined;
        node.sole = sole ? next : undefined;
        node = next;
      } else if (segment.kind === 'param') {
        node = node.param ??= newNode();
      } else {
        node.wildcard ??= table();
        node.wildcard.set(route.method, route);
        return;
      }
    }
    node.methods ??= table();
    node.methods.set(route.method, route);
  }

  /**
   * Finds the route for `method` and `path`. `decode` says whether the path is still
   * percent-encoded (REST, Function URL, ALB) and so segments need decoding; a malformed
   * encoding throws a 400. A path that exists for other methods yields `allow` (for a 405).
   */
  match(method: string, path: string, decode: boolean): RouteMatch<T> {
    // One trailing slash is ignored; `//` is not the root.
    const normalized =
      path.length > 1 && path.endsWith('/') && path.charCodeAt(path.length - 2) !== 47
        ? path.slice(0, -1)
        : path;
    const encoded = decode && normalized.includes('%');
    if (encoded) {
      try {
        decodeURIComponent(normalized);
      } catch {
        throw new BadRequestError('Malformed percent-encoding in path');
      }
    } else if (this.statics.size > 0) {
      const methods = this.statics.get(normalized);
      if (methods !== undefined) {
        const route = pick(methods, method);
        if (route !== undefined) return { found: true, route, params: NO_PARAMS };
      }
    }
    this.allowed = undefined;
    const route =
      normalized === '/'
        ? this.terminal(this.root, method)
        : this.walk(this.root, normalized, 1, 0, method, encoded);
    if (route === undefined) {
      const allowed = this.allowed as Set<string> | undefined;
      return { found: false, allow: allowed === undefined ? undefined : orderMethods(allowed) };
    }
    const names = route.paramNames;
    if (names.length === 0) return { found: true, route, params: NO_PARAMS };
    return { found: true, route, params: this.params(names) };
  }

  // Written by walk() on its way to a route; matching is synchronous, so no request shares them.
  private readonly values: string[] = [];
  private allowed: Set<string> | undefined;

  // Param names are checked at registration (never `__proto__`), so a plain object is safe. One
  // store per position for the usual one to three params: a loop's single store site sees every
  // name and goes megamorphic (~40 ns a request), where each of these sees the names at its position.
  private params(names: readonly string[]): Record<string, string> {
    const params: Record<string, string> = {};
    const values = this.values;
    const count = names.length;
    if (count > 3) {
      for (let i = 0; i < count; i++) params[names[i] as string] = values[i] as string;
      return params;
    }
    params[names[0] as string] = values[0] as string;
    if (count > 1) params[names[1] as string] = values[1] as string;
    if (count > 2) params[names[2] as string] = values[2] as string;
    return params;
  }

  private terminal(node: Node<T>, method: string): RouteRecord<T> | undefined {
    if (node.methods === undefined) return undefined;
    const route = pick(node.methods, method);
    if (route === undefined) for (const m of node.methods.keys()) (this.allowed ??= new Set()).add(m);
    return route;
  }

  /** Matches the segment starting at `start` (just after a `/`); `depth` counts params captured so far. */
  private walk(
    node: Node<T>,
    path: string,
    start: number,
    depth: number,
    method: string,
    encoded: boolean,
  ): RouteRecord<T> | undefined {
    const slash = path.indexOf('/', start);
    const end = slash === -1 ? path.length : slash;
    const raw = path.slice(start, end);
    const segment = encoded && raw.includes('%') ? decodeURIComponent(raw) : raw;
    const last = slash === -1;
    const child =
      node.soleKey !== undefined
        ? segment === node.soleKey
          ? node.sole
          : undefined
        : node.statics?.get(segment);
    if (child !== undefined) {
      const found = last
        ? this.terminal(child, method)
        : this.walk(child, path, end + 1, depth, method, encoded);
      if (found !== undefined) return found;
    }
    if (node.param !== undefined && segment !== '') {
      const found = last
        ? this.terminal(node.param, method)
        : this.walk(node.param, path, end + 1, depth + 1, method, encoded);
      if (found !== undefined) {
        this.values[depth] = segment;
        return found;
      }
    }
    if (node.wildcard !== undefined) {
      const rest = last ? segment : path.slice(start);
      if (rest !== '') {
        const route = pick(node.wildcard, method);
        if (route !== undefined) {
          this.values[depth] = last || !encoded ? rest : rest.split('/').map(decodeURIComponent).join('/');
          return route;
        }
        for (const m of node.wildcard.keys()) (this.allowed ??= new Set()).add(m);
      }
    }
    return undefined;
  }
}

function orderMethods(methods: Set<string>): string[] {
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function rank(method: string): number {
  const i = METHOD_ORDER.indexOf(method);
  return i === -1 ? METHOD_ORDER.length : i;
}
