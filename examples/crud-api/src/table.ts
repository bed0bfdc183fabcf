import { defineTable } from '@lift/core/dynamodb';

/** One single-table design table: items live under `TENANT#{tenantId}` / `ITEM#{itemId}`. */
export const itemsTable = defineTable({
  name: 'crud-api-items',
  nameFromEnv: 'ITEMS_TABLE',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
});
