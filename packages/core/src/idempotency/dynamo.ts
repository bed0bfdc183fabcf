import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentsFor } from '../dynamodb/documents.js';
import type { TableDefinition } from '../dynamodb/table.js';
import { ConfigurationError, refuseUnknownOptions, ServiceUnavailableError } from '../errors/errors.js';
import { lazyPeer } from '../peer/peer.js';
import {
  ATTRIBUTES as A,
  type BeginOutcome,
  checkBeginInput,
  checkMaxItemBytes,
  completedItemBytes,
  decodeResult,
  encodeResult,
  type IdempotencyStore,
  type ItemNames,
  newFence,
  PARTITION_PREFIX,
  recordExpiry,
  SORT_KEY,
} from './store.js';

/** Options of {@link dynamoIdempotencyStore}. */
export interface DynamoIdempotencyStoreOptions {
  /**
   * The table records live in: the declared security table (`securityTable` of `@lift/core/auth`)
   * or any table with a string partition key (and string sort key, if any) and a `ttlAttribute`.
   */
  readonly table: TableDefinition;
  /** Largest item written, in bytes (default 400 000, at most DynamoDB's 409 600); larger results are not stored. */
  readonly maxItemBytes?: number;
  /** Bound of each DynamoDB call, retries included, in ms (default 1000). */
  readonly timeoutMs?: number;
  /** A document client to use instead of the shared one (tests; two clients act as two instances). */
  readonly client?: DynamoDBDocumentClient;
}

const KNOWN = ['table', 'maxItemBytes', 'timeoutMs', 'client'];
const STATE = { inProgress: 'IN_PROGRESS', completed: 'COMPLETED', tooLarge: 'TOO_LARGE' } as const;
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const documentSdk = lazyPeer(
  '@aws-sdk/lib-dynamodb',
  () => import('@aws-sdk/lib-dynamodb'),
  'dynamoIdempotencyStore',
);

type Raw = Record<string, unknown>;

/**
 * Reads an item as `ReturnValuesOnConditionCheckFailure` returns it on the error: in DynamoDB's
 * wire form (`{ S: '...' }`, `{ N: '1' }`), which the document client does not convert on errors.
 * Plain values are taken as they are.
 */
function plainItem(item: Raw): Raw {
  const out: Raw = {};
  for (const [name, value] of Object.entries(item)) {
    if (typeof value === 'object' && value !== null) {
      const wire = value as { S?: unknown; N?: unknown };
      if (typeof wire.S === 'string') out[name] = wire.S;
      else if (typeof wire.N === 'string') out[name] = Number(wire.N);
    } else out[name] = value;
  }
  return out;
}

const errorName = (error: unknown) => (error as { name?: unknown } | null)?.name;

/**
 * Idempotency records in DynamoDB, shared by every Lambda instance. One item per key
 * (`PK = IDEMPOTENCY#<key>`, `SK = IDEMPOTENCY`), written only by conditional writes:
 *
 * - `begin` is one `PutItem` that succeeds if the key is free (no item, an expired record, or an
 *   expired or released lock with the same payload hash) and otherwise fails returning the item it
 *   found (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), so a replay costs that one call. Where the
 *   server does not return the item on the error (dynalite), one strongly consistent `GetItem` follows.
 * - `complete` and `release` are one `UpdateItem` each, conditioned on the run's fencing token.
 *
 * Expiry is checked in every condition and read (`expiresAtMs`, `lockUntil`); the table's TTL
 * attribute (epoch seconds) is only for DynamoDB to delete old items. Each call is bounded by
 * `timeoutMs` and the caller's signal; a timeout or throttling is a 503 with `Retry-After`. The AWS
 * SDK is imported on first use.
 */
export function dynamoIdempotencyStore(options: DynamoIdempotencyStoreOptions): IdempotencyStore {
  refuseUnknownOptions(options, KNOWN, 'dynamoIdempotencyStore');
  const { table } = options;
  if (table?.kind !== 'lift:dynamodb-table')
    throw new ConfigurationError('dynamoIdempotencyStore: table must be a table declared with defineTable');
  if (table.partitionKey.type !== 'S' || (table.sortKey !== undefined && table.sortKey.type !== 'S'))
    throw new ConfigurationError(`dynamoIdempotencyStore: ${table.name} needs string (S) keys`);
  if (table.ttlAttribute === undefined)
    throw new ConfigurationError(
      `dynamoIdempotencyStore: ${table.name} declares no ttlAttribute, so old records would never be deleted`,
    );
  const maxItemBytes = checkMaxItemBytes(options.maxItemBytes, 'dynamoIdempotencyStore');
  const timeoutMs = options.timeoutMs ?? 1000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1)
    throw new ConfigurationError('dynamoIdempotencyStore: timeoutMs must be a positive whole number');
  const names: ItemNames = {
    partitionKey: table.partitionKey.name,
    sortKey: table.sortKey?.name,
    ttl: table.ttlAttribute,
  };
  const documents = documentsFor(options.client);
  const keyOf = (key: string): Raw => ({
    [names.partitionKey]: `${PARTITION_PREFIX}${key}`,
    ...(names.sortKey === undefined ? {} : { [names.sortKey]: SORT_KEY }),
  });
  const seconds = (ms: number) => Math.ceil(ms / 1000);

  /** Sends one command bounded by the timeout and the caller's signal; maps timeouts and throttling to 503. */
  const send = async <T>(
    command: (sdk: typeof import('@aws-sdk/lib-dynamodb')) => unknown,
    signal: AbortSignal | undefined,
  ): Promise<T> => {
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(timeoutMs);
    const bound = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    try {
      const [client, sdk] = await Promise.all([documents(), documentSdk()]);
      // Loading the SDK on first use takes time too: do not start a call already past its bound.
      bound.throwIfAborted();
      return (await client.send(command(sdk) as never, { abortSignal: bound })) as T;
    } catch (error) {
      if (signal?.aborted === true) throw signal.reason;
      if (timeout.aborted)
        throw new ServiceUnavailableError('The idempotency store did not answer in time', {
          cause: error,
          headers: { 'retry-after': '1' },
        });
      if (THROTTLED.has(errorName(error) as string))
        throw new ServiceUnavailableError('The idempotency store is throttled', {
          cause: error,
          headers: { 'retry-after': '1' },
        });
      throw error;
    }
  };
  const isConditionFailure = (error: unknown) => errorName(error) === 'ConditionalCheckFailedException';

  /** What a `begin` that found `item` answers; `undefined` when the key looks free (a race: try again). */
  const classify = (item: Raw | undefined, hash: string, now: number): BeginOutcome | undefined => {
    if (item === undefined) return undefined;
    const until = item[A.until];
    if (typeof until !== 'number' || until <= now) return undefined;
    if (item[A.hash] !== hash) return { status: 'mismatch' };
    const state = item[A.state];
    if (state === STATE.completed) {
      const record = decodeResult(item[A.result]);
      if (record !== undefined) return { status: 'completed', record };
    }
    if (state === STATE.tooLarge) {
      const resultStatus = typeof item[A.resultStatus] === 'number' ? (item[A.resultStatus] as number) : 0;
      return { status: 'unreplayable', reason: 'too_large', resultStatus };
    }
    const lockUntil = item[A.lockUntil];
    if (state === STATE.inProgress && typeof lockUntil === 'number' && lockUntil > now)
      return { status: 'in_progress', lockUntil };
    return undefined;
  };

  return {
    async begin(key, input) {
      checkBeginInput(input, 'dynamoIdempotencyStore.begin');
      const expiresAtMs = recordExpiry(input);
      // Another instance can change the item between our write and our read; a few tries settle it.
      for (let attempt = 0; attempt < 3; attempt++) {
        const fence = newFence();
        try {
          await send(
            ({ PutCommand }) =>
              new PutCommand({
                TableName: table.tableName(),
                Item: {
                  ...keyOf(key),
                  [A.state]: STATE.inProgress,
                  [A.hash]: input.payloadHash,
                  [A.fence]: fence,
                  [A.lockUntil]: input.lockUntil,
                  [A.until]: expiresAtMs,
                  [names.ttl]: seconds(expiresAtMs),
                },
                ConditionExpression:
                  'attribute_not_exists(#pk) OR #until <= :now OR (#state = :inProgress AND #lock <= :now AND #hash = :hash)',
                ExpressionAttributeNames: {
                  '#pk': names.partitionKey,
                  '#until': A.until,
                  '#state': A.state,
                  '#lock': A.lockUntil,
                  '#hash': A.hash,
                },
                ExpressionAttributeValues: {
                  ':now': input.now,
                  ':inProgress': STATE.inProgress,
                  ':hash': input.payloadHash,
                },
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
            input.signal,
          );
          return { status: 'started', fence };
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          const returned = (error as { Item?: Raw }).Item;
          const found =
            returned !== undefined
              ? plainItem(returned)
              : (
                  await send<{ Item?: Raw }>(
                    ({ GetCommand }) =>
                      new GetCommand({ TableName: table.tableName(), Key: keyOf(key), ConsistentRead: true }),
                    input.signal,
                  )
                ).Item;
          const outcome = classify(found, input.payloadHash, input.now);
          if (outcome !== undefined) return outcome;
        }
      }
      throw new ServiceUnavailableError('The idempotency record kept changing; try again', {
        headers: { 'retry-after': '1' },
      });
    },

    async complete(key, fence, result, completeOptions) {
      const encoded = encodeResult(result);
      const tooLarge = completedItemBytes(key, fence, encoded, names) > maxItemBytes;
      const changes: Raw = tooLarge
        ? { [A.state]: STATE.tooLarge }
        : { [A.state]: STATE.completed, [A.result]: encoded };
      changes[A.resultStatus] = result.status;
      changes[A.lockUntil] = 0;
      changes[A.until] = completeOptions.expiresAt;
      changes[names.ttl] = seconds(completeOptions.expiresAt);
      const attributeNames: Record<string, string> = { '#fence': A.fence, '#state': A.state };
      const values: Raw = { ':fence': fence, ':inProgress': STATE.inProgress };
      const sets = Object.entries(changes).map(([name, value], i) => {
        attributeNames[`#a${i}`] = name;
        values[`:a${i}`] = value;
        return `#a${i} = :a${i}`;
      });
      try {
        await send(
          ({ UpdateCommand }) =>
            new UpdateCommand({
              TableName: table.tableName(),
              Key: keyOf(key),
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: '#fence = :fence AND #state = :inProgress',
              ExpressionAttributeNames: attributeNames,
              ExpressionAttributeValues: values,
            }),
          completeOptions.signal,
        );
      } catch (error) {
        if (isConditionFailure(error)) return 'fenced_out';
        throw error;
      }
      return tooLarge ? 'too_large' : 'stored';
    },

    async release(key, fence, releaseOptions) {
      try {
        await send(
          ({ UpdateCommand }) =>
            new UpdateCommand({
              TableName: table.tableName(),
              Key: keyOf(key),
              UpdateExpression: 'SET #lock = :zero',
              ConditionExpression: '#fence = :fence AND #state = :inProgress',
              ExpressionAttributeNames: { '#lock': A.lockUntil, '#fence': A.fence, '#state': A.state },
              ExpressionAttributeValues: { ':zero': 0, ':fence': fence, ':inProgress': STATE.inProgress },
            }),
          releaseOptions?.signal,
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}
