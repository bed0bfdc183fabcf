/**
 * One contract per store interface, run against the memory implementation and the DynamoDB one
 * (dynalite, or DynamoDB Local with LIFT_TEST_DYNAMODB=local).
 */
import { describe, expect, it } from 'vitest';
import { useSecurityTable } from '../test-support/security-table.js';
import { type ApiKeyStore, dynamoApiKeyStore, issueApiKey, memoryApiKeyStore } from './api-keys.js';
import { dynamoRevocationStore, memoryRevocationStore, type RevocationStore } from './revocation.js';

let clock = Date.parse('2026-11-23T10:00:00Z');
const seconds = () => Math.floor(clock / 1000);
const dynamoTable = useSecurityTable(() => clock);

const revocationStores: [string, () => RevocationStore][] = [
  ['memory', () => memoryRevocationStore({ now: () => clock })],
  ['dynamodb', () => dynamoRevocationStore(dynamoTable())],
];

for (const [kind, make] of revocationStores) {
  describe(`revocation store (${kind})`, () => {
    it('revokes a token by jti until it would have expired', async () => {
      const store = make();
      const jti = `jti-${kind}-${Math.random()}`;
      expect(await store.isRevoked({ jti, userId: 'u1', iat: seconds() })).toBe(false);
      await store.revokeToken(jti, seconds() + 60);
      expect(await store.isRevoked({ jti, userId: 'u1', iat: seconds() })).toBe(true);
      expect(await store.isRevoked({ jti: 'other', userId: 'u1', iat: seconds() })).toBe(false);
      clock += 120_000;
      expect(await store.isRevoked({ jti, userId: 'u1', iat: seconds() })).toBe(false);
    });

    it('revokes every token of a user issued before a moment, and only those', async () => {
      const store = make();
      const user = `user-${kind}-${Math.random()}`;
      const cut = seconds();
      await store.revokeUser(user, cut, cut + 3600);
      expect(await store.isRevoked({ userId: user, iat: cut - 10 })).toBe(true);
      expect(await store.isRevoked({ userId: user })).toBe(true);
      expect(await store.isRevoked({ userId: user, iat: cut + 10 })).toBe(false);
      // An older revocation never moves the cut-off back.
      await store.revokeUser(user, cut - 1000, cut + 60);
      expect(await store.isRevoked({ userId: user, iat: cut - 10 })).toBe(true);
      expect(await store.isRevoked({ userId: 'someone-else', iat: cut - 10 })).toBe(false);
    });
  });
}

const apiKeyStores: [string, () => ApiKeyStore][] = [
  ['memory', () => memoryApiKeyStore()],
  ['dynamodb', () => dynamoApiKeyStore(dynamoTable())],
];

for (const [kind, make] of apiKeyStores) {
  describe(`API key store (${kind})`, () => {
    it('stores only the hash, refuses a duplicate id, revokes', async () => {
      const store = make();
      const { key, record } = await issueApiKey(store, {
        name: 'ci-bot',
        tenantId: 't1',
        roles: ['user'],
        scopes: ['orders:read'],
        now: () => clock,
      });
      expect(key).toMatch(/^lift_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      const stored = await store.get(record.id);
      expect(stored).toEqual(record);
      // lift_<16-hex id>_<secret>: the secret itself may contain '_'.
      const secret = key.slice('lift_'.length + 16 + 1);
      expect(secret).toHaveLength(43);
      expect(JSON.stringify(stored)).not.toContain(secret);
      await expect(store.create(record)).rejects.toThrow();
      expect(await store.revoke(record.id)).toBe(true);
      expect((await store.get(record.id))?.revoked).toBe(true);
      expect(await store.revoke('0000000000000000')).toBe(false);
      expect(await store.get('0000000000000000')).toBeUndefined();
    });
  });
}
