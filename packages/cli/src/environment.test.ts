/** DynamoDB as lift dev and lift invoke find it: progress, a locked data dir, endpoints that fail. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@lift/core/testing/dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from './data-dir-lock.js';
import { DevServerError, startDevServer } from './dev-server.js';
import { fixture, hasStack, lift, startLift } from './fixtures/harness.js';
import { loadService } from './service.js';

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'lift-env-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('progress', () => {
  it('says what it is doing during the long steps, before the first request', async () => {
    const logs: string[] = [];
    const server = await startDevServer({
      entry: fixture('notes.ts'),
      port: 0,
      watch: false,
      log: (l) => logs.push(l),
    });
    await server.close();
    const steps = [
      'starting embedded DynamoDB (in memory)…',
      /^embedded DynamoDB ready in \d+ ms$/,
      'building notes.ts…',
      /^built notes\.ts in \d+ ms$/,
      'created table cli-test-notes',
    ];
    const at = steps.map((step) =>
      logs.findIndex((l) => (typeof step === 'string' ? l === step : step.test(l))),
    );
    expect(
      at.every((i) => i >= 0),
      logs.join('\n'),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  }, 60_000);
});

describe('the data dir lock', () => {
  it('refuses a second lift dev on the same data dir, naming the process that has it', async () => {
    const dataDir = scratch();
    const first = startLift(['dev', fixture('echo.ts'), '--port', '0', '--no-watch', '--data-dir', dataDir]);
    try {
      await first.waitFor(/Ctrl-C stops/);
      expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(first.pid));
      const second = await lift([
        'dev',
        fixture('echo.ts'),
        '--port',
        '0',
        '--no-watch',
        '--data-dir',
        dataDir,
      ]);
      expect(second.code).toBe(1);
      expect(second.stderr).toBe(
        `lift dev: data dir ${dataDir} is in use by process ${first.pid}; stop it, or pass another --data-dir\n`,
      );
      // lift invoke needs the same files, so it is refused the same way.
      const invoke = await lift(['invoke', fixture('echo.ts'), '--data-dir', dataDir]);
      expect(invoke.code).toBe(1);
      expect(invoke.stderr).toContain(`is in use by process ${first.pid}`);
      expect(hasStack(second.stderr + invoke.stderr)).toBe(false);
    } finally {
      first.child.kill('SIGINT');
      await first.exited;
    }
    // Ctrl-C released it.
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  }, 90_000);

  it('takes over a lock left by a process that is gone, and refuses a second server in this process', async () => {
    const dataDir = scratch();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, LOCK_FILE), `${deadPid()}\n`);
    const server = await startDevServer({
      entry: fixture('echo.ts'),
      port: 0,
      watch: false,
      dataDir,
      log: () => {},
    });
    try {
      expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
      await expect(
        startDevServer({ entry: fixture('echo.ts'), port: 0, watch: false, dataDir, log: () => {} }),
      ).rejects.toThrow(`data dir ${dataDir} is in use by this process already`);
    } finally {
      await server.close();
    }
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  }, 60_000);
});

describe('an external DynamoDB that cannot be used', () => {
  it('gives up on a server that never answers after a few seconds, with one clear line', async () => {
    // Accepts connections and never says a word.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const started = Date.now();
      const logs: string[] = [];
      const error = await startDevServer({
        entry: fixture('echo.ts'),
        port: 0,
        watch: false,
        dynamodbEndpoint: endpoint,
        log: (l) => logs.push(l),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DevServerError);
      expect((error as Error).message).toBe(
        `DynamoDB at ${endpoint} did not answer within 3 s; check --dynamodb-endpoint, or leave out --dynamodb-endpoint to use the embedded one`,
      );
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(logs).toContain(`checking DynamoDB at ${endpoint}…`);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  }, 20_000);

  it('reports a closed port as one line from the binary, exit 1, no ECONNREFUSED stack', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const result = await lift(['dev', fixture('echo.ts'), '--port', '0', '--dynamodb-endpoint', endpoint]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `lift dev: DynamoDB at ${endpoint} refused the connection (nothing listens there); start it, or leave out --dynamodb-endpoint to use the embedded one\n`,
    );
    expect(hasStack(result.stderr)).toBe(false);
    expect(result.stdout).toContain(`checking DynamoDB at ${endpoint}…`);
    expect(result.stdout).not.toContain('on http://');
  }, 30_000);
});

describe('packages the service needs', () => {
  it('names a package the service imports but nobody installed, with its npm install line, at start', async () => {
    const service = await loadService(fixture('needs-kinesis.ts'));
    expect(service.missing).toEqual(['npm install @aws-sdk/client-kinesis']);
    const lines: string[] = [];
    const server = await startDevServer({
      entry: fixture('needs-kinesis.ts'),
      port: 0,
      watch: false,
      log: (l) => lines.push(l),
    });
    await server.close();
    expect(lines).toContain(
      'warning: the service imports a package that is not installed: npm install @aws-sdk/client-kinesis',
    );
  });
});
