/**
 * `@lift/core/idempotency`: run a request or a record once per idempotency key across every Lambda
 * instance. A store (memory, or DynamoDB on the security table) holds one record per key, taken by
 * one conditional write with a lock that expires with the Lambda deadline and a fencing token;
 * repeats replay the stored response, a repeat in flight is a 409, the same key with another
 * payload a 422. See docs/idempotency.md. The AWS SDK (a peer dependency) is imported on first use.
 */
export { type DynamoIdempotencyStoreOptions, dynamoIdempotencyStore } from './dynamo.js';
export {
  type IdempotentOutcome,
  REPLAYED_HEADER,
  type RunIdempotentOptions,
  replayResponse,
  runIdempotent,
  type SaveOutcome,
  storedResultOf,
} from './engine.js';
export {
  IdempotencyConflictError,
  IdempotencyMismatchError,
  InvalidIdempotencyKeyError,
  ResultTooLargeError,
} from './errors.js';
export { idempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH, parseTtl, payloadHash } from './keys.js';
export {
  Idempotency,
  type IdempotencyOptions,
  idempotency,
  type RecordIdempotency,
  type RouteIdempotency,
} from './routes.js';
export {
  type BeginInput,
  type BeginOutcome,
  type CompleteOptions,
  type CompleteOutcome,
  DEFAULT_MAX_ITEM_BYTES,
  type IdempotencyStore,
  memoryIdempotencyStore,
  type StoredResult,
} from './store.js';
