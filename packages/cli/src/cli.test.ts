import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { localClientConfig, startDynalite } from '@lift/core/testing/dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ISSUER } from './dev-issuer.js';
import { type DevServer, DevServerError, startDevServer } from './dev-server.js';
import { fixture, hasStack, lift } from './fixtures/harness.js';
import { invoke } from './invoke.js';
import { ServiceError } from './service.js';

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
  it('prints help and the version, for lift and for each command', async () => {
    const version = (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
        version: string;
      }
    ).version;
    const [help, h, ver, devHelp, invokeHelp] = await Promise.all([
      lift(['--help']),
      lift(['-h']),
      lift(['--version']),
      lift(['dev', '--help']),
      lift(['invoke', 'x.ts', '-h']),
    ]);
    for (const result of [help, h, ver, devHelp, invokeHelp]) {
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    }
    expect(help.stdout).toContain('Usage: lift <command> <entry> [options]');
    expect(help.stdout).toMatch(/^ {2}dev +run a service/m);
    expect(h.stdout).toBe(help.stdout);
    expect(ver.stdout.trim()).toBe(version);
    expect(devHelp.stdout).toContain('--port N');
    expect(devHelp.stdout).toContain('--data-dir DIR');
    expect(invokeHelp.stdout).toContain("--header 'NAME: VALUE'");
  });

  it('says what is wrong in one line on stderr, exit 2, for an unknown command, option or bad value', async () => {
    const entry = fixture('echo.ts');
    const results = await Promise.all([
      lift(['deploy', entry]),
      lift(['dev', entry, '--prot', '3000']),
      lift(['dev', entry, '--port', '99999']),
      lift(['dev', entry, '--port', 'abc']),
      lift(['invoke', entry, '--header', 'nocolon']),
    ]);
    const [deploy, prot, big, abc, header] = results;
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(hasStack(result.stderr)).toBe(false);
    }
    expect(deploy?.stderr).toBe(
      'lift: unknown command "deploy"; the commands are dev, invoke, token, openapi (lift --help)\n',
    );
    expect(prot?.stderr).toContain(
      'lift dev: unknown option --prot (did you mean --port?); the options are --port,',
    );
    expect(big?.stderr).toBe('lift dev: --port must be a port number from 0 to 65535, got "99999"\n');
    expect(abc?.stderr).toBe('lift dev: --port must be a port number from 0 to 65535, got "abc"\n');
    expect(header?.stderr).toContain("lift invoke: --header must be 'name: value'");
  });

  it('reports a missing entry and exits 1', async () => {
    const result = await lift(['dev', 'nowhere/handler.ts', '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('lift dev: Entry not found: nowhere/handler.ts\n');
  });

  it('reports a busy port and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await lift(['dev', fixture('echo.ts'), '--port', String(port)]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Port ${port} is already in use`);
      expect(hasStack(result.stderr)).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('invokes the handler once with an event built for a source', async () => {
    const result = await lift([
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
    ]);
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
      contentType: 'application/json',
      functionName: 'lift-invoke',
    });
  });

  it('invoke sends repeated headers and query parameters, a method, cookies and a body from a file or stdin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lift-invoke-'));
    try {
      writeFileSync(join(dir, 'body.bin'), new Uint8Array([0, 255, 1]));
      const request = [
        'invoke',
        fixture('echo.ts'),
        '--method',
        'put',
        '--path',
        '/echo?a=1',
        '--query',
        'a=2',
        '--query',
        'b=x y',
        '--header',
        'x-tag: first',
        '--header',
        'cookie: session=abc; theme=dark',
      ];
      const [file, stdin] = await Promise.all([
        lift([...request, '--body', `@${join(dir, 'body.bin')}`]),
        lift([...request, '--header', 'content-type: text/plain', '--body', '@-'], 'from stdin'),
      ]);
      for (const result of [file, stdin]) expect(result.code, result.stderr).toBe(0);
      const fromFile = JSON.parse((JSON.parse(file.stdout) as { body: string }).body) as Record<
        string,
        unknown
      >;
      expect(fromFile).toMatchObject({
        method: 'PUT',
        source: 'apigw-http',
        query: { a: ['1', '2'], b: 'x y' },
        tag: 'first',
        cookies: { session: 'abc', theme: 'dark' },
        contentType: 'application/octet-stream',
        bodyBytes: [0, 255, 1],
      });
      const fromStdin = JSON.parse((JSON.parse(stdin.stdout) as { body: string }).body) as Record<
        string,
        unknown
      >;
      expect(fromStdin).toMatchObject({
        contentType: 'text/plain',
        bodyBytes: [...Buffer.from('from stdin')],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lift invoke accepts a lift token token, with the environment lift dev gives the service', async () => {
    const entry = fixture('secured.ts');
    const token = await lift(['token', entry, '--sub', 'ada', '--tenant', 'acme', '--aud', 'cli-test']);
    expect(token.code, token.stderr).toBe(0);
    const [me, env] = await Promise.all([
      lift(['invoke', entry, '--path', '/me', '--header', `authorization: Bearer ${token.stdout.trim()}`]),
      lift(['invoke', entry, '--path', '/env']),
    ]);
    expect(me.code, me.stderr).toBe(0);
    const result = JSON.parse(me.stdout) as { statusCode: number; body: string };
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ userId: 'ada', tenantId: 'acme' });

    const fromInvoke = JSON.parse((JSON.parse(env.stdout) as { body: string }).body) as Record<
      string,
      unknown
    >;
    const server = await startDevServer({ entry, port: 0, watch: false, log: () => {} });
    try {
      const fromDev = (await (await fetch(`${server.url}/env`)).json()) as Record<string, unknown>;
      expect(fromInvoke).toEqual(fromDev);
      expect(fromDev).toMatchObject({ LIFT_DEV: '1', LIFT_DEV_ISSUER: DEV_ISSUER, jwksUriIsLoopback: true });
      expect((fromDev.jwks as { keys: unknown[] }).keys).toHaveLength(1);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('invoke', () => {
  it('runs a captured event from a file', async () => {
    const event = fileURLToPath(
      new URL('../../core/test/fixtures/aws-events/powertools/apigw-rest--no-auth.json', import.meta.url),
    );
    const result = (await invoke({ entry: fixture('echo.ts'), eventFile: event })) as { statusCode: number };
    expect(result.statusCode).toBe(404);
    await expect(invoke({ entry: fixture('echo.ts'), eventFile: 'missing.json' })).rejects.toThrow(
      /Cannot read the event/,
    );
  });

  it('an HTTP request to a worker is refused with what it takes instead, and no stack', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    await expect(invoke({ entry: fixture('records-only.ts'), path: '/jobs', log })).rejects.toThrow(
      /exports a worker \(createWorker\), which serves no HTTP: send it records with --source sqs \(or another record source\), or fire a schedule with --schedule NAME \(every-minute\)$/,
    );
    // The same request captured in a file reaches the worker, which refuses it by its shape.
    const event = fileURLToPath(
      new URL('../../core/test/fixtures/aws-events/powertools/apigw-rest--no-auth.json', import.meta.url),
    );
    await expect(invoke({ entry: fixture('records-only.ts'), eventFile: event, log })).rejects.toThrow(
      /the handler refused the event: Unsupported event: an HTTP request, and a worker serves none/,
    );
    expect(lines.filter((line) => line.startsWith('handler failed'))).toEqual([]);
    // Its records still go through.
    expect(
      await invoke({
        entry: fixture('records-only.ts'),
        source: 'sqs',
        record: { queue: 'jobs' },
        body: '{}',
      }),
    ).toEqual({
      batchItemFailures: [],
    });
  });
});
