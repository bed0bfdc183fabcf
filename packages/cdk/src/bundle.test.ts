/**
 * The bundle `LiftFunction` deploys, run as Lambda runs it: imported in a fresh process, the AWS SDK
 * client Lift loads on first use, from its own file, reaching a local DynamoDB. A bundling change
 * that breaks `import()` of a bundled package (esbuild's code splitting alone does, for a CommonJS
 * build: docs/benchmarks.md) fails here.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables } from '@lift/core/dynamodb';
import { httpApiEvent } from '@lift/core/testing';
import { type DynamoDBServer, localClientConfig, startDynalite } from '@lift/core/testing/dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry } from './bundle.js';
import { notesTable } from './fixtures/notes.js';

const run = promisify(execFile);
const entry = fileURLToPath(new URL('./fixtures/notes.ts', import.meta.url));

// Imports the bundle and answers each event in turn, as the Lambda runtime would in one environment.
const INVOKE = `
const [bundle, events] = process.argv.slice(1);
const { handler } = await import(bundle);
const answers = [];
for (const event of JSON.parse(events)) {
  const { statusCode, body } = await handler(event, { awsRequestId: 'r', getRemainingTimeInMillis: () => 10000 });
  answers.push({ statusCode, body: JSON.parse(body) });
}
process.stdout.write(JSON.stringify(answers));
`;

describe('the bundle LiftFunction deploys', () => {
  let server: DynamoDBServer;
  let outdir: string;

  beforeAll(async () => {
    server = await startDynalite();
    const raw = new DynamoDBClient(localClientConfig(server.endpoint));
    await ensureTables(raw, [notesTable]);
    raw.destroy();
    outdir = bundleEntry(entry, { conditions: ['@lift/source'], splitLazyPackages: true });
  }, 120_000);
  afterAll(() => server?.close());

  it('reaches DynamoDB through the client it loads on first use', async () => {
    const events = [
      httpApiEvent({ method: 'PUT', path: '/notes/n1?text=hello' }),
      httpApiEvent({ method: 'GET', path: '/notes/n1' }),
      httpApiEvent({ method: 'GET', path: '/notes/n2' }),
      httpApiEvent({ method: 'GET', path: '/notes/n1/wire' }),
    ];
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '-e', INVOKE, join(outdir, 'index.mjs'), JSON.stringify(events)],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AWS_ENDPOINT_URL_DYNAMODB: server.endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          // Inside the runtime: the DynamoDB client's files are read, and the client started, in the init.
          AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
        },
      },
    );
    const answers = JSON.parse(stdout) as { statusCode: number; body: Record<string, unknown> }[];
    expect(answers.map((a) => a.statusCode)).toEqual([201, 200, 404, 200]);
    expect(answers[1]?.body).toEqual({ id: 'n1', text: 'hello' });
    expect(answers[3]?.body).toEqual({ PK: { S: 'n1' }, text: { S: 'hello' } });
  }, 60_000);

  it('leaves the SDK clients Lift loads lazily out of index.mjs', () => {
    const apart = readdirSync(join(outdir, 'lift-lazy')).filter(
      (f) => f.startsWith('aws-sdk+') && f.endsWith('.mjs'),
    );
    expect(apart.sort()).toEqual([
      'aws-sdk+client-dynamodb.mjs',
      'aws-sdk+lib-dynamodb.mjs',
      'aws-sdk+util-dynamodb.mjs',
    ]);
    // The one-file bundle of this function is about 600 KB, nearly all of it the SDK.
    expect(statSync(join(outdir, 'index.mjs')).size).toBeLessThan(150_000);
    // The generated facades are not left beside the bundle.
    expect(readdirSync(dirname(outdir)).filter((f) => f.endsWith('.facades'))).toEqual([]);
  });

  it('creates the DynamoDB client in the init inside the Lambda runtime, and only there', async () => {
    // Whether the SDK's HTTP handler (which loads node:http2) was loaded by the time the init's
    // microtasks have run: the one-file bundle holds the SDK, so starting the client is synchronous work.
    const LOADED = `
await import(process.argv[1]);
await new Promise((resolve) => setImmediate(resolve));
process.stdout.write(String(process.moduleLoadList.includes('NativeModule http2')));
`;
    const oneFile = join(bundleEntry(entry, { conditions: ['@lift/source'] }), 'index.mjs');
    const base = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' };
    const loaded = async (bundle: string, env: Record<string, string>) =>
      (await run(process.execPath, ['--input-type=module', '-e', LOADED, bundle], { env })).stdout;
    expect(await loaded(oneFile, base)).toBe('false');
    expect(await loaded(oneFile, { ...base, AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' })).toBe('true');
    // Apart, the client's files would be read after the init; the entry loads them first instead.
    const split = join(outdir, 'index.mjs');
    expect(await loaded(split, base)).toBe('false');
    expect(await loaded(split, { ...base, AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' })).toBe('true');
  }, 60_000);

  it('still loads when a file read in the init is missing, leaving the failure to the first use', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'lift-bundle-'));
    try {
      cpSync(outdir, copy, { recursive: true });
      rmSync(join(copy, 'lift-lazy', 'aws-sdk+lib-dynamodb.mjs'));
      const IMPORTS = `await import(process.argv[1]); process.stdout.write('loaded');`;
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', IMPORTS, join(copy, 'index.mjs')],
        {
          env: {
            PATH: process.env.PATH ?? '',
            AWS_REGION: 'us-east-1',
            AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
          },
        },
      );
      expect(stdout).toBe('loaded');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 60_000);
});
