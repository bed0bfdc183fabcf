import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ensureTables, type TableDefinition } from '@lift/core/dynamodb';
import { type DynamoDBServer, startDynalite } from '@lift/core/testing/dynamodb';
import { lockDataDir } from './data-dir-lock.js';
import { settleWithin } from './deadline.js';
import { DevServerError } from './errors.js';

/** Where the service's DynamoDB is. */
export interface LocalDynamoDB {
  readonly endpoint: string;
  /** `embedded` (dynalite in this process) or `external` (--dynamodb-endpoint). */
  readonly kind: 'embedded' | 'external';
  /** Creates the declared tables that do not exist yet; returns the names created. */
  ensure(tables: readonly TableDefinition[]): Promise<string[]>;
  /** Stops the embedded server and releases the data dir. */
  close(): Promise<void>;
}

/** Options of {@link startLocalDynamoDB}. */
export interface LocalDynamoDBOptions {
  /** Use this DynamoDB (DynamoDB Local, AWS) instead of the embedded one. */
  readonly endpoint?: string;
  /** Persist the embedded DynamoDB's data in this folder, locked for this process while in use. */
  readonly dataDir?: string;
  /** How long an external endpoint has to answer, at start and per call after (default 3000 ms). */
  readonly timeoutMs?: number;
  /** Where progress lines go (default nowhere). */
  readonly log?: (line: string) => void;
}

const LOOPBACK = /^https?:\/\/(localhost|127\.[0-9.]+|\[::1\])(:|\/|$)/;

function elapsed(started: number): string {
  return `${(performance.now() - started).toFixed(0)} ms`;
}

/** One line saying why the endpoint cannot be reached, or undefined for other failures. */
function unreachable(endpoint: string, error: unknown, timeoutMs: number): DevServerError | undefined {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? /\b(E[A-Z]{4,})\b/.exec(e.message ?? '')?.[1];
  const drop = 'or leave out --dynamodb-endpoint to use the embedded one';
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'ETIMEDOUT') {
    return new DevServerError(
      `DynamoDB at ${endpoint} did not answer within ${timeoutMs / 1000} s; check --dynamodb-endpoint, ${drop}`,
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET')
    return new DevServerError(
      `DynamoDB at ${endpoint} refused the connection (nothing listens there); start it, ${drop}`,
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new DevServerError(`DynamoDB at ${endpoint}: host not found; check --dynamodb-endpoint, ${drop}`);
  return undefined;
}

async function probe(client: DynamoDBClient, endpoint: string, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  try {
    // The SDK's own retries and back-off happen inside the same budget: one bound for the whole check.
    await settleWithin(
      client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: controller.signal }),
      timeoutMs,
      () => {
        controller.abort();
        return Object.assign(new Error('timed out'), { name: 'TimeoutError' });
      },
    );
  } catch (error) {
    const e = error as { name?: string; message?: string };
    throw (
      unreachable(endpoint, error, timeoutMs) ??
      new DevServerError(
        `DynamoDB at ${endpoint} cannot be used: ${e.name ?? 'Error'}: ${(e.message ?? String(error)).split('\n')[0]}`,
      )
    );
  }
}

/**
 * Starts the embedded DynamoDB (or checks the given endpoint answers) and points the service's AWS
 * SDK v3 clients at it through the standard environment: `AWS_ENDPOINT_URL_DYNAMODB`, a region, and,
 * for local servers only, dummy credentials (a real endpoint keeps the caller's own). An endpoint
 * that refuses, cannot be resolved or does not answer in time is a {@link DevServerError}, and so is
 * a data dir another process uses.
 */
export async function startLocalDynamoDB(options: LocalDynamoDBOptions = {}): Promise<LocalDynamoDB> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 3_000;
  let server: DynamoDBServer | undefined;
  let release: (() => void) | undefined;
  let endpoint: string;
  if (options.endpoint !== undefined) {
    endpoint = options.endpoint;
  } else {
    if (options.dataDir !== undefined) release = lockDataDir(options.dataDir);
    const started = performance.now();
    log(
      `starting embedded DynamoDB (${options.dataDir === undefined ? 'in memory' : `data in ${options.dataDir}`})…`,
    );
    try {
      server = await startDynalite(options.dataDir === undefined ? {} : { dataDir: options.dataDir });
    } catch (error) {
      release?.();
      throw new DevServerError(`embedded DynamoDB did not start: ${(error as Error).message}`);
    }
    endpoint = server.endpoint;
    log(`embedded DynamoDB ready in ${elapsed(started)}`);
  }
  if (server !== undefined || LOOPBACK.test(endpoint)) {
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  }
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  const client = new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION,
    // Without these, a server that accepts connections and never answers holds table creation, and
    // with it the first request, forever.
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs * 3 },
  });
  if (server === undefined) {
    const started = performance.now();
    log(`checking DynamoDB at ${endpoint}…`);
    try {
      await probe(client, endpoint, timeoutMs);
    } catch (error) {
      client.destroy();
      throw error;
    }
    log(`DynamoDB at ${endpoint} answered in ${elapsed(started)}`);
  }
  return {
    endpoint,
    kind: server === undefined ? 'external' : 'embedded',
    async ensure(tables) {
      try {
        return await ensureTables(client, tables);
      } catch (error) {
        throw (server === undefined ? unreachable(endpoint, error, timeoutMs) : undefined) ?? error;
      }
    },
    async close() {
      client.destroy();
      await server?.close();
      release?.();
    },
  };
}
