/**
 * Property: whatever shape a request takes (repeated keys, arrays, objects, nesting, percent- and
 * case-encodings, JSON, +json and form bodies, every HTTP source), a handler that looks at every
 * view Lift gives it never sees a tenant other than the principal's, or a company the principal
 * does not hold: such a request is refused before the handler runs. And a request that names only
 * the principal's own tenant and company, however it is encoded or nested, is let through.
 *
 * The observer and the JSON walk below are written apart from the implementation.
 * `npm run test:mutation` removes each guard of the tenant check in turn and requires this file to fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import type { Context, RequestInput } from '../context/context.js';
import type { Principal } from '../context/principal.js';
import type { TestSource } from '../testing/request.js';
import { createAccessControl } from './access-control.js';

const TENANT = 't-1';
const COMPANY = 'c-1';
const member: Principal = Object.freeze({
  userId: 'u-1',
  tenantId: TENANT,
  accountId: undefined,
  roles: ['user'],
  scopes: [],
  authMethod: 'jwt' as const,
  claims: { sub: 'u-1', companyIds: [COMPANY] },
});
// A cross-tenant role from an issuer that speaks for t-1 and t-3 only.
const PARTNER_TENANTS = new Set([TENANT, 't-3']);
const partner: Principal = Object.freeze({
  ...member,
  userId: 'u-partner',
  roles: ['super_admin'],
  tenantScope: (tenant: string) => PARTNER_TENANTS.has(tenant),
});
const PRINCIPALS = { member, partner } as const;

// Every value a handler could read for a field, from every view of the request Lift offers.
function observe(ctx: Context<RequestInput, object>): { tenants: unknown[]; companies: unknown[] } {
  const tenants: unknown[] = [];
  const companies: unknown[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) walk(item);
    else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
      for (const [key, item] of Object.entries(value)) {
        if (key === 'tenantId') tenants.push(item);
        if (key === 'companyId') companies.push(item);
        walk(item);
      }
    }
  };
  walk(ctx.params);
  walk(ctx.query);
  walk(ctx.queryMulti());
  tenants.push(...ctx.queryAll('tenantId'));
  companies.push(...ctx.queryAll('companyId'));
  const header = ctx.header('x-tenant-id');
  if (header !== undefined) tenants.push(header);
  const headers = ctx.headers as Record<string, unknown>;
  if (headers['x-tenant-id'] !== undefined) tenants.push(headers['x-tenant-id']);
  walk(ctx.headers);
  walk(ctx.body);
  return { tenants, companies };
}

// A schema that moves `tenant` to `tenantId`: the handler sees a field the raw request never named.
const renaming = z
  .unknown()
  .transform((value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && 'tenant' in value
      ? { ...value, tenantId: (value as { tenant: unknown }).tenant }
      : value,
  );

const app = createApp({
  service: 'tenant-property',
  logger: false,
  metrics: false,
  tracing: false,
  access: createAccessControl({
    authenticators: [(ctx) => PRINCIPALS[ctx.header('authorization')?.slice(7) as keyof typeof PRINCIPALS]],
    permissions: { user: [{ resource: 'stats', action: 'read' }] },
    crossTenantRoles: ['super_admin'],
    audit: () => {},
  }),
});
// Every route answers with what its handler could see; the schema route's input types are `unknown`.
const handler = (ctx: unknown) => observe(ctx as Context<RequestInput, object>);
app.post('/tenants/:tenantId/items', { auth: {} }, handler);
app.post('/schema/:tenantId', { auth: {}, query: renaming, body: renaming }, handler);
const companyScoped = {
  auth: { permissions: [{ resource: 'stats', action: 'read', context: ['companyId'] }] },
};
app.post('/companies/:companyId/stats', companyScoped, handler);
// The same permission on a route whose path names no company: the request must name one elsewhere.
app.post('/stats', companyScoped, handler);

const SOURCES: readonly TestSource[] = ['apigw-http', 'apigw-rest', 'function-url', 'alb', 'alb-multi'];
const ROUTES = ['/tenants/', '/schema/', '/companies/', '/stats'] as const;
// `param` of a /stats request: the company sent in the query, or none at all.
const NONE = '(none)';
const CONTENT_TYPES = {
  json: [
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/vnd.api+json',
  ],
  form: ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=UTF-8'],
} as const;

interface Shape {
  who: keyof typeof PRINCIPALS;
  source: TestSource;
  route: (typeof ROUTES)[number];
  param: string;
  query: [string, string][];
  headers: [string, string][];
  body:
    | { kind: 'none' }
    | { kind: 'json'; type: string; value: unknown }
    | { kind: 'form'; type: string; pairs: [string, string][] }
    | { kind: 'text'; value: unknown };
}

function send(shape: Shape) {
  const named = shape.query.some(([k]) => decodeURIComponent(k) === 'companyId');
  const pairs =
    shape.route === '/stats' && shape.param !== NONE && !named
      ? [['companyId', shape.param], ...shape.query]
      : shape.query;
  const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
  const path =
    shape.route === '/stats'
      ? '/stats'
      : `${shape.route}${shape.param}${shape.route === '/tenants/' ? '/items' : shape.route === '/companies/' ? '/stats' : ''}`;
  const headers: Record<string, string | string[]> = { authorization: `Bearer ${shape.who}` };
  for (const [name, value] of shape.headers) {
    const prior = headers[name];
    headers[name] = prior === undefined ? value : [prior, value].flat();
  }
  let body: string | undefined;
  if (shape.body.kind === 'json') {
    headers['content-type'] = shape.body.type;
    body = JSON.stringify(shape.body.value);
  } else if (shape.body.kind === 'form') {
    headers['content-type'] = shape.body.type;
    body = shape.body.pairs.map(([k, v]) => `${k}=${v}`).join('&');
  } else if (shape.body.kind === 'text') {
    headers['content-type'] = 'text/plain';
    body = JSON.stringify(shape.body.value);
  }
  return app.request({
    method: 'POST',
    path: query === '' ? path : `${path}?${query}`,
    headers,
    source: shape.source,
    ...(body === undefined ? {} : { body }),
  });
}

// Encoded spellings of the principal's own values and of others'.
const OWN = ['t-1', 't%2D1', '%74-1'];
const OTHER = ['t-2', 't%2D2', 't-3', 'T-1', 't-1%20', '%20t-1'];
const OWN_COMPANY = ['c-1', 'c%2D1'];
const OTHER_COMPANY = ['c-2', 'C-1'];
const KEYS = ['tenantId', 'tenant%49d', 'tenant', 'companyId', 'company%49d', 'note'];
const HEADER_NAMES = ['x-tenant-id', 'X-Tenant-Id', 'X-TENANT-ID'];

type Pair = [string, string];
const pair = (key: fc.Arbitrary<string>, value: fc.Arbitrary<string>) =>
  fc.tuple(key, value) as fc.Arbitrary<Pair>;
const option = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const defined = <T>(items: (T | undefined)[]) => items.filter((item): item is T => item !== undefined);

/** JSON values naming tenants and companies at any depth; `hostile` ones may name others or wrong types. */
function jsonValue(hostile: boolean): fc.Arbitrary<unknown> {
  const mostlyOwn = <T>(own: T, others: fc.Arbitrary<unknown>) =>
    hostile
      ? fc.oneof({ arbitrary: fc.constant(own), weight: 2 }, { arbitrary: others, weight: 1 })
      : fc.constant(own);
  const tenant = mostlyOwn(
    't-1',
    fc.constantFrom<unknown>('t-2', 'T-1', '', ' t-1', null, 7, ['t-2'], ['t-1'], { $ne: null }),
  );
  const company = mostlyOwn('c-1', fc.constantFrom<unknown>('c-2', ['c-1'], null));
  return fc.letrec<{ node: unknown; leaf: unknown; object: unknown; array: unknown }>((tie) => ({
    node: fc.oneof({ depthSize: 'medium' }, tie('leaf'), tie('object'), tie('array')),
    leaf: fc.oneof(fc.constantFrom('x', 'y'), fc.integer(), fc.constant(null)),
    object: fc
      .array(
        fc.oneof(
          fc.tuple(fc.constantFrom('tenantId', 'tenant'), tenant),
          fc.tuple(fc.constant('companyId'), company),
          fc.tuple(fc.constantFrom('order', 'items', 'name'), tie('node')),
        ),
        { maxLength: 4 },
      )
      .map((entries) => Object.fromEntries(entries)),
    array: fc.array(tie('node'), { maxLength: 3 }),
  })).node;
}

/** Puts `value` under `field` at the end of `path` inside `base` (objects for names, arrays for indexes). */
function plant(base: unknown, path: readonly (string | number)[], field: string, value: unknown): unknown {
  const [step, ...rest] = path;
  if (step === undefined) {
    const host = typeof base === 'object' && base !== null && !Array.isArray(base) ? base : {};
    return { ...host, [field]: value };
  }
  if (typeof step === 'number') {
    const list = Array.isArray(base) ? [...base] : [];
    list[Math.min(step, list.length)] = plant(list[step], rest, field, value);
    return list;
  }
  const host = typeof base === 'object' && base !== null && !Array.isArray(base) ? base : {};
  return { ...host, [step]: plant((host as Record<string, unknown>)[step], rest, field, value) };
}

/** A clean JSON value with one hostile tenant or company planted at a random depth. */
const plantedJson = fc
  .tuple(
    jsonValue(false),
    fc.array(fc.constantFrom<string | number>('order', 'items', 0, 1), { maxLength: 4 }),
    fc.constantFrom('tenantId', 'tenant', 'companyId'),
    fc.constantFrom<unknown>('t-2', 'c-2', ['t-2'], { $ne: null }, null),
  )
  .map(([base, path, field, value]) => plant(base, path, field, value));

/**
 * Request shapes. Clean parts name only the principal's own tenant and company (each at most once
 * outside the body); hostile parts repeat keys, name others, change types. A hostile shape mixes
 * them part by part, so most requests carry one hostile part hidden among clean ones.
 */
function shapes(own: boolean): fc.Arbitrary<Shape> {
  const mixed = <T>(clean: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>) =>
    own ? clean : fc.oneof({ arbitrary: clean, weight: 3 }, { arbitrary: hostile, weight: 1 });
  const anyTenant = fc.constantFrom(...OWN, ...OTHER);
  const anyCompany = fc.constantFrom(...OWN_COMPANY, ...OTHER_COMPANY);
  const cleanQuery = fc
    .tuple(
      fc.array(fc.constant<Pair>(['note', 'x']), { maxLength: 2 }),
      option(pair(fc.constantFrom('tenantId', 'tenant%49d'), fc.constantFrom(...OWN))),
      option(pair(fc.constantFrom('companyId', 'company%49d'), fc.constantFrom(...OWN_COMPANY))),
      option(pair(fc.constant('tenant'), fc.constantFrom(...OWN))),
    )
    .map(([notes, ...named]) => [...notes, ...defined(named)]);
  const hostileQuery = fc.array(pair(fc.constantFrom(...KEYS), fc.oneof(anyTenant, anyCompany)), {
    minLength: 1,
    maxLength: 3,
  });
  const cleanHeaders = fc.array(pair(fc.constantFrom(...HEADER_NAMES), fc.constant('t-1')), { maxLength: 1 });
  const hostileHeaders = fc.array(
    pair(fc.constantFrom(...HEADER_NAMES), fc.constantFrom('t-1', 't-2', ' t-1', '')),
    {
      minLength: 1,
      maxLength: 2,
    },
  );
  const cleanForm = fc
    .tuple(
      option(pair(fc.constant('tenantId'), fc.constantFrom(...OWN))),
      option(pair(fc.constant('companyId'), fc.constantFrom(...OWN_COMPANY))),
    )
    .map(defined);
  const hostileForm = fc.array(pair(fc.constantFrom(...KEYS), fc.oneof(anyTenant, anyCompany)), {
    minLength: 1,
    maxLength: 3,
  });
  const body = (hostile: boolean): fc.Arbitrary<Shape['body']> =>
    fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({
        kind: fc.constant('json' as const),
        type: fc.constantFrom(...CONTENT_TYPES.json),
        value: hostile ? fc.oneof(jsonValue(true), plantedJson) : jsonValue(false),
      }),
      fc.record({
        kind: fc.constant('form' as const),
        type: fc.constantFrom(...CONTENT_TYPES.form),
        pairs: hostile ? hostileForm : cleanForm,
      }),
      // Text is not data: Lift never parses it, so whatever it says is the handler's business.
      fc.record({ kind: fc.constant('text' as const), value: jsonValue(true) }),
    );
  return fc.constantFrom(...ROUTES).chain((route) => {
    const companies = route === '/companies/' || route === '/stats';
    const ownParam = companies ? OWN_COMPANY : OWN;
    const otherParam = route === '/stats' ? [...OTHER_COMPANY, NONE] : companies ? OTHER_COMPANY : OTHER;
    return fc.record({
      who: fc.constantFrom<keyof typeof PRINCIPALS>('member', 'partner'),
      source: fc.constantFrom(...SOURCES),
      route: fc.constant(route),
      param: mixed(fc.constantFrom(...ownParam), fc.constantFrom(...otherParam)),
      query: mixed(cleanQuery, hostileQuery),
      headers: mixed(cleanHeaders, hostileHeaders),
      body: mixed(body(false), body(true)),
    });
  });
}

// One example of each attack class, so every guard is exercised whatever the random seed.
const attack = (overrides: Partial<Shape>): [Shape] => [
  {
    source: 'apigw-http',
    route: '/tenants/',
    param: 't-1',
    query: [],
    headers: [],
    body: { kind: 'none' },
    who: 'member',
    ...overrides,
  },
];
const ATTACKS: [Shape][] = [
  attack({
    query: [
      ['tenantId', 't-1'],
      ['tenantId', 't-2'],
    ],
  }),
  attack({
    source: 'apigw-rest',
    query: [
      ['tenantId', 't-1'],
      ['tenantId', 't-2'],
    ],
  }),
  attack({ param: 't-2' }),
  attack({ headers: [['x-tenant-id', 't-2']] }),
  attack({ body: { kind: 'json', type: 'application/json', value: { tenantId: ['t-2'] } } }),
  attack({ body: { kind: 'json', type: 'application/json', value: { tenantId: { $ne: null } } } }),
  attack({ body: { kind: 'json', type: 'application/vnd.api+json', value: { order: { tenantId: 't-2' } } } }),
  attack({
    body: { kind: 'json', type: 'application/json', value: [{ tenantId: 't-1' }, { tenantId: 't-2' }] },
  }),
  attack({
    body: {
      kind: 'form',
      type: 'application/x-www-form-urlencoded',
      pairs: [
        ['tenantId', 't-1'],
        ['tenantId', 't-2'],
      ],
    },
  }),
  attack({ route: '/schema/', query: [['tenant', 't-2']] }),
  attack({ route: '/schema/', body: { kind: 'json', type: 'application/json', value: { tenant: 't-2' } } }),
  attack({
    route: '/companies/',
    param: 'c-1',
    query: [['companyId', 'c-1']],
    body: { kind: 'json', type: 'application/json', value: { companyId: 'c-2' } },
  }),
  attack({
    route: '/companies/',
    param: 'c-1',
    query: [
      ['companyId', 'c-1'],
      ['companyId', 'c-2'],
    ],
  }),
  attack({ route: '/companies/', param: 'c-2' }),
  attack({ route: '/stats', param: NONE }),
  attack({ route: '/schema/', body: { kind: 'json', type: 'application/json', value: { tenant: ['t-2'] } } }),
  attack({ who: 'partner', param: 't-2' }),
];

// What the handler saw that it must never see: a tenant the principal may not act on (its own, or
// for the partner's cross-tenant role those of its issuer), and on the permission routes no company
// or one the principal does not hold (elsewhere a company is just data).
const violates = (seen: { tenants: unknown[]; companies: unknown[] }, shape: Shape) =>
  seen.tenants.some((t) => (shape.who === 'partner' ? !PARTNER_TENANTS.has(t as string) : t !== TENANT)) ||
  ((shape.route === '/companies/' || shape.route === '/stats') &&
    (seen.companies.length === 0 || seen.companies.some((c) => c !== COMPANY)));

describe('tenant isolation property', () => {
  it('a handler never observes another tenant or an unheld company (2,000 request shapes)', async () => {
    await fc.assert(
      fc.asyncProperty(shapes(false), async (shape) => {
        const res = await send(shape);
        expect([200, 400, 403, 404, 422]).toContain(res.status);
        if (res.status === 200) {
          const seen = res.json<{ tenants: unknown[]; companies: unknown[] }>();
          expect(violates(seen, shape), JSON.stringify(seen)).toBe(false);
        }
      }),
      { numRuns: 2000, examples: ATTACKS },
    );
  }, 60_000);

  it("a request naming only the principal's own tenant and company passes, however encoded or nested", async () => {
    await fc.assert(
      fc.asyncProperty(shapes(true), async (shape) => {
        const res = await send(shape);
        expect(res.status, res.text()).toBe(200);
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});
