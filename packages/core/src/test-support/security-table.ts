import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { securityTable } from '../auth/security-table.js';
import { type TableClient, tableClient } from '../dynamodb/client.js';
import { ensureTables } from '../dynamodb/ensure.js';
import { type DynamoDBServer, localClientConfig, startTestDynamoDB } from '../testing/dynamodb.js';

/**
 * Starts the test DynamoDB (dynalite, or DynamoDB Local) for the enclosing suite with the security
 * table created, and returns a factory of table clients on it with the given clock.
 */
export function useSecurityTable(now: () => number): () => TableClient {
  let server: DynamoDBServer | undefined;
  let raw: DynamoDBClient | undefined;
  beforeAll(async () => {
    server = await startTestDynamoDB();
    raw = new DynamoDBClient(localClientConfig(server.endpoint));
    await ensureTables(raw, [securityTable]);
  }, 120_000);
  afterAll(async () => {
    raw?.destroy();
    await server?.close();
  });
  return () =>
    tableClient(securityTable, { client: DynamoDBDocumentClient.from(raw as DynamoDBClient), now });
}
