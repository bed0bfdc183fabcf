import { isStructuredMediaType } from '../body/body.js';
import type { Context, RequestInput } from '../context/context.js';
import { BadRequestError } from '../errors/errors.js';

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

/**
 * Called once for every value the request carries for a named field: `where` says where, for the
 * audit line (`query parameter tenantId`, `body field order.tenantId`, ...).
 */
export type FoundValue = (part: RequestPart, field: string, value: string, where: string) => void;

function ambiguous(where: string, reason: 'repeated' | 'not_a_string'): BadRequestError {
  return new BadRequestError(
    reason === 'repeated' ? `${where} is given more than once` : `${where} must be a single string`,
    { details: { field: where, reason } },
  );
}

/**
 * A raw value must be a string: an array, an object, `null` or a number in place of a tenant is
 * refused rather than read as "no tenant named", since the handler may still act on it.
 */
function rawText(value: unknown, where: string): string {
  if (typeof value !== 'string') throw ambiguous(where, 'not_a_string');
  return value;
}

/**
 * A validated value is what the handler gets after the schema's transforms; numbers compare by
 * their text (a schema may coerce ids), anything else that is not a string cannot be compared.
 */
function outputText(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw ambiguous(where, 'not_a_string');
}

interface Frame {
  readonly node: object;
  readonly parent: Frame | undefined;
  readonly key: string | number;
}

// Only called for a hit, so paths cost nothing while walking.
function pathOf(frame: Frame, key: string): string {
  const keys: (string | number)[] = [key];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) keys.push(f.key);
  let path = '';
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i] as string | number;
    path += typeof k === 'number' ? `[${k}]` : path === '' ? k : `.${k}`;
  }
  return path;
}

/**
 * Finds every key of `names` at any depth of a JSON or form value (objects and arrays alike),
 * without recursion so a deeply nested body cannot exhaust the stack. Each hit is passed to `each`
 * with its path, such as `order.items[2].tenantId`.
 */
export function findFields(
  root: unknown,
  names: ReadonlySet<string>,
  each: (field: string, value: unknown, path: string) => void,
): void {
  if (typeof root !== 'object' || root === null || names.size === 0) return;
  const stack: Frame[] = [{ node: root, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop() as Frame;
    const node = frame.node;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        const item: unknown = node[i];
        if (typeof item === 'object' && item !== null) stack.push({ node: item, parent: frame, key: i });
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const value = record[key];
      if (names.has(key)) each(key, value, pathOf(frame, key));
      if (typeof value === 'object' && value !== null) stack.push({ node: value, parent: frame, key });
    }
  }
}

/**
 * The body as access control reads it: parsed only when it is JSON or a form, the types the body
 * parser turns into data; uploads and text are never parsed (or refused) here.
 */
function structuredBody(ctx: Ctx): unknown {
  return isStructuredMediaType(ctx.header('content-type')) ? ctx.body : undefined;
}

/**
 * Visits every value the raw request carries for the named fields, in every view a handler has:
 * the path parameter, every value of a query key (a repeated key is refused: `ctx.query` would
 * show one value and `ctx.queryAll` or a schema another), the header, and the JSON or form body at
 * any depth. A value that is not a single string is refused with a 400.
 */
export function visitRawValues(ctx: Ctx, names: FieldNames, found: FoundValue): void {
  const { lists } = names;
  if (lists.params.length > 0) {
    const params = ctx.params as Record<string, unknown>;
    for (const field of lists.params) {
      const value = params[field];
      if (value === undefined) continue;
      const where = `path parameter ${field}`;
      found('params', field, rawText(value, where), where);
    }
  }
  for (const field of lists.query) {
    const values = ctx.queryAll(field);
    if (values.length === 0) continue;
    const where = `query parameter ${field}`;
    if (values.length > 1) throw ambiguous(where, 'repeated');
    found('query', field, values[0] as string, where);
  }
  for (const field of lists.headers) {
    const value = ctx.header(field);
    if (value !== undefined) found('headers', field, value, `header ${field}`);
  }
  if (lists.body.length > 0) {
    findFields(structuredBody(ctx), names.sets.body, (field, value, path) => {
      const where = `body field ${path}`;
      found('body', field, rawText(value, where), where);
    });
  }
}

/**
 * Visits the named fields in the validated values of `parts` (what the handler receives after the
 * route's schemas and their transforms), at any depth, so a schema that renames, defaults or
 * reshapes a field cannot hand the handler a value the raw checks never saw.
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
    findFields(value, set, (field, item, path) => {
      const where = `validated ${part} ${path}`;
      const text = outputText(item, where);
      if (text !== undefined) found(part, field, text, where);
    });
  }
}
