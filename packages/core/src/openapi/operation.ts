import { REASON_PHRASES } from '../adapters/reason-phrases.js';
import type { JsonObject, JsonValue } from '../app/describe.js';
import type { RouteDefinition } from '../app/group.js';
import type { RateLimitDescription } from '../ratelimit/limits.js';
import { type PatternSegment, parsePattern } from '../router/pattern.js';
import type { StandardSchemaV1 } from '../schema/validate.js';
import { RATE_LIMIT_HEADERS, routeErrors } from './errors.js';
import { isObject, type SchemaConverter } from './json-schema.js';
import { routeSecurity, type Security } from './security.js';

/** The name a catch-all `*` takes in a path template. */
export const WILDCARD_NAME = 'wildcard';

/**
 * The OpenAPI path of a Lift pattern: `:id` and `{id}` become `{id}`; a catch-all (`*`, `{proxy+}`)
 * becomes one parameter (`{wildcard}`, `{proxy}`) that stands for the rest of the path, slashes
 * included, which its parameter says (`x-lift-catch-all`), since OpenAPI has no such template.
 */
export function openApiPath(segments: readonly PatternSegment[]): string {
  if (segments.length === 0) return '/';
  return segments
    .map((s) => (s.kind === 'static' ? `/${s.value}` : `/{${s.value === '*' ? WILDCARD_NAME : s.value}}`))
    .join('');
}

/**
 * A stable operation id from the method and path words: `GET /batches/:id` → `getBatchesById`.
 * Two routes can meet (`/a/by-id`, `/a/:id`): the document numbers the later one.
 */
export function operationId(method: string, segments: readonly PatternSegment[]): string {
  const word = (text: string) => {
    const parts = text.split(/[^A-Za-z0-9]+/).filter(Boolean);
    return parts.map((p) => (p[0] as string).toUpperCase() + p.slice(1)).join('');
  };
  const path = segments
    .map((s) => (s.kind === 'static' ? word(s.value) : `By${word(s.value === '*' ? 'Rest' : s.value)}`))
    .join('');
  return `${method.toLowerCase()}${path === '' ? 'Root' : path}`;
}

/** What the operation builder needs beyond the route. */
export interface OperationContext {
  readonly converter: SchemaConverter;
  readonly security: Security;
  readonly bodyLimit: number;
  readonly rateLimits: readonly RateLimitDescription[];
  readonly warn: (where: string, message: string) => void;
}

const LOCATIONS = { params: 'path', query: 'query', headers: 'header' } as const;

// Sent by the access control and the security schemes, or by every HTTP client itself.
const IMPLIED_HEADERS = new Set(['authorization', 'content-type', 'content-length', 'accept', 'host']);

function parametersOf(
  def: RouteDefinition,
  segments: readonly PatternSegment[],
  id: string,
  ctx: OperationContext,
): JsonObject[] {
  const out: JsonObject[] = [];
  const pathNames = segments.filter((s) => s.kind !== 'static');
  for (const part of ['params', 'query', 'headers'] as const) {
    const schema = def.options[part];
    const location = LOCATIONS[part];
    if (schema !== undefined) {
      const converted = ctx.converter.convert(schema, 'input', `${id}_${part}`, (m) => ctx.warn(part, m));
      const properties = isObject(converted.properties) ? converted.properties : undefined;
      if (converted.type !== 'object' || properties === undefined) {
        ctx.warn(
          part,
          'the schema is not an object of named fields, so its fields are not listed as parameters',
        );
      } else {
        const required = new Set(Array.isArray(converted.required) ? converted.required : []);
        for (const [name, property] of Object.entries(properties)) {
          if (location === 'header' && IMPLIED_HEADERS.has(name.toLowerCase())) continue;
          // A field the path does not have could never be sent as a path parameter.
          if (location === 'path' && !pathNames.some((s) => s.value === name)) continue;
          out.push({
            name,
            in: location,
            required: location === 'path' || required.has(name),
            schema: property,
          });
        }
      }
    }
    // Every template name is a parameter, whatever the schema says of it.
    if (location === 'path')
      for (const s of pathNames) {
        const name = s.value === '*' ? WILDCARD_NAME : s.value;
        const existing = out.find((p) => p.in === 'path' && p.name === s.value);
        if (existing !== undefined) existing.name = name;
        else out.push({ name, in: 'path', required: true, schema: { type: 'string' } });
        if (s.kind === 'wildcard') {
          const parameter = out.find((p) => p.in === 'path' && p.name === name) as JsonObject;
          parameter.description = 'The rest of the path: one or more segments, `/` included.';
          parameter['x-lift-catch-all'] = true;
        }
      }
  }
  const idempotency = def.options.idempotency;
  if (idempotency !== undefined) {
    const key = idempotency === true ? undefined : idempotency.key;
    if (typeof key !== 'function') {
      const name = key === undefined ? 'idempotency-key' : key.slice('header:'.length).toLowerCase();
      const required = idempotency !== true && idempotency.required === true;
      if (!out.some((p) => p.in === 'header' && String(p.name).toLowerCase() === name))
        out.push({
          name: name === 'idempotency-key' ? 'Idempotency-Key' : name,
          in: 'header',
          required,
          description: 'Sent again with a retry: the first response is replayed instead of running twice.',
          schema: { type: 'string' },
        });
    }
  }
  return out;
}

function requestBody(schema: StandardSchemaV1 | undefined, id: string, ctx: OperationContext): JsonObject {
  if (schema === undefined) return {};
  const converted = ctx.converter.convert(schema, 'input', `${id}_body`, (m) => ctx.warn('body', m));
  return { requestBody: { required: true, content: { 'application/json': { schema: converted } } } };
}

function successResponses(def: RouteDefinition, id: string, ctx: OperationContext): [string, JsonObject][] {
  const headers: JsonObject = ctx.rateLimits.length > 0 ? { headers: RATE_LIMIT_HEADERS } : {};
  const declared = Object.entries(def.options.responses ?? {}).sort(([a], [b]) => Number(a) - Number(b));
  const out: [string, JsonObject][] = [];
  for (const [status, schema] of declared) {
    const description = REASON_PHRASES[Number(status)] ?? `Status ${status}`;
    if (schema === null) {
      // Declared without a body (`{ 204: null }`).
      out.push([status, { description, ...(Number(status) < 400 ? headers : {}) }]);
      continue;
    }
    const converted = ctx.converter.convert(schema, 'output', `${id}_${status}`, (m) =>
      ctx.warn(`responses.${status}`, m),
    );
    out.push([
      status,
      {
        description,
        ...(Number(status) < 400 ? headers : {}),
        content: { 'application/json': { schema: converted } },
      },
    ]);
  }
  if (!declared.some(([status]) => Number(status) < 400))
    out.unshift([
      '200',
      {
        description: 'Success; the route declares no response schema, so its body is not described.',
        ...headers,
      },
    ]);
  return out;
}

/** The OpenAPI operation of one route. */
export function operationOf(def: RouteDefinition, method: string, ctx: OperationContext): JsonObject {
  const segments = parsePattern(def.pattern);
  const id = operationId(method, segments);
  const { options } = def;
  const success = successResponses(def, id, ctx);
  const validates = ['params', 'query', 'headers', 'body'].some(
    (part) => options[part as 'params'] !== undefined,
  );
  const errors = routeErrors({
    protected: options.auth !== undefined && options.auth !== 'public',
    hasParams: segments.some((s) => s.kind !== 'static'),
    readsBody: options.body !== undefined,
    validates,
    rateLimited: ctx.rateLimits.length > 0,
    idempotent: options.idempotency !== undefined,
    bodyLimited: Number.isFinite(ctx.bodyLimit),
  });
  const responses: JsonObject = {};
  // A status the route declares a schema for is described by that schema, not the shared envelope.
  for (const [status, response] of [...success, ...errors])
    if (responses[status] === undefined) responses[status] = response;
  const ordered: JsonObject = {};
  for (const status of Object.keys(responses).sort()) ordered[status] = responses[status] as JsonValue;
  const first = segments[0];
  const parameters = parametersOf(def, segments, id, ctx);
  const operation: JsonObject = {
    operationId: id,
    ...(first?.kind === 'static' ? { tags: [first.value] } : {}),
    ...(parameters.length === 0 ? {} : { parameters }),
    ...requestBody(options.body, id, ctx),
    responses: ordered,
    ...routeSecurity(options.auth, ctx.security),
  };
  if (ctx.rateLimits.length > 0)
    operation['x-lift-rate-limits'] = ctx.rateLimits.map((l) => ({
      name: l.name,
      limit: l.limit,
      windowSeconds: l.windowSeconds,
      by: l.by,
    }));
  if (options.idempotency !== undefined) operation['x-lift-idempotent'] = true;
  return operation;
}
