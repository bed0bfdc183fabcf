/**
 * Token verification alone (the auth section): the cost of verifying an RS256 token, first sight
 * and repeated, with Lift's authenticator next to aws-jwt-verify and jose verifying the same tokens
 * with the same key in the same run.
 */
import { createPublicKey } from 'node:crypto';
import { jwtAuthenticator } from '@lift/core/auth';
import { JwtVerifier } from 'aws-jwt-verify';
import { jwtVerify } from 'jose';
import { AUDIENCE, ISSUER } from './apps/common.js';
import { PUBLIC_JWK } from './apps/order.js';
import type { Contender } from './harness.js';

const publicKey = createPublicKey({ key: PUBLIC_JWK, format: 'jwk' });

// What every contender answers for a token: the subject, so answers can be compared.
const answer = (sub: unknown) => ({ statusCode: 200, body: JSON.stringify({ sub }) });

/** The request-like view Lift's authenticator reads: one header. */
const bearer = (token: string) => ({
  header: (name: string) => (name === 'authorization' ? `Bearer ${token}` : undefined),
});

/** Lift's authenticator; `cached: false` makes every call a first sight. */
export function liftAuth(cached: boolean): Contender {
  const authenticate = jwtAuthenticator({
    issuers: [
      { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], jwks: { keys: [PUBLIC_JWK] } as never },
    ],
    cacheSize: cached ? 10_000 : 0,
  });
  return {
    name: cached ? 'Lift (repeated token)' : 'Lift (first sight)',
    handler: async (token) => answer((await authenticate(bearer(token as string) as never))?.userId),
  };
}

/** aws-jwt-verify with the key set given (no network), as it is usually configured. */
export function awsJwtVerify(): Contender {
  const verifier = JwtVerifier.create({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: 'https://issuer.bench/jwks.json',
  });
  verifier.cacheJwks({ keys: [PUBLIC_JWK] } as never);
  return {
    name: 'aws-jwt-verify',
    handler: async (token) => answer((await verifier.verify(token as string)).sub),
  };
}

/** jose with the public key object. */
export function jose(): Contender {
  return {
    name: 'jose',
    handler: async (token) =>
      answer(
        (
          await jwtVerify(token as string, publicKey, {
            issuer: ISSUER,
            audience: AUDIENCE,
            algorithms: ['RS256'],
          })
        ).payload.sub,
      ),
  };
}
