/**
 * `@lift/core/dynamodb`: tables declared once in code, and helpers over `@aws-sdk/lib-dynamodb` for
 * the single-table pattern: conditional writes (optimistic versions, attribute matches), removals
 * from sparse indexes, sort key ranges, batch writes, TTL-aware reads and opaque pagination cursors.
 * Every call has timeouts, deadline-bound retries and the request's signal, and DynamoDB's faults
 * are answered as 503/504 errors. The AWS SDK (a peer dependency) is imported on first use.
 */
export { BATCH_WRITE_LIMIT, type BatchWriteOptions, type BatchWriteRequest } from './batch.js';
export {
  ConditionFailedError,
  type Item,
  type PutOptions,
  type TableClient,
  type TableClientOptions,
  tableClient,
  type UpdateOptions,
  type VersionOptions,
} from './client.js';
export { type CursorCodec, createCursorCodec } from './cursor.js';
export {
  type CallOptions,
  createDocumentClient,
  type DocumentClientOptions,
  sharedDocumentClient,
} from './documents.js';
export { ensureTables } from './ensure.js';
export type { Page, QueryAllOptions, QueryOptions, SortKeyValue } from './query.js';
export {
  createTableInput,
  defineTable,
  type GlobalIndex,
  isTableDefinition,
  type KeyAttribute,
  type TableDefinition,
  type TableSpec,
} from './table.js';
