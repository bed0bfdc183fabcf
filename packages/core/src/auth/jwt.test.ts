/**
 * JWT attacks, each named after the attack, through app.request and the real adapters. A local
 * JWKS server on loopback plays the issuer and can be taken down.
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import type { AuditEvent } from '../observability/audit.js';
import { createAccessControl } from './access-control.js';
import { jwtAuthenticator } from './jwt.js';
import { memoryRevocationStore } from './revocation.js';

const ISSUER = 'https://issuer.lift.test';
const HS_ISSUER = 'https://hs.lift.test';
const POOL = 'us-east-1_LiftTest1';
const COGNITO_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const SECRET_OLD = 'an-old-hmac-secret-of-at-least-32-chars';
const SECRET_NEW = 'a-new-hmac-secret-of-at-least-32-chars!!';

const keyPair = (kid: string) => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    publicKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
};
const k1 = keyPair('k1');
const k2 = keyPair('k2');
const stranger = keyPair('k-stranger');

let server: Server;
let jwksUri: string;
let up = true;
let fetches = 0;
let served = [k1.jwk];
let clock = Date.now();

beforeAll(async () => {
  server = createServer((req, res) => {
    fetches += 1;
    if (!up || req.url !== '/.well-known/jwks.json') return res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const seconds = () => Math.floor(clock / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'u1',
  'custom:tenant_id': 't1',
  aud: 'lift-api',
  exp: seconds() + 600,
  iat: seconds(),
  ...extra,
});

async function rs256(
  payload: Record<string, unknown>,
  key: { kid: string; privateKey: KeyObject } = k1,
  iss = ISSUER,
) {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(iss)
    .sign(key.privateKey);
}
async function hs256(
  payload: Record<string, unknown>,
  secret: string | Uint8Array = SECRET_NEW,
  iss = HS_ISSUER,
) {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setIssuer(iss).sign(key);
}
const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** Signs raw header and payload text, for payloads no JWT library would produce (e.g. `exp: 1e999`). */
function rawRs256(payloadText: string, kid = 'k1') {
  const input = `${b64({ alg: 'RS256', kid })}.${b64(payloadText)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(k1.privateKey).toString('base64url')}`;
}

const revocations = memoryRevocationStore({ now: () => clock });
const audits: AuditEvent[] = [];

function buildApp() {
  const app = createApp({
    service: 'jwt',
    access: createAccessControl({
      audit: (event) => {
        audits.push(event);
      },
      authenticators: [
        jwtAuthenticator({
          now: () => clock,
          jwks: { maxAgeMs: 60_000, unknownKidCooldownMs: 10_000 },
          revocation: { store: revocations, cacheMs: 5_000 },
          issuers: [
            { issuer: ISSUER, audience: 'lift-api', algorithms: ['RS256'], jwksUri: '' },
            {
              issuer: HS_ISSUER,
              audience: 'lift-api',
              algorithms: ['HS256'],
              secrets: [SECRET_OLD, SECRET_NEW],
            },
            {
              cognito: { userPoolId: POOL, tokenUse: 'access', clientId: 'client-1' },
              jwks: { keys: [k2.jwk] } as never,
            },
          ].map((i) => ('issuer' in i && i.issuer === ISSUER ? { ...i, jwksUri } : i)) as never,
        }),
      ],
    }),
  });
  app.get('/me', { auth: {} }, (ctx) => ({ user: ctx.principal?.userId, tenant: ctx.principal?.tenantId }));
  return app;
}

const get = (app: ReturnType<typeof buildApp>, token: string) =>
  app.request('/me', { headers: { authorization: `Bearer ${token}` } });

describe('JWT authentication', () => {
  let app: ReturnType<typeof buildApp>;
  beforeAll(() => {
    app = buildApp();
  });

  it('accepts a valid RS256 token from the JWKS, and a repeated token costs no new verification', async () => {
    const token = await rs256(claims());
    const before = fetches;
    const res = await get(app, token);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ user: 'u1', tenant: 't1' });
    expect(fetches).toBe(before + 1);
    expect((await get(app, token)).status).toBe(200);
    expect(fetches).toBe(before + 1);
  });

  it('accepts HS256 tokens signed with any active secret during a rotation', async () => {
    expect((await get(app, await hs256(claims(), SECRET_OLD))).status).toBe(200);
    expect((await get(app, await hs256(claims(), SECRET_NEW))).status).toBe(200);
    expect((await get(app, await hs256(claims(), 'a-third-secret-nobody-configured-32ch'))).status).toBe(401);
  });

  it('alg none is refused', async () => {
    const token = `${b64({ alg: 'none' })}.${b64(claims({ iss: ISSUER }))}.`;
    expect((await app.request('/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const withSignature = `${b64({ alg: 'none' })}.${b64(claims({ iss: ISSUER }))}.c2ln`;
    expect((await get(app, withSignature)).status).toBe(401);
  });

  it('HS256 signed with the RSA public key (algorithm confusion) is refused', async () => {
    const pem = k1.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const token = await hs256(claims(), new TextEncoder().encode(pem), ISSUER);
    expect((await get(app, token)).status).toBe(401);
  });

  it('a token signed by a key the issuer does not hold is refused', async () => {
    expect((await get(app, await rs256(claims(), { ...stranger, kid: 'k1' }))).status).toBe(401);
  });

  it('unknown kid is refused, and made-up kids do not flood the issuer', async () => {
    const first = await rs256(claims(), stranger);
    const before = fetches;
    expect((await get(app, first)).status).toBe(401);
    for (let i = 0; i < 5; i++)
      expect(
        (await get(app, await rs256(claims({ n: i }), { ...stranger, kid: `made-up-${i}` }))).status,
      ).toBe(401);
    expect(fetches - before).toBeLessThanOrEqual(1);
  });

  it('kid path/URL injection is refused without fetching anything it names', async () => {
    clock += 20_000; // past the unknown-kid cooldown
    for (const kid of [
      '../../../../etc/passwd',
      'http://169.254.169.254/latest/meta-data',
      `${jwksUri}?x=1`,
    ]) {
      const token = await rs256(claims({ kid }), { ...k1, kid });
      expect((await get(app, token)).status, kid).toBe(401);
    }
  });

  it('missing exp is refused', async () => {
    const { exp: _exp, ...rest } = claims();
    expect((await get(app, await rs256(rest))).status).toBe(401);
    expect((await get(app, await hs256(rest))).status).toBe(401);
  });

  it('expired exp is refused', async () => {
    expect((await get(app, await rs256(claims({ exp: seconds() - 120 })))).status).toBe(401);
  });

  it('non-numeric exp is refused', async () => {
    expect(
      (await get(app, rawRs256(JSON.stringify({ ...claims(), iss: ISSUER, exp: '9999999999' })))).status,
    ).toBe(401);
  });

  it('infinite exp is refused', async () => {
    const text = JSON.stringify({ ...claims(), iss: ISSUER }).replace(/"exp":\d+/, '"exp":1e999');
    expect(text).toContain('1e999');
    expect((await get(app, rawRs256(text))).status).toBe(401);
  });

  it('future nbf is refused', async () => {
    expect((await get(app, await rs256(claims({ nbf: seconds() + 3600 })))).status).toBe(401);
    expect((await get(app, await rs256(claims({ nbf: seconds() + 5 })))).status).toBe(200);
  });

  it('wrong iss is refused', async () => {
    expect((await get(app, await rs256(claims(), k1, 'https://evil.test'))).status).toBe(401);
  });

  it('wrong aud is refused', async () => {
    expect((await get(app, await rs256(claims({ aud: 'another-api' })))).status).toBe(401);
    expect((await get(app, await hs256(claims({ aud: 'another-api' })))).status).toBe(401);
  });

  it('Cognito id token where an access token is required is refused', async () => {
    const cognito = (tokenUse: string, extra: Record<string, unknown>) =>
      rs256(
        { sub: 'c1', token_use: tokenUse, exp: seconds() + 600, iat: seconds(), ...extra },
        k2,
        COGNITO_ISSUER,
      );
    expect((await get(app, await cognito('access', { client_id: 'client-1' }))).status).toBe(200);
    expect((await get(app, await cognito('id', { aud: 'client-1' }))).status).toBe(401);
    expect((await get(app, await cognito('access', { client_id: 'other-client' }))).status).toBe(401);
  });

  it('JWKS endpoint down: a cached key keeps verifying, past its maximum age', async () => {
    up = false;
    clock += 120_000; // older than maxAgeMs: a refresh is tried, fails, and the held key is used
    expect((await get(app, await rs256(claims({ fresh: 1 })))).status).toBe(200);
    up = true;
  });

  it('JWKS endpoint down: an unseen kid is not verified, and answered 503 with Retry-After, not 401', async () => {
    up = false;
    try {
      clock += 20_000;
      served = [k1.jwk, k2.jwk];
      // The token may well be good (a key rotated in): a 401 would send its client to sign in again.
      const res = await get(app, await rs256(claims(), { ...k2, kid: 'k2-rotated-in' }));
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.json()).toEqual({
        error: {
          code: 'SERVICE_UNAVAILABLE',
          message: 'Token keys unavailable',
          requestId: expect.any(String),
        },
      });
      // Audited as credentials that could not be checked, not as invalid ones.
      expect(audits.at(-1)).toMatchObject({ outcome: 'deny', reason: 'credentials could not be checked' });
    } finally {
      up = true;
    }
  });

  it('a key rotated into the JWKS is picked up on first sight of its kid', async () => {
    clock += 20_000;
    const k3 = keyPair('k3');
    served = [k1.jwk, k3.jwk];
    expect((await get(app, await rs256(claims(), k3))).status).toBe(200);
  });

  it('revoked jti is refused (once the brief revocation cache has passed)', async () => {
    const token = await rs256(claims({ jti: 'token-to-revoke' }));
    expect((await get(app, token)).status).toBe(200);
    await revocations.revokeToken('token-to-revoke', seconds() + 600);
    clock += 6_000;
    expect((await get(app, token)).status).toBe(401);
    expect((await get(app, await rs256(claims({ jti: 'another-token' })))).status).toBe(200);
  });

  it('user revoked after issue is refused; tokens issued after the revocation pass', async () => {
    const before = await hs256(claims({ sub: 'changed-password', iat: seconds() - 60 }));
    await revocations.revokeUser('changed-password', seconds() - 1, seconds() + 3600);
    expect((await get(app, before)).status).toBe(401);
    const after = await hs256(claims({ sub: 'changed-password', iat: seconds() }));
    expect((await get(app, after)).status).toBe(200);
  });

  it('error bodies leak no detail of why a token failed', async () => {
    const res = await get(app, await rs256(claims({ exp: seconds() - 120 })));
    expect(res.json()).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'Invalid token', requestId: expect.any(String) },
    });
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect((await app.request('/me', { headers: { authorization: 'Bearer not.a-token' } })).status).toBe(401);
  });

  it('refuses unsafe issuer settings at start-up', () => {
    expect(() =>
      jwtAuthenticator({
        issuers: [{ issuer: ISSUER, audience: 'a', algorithms: ['RS256', 'HS256'], jwksUri }],
      }),
    ).toThrow(/mixes HMAC/);
    expect(() =>
      jwtAuthenticator({
        issuers: [{ issuer: ISSUER, audience: 'a', algorithms: ['HS256'], secrets: ['short'] }],
      }),
    ).toThrow(/at least 32/);
    expect(() =>
      jwtAuthenticator({ issuers: [{ issuer: ISSUER, algorithms: ['RS256'], jwksUri } as never] }),
    ).toThrow(/needs "audience"/);
    expect(() =>
      jwtAuthenticator({
        issuers: [{ issuer: ISSUER, audience: 'a', algorithms: ['none' as never], jwksUri }],
      }),
    ).toThrow(/unsupported algorithm/);
  });
});
