/**
 * Tenant isolation and permission-context attacks, each named after the attack, through
 * `app.request` with real-shaped events of every HTTP source. The principal belongs to tenant t-1
 * and holds company c-1.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import type { Principal } from '../context/principal.js';
import type { AuditEvent } from '../observability/audit.js';
import { httpApiEvent, restApiEvent } from '../testing/events.js';
import { fakeLambdaContext } from '../testing/lambda-context.js';
import { readResult, type TestRequestInit, type TestSource } from '../testing/request.js';
import { createAccessControl } from './access-control.js';

const member = (overrides: Partial<Principal> = {}): Principal => ({
  userId: 'u-1',
  tenantId: 't-1',
  accountId: undefined,
  roles: ['user'],
  scopes: [],
  authMethod: 'jwt',
  claims: { companyIds: ['c-1'] },
  ...overrides,
});
const PRINCIPALS: Record<string, Principal> = {
  member: member(),
  admin: member({ userId: 'u-admin', roles: ['super_admin'] }),
  partnerAdmin: member({
    userId: 'u-partner',
    roles: ['super_admin'],
    tenantScope: (tenant) => tenant === 't-1' || tenant === 't-3',
  }),
};

function build(audit: AuditEvent[] = []) {
  const app = createApp({
    service: 'tenants',
    logger: false,
    metrics: false,
    tracing: false,
    access: createAccessControl({
      authenticators: [(ctx) => PRINCIPALS[ctx.header('authorization')?.slice(7) ?? '']],
      permissions: { user: [{ resource: 'stats', action: 'read' }] },
      crossTenantRoles: ['super_admin'],
      audit: (event) => audit.push(event),
    }),
  });
  // Each handler answers with what it would act on.
  app.post('/tenants/:tenantId/orders', { auth: {} }, (ctx) => ({
    query: ctx.queryAll('tenantId'),
    body: ctx.body ?? null,
  }));
  app.post(
    '/orders',
    {
      auth: {},
      query: z.object({ tenant: z.string().optional() }).transform((q) => ({ tenantId: q.tenant ?? 't-1' })),
      body: z
        .looseObject({ owner: z.string().optional() })
        .transform(({ owner, ...rest }) => (owner === undefined ? rest : { ...rest, tenantId: owner })),
    },
    (ctx) => ({ tenant: ctx.query.tenantId, body: ctx.body }),
  );
  app.post(
    '/stats',
    { auth: { permissions: [{ resource: 'stats', action: 'read', context: ['companyId'] }] } },
    (ctx) => ({ companies: ctx.queryAll('companyId'), body: ctx.body ?? null }),
  );
  app.post(
    '/stats/defaulted',
    {
      auth: { permissions: [{ resource: 'stats', action: 'read', context: ['companyId'] }] },
      body: z.object({ companyId: z.string().default('c-9') }),
    },
    (ctx) => ctx.body,
  );
  return app;
}

const app = build();
const as = (who: keyof typeof PRINCIPALS, init: TestRequestInit): TestRequestInit => ({
  method: 'POST',
  ...init,
  headers: { authorization: `Bearer ${who}`, ...init.headers },
});
const status = async (init: TestRequestInit) => (await app.request(as('member', init))).status;
const SOURCES: readonly TestSource[] = ['apigw-http', 'apigw-rest', 'function-url', 'alb-multi'];

describe('tenant in the query', () => {
  it('repeated query tenant (?tenantId=t-1&tenantId=t-2) is refused on every source', async () => {
    for (const source of SOURCES) {
      const res = await app.request(
        as('member', { path: '/tenants/t-1/orders?tenantId=t-1&tenantId=t-2', source }),
      );
      expect(res.status, source).toBe(400);
      expect(res.json()).toMatchObject({
        error: { code: 'BAD_REQUEST', details: { field: 'query parameter tenantId', reason: 'repeated' } },
      });
    }
  });

  it('repeated query tenant behind an ALB in single-value mode: the one value delivered is checked', async () => {
    // Single-value target groups pass only the last value, so the handler sees t-2: refused.
    expect(await status({ path: '/tenants/t-1/orders?tenantId=t-1&tenantId=t-2', source: 'alb' })).toBe(403);
  });

  it('two spellings of the tenant key behind an ALB (tenant%49d and tenantId) are one key given twice', async () => {
    for (const source of ['alb', 'alb-multi'] as const) {
      const res = await status({ path: '/tenants/t-1/orders?tenant%49d=t-2&tenantId=t-1', source });
      expect(res, source).toBe(400);
    }
  });

  it('percent-encoded query key (tenant%49d) naming another tenant is refused', async () => {
    for (const source of SOURCES) {
      expect(await status({ path: '/tenants/t-1/orders?tenant%49d=t-2', source }), source).toBe(403);
    }
  });

  it('a query schema that maps another key onto the tenant is checked on its output', async () => {
    expect(await status({ path: '/orders?tenant=t-2', json: {} })).toBe(403);
    expect(await status({ path: '/orders?tenant=t-1', json: {} })).toBe(200);
  });
});

describe('tenant in the body', () => {
  it('tenant as an array in a JSON body is refused, not read as "no tenant named"', async () => {
    const res = await app.request(as('member', { path: '/tenants/t-1/orders', json: { tenantId: ['t-2'] } }));
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      error: { details: { field: 'body field tenantId', reason: 'not_a_string' } },
    });
  });

  it('tenant as an operator object ({"$ne": null}) in a JSON body is refused', async () => {
    expect(await status({ path: '/tenants/t-1/orders', json: { tenantId: { $ne: null } } })).toBe(400);
  });

  it('tenant as a number, a boolean or null in a JSON body is refused', async () => {
    for (const tenantId of [1, true, null]) {
      expect(await status({ path: '/tenants/t-1/orders', json: { tenantId } }), String(tenantId)).toBe(400);
    }
  });

  it('repeated tenant key in a form body is refused', async () => {
    const res = await status({
      path: '/tenants/t-1/orders',
      body: 'tenantId=t-1&tenantId=t-2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res).toBe(400);
  });

  it('tenant nested in the body ({"order":{"tenantId":"t-2"}}) is refused', async () => {
    expect(await status({ path: '/tenants/t-1/orders', json: { order: { tenantId: 't-2' } } })).toBe(403);
  });

  it('tenant in an array of objects, or in a top-level array, is refused', async () => {
    const items = [{ tenantId: 't-1' }, { tenantId: 't-2' }];
    expect(await status({ path: '/tenants/t-1/orders', json: { items } })).toBe(403);
    expect(await status({ path: '/tenants/t-1/orders', json: items })).toBe(403);
  });

  it('tenant in a body sent as +json, with parameters, or in capitals is refused', async () => {
    for (const type of ['application/vnd.api+json', 'application/json; charset=utf-8', 'APPLICATION/JSON']) {
      const res = await status({
        path: '/tenants/t-1/orders',
        body: JSON.stringify({ deep: [{ tenantId: 't-2' }] }),
        headers: { 'content-type': type },
      });
      expect(res, type).toBe(403);
    }
  });

  it('a body schema that renames a field to the tenant is checked on its output', async () => {
    expect(await status({ path: '/orders', json: { owner: 't-2' } })).toBe(403);
    const ok = await app.request(as('member', { path: '/orders', json: { owner: 't-1', note: 'x' } }));
    expect(ok.json()).toEqual({ tenant: 't-1', body: { note: 'x', tenantId: 't-1' } });
  });

  it('response amplification: the 400 for a deeply hidden field names a bounded path', async () => {
    let value: unknown = { tenantId: ['t-2'] };
    for (let i = 0; i < 200; i++) value = { ['k'.repeat(1000)]: value };
    const res = await app.request(as('member', { path: '/tenants/t-1/orders', json: value }));
    expect(res.status).toBe(400);
    expect(res.text().length).toBeLessThan(4_000); // the body is 200 KB
  });

  it('cost amplification: many copies of the own tenant deep in a body are checked in linear time', async () => {
    const body = `${'['.repeat(200)}${Array(5000).fill('{"tenantId":"t-1"}').join(',')}${']'.repeat(200)}`;
    const started = performance.now();
    const res = await status({
      path: '/tenants/t-1/orders',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res).toBe(200);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("the principal's own tenant at any depth passes", async () => {
    const res = await app.request(
      as('member', {
        path: '/tenants/t-1/orders?tenantId=t-1',
        json: { tenantId: 't-1', lines: [{ tenantId: 't-1' }] },
      }),
    );
    expect(res.status).toBe(200);
  });
});

describe('tenant in the header', () => {
  it('tenant header sent twice is refused as ambiguous on every source', async () => {
    for (const source of [...SOURCES, 'alb'] as const) {
      const res = await app.request(
        as('member', { path: '/tenants/t-1/orders', source, headers: { 'x-tenant-id': ['t-1', 't-1'] } }),
      );
      expect(res.status, source).toBe(400);
      expect(res.json()).toMatchObject({
        error: { details: { field: 'header x-tenant-id', reason: 'repeated' } },
      });
    }
  });

  it('a capitalised tenant header in a hand-made HTTP API event is in no view at all', async () => {
    // AWS lower-cases HTTP API header names; a capitalised one can only be hand-made, and the
    // one-header and all-headers views must not disagree about it.
    const event = httpApiEvent({
      method: 'POST',
      path: '/tenants/t-1/orders',
      headers: { authorization: 'Bearer member' },
    });
    (event.headers as Record<string, string>)['X-Tenant-Id'] = 't-2';
    const probe = createApp({ service: 'probe', logger: false, metrics: false, tracing: false });
    probe.post('/tenants/:tenantId/orders', (ctx) => ({
      one: ctx.header('x-tenant-id') ?? null,
      all: ctx.headers,
    }));
    const seen = readResult(await probe.handler(event, fakeLambdaContext())).json<{
      one: unknown;
      all: object;
    }>();
    expect(seen.one).toBeNull();
    expect(Object.keys(seen.all)).not.toContain('X-Tenant-Id');
    expect(Object.keys(seen.all)).not.toContain('x-tenant-id');
  });

  it('two spellings of the tenant header in a hand-made REST event are one repeated header', async () => {
    const event = restApiEvent({
      method: 'POST',
      path: '/tenants/t-1/orders',
      headers: { authorization: 'Bearer member' },
    });
    event.multiValueHeaders = null;
    (event.headers as Record<string, string>)['x-tenant-id'] = 't-1';
    (event.headers as Record<string, string>)['X-Tenant-Id'] = 't-2';
    const res = readResult(await app.handler(event, fakeLambdaContext()));
    expect(res.status).toBe(400);
  });
});

describe('permission context', () => {
  it('permission context in the query does not skip the same field in the body', async () => {
    expect(await status({ path: '/stats?companyId=c-1', json: { companyId: 'c-2' } })).toBe(403);
    expect(await status({ path: '/stats?companyId=c-1', json: { companyId: 'c-1' } })).toBe(200);
  });

  it('repeated permission context in the query (?companyId=c-1&companyId=c-2) is refused', async () => {
    expect(await status({ path: '/stats?companyId=c-1&companyId=c-2' })).toBe(400);
  });

  it('permission context nested in the body is checked', async () => {
    expect(await status({ path: '/stats?companyId=c-1', json: { rows: [{ companyId: 'c-2' }] } })).toBe(403);
  });

  it('a request naming no context field is refused, and a schema default counts as naming one', async () => {
    expect(await status({ path: '/stats' })).toBe(403);
    // The schema fills in c-9, which the principal does not hold: the handler would act on it.
    expect(await status({ path: '/stats/defaulted', json: {} })).toBe(403);
    expect(await status({ path: '/stats/defaulted', json: { companyId: 'c-1' } })).toBe(200);
  });
});

describe('cross-tenant roles', () => {
  it('ambiguous input is refused for cross-tenant roles too', async () => {
    const res = await app.request(as('admin', { path: '/tenants/t-2/orders?tenantId=t-2&tenantId=t-3' }));
    expect(res.status).toBe(400);
  });

  it('every other tenant a cross-tenant role names, at any depth, is audited once per request', async () => {
    const audit: AuditEvent[] = [];
    const audited = build(audit);
    // Audit-log flooding: naming t-3 a thousand times writes one line, not a thousand.
    const lines = Array.from({ length: 1000 }, () => ({ tenantId: 't-3' }));
    const res = await audited.request(
      as('admin', { path: '/tenants/t-2/orders?tenantId=t-2', json: { tenantId: 't-2', lines } }),
    );
    expect(res.status).toBe(200);
    expect(audit.map((e) => e.reason)).toEqual([
      'cross-tenant access to tenant t-2 through path parameter tenantId',
      'cross-tenant access to tenant t-3 through body field lines[0].tenantId',
    ]);
  });

  it('schema output that is bytes is not walked byte by byte, and cyclic output is a 500, not a hang', async () => {
    const reported: unknown[] = [];
    const odd = createApp({
      service: 'odd',
      logger: false,
      metrics: false,
      tracing: false,
      onError: (error) => reported.push(error),
      access: createAccessControl({ authenticators: [() => PRINCIPALS.member], audit: () => {} }),
    });
    odd.post(
      '/bytes',
      { auth: {}, body: z.unknown().transform(() => new Uint8Array(5_000_000)) },
      () => 'ok',
    );
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    odd.post('/cycle', { auth: {}, body: z.unknown().transform(() => cyclic) }, () => 'ok');
    const started = Date.now();
    expect((await odd.request('/bytes', { method: 'POST', json: {} })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    const res = await odd.request('/cycle', { method: 'POST', json: {} });
    expect(res.status).toBe(500);
    expect(res.text()).not.toMatch(/cyclic|tenant/);
    expect(reported).toHaveLength(1);
  });

  it('audit-sink failure: an access that must be audited and cannot be does not happen', async () => {
    const failing = createApp({
      service: 'unaudited',
      logger: false,
      metrics: false,
      tracing: false,
      onError: () => {},
      access: createAccessControl({
        authenticators: [(ctx) => PRINCIPALS[ctx.header('authorization')?.slice(7) ?? '']],
        crossTenantRoles: ['super_admin'],
        audit: (event) => {
          if (event.outcome === 'allow') throw new Error('audit store down');
        },
      }),
    });
    failing.get('/tenants/:tenantId/orders', { auth: {} }, () => 'orders');
    failing.put('/settings', { auth: { sensitive: true } }, () => 'saved');
    expect((await failing.request(as('admin', { method: 'GET', path: '/tenants/t-2/orders' }))).status).toBe(
      500,
    );
    expect((await failing.request(as('member', { method: 'PUT', path: '/settings' }))).status).toBe(500);
    // A denial still stands when it cannot be written down.
    expect((await failing.request(as('member', { method: 'GET', path: '/tenants/t-2/orders' }))).status).toBe(
      403,
    );
  });

  it("partner issuer's cross-tenant role cannot reach tenants outside its issuer's scope", async () => {
    const partner = (path: string) => app.request(as('partnerAdmin', { path }));
    expect((await partner('/tenants/t-3/orders')).status).toBe(200);
    expect((await partner('/tenants/t-2/orders')).status).toBe(403);
  });
});
