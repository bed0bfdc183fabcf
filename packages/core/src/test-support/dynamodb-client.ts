import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { securityTable } from '../auth/security-table.js';
import { ensureTables } from '../dynamodb/ensure.js';
import type { TableDefinition } from '../dynamodb/table.js';
import { type DynamoDBServer, localClientConfig, startTestDynamoDB } from '../testing/dynamodb.js';

/** The test DynamoDB of a suite: its raw client and the server behind it. */
export interface TestDynamoDB {
  /** The raw SDK client on the server (valid from the suite's `beforeAll` to its `afterAll`). */
  readonly client: () => DynamoDBClient;
  /** The server: its kind (`dynalite` or `dynamodb-local`) and endpoint. */
  readonly server: () => DynamoDBServer;
}

/**
 * Starts the test DynamoDB (dynalite, or DynamoDB Local with `LIFT_TEST_DYNAMODB=local`) for the
 * enclosing suite with `tables` created (default the security table), and returns getters of its raw
 * client and server. `useSecurityTable` does the same and hands out table clients instead.
 */
export function useTestDynamoDB(tables: readonly TableDefinition[] = [securityTable]): TestDynamoDB {
  let server: DynamoDBServer | undefined;
  let raw: DynamoDBClient | undefined;
  beforeAll(async () => {
    server = await startTestDynamoDB();
    raw = new DynamoDBClient(localClientConfig(server.endpoint));
    await ensureTables(raw, tables);
  }, 120_000);
  afterAll(async () => {
    raw?.destroy();
    await server?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestDynamoDB: the test DynamoDB has not started yet');
    return value;
  };
  return { client: () => started(raw), server: () => started(server) };
}
