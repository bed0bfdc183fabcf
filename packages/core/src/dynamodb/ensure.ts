import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { lazyPeer } from '../peer/peer.js';
import { createTableInput, type TableDefinition } from './table.js';

const dynamodbSdk = lazyPeer(
  '@aws-sdk/client-dynamodb',
  () => import('@aws-sdk/client-dynamodb'),
  'ensureTables',
);

/**
 * Creates the declared tables that do not exist yet and waits until they are active. For local and
 * test DynamoDB servers; deployed tables are created by the CDK constructs, never at cold start.
 */
export async function ensureTables(
  client: DynamoDBClient,
  tables: readonly TableDefinition[],
): Promise<string[]> {
  const { CreateTableCommand, DescribeTableCommand, ListTablesCommand } = await dynamodbSdk();
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const page = await client.send(
      new ListTablesCommand(start === undefined ? {} : { ExclusiveStartTableName: start }),
    );
    for (const name of page.TableNames ?? []) existing.add(name);
    start = page.LastEvaluatedTableName;
  } while (start !== undefined);
  const created: string[] = [];
  for (const table of tables) {
    const input = createTableInput(table);
    if (existing.has(input.TableName)) continue;
    await client.send(new CreateTableCommand(input));
    for (let attempt = 0; attempt < 100; attempt++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
      if (Table?.TableStatus === 'ACTIVE') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    created.push(input.TableName);
  }
  return created;
}
