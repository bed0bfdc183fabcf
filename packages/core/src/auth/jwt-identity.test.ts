/**
 * Where a verified token's identity comes from, each test named after the attack: which issuer may
 * speak for which tenant, which claims carry tenant, roles and scopes, and `crit` headers. Through
 * app.request, with a local JWKS server on loopback playing the issuers.
 */
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from './access-control.js';
import { jwtAuthenticator } from './jwt.js';

const OWN = 'https://id.lift.test';
const PARTNER = 'https://partner.lift.test';
const PICKY = 'https://picky.lift.test';
const EC = 'https://ec.lift.test';
const HS = 'https://hs.lift.test';
const POOL = 'eu-west-1_LiftIdent1';
const COGNITO = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const SECRET = 'an-hmac-secret-of-at-least-thirty-two-chars';

const rsa = (kid: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
};
const own = rsa('own-1');
const partner = rsa('partner-1');
const pool = rsa('pool-1');
const ec = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid: 'ec-1',
    privateKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES256' },
  };
})();

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const keys =
      req.url === '/own/jwks.json' ? [own.jwk] : req.url === '/partner/jwks.json' ? [partner.jwk] : [];
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const seconds = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'u1',
  aud: 'api',
  exp: seconds() + 600,
  iat: seconds(),
  ...extra,
});
const rs256 = (
  payload: Record<string, unknown>,
  iss = OWN,
  key = iss === PARTNER || iss === PICKY ? partner : own,
) =>
  new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: key.kid }).setIssuer(iss).sign(key.privateKey);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Signs any header, for headers jose refuses to produce (`crit` naming extensions it does not know). */
function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject | string) {
  const input = `${b64(header)}.${b64(payload)}`;
  const signature =
    header.alg === 'HS256'
      ? createHmac('sha256', key as string)
          .update(input)
          .digest()
      : header.alg === 'ES256'
        ? sign('sha256', Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', Buffer.from(input), key as KeyObject);
  return `${input}.${signature.toString('base64url')}`;
}

let partnerTenantChecks = 0;
function buildApp() {
  const app = createApp({
    service: 'identity',
    access: createAccessControl({
      audit: () => {},
      permissions: { user: [{ resource: 'stats', action: 'read' }] },
      authenticators: [
        jwtAuthenticator({
          issuers: [
            { issuer: OWN, audience: 'api', algorithms: ['RS256'], jwksUri: `${base}/own/jwks.json` },
            {
              issuer: PARTNER,
              audience: 'api',
              algorithms: ['RS256'],
              jwksUri: `${base}/partner/jwks.json`,
              mapping: { tenantId: ['partner_org'], roles: ['groups'], roleSeparator: ',' },
              tenants: (tenantId) => {
                partnerTenantChecks += 1;
                return tenantId === 'acme' || tenantId === 'initech';
              },
            },
            {
              issuer: PICKY,
              audience: 'api',
              algorithms: ['RS256'],
              jwksUri: `${base}/partner/jwks.json`,
              mapping: { roles: [] },
              tenants: ['acme'],
              trustedClaims: ['department'],
            },
            { issuer: EC, audience: 'api', algorithms: ['ES256'], jwks: { keys: [ec.jwk] } as never },
            { issuer: HS, audience: 'api', algorithms: ['HS256'], secrets: [SECRET] },
            {
              cognito: { userPoolId: POOL, tokenUse: 'access', clientId: 'client-1' },
              jwks: { keys: [pool.jwk] } as never,
              tenants: ['t1'],
            },
          ],
        }),
      ],
    }),
  });
  app.get('/me', { auth: {} }, (ctx) => {
    const { userId, tenantId, roles, scopes } = ctx.principal ?? {};
    return { userId, tenantId: tenantId ?? null, roles, scopes };
  });
  app.get('/admin', { auth: { roles: ['company_admin'] } }, () => 'admin');
  app.get('/reports', { auth: { scopes: ['reports:read'] } }, () => 'reports');
  app.get('/tenants/:tenantId/items', { auth: {} }, (ctx) => ({ tenant: ctx.params.tenantId }));
  app.get(
    '/companies/:companyId/stats',
    { auth: { permissions: [{ resource: 'stats', action: 'read', context: ['companyId'] }] } },
    () => 'stats',
  );
  app.get('/claims', { auth: {} }, (ctx) => ({ claims: Object.keys(ctx.principal?.claims ?? {}) }));
  return app;
}

let app: ReturnType<typeof buildApp>;
beforeAll(() => {
  app = buildApp();
});
const call = (token: string, path = '/me') =>
  app.request(path, { headers: { authorization: `Bearer ${token}` } });
const status = async (token: string | Promise<string>, path = '/me') =>
  (await call(await token, path)).status;
const INVALID = { error: { code: 'UNAUTHORIZED', message: 'Invalid token', requestId: expect.any(String) } };

describe('which issuer may speak for which tenant', () => {
  it('partner issuer naming another tenant is refused', async () => {
    const ok = await call(await rs256(claims({ partner_org: 'acme' }), PARTNER));
    expect(ok.json()).toMatchObject({ userId: 'u1', tenantId: 'acme' });
    const other = await call(await rs256(claims({ partner_org: 'globex' }), PARTNER));
    expect(other.status).toBe(401);
    expect(other.json()).toEqual(INVALID);
    expect(other.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await status(rs256(claims({ 'custom:tenant_id': 'acme' }), PICKY))).toBe(200);
    expect(await status(rs256(claims({ 'custom:tenant_id': 'globex' }), PICKY))).toBe(401);
  });

  it('partner issuer naming no tenant is refused', async () => {
    expect(await status(rs256(claims(), PARTNER))).toBe(401);
    expect(await status(rs256(claims(), PICKY))).toBe(401);
  });

  it("partner issuer's tenant comes from its own claim, not the default ones", async () => {
    // The partner's mapping reads `partner_org`; a default tenant claim it carries is not read at all.
    expect(await status(rs256(claims({ 'custom:tenant_id': 'acme' }), PARTNER))).toBe(401);
    const both = await call(
      await rs256(claims({ partner_org: 'acme', 'custom:tenant_id': 'globex' }), PARTNER),
    );
    expect(both.json()).toMatchObject({ tenantId: 'acme' });
  });

  it('our own issuer is not limited by a partner issuer’s tenants', async () => {
    expect((await call(await rs256(claims({ 'custom:tenant_id': 'globex' })))).json()).toMatchObject({
      tenantId: 'globex',
    });
  });

  it('partner issuer granting super_admin gains nothing when its roles are not read', async () => {
    const token = await rs256(
      claims({ 'custom:tenant_id': 'acme', 'cognito:groups': ['super_admin'] }),
      PICKY,
    );
    expect((await call(token)).json()).toMatchObject({ tenantId: 'acme', roles: [] });
    expect(await status(token, '/admin')).toBe(403);
    expect(await status(token, '/tenants/globex/items')).toBe(403);
  });

  it('Cognito pool limited to its tenants refuses a token naming another', async () => {
    const cognito = (tenant: string) =>
      rs256(
        {
          ...claims({ 'custom:tenant_id': tenant, token_use: 'access', client_id: 'client-1' }),
          aud: undefined,
        },
        COGNITO,
        pool,
      );
    expect(await status(cognito('t1'))).toBe(200);
    expect(await status(cognito('t2'))).toBe(401);
  });

  it("partner issuer asserting another tenant's company (permission context) is not believed", async () => {
    const forged = claims({
      partner_org: 'acme',
      groups: 'user',
      companyIds: ['globex-hq'],
      department: 'ops',
    });
    expect(await status(rs256(forged, PARTNER), '/companies/globex-hq/stats')).toBe(403);
    const seen = (await call(await rs256(forged, PARTNER), '/claims')).json<{ claims: string[] }>().claims;
    expect(seen).toEqual(expect.arrayContaining(['partner_org', 'groups', 'sub', 'exp']));
    expect(seen).not.toContain('companyIds');
    expect(seen).not.toContain('department');
    // A claim listed in trustedClaims is kept.
    const picky = await call(
      await rs256(claims({ 'custom:tenant_id': 'acme', department: 'ops' }), PICKY),
      '/claims',
    );
    expect(picky.json<{ claims: string[] }>().claims).toContain('department');
    // Our own issuer's claims are all kept: its companyIds are what it says.
    const own = claims({ 'cognito:groups': ['user'], companyIds: ['acme-hq'] });
    expect(await status(rs256(own), '/companies/acme-hq/stats')).toBe(200);
  });

  it('trustedClaims is refused on an issuer of any tenant, and must list claim names', () => {
    const base = {
      issuer: 'https://x.test',
      audience: 'api',
      algorithms: ['RS256'] as const,
      jwksUri: 'https://x.test/j',
    };
    expect(() => jwtAuthenticator({ issuers: [{ ...base, trustedClaims: ['a'] }] })).toThrow(
      /limits an issuer that has "tenants"/,
    );
    expect(() =>
      jwtAuthenticator({ issuers: [{ ...base, tenants: ['t'], trustedClaims: 'a' as never }] }),
    ).toThrow(/"trustedClaims" must list claim names/);
  });

  it('a repeated partner token is served from the cache, without asking the tenant test again', async () => {
    const token = await rs256(claims({ partner_org: 'initech', jti: 'repeat' }), PARTNER);
    const before = partnerTenantChecks;
    expect(await status(token)).toBe(200);
    expect(await status(token)).toBe(200);
    expect(partnerTenantChecks).toBe(before + 1);
  });
});

describe('which claims carry the tenant', () => {
  it('tenant from the tid claim is not trusted', async () => {
    const token = await rs256(claims({ tid: 't1' }));
    expect((await call(token)).json()).toMatchObject({ userId: 'u1', tenantId: null });
    expect(await status(token, '/tenants/t1/items')).toBe(403);
  });

  it('conflicting tenant claims are refused', async () => {
    const res = await call(await rs256(claims({ 'custom:tenant_id': 't1', tenant_id: 't2' })));
    expect(res.status).toBe(401);
    expect(res.json()).toEqual(INVALID);
    expect(await status(rs256(claims({ 'custom:tenant_id': 't1', tenant_id: 't1' })))).toBe(200);
  });

  it('a tenant claim that is not a non-empty string is refused', async () => {
    for (const tenant of [['t1', 't2'], ['t1'], { id: 't1' }, 1, true, '']) {
      expect(await status(rs256(claims({ 'custom:tenant_id': tenant }))), JSON.stringify(tenant)).toBe(401);
    }
    // null says "not set": no tenant, and nothing to confuse with one.
    expect((await call(await rs256(claims({ 'custom:tenant_id': null })))).json()).toMatchObject({
      tenantId: null,
    });
  });

  it('a numeric subject is refused', async () => {
    expect(await status(rs256(claims({ sub: 42 })))).toBe(401);
  });
});

describe('how roles and scopes are read', () => {
  it('comma in a roles claim does not split one grant into two', async () => {
    const token = await rs256(claims({ 'cognito:groups': 'user,company_admin' }));
    expect((await call(token)).json()).toMatchObject({ roles: ['user,company_admin'] });
    expect(await status(token, '/admin')).toBe(403);
    expect(await status(rs256(claims({ roles: 'user,company_admin' })), '/admin')).toBe(403);
  });

  it('an issuer configured with a role separator splits its roles claim on it', async () => {
    const token = await rs256(claims({ partner_org: 'acme', groups: 'user, company_admin' }), PARTNER);
    expect((await call(token)).json()).toMatchObject({ roles: ['user', 'company_admin'] });
    expect(await status(token, '/admin')).toBe(200);
  });

  it('array roles are taken as they are, non-string members dropped', async () => {
    const token = await rs256(
      claims({ 'cognito:groups': ['user', 7, { r: 'company_admin' }, null, 'company_admin'] }),
    );
    expect((await call(token)).json()).toMatchObject({ roles: ['user', 'company_admin'] });
  });

  it('comma in a scope claim does not split', async () => {
    const comma = await rs256(claims({ scope: 'reports:read,admin:write' }));
    expect((await call(comma)).json()).toMatchObject({ scopes: ['reports:read,admin:write'] });
    expect(await status(comma, '/reports')).toBe(403);
    expect(await status(rs256(claims({ scp: 'reports:read,admin:write' })), '/reports')).toBe(403);
    expect(await status(rs256(claims({ scope: 'admin:write  reports:read' })), '/reports')).toBe(200);
    expect(await status(rs256(claims({ scp: ['reports:read'] })), '/reports')).toBe(200);
  });

  it('conflicting scope or role claims are refused', async () => {
    expect(await status(rs256(claims({ scope: 'reports:read', scp: 'admin:write' })))).toBe(401);
    expect(await status(rs256(claims({ 'cognito:groups': ['user'], roles: ['company_admin'] })))).toBe(401);
    // The same grants written two ways agree.
    expect(await status(rs256(claims({ scope: 'a b', scp: ['b', 'a'] })))).toBe(200);
  });
});

describe('crit header with an unknown extension is refused', () => {
  const paths: [string, Record<string, unknown>, KeyObject | string, Record<string, unknown>][] = [
    ['RS256', { alg: 'RS256', kid: own.kid }, own.privateKey, { iss: OWN }],
    ['ES256', { alg: 'ES256', kid: ec.kid }, ec.privateKey, { iss: EC }],
    ['HS256', { alg: 'HS256' }, SECRET, { iss: HS }],
    [
      'Cognito',
      { alg: 'RS256', kid: pool.kid },
      pool.privateKey,
      { iss: COGNITO, token_use: 'access', client_id: 'client-1', 'custom:tenant_id': 't1', aud: undefined },
    ],
  ];
  for (const [name, header, key, extra] of paths) {
    it(`crit header with an unknown extension is refused on the ${name} path`, async () => {
      const payload = JSON.parse(JSON.stringify(claims(extra))) as Record<string, unknown>;
      expect(await status(signRaw(header, payload, key)), 'the same token without crit').toBe(200);
      for (const crit of [['x-lift-unknown'], [], 'x-lift-unknown', null, ['b64']]) {
        const token = signRaw({ ...header, crit, 'x-lift-unknown': true, b64: true }, payload, key);
        const res = await call(token);
        expect(res.status, JSON.stringify(crit)).toBe(401);
        expect(res.json()).toEqual(INVALID);
      }
    });
  }
});

describe('issuer options are checked at start-up', () => {
  const rs = {
    issuer: PARTNER,
    audience: 'api',
    algorithms: ['RS256'] as const,
    jwksUri: 'https://x.test/jwks',
  };
  const cognito = { cognito: { userPoolId: POOL, tokenUse: 'access' as const, clientId: null } };
  it('refuses a tenants option that limits nothing, naming the issuer', () => {
    for (const tenants of [[], [''], 'acme', [1], null]) {
      expect(
        () => jwtAuthenticator({ issuers: [{ ...rs, tenants: tenants as never }] }),
        String(tenants),
      ).toThrow(/https:\/\/partner\.lift\.test "tenants" must list tenant ids/);
    }
    expect(() => jwtAuthenticator({ issuers: [{ ...cognito, tenants: [] }] })).toThrow(
      new RegExp(`${COGNITO.replace(/[./]/g, '\\$&')} "tenants"`),
    );
  });

  it('refuses misspelt options rather than leaving an issuer unrestricted', () => {
    expect(() => jwtAuthenticator({ issuers: [{ ...rs, tenant: ['acme'] } as never] })).toThrow(
      /partner\.lift\.test: unknown option "tenant"/,
    );
    expect(() => jwtAuthenticator({ issuers: [{ ...cognito, tenant: ['acme'] } as never] })).toThrow(
      /unknown option "tenant"/,
    );
    expect(() => jwtAuthenticator({ issuers: [{ ...rs, mapping: { tenant: ['org'] } as never }] })).toThrow(
      /partner\.lift\.test: unknown mapping option "tenant"/,
    );
    expect(() => jwtAuthenticator({ issuers: [rs], mappings: {} } as never)).toThrow(
      /unknown option "mappings"/,
    );
  });

  it('refuses a mapping that cannot be read', () => {
    expect(() => jwtAuthenticator({ issuers: [{ ...rs, mapping: { roleSeparator: '' } }] })).toThrow(
      /roleSeparator must be a non-empty string/,
    );
    expect(() => jwtAuthenticator({ issuers: [rs], mapping: { tenantId: 'tid' as never } })).toThrow(
      /mapping\.tenantId must list claim names/,
    );
    expect(() => jwtAuthenticator({ issuers: [{ ...rs, mapping: { userId: [] } }] })).toThrow(
      /lists no claim/,
    );
  });

  it('refuses one issuer listed twice, whose second tenants would go unused', () => {
    expect(() => jwtAuthenticator({ issuers: [rs, { ...rs, tenants: ['acme'] }] })).toThrow(/listed twice/);
  });

  it('refuses every token when a tenant test is async, instead of trusting a promise', async () => {
    const strict = createApp({
      service: 'strict',
      access: createAccessControl({
        audit: () => {},
        authenticators: [
          jwtAuthenticator({
            issuers: [
              { ...rs, jwksUri: `${base}/partner/jwks.json`, tenants: (async () => true) as never },
              {
                issuer: OWN,
                audience: 'api',
                algorithms: ['RS256'],
                jwksUri: `${base}/own/jwks.json`,
                tenants: () => {
                  throw new Error('tenant directory down');
                },
              },
            ],
          }),
        ],
      }),
    });
    strict.get('/me', { auth: {} }, () => 'me');
    const get = async (token: Promise<string>) =>
      (await strict.request('/me', { headers: { authorization: `Bearer ${await token}` } })).status;
    expect(await get(rs256(claims({ 'custom:tenant_id': 'acme' }), PARTNER))).toBe(401);
    expect(await get(rs256(claims({ 'custom:tenant_id': 'acme' }), OWN))).toBe(401);
  });
});
