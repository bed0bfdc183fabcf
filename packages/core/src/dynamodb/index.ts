/**
 * `@lift/core/dynamodb`: tables declared once in code, and helpers over `@aws-sdk/lib-dynamodb` for
 * the single-table pattern: conditional writes, optimistic versions, TTL-aware reads and opaque
 * pagination cursors. The AWS SDK (a peer dependency) is imported on first use.
 */
export {
  ConditionFailedError,
  type Item,
  type Page,
  type QueryOptions,
  sharedDocumentClient,
  type TableClient,
  type TableClientOptions,
  tableClient,
} from './client.js';
export { type CursorCodec, createCursorCodec } from './cursor.js';
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
