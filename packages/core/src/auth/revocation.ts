import type { TableClient } from '../dynamodb/client.js';

/** What revocation needs to know about a verified token. */
export interface RevocationSubject {
  readonly jti?: string | undefined;
  readonly userId: string;
  /** Issued-at, epoch seconds. */
  readonly iat?: number | undefined;
}

/** Revoked tokens and users; a small interface with a memory and a DynamoDB implementation. */
export interface RevocationStore {
  /** Revokes one token by its `jti` until it would have expired anyway (`expiresAt`, epoch seconds). */
  revokeToken(jti: string, expiresAt: number): Promise<void>;
  /**
   * Revokes every token of a user issued before `before` (epoch seconds): a password change, an
   * account deletion. Kept until `expiresAt`, when no such token can still be valid.
   */
  revokeUser(userId: string, before: number, expiresAt: number): Promise<void>;
  /** Whether the token is revoked. A token without `iat` counts as issued before any user revocation. */
  isRevoked(subject: RevocationSubject): Promise<boolean>;
}

function revokedBy(subject: RevocationSubject, jtiRevoked: boolean, userBefore: number | undefined): boolean {
  if (jtiRevoked) return true;
  if (userBefore === undefined) return false;
  return subject.iat === undefined || subject.iat < userBefore;
}

/** Revocations in this process only: tests and single-instance use. */
export function memoryRevocationStore(options: { readonly now?: () => number } = {}): RevocationStore {
  const now = options.now ?? Date.now;
  const tokens = new Map<string, number>();
  const users = new Map<string, { before: number; expiresAt: number }>();
  const live = (expiresAt: number) => expiresAt > now() / 1000;
  return {
    async revokeToken(jti, expiresAt) {
      tokens.set(jti, expiresAt);
    },
    async revokeUser(userId, before, expiresAt) {
      const prior = users.get(userId);
      users.set(userId, {
        before: Math.max(before, prior?.before ?? 0),
        expiresAt: Math.max(expiresAt, prior?.expiresAt ?? 0),
      });
    },
    async isRevoked(subject) {
      const jtiExpiry = subject.jti === undefined ? undefined : tokens.get(subject.jti);
      const user = users.get(subject.userId);
      return revokedBy(
        subject,
        jtiExpiry !== undefined && live(jtiExpiry),
        user !== undefined && live(user.expiresAt) ? user.before : undefined,
      );
    },
  };
}

/**
 * Revocations in DynamoDB, shared by every instance: items in the security table, expiring with
 * DynamoDB TTL. Pass a client for the security table (`tableClient(securityTable)`).
 */
export function dynamoRevocationStore(table: TableClient): RevocationStore {
  const tokenKey = (jti: string) => ({ PK: `REVOKED#JTI#${jti}`, SK: 'REVOKED' });
  const userKey = (userId: string) => ({ PK: `REVOKED#USER#${userId}`, SK: 'REVOKED' });
  return {
    async revokeToken(jti, expiresAt) {
      await table.put({ ...tokenKey(jti), expiresAt });
    },
    async revokeUser(userId, before, expiresAt) {
      // A later revocation only ever moves the cut-off forward.
      const prior = await table.get(userKey(userId));
      const priorBefore = typeof prior?.before === 'number' ? prior.before : 0;
      const priorExpiry = typeof prior?.expiresAt === 'number' ? prior.expiresAt : 0;
      await table.put({
        ...userKey(userId),
        before: Math.max(before, priorBefore),
        expiresAt: Math.max(expiresAt, priorExpiry),
      });
    },
    async isRevoked(subject) {
      const [token, user] = await Promise.all([
        subject.jti === undefined ? undefined : table.get(tokenKey(subject.jti)),
        table.get(userKey(subject.userId)),
      ]);
      return revokedBy(
        subject,
        token !== undefined,
        typeof user?.before === 'number' ? user.before : undefined,
      );
    },
  };
}
