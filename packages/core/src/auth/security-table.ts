import { defineTable } from '../dynamodb/table.js';

/**
 * The table holding shared security state (revocations, nonces, API keys) across Lambda instances.
 * Declared once; `lift dev` creates it, a deployment creates it and sets LIFT_SECURITY_TABLE.
 * Every item carries `expiresAt` (epoch seconds) so DynamoDB's TTL cleans up, and reads skip expired items.
 */
export const securityTable = defineTable({
  name: 'lift-security',
  nameFromEnv: 'LIFT_SECURITY_TABLE',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
  ttlAttribute: 'expiresAt',
});
