import { randomUUID } from 'node:crypto';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';

/**
 * A response kept for replay. `body` is text when `bodyEncoding` is `'utf8'` (the default) and the
 * base64 of the bytes when it is `'base64'`; `null` for no body.
 */
export interface StoredResult {
  readonly status: number;
  /** Lower-case header names. `Set-Cookie` is never stored (see docs/idempotency.md). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
  readonly bodyEncoding?: 'utf8' | 'base64';
}

/** What {@link IdempotencyStore.begin} takes. Every time is epoch milliseconds. */
export interface BeginInput {
  /** `payloadHash` of the request. */
  readonly payloadHash: string;
  /** Until when this run holds the key: the Lambda deadline. After it another run may take the key. */
  readonly lockUntil: number;
  /** When the record may be forgotten (now + ttl). Never before `lockUntil`: the later of the two applies. */
  readonly expiresAt: number;
  /** The time now, from the caller's clock. */
  readonly now: number;
  /** Aborts the call (the request's deadline). */
  readonly signal?: AbortSignal | undefined;
}

/** What {@link IdempotencyStore.begin} found. */
export type BeginOutcome =
  /** This run owns the key; pass `fence` to `complete` or `release`. */
  | { readonly status: 'started'; readonly fence: string }
  /** A run with the same payload completed: replay `record`. */
  | { readonly status: 'completed'; readonly record: StoredResult }
  /** Another run holds an unexpired lock (until `lockUntil`, epoch ms). */
  | { readonly status: 'in_progress'; readonly lockUntil: number }
  /** The key was first used with a different payload hash. */
  | { readonly status: 'mismatch' }
  /** A run with the same payload completed, but its result was too large to store. */
  | { readonly status: 'unreplayable'; readonly reason: 'too_large'; readonly resultStatus: number };

/**
 * What {@link IdempotencyStore.complete} did: `stored`; `fenced_out` (the fence no longer owns the
 * key: its lock expired and another run took it, so nothing was written); `too_large` (the result
 * is over the store's item limit, so only a marker that the key completed was stored).
 */
export type CompleteOutcome = 'stored' | 'fenced_out' | 'too_large';

/** Options of {@link IdempotencyStore.complete}. */
export interface CompleteOptions {
  /** When the record may be forgotten, epoch ms. */
  readonly expiresAt: number;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Where idempotency records live: in memory, or in DynamoDB shared by every Lambda instance. Both
 * keep one contract (`idempotency/stores.test.ts` runs it against each).
 */
export interface IdempotencyStore {
  /**
   * Takes the key for a run, or says why not. Atomic: of concurrent callers exactly one is
   * `started`. A key whose record expired, or whose lock expired with the same payload hash
   * (a crashed run, or a released one), is taken again. A key is bound to its first payload hash
   * until the record expires: any other hash is a `mismatch`, whatever state the record is in.
   */
  begin(key: string, input: BeginInput): Promise<BeginOutcome>;
  /**
   * Stores the result, only if `fence` still owns the key, so a run that outlived its lock cannot
   * overwrite the run that took the key after it. A result over the item limit is not stored; a
   * marker is, and repeats get `unreplayable` (see {@link CompleteOutcome}).
   */
  complete(
    key: string,
    fence: string,
    result: StoredResult,
    options: CompleteOptions,
  ): Promise<CompleteOutcome>;
  /**
   * Releases the lock after a failure (a 5xx, a thrown error) so a retry with the same payload can
   * run now; only if `fence` still owns the key, else nothing happens. The key stays bound to its
   * payload hash.
   */
  release(key: string, fence: string, options?: { readonly signal?: AbortSignal | undefined }): Promise<void>;
}

/** DynamoDB's item limit: 400 KB, names and values counted in UTF-8 bytes. */
export const DYNAMODB_ITEM_LIMIT = 400 * 1024;
/** The default `maxItemBytes` of both stores: DynamoDB's limit less a margin. */
export const DEFAULT_MAX_ITEM_BYTES = 400_000;

/** Checks a `maxItemBytes` option. */
export function checkMaxItemBytes(value: number | undefined, where: string): number {
  if (value === undefined) return DEFAULT_MAX_ITEM_BYTES;
  if (!Number.isSafeInteger(value) || value < 1024 || value > DYNAMODB_ITEM_LIMIT)
    throw new ConfigurationError(
      `${where}: maxItemBytes must be a whole number from 1024 to ${DYNAMODB_ITEM_LIMIT}`,
    );
  return value;
}

/** The JSON a result is stored as (one string attribute in DynamoDB). */
export function encodeResult(result: StoredResult): string {
  return JSON.stringify({
    status: result.status,
    headers: result.headers,
    body: result.body,
    ...(result.bodyEncoding === 'base64' ? { bodyEncoding: 'base64' } : {}),
  });
}

/** Reads a stored result back; `undefined` when it is not one (a damaged item). */
export function decodeResult(text: unknown): StoredResult | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value = JSON.parse(text) as Partial<Record<keyof StoredResult, unknown>>;
    if (typeof value.status !== 'number') return undefined;
    if (typeof value.headers !== 'object' || value.headers === null) return undefined;
    if (value.body !== null && typeof value.body !== 'string') return undefined;
    return {
      status: value.status,
      headers: value.headers as Record<string, string>,
      body: value.body,
      ...(value.bodyEncoding === 'base64' ? { bodyEncoding: 'base64' as const } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The item layout both stores measure a completed record by (the DynamoDB store writes it). */
export const ATTRIBUTES = {
  state: 'state',
  hash: 'payloadHash',
  fence: 'fence',
  lockUntil: 'lockUntil',
  until: 'expiresAtMs',
  result: 'result',
  resultStatus: 'resultStatus',
} as const;
/** The sort key value, and the partition key prefix. */
export const SORT_KEY = 'IDEMPOTENCY';
export const PARTITION_PREFIX = 'IDEMPOTENCY#';
/** The key and TTL attribute names of the table records live in. */
export interface ItemNames {
  readonly partitionKey: string;
  readonly sortKey: string | undefined;
  readonly ttl: string;
}
/** The security table's names (`auth/security-table.ts`), which the memory store measures with. */
export const SECURITY_TABLE_NAMES: ItemNames = { partitionKey: 'PK', sortKey: 'SK', ttl: 'expiresAt' };
/** The longest payload hash a store accepts (`payloadHash` gives 64 hex characters). */
export const MAX_HASH_LENGTH = 128;
// A DynamoDB number takes at most 21 bytes; counting every number at that bounds the size from above.
const NUMBER_BYTES = 21;

/**
 * An upper bound of the size DynamoDB counts for a completed record of `key` holding `encoded`
 * (attribute names and values in UTF-8 bytes, numbers and the payload hash at their largest), with
 * the table's attribute names (the security table's by default). The memory store measures the
 * same, so both refuse the same results.
 */
export function completedItemBytes(
  key: string,
  fence: string,
  encoded: string,
  names: ItemNames = SECURITY_TABLE_NAMES,
): number {
  const text = (name: string, value: string) => Buffer.byteLength(name) + Buffer.byteLength(value);
  const number = (name: string) => Buffer.byteLength(name) + NUMBER_BYTES;
  return (
    text(names.partitionKey, `${PARTITION_PREFIX}${key}`) +
    (names.sortKey === undefined ? 0 : text(names.sortKey, SORT_KEY)) +
    text(ATTRIBUTES.state, 'COMPLETED') +
    Buffer.byteLength(ATTRIBUTES.hash) +
    MAX_HASH_LENGTH +
    text(ATTRIBUTES.fence, fence) +
    number(ATTRIBUTES.lockUntil) +
    number(ATTRIBUTES.until) +
    number(names.ttl) +
    number(ATTRIBUTES.resultStatus) +
    text(ATTRIBUTES.result, encoded)
  );
}

/** A new fencing token: random, so no two runs ever hold the same one. */
export const newFence = (): string => randomUUID();

/** The record's expiry: never before the lock's. */
export const recordExpiry = (input: BeginInput): number => Math.max(input.expiresAt, input.lockUntil);

/** Refuses a `begin` whose times make no sense (a programming error, not a request's fault). */
export function checkBeginInput(input: BeginInput, where: string): void {
  for (const name of ['lockUntil', 'expiresAt', 'now'] as const) {
    if (!Number.isFinite(input[name])) throw new ConfigurationError(`${where}: ${name} must be epoch ms`);
  }
  if (input.lockUntil <= input.now) throw new ConfigurationError(`${where}: lockUntil must be after now`);
  const hash = input.payloadHash;
  if (
    typeof hash !== 'string' ||
    hash.length === 0 ||
    hash.length > MAX_HASH_LENGTH ||
    !/^[\x21-\x7e]+$/.test(hash)
  )
    throw new ConfigurationError(
      `${where}: payloadHash must be 1-${MAX_HASH_LENGTH} printable ASCII characters`,
    );
}

interface MemoryRecord {
  readonly hash: string;
  state: 'in_progress' | 'completed' | 'too_large';
  fence: string;
  lockUntil: number;
  expiresAt: number;
  /** The result as stored (JSON), decoded afresh for each replay as DynamoDB's would be. */
  result?: string;
  resultStatus?: number;
}

const SWEEP_AT = 10_000;

/**
 * Idempotency records in this process only: tests, `lift dev`, and single-instance use. Keeps the
 * same contract as the DynamoDB store, including its item limit (`maxItemBytes`, measured the same
 * way), so what a test sees is what a deployment does.
 */
export function memoryIdempotencyStore(options: { readonly maxItemBytes?: number } = {}): IdempotencyStore {
  refuseUnknownOptions(options, ['maxItemBytes'], 'memoryIdempotencyStore');
  const maxItemBytes = checkMaxItemBytes(options.maxItemBytes, 'memoryIdempotencyStore');
  const records = new Map<string, MemoryRecord>();
  const sweep = (now: number) => {
    if (records.size > SWEEP_AT) for (const [k, r] of records) if (r.expiresAt <= now) records.delete(k);
  };
  return {
    async begin(key, input) {
      checkBeginInput(input, 'memoryIdempotencyStore.begin');
      input.signal?.throwIfAborted();
      const { now } = input;
      const prior = records.get(key);
      const take = (): BeginOutcome => {
        const fence = newFence();
        records.set(key, {
          hash: input.payloadHash,
          state: 'in_progress',
          fence,
          lockUntil: input.lockUntil,
          expiresAt: recordExpiry(input),
        });
        sweep(now);
        return { status: 'started', fence };
      };
      if (prior === undefined || prior.expiresAt <= now) return take();
      if (prior.hash !== input.payloadHash) return { status: 'mismatch' };
      const stored = prior.state === 'completed' ? decodeResult(prior.result) : undefined;
      if (stored !== undefined) return { status: 'completed', record: stored };
      if (prior.state === 'too_large')
        return { status: 'unreplayable', reason: 'too_large', resultStatus: prior.resultStatus ?? 0 };
      if (prior.lockUntil > now) return { status: 'in_progress', lockUntil: prior.lockUntil };
      return take();
    },
    async complete(key, fence, result, completeOptions) {
      completeOptions.signal?.throwIfAborted();
      const record = records.get(key);
      if (record === undefined || record.fence !== fence || record.state !== 'in_progress')
        return 'fenced_out';
      const encoded = encodeResult(result);
      record.expiresAt = completeOptions.expiresAt;
      record.lockUntil = 0;
      record.resultStatus = result.status;
      if (completedItemBytes(key, fence, encoded) > maxItemBytes) {
        record.state = 'too_large';
        return 'too_large';
      }
      record.state = 'completed';
      record.result = encoded;
      return 'stored';
    },
    async release(key, fence, releaseOptions) {
      releaseOptions?.signal?.throwIfAborted();
      const record = records.get(key);
      if (record !== undefined && record.fence === fence && record.state === 'in_progress')
        record.lockUntil = 0;
    },
  };
}
