import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TableClient } from '../dynamodb/client.js';
import { ConfigurationError, UnauthorizedError } from '../errors/errors.js';
import type { Authenticator } from './api-gateway.js';
import { createPrincipal } from './principal.js';
import { describedAs } from './scheme.js';

/** What is stored for an API key: never the key itself, only its SHA-256. */
export interface ApiKeyRecord {
  /** The public part of the key, used to find the record. */
  readonly id: string;
  /** SHA-256 of the whole key, base64url. */
  readonly hash: string;
  /** Who or what the key is for (shown in audit logs as the user id). */
  readonly name: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** Epoch seconds after which the key is refused; absent for keys that do not expire. */
  readonly expiresAt?: number;
  readonly revoked: boolean;
  readonly createdAt: number;
}

/** Where API key records live; a memory and a DynamoDB implementation. */
export interface ApiKeyStore {
  /** Stores a new record; refuses an id that exists. */
  create(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Marks the key revoked; returns false when there was no such key. */
  revoke(id: string): Promise<boolean>;
}

const PREFIX = 'lift';
const API_KEY_SCHEME = { type: 'api-key', header: 'x-api-key', authorizationScheme: 'ApiKey' } as const;
// `lift_<id>_<secret>`: the prefix makes leaked keys easy to find in code and logs.
const KEY = /^lift_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** What {@link issueApiKey} takes. */
export interface IssueApiKeyOptions {
  readonly name: string;
  readonly tenantId: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  /** Epoch seconds after which the key stops working. */
  readonly expiresAt?: number;
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Creates an API key and stores its record. The returned `key` is the only time the key exists in
 * clear: show it once and forget it; the store holds only its hash.
 */
export async function issueApiKey(
  store: ApiKeyStore,
  options: IssueApiKeyOptions,
): Promise<{ key: string; record: ApiKeyRecord }> {
  if (typeof options.tenantId !== 'string' || options.tenantId === '')
    throw new ConfigurationError('issueApiKey: a key is bound to a tenant');
  if (typeof options.name !== 'string' || options.name === '')
    throw new ConfigurationError('issueApiKey: name the key');
  // A string here would be spread into one grant per character.
  for (const field of ['roles', 'scopes'] as const) {
    const list = options[field];
    if (list !== undefined && !(Array.isArray(list) && list.every((v) => typeof v === 'string' && v !== '')))
      throw new ConfigurationError(`issueApiKey: "${field}" must be an array of non-empty strings`);
  }
  const id = randomBytes(8).toString('hex');
  const key = `${PREFIX}_${id}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id,
    hash: hashKey(key),
    name: options.name,
    tenantId: options.tenantId,
    roles: [...(options.roles ?? [])],
    scopes: [...(options.scopes ?? [])],
    ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
    revoked: false,
    createdAt: Math.floor((options.now ?? Date.now)() / 1000),
  };
  await store.create(record);
  return { key, record };
}

function invalidKey(): UnauthorizedError {
  return new UnauthorizedError('Invalid API key');
}

/**
 * Authenticates `x-api-key: <key>` or `Authorization: ApiKey <key>`. The key's hash is compared in
 * constant time with the stored one; revoked and expired keys are refused. The principal carries the
 * key's tenant, roles and scopes, nothing the request says.
 */
export function apiKeyAuthenticator(options: {
  readonly store: ApiKeyStore;
  readonly now?: () => number;
}): Authenticator {
  const now = options.now ?? Date.now;
  return describedAs(async (ctx) => {
    const authorization = ctx.header('authorization');
    const key =
      ctx.header('x-api-key') ??
      (authorization !== undefined && /^apikey /i.test(authorization)
        ? authorization.slice(7).trim()
        : undefined);
    if (key === undefined) return undefined;
    const match = KEY.exec(key);
    if (match === null) throw invalidKey();
    const record = await options.store.get(match[1] as string);
    // Hash and compare even when there is no record, so a miss costs what a hit costs.
    const presented = Buffer.from(hashKey(key));
    const stored = Buffer.from(record?.hash ?? hashKey(`${key}-no-such-key`));
    const same = presented.length === stored.length && timingSafeEqual(presented, stored);
    if (record === undefined || !same || record.revoked) throw invalidKey();
    if (record.expiresAt !== undefined && record.expiresAt <= now() / 1000) throw invalidKey();
    // Records are read back from a table, where an item written by hand may lack a tenant or hold
    // grants of another shape; such a key identifies no one.
    const principal =
      typeof record.tenantId === 'string' && record.tenantId !== ''
        ? createPrincipal({
            userId: record.name,
            tenantId: record.tenantId,
            roles: record.roles,
            scopes: record.scopes,
            authMethod: 'api-key',
            claims: { keyId: record.id },
          })
        : undefined;
    if (principal === undefined) throw invalidKey();
    return principal;
  }, API_KEY_SCHEME);
}

/** API key records in this process only: tests and single-instance use. */
export function memoryApiKeyStore(): ApiKeyStore {
  const records = new Map<string, ApiKeyRecord>();
  return {
    async create(record) {
      if (records.has(record.id)) throw new ConfigurationError('An API key with this id exists');
      records.set(record.id, { ...record });
    },
    async get(id) {
      const record = records.get(id);
      return record === undefined ? undefined : { ...record };
    },
    async revoke(id) {
      const record = records.get(id);
      if (record === undefined) return false;
      records.set(id, { ...record, revoked: true });
      return true;
    },
  };
}

/** API key records in DynamoDB (the security table), shared by every instance. */
export function dynamoApiKeyStore(table: TableClient): ApiKeyStore {
  const key = (id: string) => ({ PK: `APIKEY#${id}`, SK: 'APIKEY' });
  return {
    async create(record) {
      await table.put({ ...key(record.id), ...record }, { ifNotExists: true });
    },
    async get(id) {
      const item = await table.get(key(id));
      if (item === undefined) return undefined;
      const { PK: _pk, SK: _sk, ...record } = item;
      return record as unknown as ApiKeyRecord;
    },
    async revoke(id) {
      try {
        await table.update(key(id), { revoked: true });
        return true;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'CONDITION_FAILED') return false;
        throw error;
      }
    },
  };
}
