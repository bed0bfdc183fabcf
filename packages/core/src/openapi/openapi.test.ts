import { Validator } from '@seriousme/openapi-schema-validator';
import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type App, createApp } from '../app/app.js';
import type { JsonObject, OpenApiDocument, OpenApiWarning } from '../app/describe.js';
import { createAccessControl } from '../auth/access-control.js';
import { apiKeyAuthenticator, memoryApiKeyStore } from '../auth/api-keys.js';
import { jwtAuthenticator } from '../auth/jwt.js';
import { rateLimits } from '../ratelimit/limits.js';
import { memoryRateLimitStore } from '../ratelimit/memory-store.js';
import { memoryNonceStore } from '../signing/nonces.js';
import { signatureAuthenticator } from '../signing/verifier.js';
import { openApiDocument, openApiJson } from './index.js';

const SECRET = 'a-shared-secret-of-at-least-32-characters';
const ISSUER = 'https://issuer.lift.test';

function secured() {
  return createApp({
    service: 'orders',
    access: createAccessControl({
      authenticators: [
        jwtAuthenticator({
          issuers: [{ issuer: ISSUER, audience: 'api', algorithms: ['HS256'], secrets: [SECRET] }],
        }),
        apiKeyAuthenticator({ store: memoryApiKeyStore() }),
        signatureAuthenticator({ keys: () => undefined, nonces: memoryNonceStore() }),
      ],
    }),
    rateLimits: rateLimits({
      store: memoryRateLimitStore(),
      policies: { writes: { limit: 10, window: '1m', by: 'user' } },
    }),
  });
}

const item = z.object({ id: z.string(), name: z.string(), createdAt: z.date() });

/** Registers the same routes in the order given, so tests can show the order does not matter. */
function register(app: App, order: readonly number[]): App {
  const routes: ((a: App) => void)[] = [
    (a) => a.get('/health', { auth: 'public' }, () => ({ ok: true })),
    (a) =>
      a.get(
        '/items/:id',
        { auth: { roles: ['user'] }, params: z.object({ id: z.string().uuid() }), responses: { 200: item } },
        () => undefined,
      ),
    (a) =>
      a.post(
        '/items',
        {
          auth: { scopes: ['items:write'], permissions: [{ resource: 'item', action: 'create' }] },
          body: z.object({ name: z.string().min(1), tags: z.array(z.string()).default([]) }),
          responses: { 201: item },
          rateLimit: ['writes', { limit: 100, window: '1h', name: 'hourly' }],
          idempotency: { required: true },
        },
        () => undefined,
      ),
    (a) =>
      a.get(
        '/items',
        {
          auth: {},
          query: z.object({ limit: z.coerce.number().int().max(100).optional(), cursor: z.string() }),
        },
        () => [],
      ),
    (a) => a.get('/files/{path+}', { auth: 'public' }, () => undefined),
  ];
  for (const i of order) (routes[i] as (a: App) => void)(app);
  return app;
}

function generate(app: App, warnings: OpenApiWarning[] = []): OpenApiDocument {
  return openApiDocument(app, { info: { version: '1.2.3' }, onWarning: (w) => warnings.push(w) });
}

const op = (doc: OpenApiDocument, path: string, method: string) =>
  (doc.paths[path] as Record<string, JsonObject>)[method] as JsonObject & {
    parameters?: JsonObject[];
    responses: Record<string, JsonObject>;
  };

async function expectValid(doc: OpenApiDocument): Promise<void> {
  const result = await new Validator().validate(JSON.parse(JSON.stringify(doc)));
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
}

describe('openApiDocument', () => {
  it('produces a document that passes an OpenAPI 3.1 validator', async () => {
    const doc = generate(register(secured(), [0, 1, 2, 3, 4]));
    expect(doc.openapi).toBe('3.1.1');
    expect(doc.info).toEqual({ title: 'orders', version: '1.2.3' });
    await expectValid(doc);
  });

  it('the validator refuses a broken document, so the check above can fail', async () => {
    const doc = generate(register(secured(), [1])) as unknown as { paths: Record<string, unknown> };
    doc.paths['/items/{id}'] = { get: { responses: 'none' } };
    expect((await new Validator().validate(doc)).valid).toBe(false);
  });

  it('converts patterns: :param and {param} to templates, a catch-all to one parameter', () => {
    const doc = generate(register(secured(), [0, 1, 4]));
    expect(Object.keys(doc.paths)).toEqual(['/files/{path}', '/health', '/items/{id}']);
    const [param] = op(doc, '/files/{path}', 'get').parameters ?? [];
    expect(param).toMatchObject({ name: 'path', in: 'path', required: true, 'x-lift-catch-all': true });
    expect(op(doc, '/items/{id}', 'get').operationId).toBe('getItemsById');
  });

  it('lists params and query fields as parameters, required as the schema says', () => {
    const doc = generate(register(secured(), [1, 3]));
    expect(op(doc, '/items/{id}', 'get').parameters).toEqual([
      {
        name: 'id',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'string', format: 'uuid' }),
      },
    ]);
    const query = op(doc, '/items', 'get').parameters ?? [];
    expect(query.map((p) => [p.name, p.in, p.required])).toEqual([
      ['limit', 'query', false],
      ['cursor', 'query', true],
    ]);
  });

  it('describes the body by its input and the response by its output (a Date as its ISO string)', () => {
    const warnings: OpenApiWarning[] = [];
    const doc = generate(register(secured(), [2]), warnings);
    const post = op(doc, '/items', 'post');
    const body = (post.requestBody as { content: Record<string, { schema: JsonObject }> }).content[
      'application/json'
    ]?.schema as { required: string[] };
    // `tags` has a default: a client may leave it out.
    expect(body.required).toEqual(['name']);
    const created = post.responses['201'] as {
      content: Record<string, { schema: { properties: JsonObject } }>;
    };
    expect(created.content['application/json']?.schema.properties.createdAt).toEqual({
      type: 'string',
      format: 'date-time',
    });
    expect(warnings).toEqual([]);
  });

  it('describes a status declared without a body ({ 204: null }) with no content, and no bare 200', () => {
    const app = createApp({ service: 'empty' });
    app.delete('/things/:id', { responses: { 204: null } }, () => undefined);
    const del = op(generate(app), '/things/{id}', 'delete');
    expect(del.responses['204']).toEqual({ description: 'No Content' });
    expect(del.responses['200']).toBeUndefined();
  });

  it('keeps operation ids unique, numbering a clash and naming it', () => {
    const app = createApp({ service: 'ids' });
    app.get('/batches/by-id', () => 1);
    app.get('/batches/:id', () => 2);
    const warnings: OpenApiWarning[] = [];
    const doc = generate(app, warnings);
    const ids = [op(doc, '/batches/by-id', 'get').operationId, op(doc, '/batches/{id}', 'get').operationId];
    expect(new Set(ids).size).toBe(2);
    expect(warnings.map((w) => w.where)).toContain('operationId');
  });

  it('envelope hijack: a user schema named Error never replaces the error envelope', () => {
    const app = createApp({ service: 'names' });
    const mine = z.object({ oops: z.string() }).meta({ id: 'Error' });
    app.get('/x', { responses: { 200: mine } }, () => ({ oops: 'x' }));
    const doc = generate(app);
    const schemas = (doc.components as { schemas: Record<string, JsonObject> }).schemas;
    expect(JSON.stringify(schemas.Error)).not.toContain('oops');
    expect(Object.values(schemas).some((s) => JSON.stringify(s).includes('oops'))).toBe(true);
  });

  it('names a schema it cannot express in a warning and describes it permissively', () => {
    const warnings: OpenApiWarning[] = [];
    const app = createApp({ service: 'dates' });
    app.post('/events', { body: z.object({ at: z.date(), n: z.number() }) }, () => undefined);
    app.get('/len', { responses: { 200: z.string().transform((s) => s.length) } }, () => 'x');
    const doc = generate(app, warnings);
    expect(warnings.map((w) => `${w.route} ${w.where}`)).toEqual([
      'POST /events body',
      'GET /len responses.200',
    ]);
    expect(warnings[0]?.message).toMatch(/Date.*at/);
    expect(warnings[1]?.message).toMatch(/Transforms/);
    const body = (
      op(doc, '/events', 'post').requestBody as { content: Record<string, { schema: JsonObject }> }
    ).content['application/json']?.schema as { properties: JsonObject };
    expect(body.properties).toEqual({ at: {}, n: { type: 'number' } });
  });

  it('applies the security schemes of the access control per route, with roles and permissions', () => {
    const doc = generate(register(secured(), [0, 1, 2]));
    const schemes = (doc.components as { securitySchemes: Record<string, JsonObject> }).securitySchemes;
    expect(Object.keys(schemes)).toEqual(['apiKey', 'bearerJwt', 'requestSignature']);
    expect(schemes.bearerJwt).toMatchObject({ type: 'http', scheme: 'bearer', 'x-lift-issuers': [ISSUER] });
    expect(schemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    expect(schemes.requestSignature?.['x-lift-signature-headers']).toContain('x-lift-nonce');
    expect(op(doc, '/health', 'get').security).toBeUndefined();
    const get = op(doc, '/items/{id}', 'get');
    expect(get.security).toEqual([{ bearerJwt: [] }, { apiKey: [] }, { requestSignature: [] }]);
    expect(get['x-lift-roles']).toEqual(['user']);
    const post = op(doc, '/items', 'post');
    expect(post.security).toEqual([
      { bearerJwt: ['items:write'] },
      { apiKey: ['items:write'] },
      { requestSignature: ['items:write'] },
    ]);
    expect(post['x-lift-permissions']).toEqual([{ resource: 'item', action: 'create' }]);
  });

  it('warns about an authenticator it cannot describe', () => {
    const warnings: OpenApiWarning[] = [];
    const app = createApp({
      service: 'custom',
      access: createAccessControl({ authenticators: [() => undefined] }),
    });
    app.get('/me', { auth: {} }, () => ({}));
    const doc = generate(app, warnings);
    expect(warnings).toEqual([
      { route: 'app', where: 'access', message: expect.stringMatching(/authenticator 1/) },
    ]);
    expect(op(doc, '/me', 'get').security).toBeUndefined();
    expect(Object.keys(op(doc, '/me', 'get').responses)).toContain('401');
  });

  it('gives each route the error statuses Lift can answer it with, from shared components', () => {
    const doc = generate(register(secured(), [0, 1, 2]));
    expect(Object.keys(op(doc, '/health', 'get').responses)).toEqual(['200', '500']);
    expect(Object.keys(op(doc, '/items/{id}', 'get').responses)).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '422',
      '500',
    ]);
    const post = op(doc, '/items', 'post').responses;
    expect(Object.keys(post)).toEqual([
      '201',
      '400',
      '401',
      '403',
      '409',
      '413',
      '415',
      '422',
      '429',
      '500',
      '503',
    ]);
    expect(post['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    const components = doc.components as {
      schemas: Record<string, JsonObject>;
      responses: Record<string, JsonObject>;
    };
    expect(components.schemas.Error).toMatchObject({ required: ['error'] });
    expect(components.responses.TooManyRequests?.headers).toMatchObject({
      RateLimit: { $ref: '#/components/headers/RateLimit' },
      'Retry-After': { $ref: '#/components/headers/Retry-After' },
    });
  });

  it('states rate limits (headers on success, policies as an extension) and the idempotency key', () => {
    const post = op(generate(register(secured(), [2])), '/items', 'post');
    expect(post['x-lift-rate-limits']).toEqual([
      { name: 'writes', limit: 10, windowSeconds: 60, by: 'user' },
      { name: 'hourly', limit: 100, windowSeconds: 3600, by: 'ip' },
    ]);
    expect(post.responses['201']?.headers).toEqual({
      RateLimit: { $ref: '#/components/headers/RateLimit' },
      'RateLimit-Policy': { $ref: '#/components/headers/RateLimit-Policy' },
    });
    expect(post.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
    );
    expect(post['x-lift-idempotent']).toBe(true);
  });

  it('is stable: the same app twice, or registered in another order, gives the same bytes', () => {
    const a = openApiJson(generate(register(secured(), [0, 1, 2, 3, 4])));
    const b = openApiJson(generate(register(secured(), [0, 1, 2, 3, 4])));
    const c = openApiJson(generate(register(secured(), [4, 2, 3, 0, 1])));
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(a.endsWith('}\n')).toBe(true);
  });

  it('reads valibot (through toStandardJsonSchema) and arktype schemas', async () => {
    const warnings: OpenApiWarning[] = [];
    const app = createApp({ service: 'vendors' });
    app.post('/v', { body: toStandardJsonSchema(v.object({ name: v.string(), when: v.date() })) }, () => 1);
    app.post('/a', { body: type({ name: 'string', 'age?': 'number.integer' }) }, () => 1);
    app.post('/a/dated', { body: type({ at: 'Date' }) }, () => 1);
    app.post('/plain', { body: v.object({ name: v.string() }) }, () => 1);
    const doc = generate(app, warnings);
    const bodyOf = (path: string) =>
      (op(doc, path, 'post').requestBody as { content: Record<string, { schema: JsonObject }> }).content[
        'application/json'
      ]?.schema;
    expect(bodyOf('/a')).toEqual({
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' } },
      required: ['name'],
    });
    expect(bodyOf('/v')).toMatchObject({ type: 'object', properties: { name: { type: 'string' } } });
    expect(bodyOf('/plain')).toEqual({ description: expect.stringMatching(/cannot be converted/) });
    expect(warnings.map((w) => w.route)).toEqual(['POST /a/dated', 'POST /plain', 'POST /v']);
    expect(warnings[0]?.message).toMatch(/date/);
    expect(warnings[2]?.message).toMatch(/date/);
    await expectValid(doc);
  });

  it('moves shared and recursive definitions into components', async () => {
    const category = z.object({ name: z.string() }).meta({ id: 'Category' });
    interface Node {
      name: string;
      children: Node[];
    }
    const node: z.ZodType<Node> = z.lazy(() => z.object({ name: z.string(), children: z.array(node) }));
    const app = createApp({ service: 'tree' });
    app.post('/a', { body: z.object({ category }) }, () => 1);
    app.post('/b', { body: z.object({ main: category, other: category }) }, () => 1);
    app.post('/tree', { body: node }, () => 1);
    const doc = generate(app);
    const schemas = (doc.components as { schemas: Record<string, JsonObject> }).schemas;
    expect(schemas.Category).toEqual({
      type: 'object',
      properties: { name: { type: 'string' } },
      required: ['name'],
    });
    expect(Object.keys(schemas).filter((k) => k.startsWith('Category'))).toEqual(['Category']);
    expect(JSON.stringify(doc)).not.toContain('#/$defs');
    await expectValid(doc);
  });

  it('app.openapi() loads the generator and defaults info from the service', async () => {
    const app = register(secured(), [0]);
    const doc = await app.openapi({ servers: ['https://api.example.com'] });
    expect(doc.info).toEqual({ title: 'orders', version: '0.0.0' });
    expect(doc.servers).toEqual([{ url: 'https://api.example.com' }]);
  });

  it('refuses what is not an app, and bad options, with a clear error', () => {
    expect(() => openApiDocument({} as App)).toThrow(/pass a Lift app/);
    expect(() => openApiDocument(createApp({ service: 's' }), { info: { title: '' } })).toThrow(/info.title/);
    expect(() => openApiDocument(createApp({ service: 's' }), { servers: [''] })).toThrow(/url/);
  });
});
