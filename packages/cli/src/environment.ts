import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables, type TableDefinition } from '@lift/core/dynamodb';
import { type DynamoDBServer, startDynalite } from '@lift/core/testing/dynamodb';

/** Where the service's DynamoDB is. */
export interface LocalDynamoDB {
  readonly endpoint: string;
  /** `embedded` (dynalite in this process) or `external` (--dynamodb-endpoint). */
  readonly kind: 'embedded' | 'external';
  /** Creates the declared tables that do not exist yet; returns the names created. */
  ensure(tables: readonly TableDefinition[]): Promise<string[]>;
  close(): Promise<void>;
}

/** Options of {@link startLocalDynamoDB}. */
export interface LocalDynamoDBOptions {
  /** Use this DynamoDB (DynamoDB Local, AWS) instead of the embedded one. */
  readonly endpoint?: string;
  /** Persist the embedded DynamoDB's data in this folder. */
  readonly dataDir?: string;
}

/**
 * Starts the embedded DynamoDB (or uses the given endpoint) and points the service's AWS SDK v3
 * clients at it through the standard environment: `AWS_ENDPOINT_URL_DYNAMODB`, a region, and, for
 * the embedded server only, dummy credentials (a real endpoint keeps the caller's own).
 */
export async function startLocalDynamoDB(options: LocalDynamoDBOptions = {}): Promise<LocalDynamoDB> {
  let server: DynamoDBServer | undefined;
  let endpoint: string;
  if (options.endpoint !== undefined) {
    endpoint = options.endpoint;
  } else {
    server = await startDynalite(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
    endpoint = server.endpoint;
  }
  // A local stand-in (embedded, or DynamoDB Local on loopback) accepts any credentials; a real
  // endpoint keeps the caller's own.
  if (server !== undefined || /^https?:\/\/(localhost|127\.[0-9.]+|\[::1\])(:|\/|$)/.test(endpoint)) {
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  const client = new DynamoDBClient({ endpoint, region: process.env.AWS_REGION });
  return {
    endpoint,
    kind: server === undefined ? 'external' : 'embedded',
    ensure: (tables) => ensureTables(client, tables),
    async close() {
      client.destroy();
      await server?.close();
    },
  };
}
