/**
 * Property: for random principals, random route requirements and random tenant fields, access is
 * granted exactly when the policy says so. The oracle below is written out by hand, apart from the
 * implementation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from './access-control.js';
import { trustApiGatewayJwt } from './api-gateway.js';

const ROLES = ['super_admin', 'client_admin', 'integration_admin', 'company_admin', 'user'] as const;
const SCOPES = ['orders:read', 'orders:write'] as const;
// Every role each role holds under the default hierarchy, written out.
const HOLDS: Record<string, readonly string[]> = {
  super_admin: ROLES,
  client_admin: ['client_admin', 'integration_admin', 'company_admin', 'user'],
  integration_admin: ['integration_admin', 'user'],
  company_admin: ['company_admin', 'user'],
  user: ['user'],
};

function subsets<T>(items: readonly T[]): T[][] {
  const all: T[][] = [[]];
  for (const item of items) for (const s of all.slice()) all.push([...s, item]);
  return all;
}

// One route per combination of required roles and scopes.
const requirements = subsets(ROLES).flatMap((roles) => subsets(SCOPES).map((scopes) => ({ roles, scopes })));
const app = createApp({
  service: 'property',
  access: createAccessControl({
    authenticators: [trustApiGatewayJwt()],
    crossTenantRoles: ['super_admin'],
    audit: () => {},
  }),
});
requirements.forEach((req, i) => {
  app.get(`/r${i}/tenants/:tenantId`, { auth: { roles: req.roles, scopes: req.scopes } }, () => 'ok');
});

const principal = fc.option(
  fc.record({
    roles: fc.subarray([...ROLES, 'root', 'admin']),
    scopes: fc.subarray([...SCOPES, 'orders:*']),
    tenant: fc.option(fc.constantFrom('t1', 't2'), { nil: undefined }),
  }),
  { nil: undefined },
);
const request = fc.record({
  route: fc.nat({ max: requirements.length - 1 }),
  pathTenant: fc.constantFrom('t1', 't2', 't3'),
  headerTenant: fc.option(fc.constantFrom('t1', 't2'), { nil: undefined }),
  queryTenant: fc.option(fc.constantFrom('t1', 't2'), { nil: undefined }),
});

describe('access property', () => {
  it('grants access exactly when the policy says so (1,000 runs)', async () => {
    await fc.assert(
      fc.asyncProperty(principal, request, async (who, req) => {
        const requirement = requirements[req.route] as (typeof requirements)[number];
        const claims =
          who === undefined
            ? undefined
            : {
                sub: 'someone',
                ...(who.tenant === undefined ? {} : { 'custom:tenant_id': who.tenant }),
                'cognito:groups': `[${who.roles.join(' ')}]`,
                scope: who.scopes.join(' '),
              };
        const res = await app.request({
          path: `/r${req.route}/tenants/${req.pathTenant}${req.queryTenant === undefined ? '' : `?tenantId=${req.queryTenant}`}`,
          ...(req.headerTenant === undefined ? {} : { headers: { 'x-tenant-id': req.headerTenant } }),
          ...(claims === undefined ? {} : { authorizer: { jwt: { claims, scopes: null } } }),
        });

        let expected: number;
        if (who === undefined) expected = 401;
        else {
          const effective = new Set(who.roles.flatMap((r) => HOLDS[r] ?? []));
          const roleOk = requirement.roles.length === 0 || requirement.roles.some((r) => effective.has(r));
          const scopeOk = requirement.scopes.every((s) => who.scopes.includes(s));
          const named = [req.pathTenant, req.headerTenant, req.queryTenant].filter((t) => t !== undefined);
          const tenantOk = effective.has('super_admin') || named.every((t) => t === who.tenant);
          expected = roleOk && scopeOk && tenantOk ? 200 : 403;
        }
        expect(res.status).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
