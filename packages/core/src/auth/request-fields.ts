import { structuredKind } from '../body/body.js';
import type { Context, RequestInput } from '../context/context.js';
import { BadRequestError, InternalServerError } from '../errors/errors.js';

type Ctx = Context<RequestInput, object>;

/** A part of the request a field can be named in. */
export type RequestPart = 'params' | 'query' | 'headers' | 'body';

/** Field names to look for in each part: header names lower-case, body names at any depth. */
export type FieldLists = Readonly<Record<RequestPart, readonly string[]>>;

/** {@link FieldLists} prepared once per route, with a lookup set per part. */
export interface FieldNames {
  readonly lists: FieldLists;
  readonly sets: Readonly<Record<RequestPart, ReadonlySet<string>>>;
}

/** Prepares field lists for {@link visitRawValues} and {@link visitValidatedValues}. */
export function fieldNames(lists: FieldLists): FieldNames {
  return {
    lists,
    sets: {
      params: new Set(lists.params),
      query: new Set(lists.query),
      headers: new Set(lists.headers),
      body: new Set(lists.body),
    },
  };
}

/** An object or array on the way down a value; a hit's path is rebuilt from it only when needed. */
export interface Frame {
  readonly node: object;
  readonly parent: Frame | undefined;
  readonly key: string | number;
}

/**
 * Called once for every value the request carries for a named field. Nothing is put into words
 * here: most values are the principal's own, and only a refusal or an audit line needs
 * {@link describePlace}.
 */
export type FoundValue = (
  part: RequestPart,
  field: string,
  value: string,
  validated: boolean,
  frame: Frame | undefined,
) => void;

const LABELS: Readonly<Record<RequestPart, string>> = {
  params: 'path parameter',
  query: 'query parameter',
  headers: 'header',
  body: 'body field',
};

const MAX_STEPS = 16;
const clip = (key: string): string => (key.length > 64 ? `${key.slice(0, 63)}…` : key);

/** Where a value was found, in words: `query parameter tenantId`, `validated body field order.tenantId`. */
export function describePlace(
  part: RequestPart,
  field: string,
  validated: boolean,
  frame: Frame | undefined,
): string {
  // The innermost steps only, each cut short: a description is echoed in a 400 and an audit line,
  // and must not grow with how deep, or under how long a key, a caller hid the field.
  const keys: (string | number)[] = [clip(field)];
  let f = frame;
  for (; f?.parent !== undefined && keys.length < MAX_STEPS; f = f.parent)
    keys.push(typeof f.key === 'number' ? f.key : clip(f.key));
  let path = f?.parent === undefined ? '' : '…';
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i] as string | number;
    path += typeof k === 'number' ? `[${k}]` : path === '' ? k : `.${k}`;
  }
  return `${validated ? 'validated ' : ''}${LABELS[part]} ${path}`;
}

type Reason = 'repeated' | 'not_a_string';

function ambiguous(where: string, reason: Reason): BadRequestError {
  return new BadRequestError(
    reason === 'repeated' ? `${where} is given more than once` : `${where} must be a single string`,
    { details: { field: where, reason } },
  );
}

function isPlain(node: object): boolean {
  if (Array.isArray(node)) return true;
  const proto = Object.getPrototypeOf(node);
  return proto === Object.prototype || proto === null;
}

/**
 * Finds every key of `names` at any depth of a value, through plain objects and arrays (what JSON,
 * forms and schemas of them produce; bytes, dates, maps and class instances are not entered).
 * Iterative, so a deeply nested body cannot exhaust the stack; past `limit` objects and arrays (a
 * schema output that refers to itself, say) it throws, since the value cannot be checked.
 */
export function findFields(
  root: unknown,
  names: ReadonlySet<string>,
  each: (field: string, value: unknown, frame: Frame) => void,
  limit = Number.POSITIVE_INFINITY,
): void {
  if (typeof root !== 'object' || root === null || names.size === 0 || !isPlain(root)) return;
  const stack: Frame[] = [{ node: root, parent: undefined, key: '' }];
  let visited = 0;
  while (stack.length > 0) {
    if (++visited > limit)
      throw new InternalServerError({
        cause: new Error('A value too large or cyclic to check for tenant fields'),
      });
    const frame = stack.pop() as Frame;
    const node = frame.node;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        const item: unknown = node[i];
        if (typeof item === 'object' && item !== null && isPlain(item))
          stack.push({ node: item, parent: frame, key: i });
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (names.has(key)) each(key, value, frame);
      if (typeof value === 'object' && value !== null && isPlain(value))
        stack.push({ node: value, parent: frame, key });
    }
  }
}

// A raw body of the default 1 MiB holds far fewer objects and arrays than this; a schema's output
// that goes past it is cyclic or built, not parsed.
const VALIDATED_LIMIT = 1_000_000;

/**
 * Visits every value the raw request carries for the named fields, in every view a handler has:
 * the path parameter; every value of a query key (a repeated key is refused: `ctx.query` would show
 * one value and `ctx.queryAll` or a schema another); the header (a value with a comma is a header
 * sent twice, joined, and refused); the JSON or form body at any depth (a form key sent twice, a
 * JSON array, object, number, boolean or null in place of a string: refused). 400 for each refusal.
 */
export function visitRawValues(ctx: Ctx, names: FieldNames, found: FoundValue): void {
  const { lists } = names;
  if (lists.params.length > 0) {
    const params = ctx.params as Record<string, unknown>;
    for (const field of lists.params) {
      const value = params[field];
      if (value === undefined) continue;
      if (typeof value !== 'string')
        throw ambiguous(describePlace('params', field, false, undefined), 'not_a_string');
      found('params', field, value, false, undefined);
    }
  }
  for (const field of lists.query) {
    const values = ctx.queryAll(field);
    if (values.length === 0) continue;
    if (values.length > 1) throw ambiguous(describePlace('query', field, false, undefined), 'repeated');
    found('query', field, values[0] as string, false, undefined);
  }
  for (const field of lists.headers) {
    const value = ctx.header(field);
    if (value === undefined) continue;
    // Sources join a repeated header with commas; no tenant id is one.
    if (value.includes(',')) throw ambiguous(describePlace('headers', field, false, undefined), 'repeated');
    found('headers', field, value, false, undefined);
  }
  if (lists.body.length > 0) {
    const kind = structuredKind(ctx.header('content-type'));
    if (kind === undefined) return;
    findFields(ctx.body, names.sets.body, (field, value, frame) => {
      if (typeof value !== 'string') {
        // A form has only strings; a list there is a key sent twice.
        const reason = kind === 'form' && Array.isArray(value) ? 'repeated' : 'not_a_string';
        throw ambiguous(describePlace('body', field, false, frame), reason);
      }
      found('body', field, value, false, frame);
    });
  }
}

/**
 * Visits the named fields in the validated values of `parts` (what the handler receives after the
 * route's schemas and their transforms), at any depth, so a schema that renames, defaults or
 * reshapes a field cannot hand the handler a value the raw checks never saw. Numbers compare by
 * their text (a schema may coerce ids); any other value that is not a string is refused (400).
 */
export function visitValidatedValues(
  ctx: Ctx,
  names: FieldNames,
  parts: readonly RequestPart[],
  found: FoundValue,
): void {
  for (const part of parts) {
    const set = names.sets[part];
    if (set.size === 0) continue;
    const value =
      part === 'params'
        ? ctx.params
        : part === 'query'
          ? ctx.query
          : part === 'headers'
            ? ctx.headers
            : ctx.body;
    findFields(
      value,
      set,
      (field, item, frame) => {
        if (item === undefined) return;
        if (typeof item === 'string') found(part, field, item, true, frame);
        else if (typeof item === 'number' || typeof item === 'bigint')
          found(part, field, String(item), true, frame);
        else throw ambiguous(describePlace(part, field, true, frame), 'not_a_string');
      },
      VALIDATED_LIMIT,
    );
  }
}
