import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { createAccessControl } from './access-control.js';
import { type JwtAlgorithm, jwtAuthenticator } from './jwt.js';

const cases: [JwtAlgorithm, () => ReturnType<typeof generateKeyPairSync>][] = [
  ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['ES384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
  ['EdDSA', () => generateKeyPairSync('ed25519')],
  ['RS512', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
];

describe('asymmetric algorithms with static keys', () => {
  for (const [alg, generate] of cases) {
    it(`verifies ${alg}, and refuses it where the issuer pins another algorithm`, async () => {
      const { privateKey, publicKey } = generate();
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: `k-${alg}`, alg, use: 'sig' };
      const build = (algorithms: JwtAlgorithm[]) => {
        const app = createApp({
          service: 'algs',
          access: createAccessControl({
            audit: () => {},
            authenticators: [
              jwtAuthenticator({
                issuers: [
                  {
                    issuer: 'https://algs.test',
                    audience: 'api',
                    algorithms,
                    jwks: { keys: [jwk] } as never,
                  },
                ],
              }),
            ],
          }),
        });
        app.get('/me', { auth: {} }, (ctx) => ({ user: ctx.principal?.userId }));
        return app;
      };
      const token = await new SignJWT({ sub: 'u-1', aud: 'api' })
        .setProtectedHeader({ alg, kid: `k-${alg}` })
        .setIssuer('https://algs.test')
        .setExpirationTime('10m')
        .sign(privateKey);
      const accepted = await build([alg]).request('/me', { headers: { authorization: `Bearer ${token}` } });
      expect(accepted.json()).toEqual({ user: 'u-1' });
      const pinned = await build([alg === 'RS512' ? 'RS256' : 'RS512']).request('/me', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(pinned.status).toBe(401);
    });
  }
});
