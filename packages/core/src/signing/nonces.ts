import type { TableClient } from '../dynamodb/client.js';

/** Remembers nonces until they can no longer be replayed; the first claim of a nonce wins. */
export interface NonceStore {
  /** Records the nonce; `false` if it was already used within its lifetime. Atomic across callers. */
  claim(scope: string, nonce: string, expiresAt: number): Promise<boolean>;
}

/** Nonces in this process only: tests and single-instance use. */
export function memoryNonceStore(options: { readonly now?: () => number } = {}): NonceStore {
  const now = options.now ?? Date.now;
  const seen = new Map<string, number>();
  return {
    async claim(scope, nonce, expiresAt) {
      const key = `${scope}\n${nonce}`;
      const current = now() / 1000;
      const prior = seen.get(key);
      if (prior !== undefined && prior > current) return false;
      seen.set(key, expiresAt);
      // Forget expired nonces now and then, so memory stays bounded by the replay window.
      if (seen.size > 10_000) for (const [k, exp] of seen) if (exp <= current) seen.delete(k);
      return true;
    },
  };
}

/**
 * Nonces in DynamoDB (the security table): a conditional put, so of two instances receiving the same
 * request at once exactly one wins; DynamoDB TTL removes them after the window.
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
