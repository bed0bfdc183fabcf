/** The contract every nonce store keeps, run against the in-memory store and DynamoDB (dynalite). */
import { describe, expect, it } from 'vitest';
import { useSecurityTable } from '../test-support/security-table.js';
import { dynamoNonceStore, memoryNonceStore, type NonceStore } from './nonces.js';

const clock = Date.now();
// A whole second, so "now" can equal an expiry given in epoch seconds.
const expiresAt = Math.floor(clock / 1000) + 300;
let counter = 0;
const freshNonce = () => `contract-nonce-${process.pid}-${Date.now()}-${counter++}`;

describe('nonce store contract', () => {
  const dynamoTable = useSecurityTable(() => clock);
  const stores: Record<string, (now: () => number) => NonceStore> = {
    memory: (now) => memoryNonceStore({ now }),
    dynamodb: () => dynamoNonceStore(dynamoTable()),
  };

  for (const [kind, make] of Object.entries(stores)) {
    it(`first claim wins, replays are refused up to and at expiresAt, scopes are independent (${kind})`, async () => {
      let now = clock;
      const store = make(() => now);
      const nonce = freshNonce();
      expect(await store.claim('billing-service', nonce, expiresAt)).toBe(true);
      expect(await store.claim('billing-service', nonce, expiresAt)).toBe(false);
      // Exactly at the edge: the verifier's window still accepts the timestamp, so the nonce must hold.
      now = expiresAt * 1000;
      expect(await store.claim('billing-service', nonce, expiresAt)).toBe(false);
      expect(await store.claim('orders-service', nonce, expiresAt)).toBe(true);
      expect(await store.claim('orders-service', nonce, expiresAt)).toBe(false);
      // Of simultaneous claims exactly one wins.
      const raced = freshNonce();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.claim('billing-service', raced, expiresAt)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  }

  it('the memory store forgets a nonce once expired (its request is outside the window by then)', async () => {
    let now = clock;
    const store = memoryNonceStore({ now: () => now });
    const nonce = freshNonce();
    expect(await store.claim('billing-service', nonce, expiresAt)).toBe(true);
    now = expiresAt * 1000 + 1;
    expect(await store.claim('billing-service', nonce, expiresAt + 300)).toBe(true);
  });
});
