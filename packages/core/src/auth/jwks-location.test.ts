/**
 * Under `lift dev`, a Cognito pool's key set comes from the local stand-in named by
 * AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, while the issuer stays the pool's real one; nowhere
 * else does that variable move where keys come from.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from './access-control.js';
import { jwksLocation } from './jwks-cache.js';
import { jwtAuthenticator } from './jwt.js';

const POOL = 'eu-west-1_Kefir1234';
const REAL = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}/.well-known/jwks.json`;

describe('jwksLocation', () => {
  it('maps a user pool key set to the stand-in only under lift dev', () => {
    const local = { LIFT_DEV: '1', AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9229/' };
    expect(jwksLocation(REAL, local)).toBe(`http://127.0.0.1:9229/${POOL}/.well-known/jwks.json`);
    expect(jwksLocation(REAL, { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9229' })).toBe(
      REAL,
    );
    expect(jwksLocation(REAL, { LIFT_DEV: '1' })).toBe(REAL);
  });

  it('endpoint redirect attack: an issuer that is not a Cognito pool URL is never moved', () => {
    const local = { LIFT_DEV: '1', AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: 'http://127.0.0.1:9229' };
    for (const uri of [
      'https://issuer.example.com/.well-known/jwks.json',
      `https://cognito-idp.eu-west-1.amazonaws.com.evil.example/${POOL}/.well-known/jwks.json`,
      `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}/.well-known/jwks.json?x=1`,
    ])
      expect(jwksLocation(uri, local)).toBe(uri);
  });
});

describe('a Cognito pool verified against a local stand-in', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'local-1', alg: 'RS256', use: 'sig' };
  let server: Server;
  let endpoint = '';
  const asked: string[] = [];
  const saved = { ...process.env };
  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  afterEach(() => {
    process.env = { ...saved };
  });

  it('accepts the stand-in’s token with the pool’s real issuer, and fetches the keys from the stand-in', async () => {
    process.env.LIFT_DEV = '1';
    process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = endpoint;
    const app = createApp({
      logger: false,
      metrics: false,
      tracing: false,
      access: createAccessControl({
        authenticators: [
          jwtAuthenticator({ issuers: [{ cognito: { userPoolId: POOL, tokenUse: 'id', clientId: 'app' } }] }),
        ],
        audit: () => {},
      }),
    });
    app.get('/me', { auth: {} }, (ctx) => ({ user: ctx.principal?.userId }));
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ token_use: 'id', email: 'ada@example.com', 'cognito:username': 'ada' })
      .setProtectedHeader({ alg: 'RS256', kid: 'local-1' })
      .setIssuer(`https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`)
      .setAudience('app')
      .setSubject('sub-ada')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(privateKey);
    const res = await app.request('/me', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ user: 'sub-ada' });
    expect(asked).toEqual([`/${POOL}/.well-known/jwks.json`]);
  });
});
