/** DynamoDB for the benchmarks that measure calls: dynalite in its own process, and clients that count. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** dynalite in its own process, as DynamoDB is a network service and not part of the function. */
export async function startDynaliteProcess(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const script =
    "const s = require('dynalite')({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });" +
    "s.listen(0, '127.0.0.1', () => console.log(s.address().port));";
  const child: ChildProcess = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Whatever ends the runner (a failed check included) ends the server with it.
  const stop = () => child.kill();
  process.once('exit', stop);
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      process.off('exit', stop);
      stop();
    },
  };
}

/** Counts the calls a client sends. */
export interface CallCounter {
  calls: number;
}

/**
 * A client of class `Client` on a local `endpoint` (the settings localClientConfig of
 * @lift/core/testing/dynamodb gives, without bundling that module and dynalite) that counts its calls.
 */
export function countedClient<T extends DynamoDBClient>(
  Client: new (config: DynamoDBClientConfig) => T,
  endpoint: string,
  counter: CallCounter,
): T {
  const client = new Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  client.middlewareStack.add(
    (next) => (args) => {
      counter.calls++;
      return next(args);
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return client;
}
