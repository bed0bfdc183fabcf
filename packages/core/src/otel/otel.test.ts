import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableClient } from '../dynamodb/client.js';
import { defineTable } from '../dynamodb/table.js';
import { captureSpans, stopCapturingSpans } from '../test-support/spans.js';
import { type DynamoDBServer, localClientConfig, startDynalite } from '../testing/dynamodb.js';
import { instrumentAwsClient } from './otel.js';

let server: DynamoDBServer;
beforeAll(async () => {
  server = await startDynalite();
});
afterAll(async () => {
  stopCapturingSpans();
  await server.close();
});

describe("spans around Lift's AWS calls", () => {
  it('opens a client span per command, with the AWS error name on failure and nothing of the request', async () => {
    const client = instrumentAwsClient(new DynamoDBClient(localClientConfig(server.endpoint)));
    // No tracer provider yet: calls pass straight through.
    stopCapturingSpans();
    await client.send(new ListTablesCommand({}));
    const spans = captureSpans();
    await client.send(new ListTablesCommand({}));
    await expect(client.send(new DescribeTableCommand({ TableName: 'secret-table-name' }))).rejects.toThrow();
    expect(
      spans.map((s) => [
        s.name,
        s.kind,
        s.attributes['rpc.method'],
        s.attributes['error.type'],
        s.status,
        s.ended,
      ]),
    ).toEqual([
      ['DynamoDB.ListTables', SpanKind.CLIENT, 'ListTables', undefined, undefined, true],
      [
        'DynamoDB.DescribeTable',
        SpanKind.CLIENT,
        'DescribeTable',
        'ResourceNotFoundException',
        SpanStatusCode.ERROR,
        true,
      ],
    ]);
    expect(JSON.stringify(spans)).not.toContain('secret-table-name');
    // Instrumenting twice replaces the middleware rather than nesting a second span.
    instrumentAwsClient(client);
    await client.send(new ListTablesCommand({}));
    expect(spans).toHaveLength(3);
  });

  it('covers the shared client behind tableClient, which Lift creates itself', async () => {
    const spans = captureSpans();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = server.endpoint;
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    const table = defineTable({
      name: 'missing-table',
      partitionKey: { name: 'PK', type: 'S' },
      sortKey: { name: 'SK', type: 'S' },
    });
    await expect(tableClient(table).get({ PK: 'a', SK: 'b' })).rejects.toThrow(/not found/);
    expect(spans.map((s) => [s.name, s.attributes['error.type']])).toEqual([
      ['DynamoDB.GetItem', 'ResourceNotFoundException'],
    ]);
  });
});
