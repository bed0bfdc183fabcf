import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { BadRequestError, ConfigurationError } from '../errors/errors.js';

/** Turns DynamoDB's `LastEvaluatedKey` into an opaque cursor and back. */
export interface CursorCodec {
  encode(key: Record<string, unknown>): string;
  /** Throws a 400 for a cursor this codec did not issue (forged, altered, or from another secret). */
  decode(cursor: string): Record<string, unknown>;
}

/**
 * Opaque pagination cursors: the key is encrypted and authenticated with AES-256-GCM (node:crypto),
 * so clients can neither read partition keys from a cursor nor forge one to page into other data.
 * `secret` must be at least 32 characters and the same on every instance (keep it in Secrets Manager).
 */
export function createCursorCodec(secret: string): CursorCodec {
  if (typeof secret !== 'string' || secret.length < 32) {
    throw new ConfigurationError('createCursorCodec: the secret must be at least 32 characters');
  }
  const key = createHash('sha256').update(`lift-cursor:${secret}`).digest();
  return {
    encode(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    decode(cursor) {
      const raw =
        typeof cursor === 'string' && cursor.length <= 4096
          ? Buffer.from(cursor, 'base64url')
          : Buffer.alloc(0);
      if (raw.length < 29) throw new BadRequestError('Invalid cursor');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
        const value: unknown = JSON.parse(text);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a key');
        return value as Record<string, unknown>;
      } catch {
        throw new BadRequestError('Invalid cursor');
      }
    },
  };
}
