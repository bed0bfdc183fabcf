import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { localClientConfig, startDynalite } from '@lift/core/testing/dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, DevServerError, startDevServer } from './dev-server.js';
import { invoke } from './invoke.js';
import { ServiceError } from './service.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
const run = promisify(execFile);

/** Runs the real CLI (from source) and returns its exit code and output. */
async function lift(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--conditions=@lift/source', '--import', 'tsx', bin, ...args],
      {
        // At INFO, as a deployed service logs, so tests see where the access lines go.
        env: { ...process.env, NODE_NO_WARNINGS: '1', POWERTOOLS_LOG_LEVEL: 'INFO' },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('lift dev', () => {
  let server: DevServer;
  const logs: string[] = [];
  beforeAll(async () => {
    server = await startDevServer({
      entry: fixture('echo.ts'),
      port: 0,
      watch: false,
      timeoutMs: 10_000,
      log: (l) => logs.push(l),
    });
  }, 60_000);
  afterAll(() => server?.close());

  it('turns a request into an HTTP API v2 event and the result back into a response', async () => {
    const res = await fetch(`${server.url}/echo?a=1&a=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'session=abc; theme=dark' },
      body: '{"x":1}',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      method: 'POST',
      path: '/echo',
      source: 'apigw-http',
      query: { a: ['1', '2'] },
      cookies: { session: 'abc', theme: 'dark' },
      contentType: 'application/json',
      bodyBytes: [...Buffer.from('{"x":1}')],
      functionName: 'lift-dev',
    });
    expect(body.msLeft as number).toBeGreaterThan(9_000);
    expect(body.msLeft as number).toBeLessThanOrEqual(10_000);
  });

  it('carries binary bodies both ways and every cookie as its own Set-Cookie', async () => {
    const sent = await fetch(`${server.url}/echo`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 255, 10]),
    });
    expect(((await sent.json()) as { bodyBytes: number[] }).bodyBytes).toEqual([0, 255, 10]);
    const png = await fetch(`${server.url}/png`);
    expect([...new Uint8Array(await png.arrayBuffer())]).toEqual([137, 80, 78, 71, 0, 255]);
    const cookies = await fetch(`${server.url}/cookies`);
    expect(cookies.headers.getSetCookie()).toEqual([
      'a=1; Path=/; HttpOnly; Secure; SameSite=Lax',
      'b=2; Path=/; HttpOnly; Secure; SameSite=Lax',
    ]);
  });

  it('answers a crashing handler with a generic 500 and prints the stack in the terminal only', async () => {
    const res = await fetch(`${server.url}/crash`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toBe('{"message":"Internal Server Error"}');
    expect(logs.some((l) => l.includes('kaboom in the handler') && l.includes('echo.ts'))).toBe(true);
    expect(logs.some((l) => /^GET \/crash 500 \d+\.\d ms$/.test(l))).toBe(true);
  });

  it('sends REST (v1) events with --format rest', async () => {
    const rest = await startDevServer({
      entry: fixture('echo.ts'),
      port: 0,
      watch: false,
      format: 'rest',
      log: () => {},
    });
    try {
      const res = await fetch(`${rest.url}/echo?a=1`, { headers: { cookie: 'k=v' } });
      expect(await res.json()).toMatchObject({
        source: 'apigw-rest',
        query: { a: '1' },
        cookies: { k: 'v' },
      });
      const cookies = await fetch(`${rest.url}/cookies`);
      expect(cookies.headers.getSetCookie()).toHaveLength(2);
    } finally {
      await rest.close();
    }
  });

  it('refuses to start with clear errors: missing entry, no handler export, port busy', async () => {
    await expect(startDevServer({ entry: fixture('missing.ts'), port: 0, log: () => {} })).rejects.toThrow(
      ServiceError,
    );
    await expect(startDevServer({ entry: fixture('no-handler.ts'), port: 0, log: () => {} })).rejects.toThrow(
      /has no "handler" export/,
    );
    await expect(
      startDevServer({ entry: fixture('echo.ts'), port: server.port, log: () => {} }),
    ).rejects.toThrow(DevServerError);
  });
});

describe('lift dev and DynamoDB', () => {
  const put = (url: string, id: string, text: string) =>
    fetch(`${url}/notes/${id}`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: text });

  it('keeps embedded data across restarts with a data dir', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lift-data-'));
    try {
      const first = await startDevServer({
        entry: fixture('notes.ts'),
        port: 0,
        watch: false,
        dataDir,
        log: () => {},
      });
      expect((await put(first.url, 'n1', 'remember me')).status).toBe(204);
      await first.close();
      const second = await startDevServer({
        entry: fixture('notes.ts'),
        port: 0,
        watch: false,
        dataDir,
        log: () => {},
      });
      try {
        expect(await (await fetch(`${second.url}/notes/n1`)).json()).toEqual({
          id: 'n1',
          text: 'remember me',
        });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('uses another DynamoDB with --dynamodb-endpoint and creates the tables there', async () => {
    const other = await startDynalite();
    const logs: string[] = [];
    try {
      const server = await startDevServer({
        entry: fixture('notes.ts'),
        port: 0,
        watch: false,
        dynamodbEndpoint: other.endpoint,
        log: (l) => logs.push(l),
      });
      try {
        expect(server.dynamodbEndpoint).toBe(other.endpoint);
        expect(logs).toContain('created table cli-test-notes');
        expect((await put(server.url, 'n2', 'elsewhere')).status).toBe(204);
      } finally {
        await server.close();
      }
      const client = new DynamoDBClient(localClientConfig(other.endpoint));
      const { Item } = await client.send(
        new GetItemCommand({ TableName: 'cli-test-notes', Key: { id: { S: 'n2' } } }),
      );
      client.destroy();
      expect(Item).toEqual({ id: { S: 'n2' }, text: { S: 'elsewhere' } });
    } finally {
      await other.close();
    }
  }, 60_000);
});

describe('the lift binary', () => {
  it('reports a missing entry and exits 1', async () => {
    const result = await lift('dev', 'nowhere/handler.ts', '--port', '0');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('lift: Entry not found: nowhere/handler.ts');
  });

  it('reports a busy port and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await lift('dev', fixture('echo.ts'), '--port', String(port));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Port ${port} is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('invokes the handler once with an event built for a source', async () => {
    const result = await lift(
      'invoke',
      fixture('echo.ts'),
      '--source',
      'alb',
      '--method',
      'POST',
      '--path',
      '/echo?q=1',
      '--body',
      '{"a":1}',
    );
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      statusCode: number;
      statusDescription: string;
      body: string;
    };
    expect(printed.statusDescription).toBe('200 OK');
    // The handler's log lines went to stderr, leaving stdout to the result.
    expect(result.stderr).toContain('"message":"request"');
    expect(JSON.parse(printed.body)).toMatchObject({
      source: 'alb',
      query: { q: '1' },
      functionName: 'lift-invoke',
    });
  });

  it('prints usage for an unknown command', async () => {
    const result = await lift('deploy', 'x.ts');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown command "deploy"');
  });
});

describe('invoke', () => {
  it('runs a captured event from a file', async () => {
    const event = fileURLToPath(
      new URL('../../../../shared/fixtures/aws-events/powertools/apigw-rest--no-auth.json', import.meta.url),
    );
    const result = (await invoke({ entry: fixture('echo.ts'), eventFile: event })) as { statusCode: number };
    expect(result.statusCode).toBe(404);
    await expect(invoke({ entry: fixture('echo.ts'), eventFile: 'missing.json' })).rejects.toThrow(
      /Cannot read the event/,
    );
  });
});
