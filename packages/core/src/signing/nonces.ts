import type { TableClient } from '../dynamodb/client.js';
import { refuseUnknownOptions } from '../errors/errors.js';

/**
 * Remembers nonces so a signed request is accepted once. The contract both stores keep: the first
 * claim of a nonce in a scope wins; any later claim is refused while `now <= expiresAt` (the same
 * inclusive edge as the verifier's timestamp window); scopes are independent.
 */
export interface NonceStore {
  /**
   * Records the nonce in `scope` (the verifier passes the key's name) until `expiresAt` (epoch
   * seconds); `false` if it is already recorded and not expired. Atomic across callers.
   */
  claim(scope: string, nonce: string, expiresAt: number): Promise<boolean>;
}

// Never a nonce character, so scope and nonce cannot run into each other.
const SEPARATOR = '\n';
const SWEEP_AT = 10_000;

/**
 * Nonces in this process only: tests and single-instance use. A nonce may be claimed again once
 * `now > expiresAt`; by then the verifier's window refuses the request that carried it anyway.
 */
export function memoryNonceStore(options: { readonly now?: () => number } = {}): NonceStore {
  refuseUnknownOptions(options, ['now'], 'memoryNonceStore');
  const now = options.now ?? Date.now;
  const seen = new Map<string, number>();
  return {
    async claim(scope, nonce, expiresAt) {
      const key = `${scope}${SEPARATOR}${nonce}`;
      const current = now() / 1000;
      const prior = seen.get(key);
      // Inclusive: at now == expiresAt the verifier still accepts the timestamp, so the nonce must hold.
      if (prior !== undefined && current <= prior) return false;
      seen.set(key, expiresAt);
      // Forget expired nonces now and then, so memory stays bounded by the replay window.
      if (seen.size > SWEEP_AT) for (const [k, exp] of seen) if (exp < current) seen.delete(k);
      return true;
    },
  };
}

/**
 * Nonces in DynamoDB (the security table): a conditional put, so of two instances receiving the same
 * request at once exactly one wins. Stricter than the contract after expiry: a nonce stays refused
 * until DynamoDB's TTL deletes the item, not only while `now <= expiresAt`. That refuses nothing the
 * verifier would accept, since a request is only accepted inside its window (`expiresAt` is its
 * timestamp plus the window) and a signer never reuses a nonce; it keeps the write a single
 * `attribute_not_exists` condition.
 */
export function dynamoNonceStore(table: TableClient): NonceStore {
  return {
    async claim(scope, nonce, expiresAt) {
      try {
        await table.put({ PK: `NONCE#${scope}#${nonce}`, SK: 'NONCE', expiresAt }, { ifNotExists: true });
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'CONDITION_FAILED') return false;
        throw error;
      }
    },
  };
}
