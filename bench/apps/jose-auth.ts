/**
 * Bearer-token verification as Middy, Hono and hand-written handlers usually do it: jose's
 * `jwtVerify` with the public key, issuer, audience and algorithm pinned. jose treats `exp` as
 * optional, so it is required here, as Lift requires it.
 */
import { createPublicKey } from 'node:crypto';
import { type JWTPayload, jwtVerify } from 'jose';
import { AUDIENCE, ISSUER, ROLE } from './common.js';
import { PUBLIC_JWK } from './order.js';

const key = createPublicKey({ key: PUBLIC_JWK, format: 'jwk' });

/** The verified claims of an `Authorization: Bearer` header, or `undefined` for any failure. */
export async function verifyBearer(header: string | undefined): Promise<JWTPayload | undefined> {
  if (header === undefined || !header.startsWith('Bearer ')) return undefined;
  try {
    const { payload } = await jwtVerify(header.slice(7), key, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      requiredClaims: ['exp'],
    });
    return payload;
  } catch {
    return undefined;
  }
}

/** Whether the claims allow acting on `tenantId` with the route's role. */
export function allowed(claims: JWTPayload, tenantId: string | undefined): boolean {
  const groups = claims['cognito:groups'];
  return claims['custom:tenant_id'] === tenantId && Array.isArray(groups) && groups.includes(ROLE);
}
