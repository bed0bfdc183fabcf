/**
 * Cognito-shaped id tokens for tests, signed with a key made here: the app's authenticator gets the
 * matching key set through `issuer.jwks`, so the real verification path runs without a network.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { CognitoIssuerOptions } from '@lift/core/auth';
import { SignJWT } from 'jose';

export const TEST_POOL_ID = 'us-east-1_BubbleTst';
export const TEST_CLIENT_ID = 'bubble-test-client';
export const TEST_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${TEST_POOL_ID}`;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

/** The issuer entry the test app verifies with: the test pool, its client, and the test key. */
export const testIssuer = {
  cognito: { userPoolId: TEST_POOL_ID, tokenUse: 'id', clientId: TEST_CLIENT_ID },
  jwks: { keys: [jwk] },
} as unknown as CognitoIssuerOptions;

/** An id token for `userId` (its `sub`), valid for an hour. */
export function idToken(userId: string, claims: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub: userId,
    aud: TEST_CLIENT_ID,
    email: `${userId}@example.com`,
    email_verified: true,
    'cognito:username': userId,
    token_use: 'id',
    auth_time: now,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
    .setIssuer(TEST_ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
}
