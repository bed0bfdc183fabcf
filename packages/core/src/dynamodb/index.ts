/**
 * `@lift/core/dynamodb`: tables declared once in code, and helpers over `@aws-sdk/lib-dynamodb` for
 * the single-table pattern: conditional writes, optimistic versions, TTL-aware reads and opaque
 * pagination cursors. Every call has timeouts, deadline-bound retries and the request's signal, and
 * DynamoDB's faults are answered as 503/504 errors. The AWS SDK (a peer dependency) is imported on
 * first use.
 */
export {
  ConditionFailedError,
  type Item,
  type Page,
  type PutOptions,
  type QueryOptions,
  type TableClient,
  type TableClientOptions,
  tableClient,
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
export {
  createTableInput,
  defineTable,
  type GlobalIndex,
  isTableDefinition,
  type KeyAttribute,
  type TableDefinition,
  type TableSpec,
} from './table.js';
