import type { App } from '../app/app.js';
import type {
  AppDescription,
  JsonObject,
  OpenApiDocument,
  OpenApiOptions,
  OpenApiWarning,
} from '../app/describe.js';
import type { RouteDefinition } from '../app/group.js';
import { ConfigurationError } from '../errors/errors.js';
import { parsePattern, patternShape } from '../router/pattern.js';
import { ANY_METHOD } from '../router/router.js';
import { errorComponents } from './errors.js';
import { SchemaConverter } from './json-schema.js';
import { openApiPath, operationOf } from './operation.js';
import { securityOf } from './security.js';

// OpenAPI's order of operations in a path item; HEAD is answered by every GET route and not listed.
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
// What `app.all()` answers and a document can list.
const ANY = ['get', 'put', 'post', 'delete', 'patch'] as const;

const defaultWarning = (w: OpenApiWarning): void =>
  console.warn(`openapi: ${w.route} ${w.where}: ${w.message}`);

function sortedObject(entries: Iterable<[string, JsonObject]>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[key] = value;
  return out;
}

function describeApp(app: App<object>): AppDescription {
  const describe = (app as unknown as { describe?: () => AppDescription }).describe;
  if (typeof describe !== 'function')
    throw new ConfigurationError('openApiDocument: pass a Lift app (createApp from @lift/core)');
  return describe.call(app);
}

function infoOf(service: string, options: OpenApiOptions): JsonObject {
  const given = options.info ?? {};
  const info: JsonObject = {
    title: given.title ?? service,
    ...(given.summary === undefined ? {} : { summary: given.summary }),
    ...(given.description === undefined ? {} : { description: given.description }),
    version: given.version ?? '0.0.0',
  };
  for (const key of ['title', 'version'] as const)
    if (typeof info[key] !== 'string' || info[key] === '')
      throw new ConfigurationError(`openApiDocument: info.${key} must be a non-empty string`);
  return info;
}

function serversOf(options: OpenApiOptions): JsonObject {
  if (options.servers === undefined) return {};
  return {
    servers: options.servers.map((server) => {
      const s = typeof server === 'string' ? { url: server } : server;
      if (typeof s?.url !== 'string' || s.url === '')
        throw new ConfigurationError('openApiDocument: each server needs a url');
      return { url: s.url, ...(s.description === undefined ? {} : { description: s.description }) };
    }),
  };
}

/**
 * The OpenAPI 3.1 document of an app, built from its route table: every route's path, parameters,
 * request body and responses from its Standard Schemas, the error responses Lift gives on it, the
 * security schemes of its access control, its rate limits and idempotency. Synchronous, and stable:
 * the same app gives a byte-identical document whatever order its routes were registered in.
 * A schema the document cannot state exactly is named through `options.onWarning` and described
 * permissively, never left out.
 */
export function openApiDocument(app: App<object>, options: OpenApiOptions = {}): OpenApiDocument {
  const described = describeApp(app);
  const onWarning = options.onWarning ?? defaultWarning;
  const info = infoOf(described.service, options);
  const servers = serversOf(options);
  const security = securityOf(described.access, (message) =>
    onWarning({ route: 'app', where: 'access', message }),
  );
  const errors = errorComponents();
  // A user's schema named like the envelope (`.meta({ id: 'Error' })`) gets another name, never its place.
  const converter = new SchemaConverter(new Set(Object.keys(errors.schemas as JsonObject)));
  const operationIds = new Set<string>();
  const paths = new Map<string, Map<string, JsonObject>>();
  const shapes = new Map<string, string>();
  const routes = [...described.routes].sort(byPattern);
  for (const def of routes) {
    const route = `${def.method} ${def.pattern}`;
    const segments = parsePattern(def.pattern);
    const path = openApiPath(segments);
    // OpenAPI treats /a/{id} and /a/{key} as one path; Lift lets two methods name the parameter apart.
    const shape = patternShape(segments);
    const seen = shapes.get(shape);
    if (seen !== undefined && seen !== path)
      onWarning({
        route,
        where: 'path',
        message: `${path} and ${seen} are the same path to OpenAPI; name the parameters alike`,
      });
    shapes.set(shape, path);
    const item = paths.get(path) ?? new Map<string, JsonObject>();
    paths.set(path, item);
    const methods =
      def.method === ANY_METHOD
        ? ANY.filter(
            (m) =>
              !routes.some((r) => r !== def && r.pattern === def.pattern && r.method === m.toUpperCase()),
          )
        : [def.method.toLowerCase()];
    const warn = (where: string, message: string) => onWarning({ route, where, message });
    const context = {
      converter,
      security,
      bodyLimit: described.bodyLimit,
      rateLimits: described.rateLimits(route, def.options.rateLimit),
      warn,
    };
    for (const method of methods) {
      const operation = operationOf(def, method, context);
      // Ids come from the words of the path, so `/a/by-id` and `/a/:id` can meet: the later (in
      // sorted order) gets a number, and the clash is named.
      const base = operation.operationId as string;
      let id = base;
      for (let i = 2; operationIds.has(id); i++) id = `${base}${i}`;
      if (id !== base) {
        operation.operationId = id;
        warn('operationId', `${base} is taken by another route; this operation is ${id}`);
      }
      operationIds.add(id);
      if (def.method === ANY_METHOD) operation['x-lift-any-method'] = true;
      item.set(method, operation);
    }
  }
  const pathsObject: { [path: string]: JsonObject } = {};
  for (const [path, item] of [...paths].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ordered: JsonObject = {};
    for (const method of METHODS) {
      const operation = item.get(method);
      if (operation !== undefined) ordered[method] = operation;
    }
    pathsObject[path] = ordered;
  }
  const components: JsonObject = {
    schemas: sortedObject([
      ...Object.entries(errors.schemas as Record<string, JsonObject>),
      ...converter.components,
    ]),
    responses: errors.responses,
    headers: errors.headers,
  };
  if (security.schemes.length > 0) components.securitySchemes = sortedObject(security.schemes);
  return {
    openapi: '3.1.1',
    info,
    ...servers,
    paths: pathsObject,
    components,
  } as OpenApiDocument;
}

// Registration order must not show in the document: routes are taken by pattern, then method.
function byPattern(a: RouteDefinition, b: RouteDefinition): number {
  const x = `${a.pattern} ${a.method}`;
  const y = `${b.pattern} ${b.method}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The document as JSON text: two-space indents and a final newline, as committed files keep it. */
export function openApiJson(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
