import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createApp } from '../app/app.js';
import type { AuditEvent } from '../observability/audit.js';
import { fixtureNames, loadFixture } from '../test-support/fixtures.js';
import { readResult } from '../testing/request.js';
import { createAccessControl } from './access-control.js';
import { trustApiGatewayIam, trustApiGatewayJwt, trustApiGatewayLambdaAuthorizer } from './api-gateway.js';

/** An HTTP API JWT authorizer context carrying these claims, as API Gateway delivers it. */
const as = (claims: Record<string, unknown>) => ({ authorizer: { jwt: { claims, scopes: null } } });
const user = (roles: string, tenant = 't1', extra: Record<string, unknown> = {}) =>
  as({ sub: `u-${roles}`, 'custom:tenant_id': tenant, 'cognito:groups': `[${roles}]`, ...extra });

function secured(audit: AuditEvent[] = []) {
  const app = createApp({
    service: 'secured',
    access: createAccessControl({
      authenticators: [trustApiGatewayJwt()],
      permissions: {
        company_admin: [{ resource: 'items', action: 'write', scope: 'company' }],
        user: [{ resource: 'items', action: 'read' }],
      },
      crossTenantRoles: ['super_admin'],
      audit: (e) => audit.push(e),
    }),
  });
  app.get('/health', { auth: 'public' }, () => 'ok');
  app.get('/me', { auth: {} }, (ctx) => ({
    user: ctx.principal?.userId,
    tenant: ctx.principal?.tenantId,
    roles: ctx.principal?.roles,
  }));
  app.get('/admin', { auth: { roles: ['company_admin'] } }, () => 'admin');
  app.get('/reports', { auth: { scopes: ['reports:read'] } }, () => 'reports');
  app.post(
    '/tenants/:tenantId/items',
    {
      auth: { permissions: [{ resource: 'items', action: 'write', scope: 'company' }] },
      body: z.object({ name: z.string() }).passthrough(),
    },
    (ctx) => ctx.json(201, { tenant: ctx.params.tenantId }),
  );
  app.get(
    '/tenants/:tenantId/items',
    { auth: { permissions: [{ resource: 'items', action: 'read' }] } },
    (ctx) => ({ tenant: ctx.params.tenantId }),
  );
  app.get(
    '/companies/:companyId/stats',
    { auth: { permissions: [{ resource: 'items', action: 'read', context: ['companyId'] }] } },
    (ctx) => ({
      company: ctx.params.companyId,
    }),
  );
  app.post(
    '/stats',
    { auth: { permissions: [{ resource: 'items', action: 'read', context: ['companyId'] }] } },
    () => 'stats',
  );
  app.put('/tenants/:tenantId/settings', { auth: { roles: ['user'], sensitive: true } }, () => 'saved');
  app.put('/tenants/:tenantId/logo', { auth: {} }, (ctx) => ({ bytes: ctx.rawBody.length }));
  return app;
}

describe('deny by default', () => {
  it('refuses to start when a route declares no auth, naming the route', () => {
    const app = createApp({
      service: 'x',
      access: createAccessControl({ authenticators: [trustApiGatewayJwt()] }),
    });
    expect(() => app.get('/orders/:id', () => 1)).toThrow(/GET \/orders\/:id declares no "auth"/);
    app.group('/v1').get('/ok', { auth: 'public' }, () => 1);
  });

  it('refuses auth declarations it cannot enforce', () => {
    const app = createApp({
      service: 'x',
      access: createAccessControl({ authenticators: [trustApiGatewayJwt()] }),
    });
    expect(() => app.get('/a', { auth: { roles: ['superuser'] } }, () => 1)).toThrow(
      /unknown role "superuser"/,
    );
    expect(() => app.get('/b', { auth: { role: 'user' } as never }, () => 1)).toThrow(
      /unknown auth option "role"/,
    );
    const open = createApp({ service: 'y' });
    expect(() => open.get('/c', { auth: { roles: ['user'] } }, () => 1)).toThrow(/has no access control/);
    expect(() => createAccessControl({ authenticators: [] })).toThrow(/at least one authenticator/);
    expect(() =>
      createAccessControl({ authenticators: [trustApiGatewayJwt()], roleHierarchy: { a: ['b'], b: ['a'] } }),
    ).toThrow(/cycle/);
  });
});

describe('access control through the real adapters', () => {
  const audit: AuditEvent[] = [];
  const app = secured(audit);

  it('lets anyone call a public route', async () => {
    expect((await app.request('/health')).status).toBe(200);
  });

  it('answers 401 without credentials, with WWW-Authenticate and the envelope', async () => {
    const res = await app.request('/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED', message: 'Authentication required' } });
  });

  it('maps claims to the principal', async () => {
    const res = await app.request({ path: '/me', ...user('company_admin') });
    expect(res.json()).toEqual({ user: 'u-company_admin', tenant: 't1', roles: ['company_admin'] });
  });

  it('checks roles through the hierarchy', async () => {
    expect((await app.request({ path: '/admin', ...user('company_admin') })).status).toBe(200);
    expect((await app.request({ path: '/admin', ...user('client_admin') })).status).toBe(200);
    expect((await app.request({ path: '/admin', ...user('super_admin') })).status).toBe(200);
    expect((await app.request({ path: '/admin', ...user('user') })).status).toBe(403);
    expect((await app.request({ path: '/admin', ...user('integration_admin') })).status).toBe(403);
  });

  it('role escalation through a claim the mapping ignores grants nothing', async () => {
    const res = await app.request({
      path: '/admin',
      ...as({ sub: 'mallory', 'custom:tenant_id': 't1', role: 'super_admin', roles_admin: true }),
    });
    expect(res.status).toBe(403);
  });

  it('checks scopes', async () => {
    expect(
      (await app.request({ path: '/reports', ...user('user', 't1', { scope: 'reports:read profile' }) }))
        .status,
    ).toBe(200);
    expect((await app.request({ path: '/reports', ...user('super_admin') })).status).toBe(403);
  });

  it('checks permissions granted to roles, inherited down the hierarchy', async () => {
    const post = (roles: string) =>
      app.request({ method: 'POST', path: '/tenants/t1/items', json: { name: 'x' }, ...user(roles) });
    expect((await post('company_admin')).status).toBe(201);
    expect((await post('client_admin')).status).toBe(201);
    expect((await post('user')).status).toBe(403);
  });

  it('checks permission context: the principal must hold the company named in the request', async () => {
    const holder = user('user', 't1', { companyIds: ['c1', 'c2'] });
    expect((await app.request({ path: '/companies/c1/stats', ...holder })).status).toBe(200);
    expect((await app.request({ path: '/companies/c9/stats', ...holder })).status).toBe(403);
    expect(
      (await app.request({ method: 'POST', path: '/stats', json: { companyId: 'c2' }, ...holder })).status,
    ).toBe(200);
    expect(
      (await app.request({ method: 'POST', path: '/stats', json: { companyId: 'c9' }, ...holder })).status,
    ).toBe(403);
    expect((await app.request({ method: 'POST', path: '/stats', json: {}, ...holder })).status).toBe(403);
  });

  it("tenant in path different from the principal's is refused", async () => {
    expect((await app.request({ path: '/tenants/t1/items', ...user('user') })).status).toBe(200);
    const res = await app.request({ path: '/tenants/t2/items', ...user('user') });
    expect(res.status).toBe(403);
  });

  it("tenant in header, query or body different from the principal's is refused", async () => {
    expect(
      (await app.request({ path: '/tenants/t1/items', headers: { 'X-Tenant-ID': 't2' }, ...user('user') }))
        .status,
    ).toBe(403);
    expect((await app.request({ path: '/tenants/t1/items?tenantId=t2', ...user('user') })).status).toBe(403);
    const body = await app.request({
      method: 'POST',
      path: '/tenants/t1/items',
      json: { name: 'x', tenantId: 't2' },
      ...user('company_admin'),
    });
    expect(body.status).toBe(403);
    expect(
      (
        await app.request({
          method: 'POST',
          path: '/tenants/t1/items',
          json: { name: 'x', tenantId: 't1' },
          ...user('company_admin'),
        })
      ).status,
    ).toBe(201);
  });

  it('lets cross-tenant roles act on another tenant, and audits it', async () => {
    audit.length = 0;
    expect(
      (await app.request({ path: '/tenants/t2/items', requestId: 'req-cross', ...user('super_admin') }))
        .status,
    ).toBe(200);
    expect(audit).toContainEqual(
      expect.objectContaining({
        outcome: 'allow',
        requestId: 'req-cross',
        userId: 'u-super_admin',
        tenantId: 't1',
        reason: expect.stringContaining('cross-tenant'),
      }),
    );
  });

  it('audits every denial and allowed calls to sensitive routes, with who, tenant, action and request id', async () => {
    audit.length = 0;
    await app.request({ path: '/admin', requestId: 'req-deny', ...user('user') });
    await app.request({ method: 'PUT', path: '/tenants/t1/settings', requestId: 'req-ok', ...user('user') });
    expect(audit).toEqual([
      expect.objectContaining({
        type: 'audit',
        outcome: 'deny',
        requestId: 'req-deny',
        userId: 'u-user',
        tenantId: 't1',
        action: 'GET /admin',
        service: 'secured',
      }),
      expect.objectContaining({
        outcome: 'allow',
        requestId: 'req-ok',
        action: 'PUT /tenants/:tenantId/settings',
        reason: 'sensitive route',
      }),
    ]);
  });

  it('error bodies leak no detail of the decision', async () => {
    const res = await app.request({ path: '/tenants/t2/items', ...user('user') });
    expect(res.json()).toEqual({
      error: { code: 'FORBIDDEN', message: 'Forbidden', requestId: expect.any(String) },
    });
    expect(res.text()).not.toMatch(/tenant|role|t2/i);
  });

  it('does not parse an upload body for the tenant check', async () => {
    const res = await app.request({
      method: 'PUT',
      path: '/tenants/t1/logo',
      body: new Uint8Array([1, 2, 3]),
      headers: { 'content-type': 'image/png' },
      ...user('user'),
    });
    expect(res.json()).toEqual({ bytes: 3 });
  });

  it('answers 401 before validation, so anonymous callers learn nothing about the input', async () => {
    const res = await app.request({ method: 'POST', path: '/tenants/t1/items', json: { wrong: true } });
    expect(res.status).toBe(401);
  });
});

describe('trusting API Gateway authorizers (captured samples)', () => {
  const names = fixtureNames();
  const build = (authenticator: Parameters<typeof createAccessControl>[0]['authenticators'][number]) => {
    const app = createApp({
      service: 'gw',
      access: createAccessControl({ authenticators: [authenticator], audit: () => {} }),
    });
    app.all('/*', { auth: {} }, (ctx) => ctx.principal);
    app.all('/', { auth: {} }, (ctx) => ctx.principal);
    return app;
  };
  const call = async (app: ReturnType<typeof build>, name: string) =>
    readResult(await app.handler(loadFixture(name)));

  it('reads HTTP API JWT authorizer claims and REST Cognito authorizer claims', async () => {
    const app = build(trustApiGatewayJwt());
    expect(names).toContain('powertools/apigw-http--jwt-authorizer-auth.json');
    const http = await call(app, 'powertools/apigw-http--jwt-authorizer-auth.json');
    expect(http.json()).toMatchObject({
      userId: 'd2f50444-0041-7036-aea2-a955fca33d37',
      authMethod: 'apigw-jwt',
    });
    const rest = await call(app, 'powertools/apigw-rest--jwt-authorizer-auth.json');
    expect(rest.json()).toMatchObject({ userId: 'd2f50444-0041-7036-aea2-a955fca33d37' });
    // The aws-lambda-go sample's claims carry no subject: no principal, so 401.
    expect((await call(app, 'aws-lambda-go/apigw-v2-request-jwt-authorizer.json')).status).toBe(401);
    expect((await call(app, 'powertools/apigw-http--no-auth.json')).status).toBe(401);
  });

  it('reads Lambda authorizer context', async () => {
    const app = build(trustApiGatewayLambdaAuthorizer({ mapping: { userId: ['principalId', 'key'] } }));
    expect((await call(app, 'aws-lambda-go/apigw-v2-request-lambda-authorizer.json')).json()).toMatchObject({
      userId: 'value',
      authMethod: 'apigw-lambda',
    });
    expect((await call(app, 'powertools/apigw-rest--lambda-authorizer-auth.json')).json()).toMatchObject({
      userId: 'user',
    });
  });

  it('trusts IAM callers only from the listed accounts', async () => {
    const allowed = build(trustApiGatewayIam({ accounts: ['123456789012'], roles: ['integration_admin'] }));
    expect((await call(allowed, 'powertools/apigw-rest--iam-auth.json')).json()).toMatchObject({
      accountId: '123456789012',
      authMethod: 'iam',
      roles: ['integration_admin'],
    });
    expect((await call(allowed, 'aws-lambda-go/apigw-v2-request-iam.json')).status).toBe(401);
    const other = build(trustApiGatewayIam({ accounts: ['210987654321'] }));
    expect((await call(other, 'powertools/apigw-rest--iam-auth.json')).status).toBe(401);
    expect(() => trustApiGatewayIam({ accounts: ['abc'] })).toThrow(/12-digit/);
  });
});
