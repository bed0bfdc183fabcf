/**
 * Principals from the other sources: API Gateway authorizers (real-shaped events through
 * app.request), API key records, and `principalFromClaims` itself.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import type { TestRequestInit } from '../testing/request.js';
import { createAccessControl } from './access-control.js';
import type { Authenticator } from './api-gateway.js';
import { trustApiGatewayIam, trustApiGatewayJwt, trustApiGatewayLambdaAuthorizer } from './api-gateway.js';
import { type ApiKeyRecord, apiKeyAuthenticator, issueApiKey, memoryApiKeyStore } from './api-keys.js';
import { createPrincipal, DEFAULT_CLAIM_MAPPING, principalFromClaims } from './principal.js';

function build(authenticator: Authenticator) {
  const app = createApp({
    service: 'sources',
    access: createAccessControl({ authenticators: [authenticator], audit: () => {} }),
  });
  app.get('/me', { auth: {} }, (ctx) => {
    const { userId, tenantId, roles, scopes } = ctx.principal ?? {};
    return { userId, tenantId: tenantId ?? null, roles, scopes };
  });
  app.get('/admin', { auth: { roles: ['company_admin'] } }, () => 'admin');
  return app;
}

/** An HTTP API JWT authorizer's context, as API Gateway delivers it. */
const http = (claims: Record<string, unknown>, scopes: string[] | null = null): TestRequestInit => ({
  authorizer: { jwt: { claims, scopes } },
});
/** A REST API Cognito authorizer's context: every claim a string. */
const rest = (claims: Record<string, string>): TestRequestInit => ({
  source: 'apigw-rest',
  authorizer: { claims },
});

describe('trustApiGatewayJwt', () => {
  const app = build(trustApiGatewayJwt());

  it('HTTP API JWT authorizer array claims ("[a b]") are split', async () => {
    const res = await app.request({
      path: '/me',
      ...http({ sub: 'u1', 'custom:tenant_id': 't1', 'cognito:groups': '[user company_admin]' }),
    });
    expect(res.json()).toEqual({
      userId: 'u1',
      tenantId: 't1',
      roles: ['user', 'company_admin'],
      scopes: [],
    });
  });

  it('comma in an HTTP API roles claim does not split one grant into two', async () => {
    const input = http({ sub: 'u1', 'cognito:groups': 'user,company_admin' });
    expect((await app.request({ path: '/me', ...input })).json()).toMatchObject({
      roles: ['user,company_admin'],
    });
    expect((await app.request({ path: '/admin', ...input })).status).toBe(403);
  });

  it('REST Cognito authorizer comma-joined groups are split (configured)', async () => {
    const input = rest({ sub: 'u1', 'custom:tenant_id': 't1', 'cognito:groups': 'user,company_admin' });
    expect((await app.request({ path: '/me', ...input })).json()).toMatchObject({
      roles: ['user', 'company_admin'],
    });
    expect((await app.request({ path: '/admin', ...input })).status).toBe(200);
  });

  it('REST Cognito authorizer: a separator in the mapping overrides the comma', async () => {
    const semicolons = build(trustApiGatewayJwt({ mapping: { roleSeparator: ';' } }));
    const input = rest({ sub: 'u1', 'cognito:groups': 'user;company_admin,x' });
    expect((await semicolons.request({ path: '/me', ...input })).json()).toMatchObject({
      roles: ['user', 'company_admin,x'],
    });
  });

  it('comma in a scope claim does not split, on either source', async () => {
    const scope = 'reports:read,admin:write';
    expect((await app.request({ path: '/me', ...http({ sub: 'u1', scope }) })).json()).toMatchObject({
      scopes: [scope],
    });
    expect((await app.request({ path: '/me', ...rest({ sub: 'u1', scope }) })).json()).toMatchObject({
      scopes: [scope],
    });
    expect(
      (await app.request({ path: '/me', ...rest({ sub: 'u1', scope: 'openid reports:read' }) })).json(),
    ).toMatchObject({ scopes: ['openid', 'reports:read'] });
  });

  it('the scopes the HTTP API authorizer reports apart from the claims are used', async () => {
    const res = await app.request({ path: '/me', ...http({ sub: 'u1' }, ['reports:read', 'openid']) });
    expect(res.json()).toMatchObject({ scopes: ['reports:read', 'openid'] });
  });

  it('tenant from the tid claim is not trusted', async () => {
    const res = await app.request({ path: '/me', ...http({ sub: 'u1', tid: 'directory-1' }) });
    expect(res.json()).toMatchObject({ tenantId: null });
  });

  it('conflicting tenant claims are refused', async () => {
    expect(
      (await app.request({ path: '/me', ...http({ sub: 'u1', 'custom:tenant_id': 't1', tenant_id: 't2' }) }))
        .status,
    ).toBe(401);
    expect(
      (await app.request({ path: '/me', ...rest({ sub: 'u1', 'custom:tenant_id': 't1', tenant_id: 't2' }) }))
        .status,
    ).toBe(401);
  });

  it('a bracketed tenant claim is a list, not a tenant', async () => {
    expect(
      (await app.request({ path: '/me', ...http({ sub: 'u1', 'custom:tenant_id': '[t1 t2]' }) })).status,
    ).toBe(401);
  });

  it('REST claims are only read from a REST event', async () => {
    expect((await app.request({ path: '/me', authorizer: { claims: { sub: 'u1' } } })).status).toBe(401);
  });
});

describe('trustApiGatewayLambdaAuthorizer', () => {
  it("comma in a Lambda authorizer's roles does not split unless a separator is configured", async () => {
    const input: TestRequestInit = {
      source: 'apigw-rest',
      authorizer: { principalId: 'u1', roles: 'user,company_admin' },
    };
    expect(
      (await build(trustApiGatewayLambdaAuthorizer()).request({ path: '/admin', ...input })).status,
    ).toBe(403);
    const split = build(trustApiGatewayLambdaAuthorizer({ mapping: { roleSeparator: ',' } }));
    expect((await split.request({ path: '/admin', ...input })).status).toBe(200);
  });

  it('a context naming two different user ids is refused', async () => {
    const app = build(trustApiGatewayLambdaAuthorizer());
    expect(
      (await app.request({ path: '/me', authorizer: { lambda: { principalId: 'u1', userId: 'u2' } } }))
        .status,
    ).toBe(401);
    expect(
      (await app.request({ path: '/me', authorizer: { lambda: { principalId: 'u1', userId: 'u1' } } }))
        .status,
    ).toBe(200);
  });

  it('refuses an unknown mapping option at start-up', () => {
    expect(() => trustApiGatewayLambdaAuthorizer({ mapping: { tenant: ['t'] } as never })).toThrow(
      /trustApiGatewayLambdaAuthorizer: unknown mapping option "tenant"/,
    );
    expect(() => trustApiGatewayJwt({ mapping: { roleSeparator: 1 } as never })).toThrow(/roleSeparator/);
    expect(() => trustApiGatewayJwt({ tenants: ['t1'] } as never)).toThrow(
      /trustApiGatewayJwt: unknown option "tenants"/,
    );
    expect(() => trustApiGatewayIam({ accounts: ['123456789012'], tenants: ['t1'] } as never)).toThrow(
      /trustApiGatewayIam: unknown option "tenants"/,
    );
    expect(() => trustApiGatewayIam({ accounts: ['123456789012'], roles: 'admin' } as never)).toThrow(
      /"roles" must list role names/,
    );
  });
});

describe('API key records', () => {
  it('roles given as one string are refused, not spread into one grant per letter', async () => {
    const store = memoryApiKeyStore();
    await expect(issueApiKey(store, { name: 'k', tenantId: 't1', roles: 'admin' as never })).rejects.toThrow(
      /"roles" must be an array/,
    );
  });

  it('a stored record that names no tenant identifies no one', async () => {
    const store = memoryApiKeyStore();
    const { key, record } = await issueApiKey(store, { name: 'k', tenantId: 't1' });
    const app = build(apiKeyAuthenticator({ store }));
    expect((await app.request('/me', { headers: { 'x-api-key': key } })).json()).toMatchObject({
      tenantId: 't1',
    });
    const damaged = memoryApiKeyStore();
    await damaged.create({ ...record, tenantId: undefined } as unknown as ApiKeyRecord);
    const broken = build(apiKeyAuthenticator({ store: damaged }));
    expect((await broken.request('/me', { headers: { 'x-api-key': key } })).status).toBe(401);
  });
});

describe('principalFromClaims', () => {
  it('has no tid in its defaults, and the defaults cannot be changed at run time', () => {
    expect(DEFAULT_CLAIM_MAPPING.tenantId).toEqual(['custom:tenant_id', 'tenant_id']);
    expect(Object.isFrozen(DEFAULT_CLAIM_MAPPING) && Object.isFrozen(DEFAULT_CLAIM_MAPPING.tenantId)).toBe(
      true,
    );
    expect(principalFromClaims({ sub: 'u', tid: 'x' }, 'jwt')?.tenantId).toBeUndefined();
    expect(principalFromClaims({ sub: 'u', tid: 'x' }, 'jwt', { tenantId: ['tid'] })?.tenantId).toBe('x');
  });

  it('reads scopes split on spaces only, and roles whole unless told', () => {
    const p = principalFromClaims({ sub: 'u', scope: 'a  b,c\td', roles: ' admin ' }, 'jwt');
    expect(p?.scopes).toEqual(['a', 'b,c\td']);
    expect(p?.roles).toEqual([' admin ']);
    expect(principalFromClaims({ sub: 'u', roles: 'a, b,,c' }, 'jwt', { roleSeparator: ',' })?.roles).toEqual(
      ['a', 'b', 'c'],
    );
  });

  it('refuses malformed or disagreeing identity claims', () => {
    expect(principalFromClaims({ sub: 'u', account_id: 12 }, 'jwt')).toBeUndefined();
    expect(
      principalFromClaims({ sub: 'u', 'custom:account_id': 'a', account_id: 'b' }, 'jwt'),
    ).toBeUndefined();
    expect(principalFromClaims({ sub: 'u', tenant_id: 't', 'custom:tenant_id': null }, 'jwt')?.tenantId).toBe(
      't',
    );
  });
});

describe('createPrincipal', () => {
  it('empty or wrongly typed ids and grants from any source make no principal', () => {
    const base = { userId: 'u', authMethod: 'signature' as const };
    expect(createPrincipal({ ...base, tenantId: 't' })?.tenantId).toBe('t');
    for (const bad of [
      { userId: '' },
      { userId: 7 },
      { tenantId: '' },
      { tenantId: ['t'] },
      { accountId: '' },
      { roles: 'admin' },
      { roles: [''] },
      { scopes: [1] },
    ]) {
      expect(createPrincipal({ ...base, ...bad }), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('freezes the principal and copies what it was given', () => {
    const roles = ['user'];
    const principal = createPrincipal({ userId: 'u', roles, authMethod: 'jwt', claims: { a: 1 } });
    roles.push('super_admin');
    expect(principal?.roles).toEqual(['user']);
    expect(Object.isFrozen(principal)).toBe(true);
    expect(Object.isFrozen(principal?.roles)).toBe(true);
  });
});
