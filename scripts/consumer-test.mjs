// `npm run test:consumer`: @lift/core, @lift/cli and @lift/cdk as a team adopting them gets them.
// Packs the packages (prepack builds them), checks what the tarballs hold, installs them into a
// project in the system's temp folder (outside this workspace, so nothing resolves to the sources),
// type-checks a small TypeScript service and its stack with NodeNext resolution, runs it with
// `lift invoke` and `lift dev`, synthesises its stack and runs the bundle the stack would deploy.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const root = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'lift-consumer-'));
const npm = (args, cwd) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const fail = (message) => {
  throw new Error(`consumer test: ${message}`);
};

function checkTarball(pack) {
  const files = pack.files.map((f) => f.path);
  for (const needed of ['README.md', 'LICENSE', 'package.json']) {
    if (!files.includes(needed)) fail(`${pack.name} packs no ${needed}`);
  }
  if (!files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts'))) fail(`${pack.name} packs no types`);
  const stray = files.filter((f) => /\.test\.|test-support|fixtures|\/\.lift\//.test(f));
  if (stray.length > 0) fail(`${pack.name} packs test code: ${stray.join(', ')}`);
  console.log(`${pack.name}: ${files.length} files, ${(pack.size / 1024).toFixed(1)} KB packed`);
}

const SERVICE = `import { createApp, streamify } from '@lift/core';
import { createAccessControl, jwtAuthenticator } from '@lift/core/auth';
import { defineTable, tableClient } from '@lift/core/dynamodb';
import * as z from 'zod';

export const notes = defineTable({
  name: 'consumer-notes',
  nameFromEnv: 'NOTES_TABLE',
  partitionKey: { name: 'PK', type: 'S' },
  sortKey: { name: 'SK', type: 'S' },
});
const table = tableClient(notes);

const issuer = process.env.LIFT_DEV_ISSUER;
const jwksUri = process.env.LIFT_DEV_JWKS_URI;
if (issuer === undefined || jwksUri === undefined) throw new Error('run me under lift dev or lift invoke');

export const app = createApp({
  service: 'consumer',
  access: createAccessControl({
    authenticators: [
      jwtAuthenticator({ issuers: [{ issuer, audience: 'lift-dev', algorithms: ['RS256'], jwksUri }] }),
    ],
  }),
});
app.get('/health', { auth: 'public' }, () => ({ ok: true }));
app.post(
  '/tenants/:tenantId/notes',
  { auth: {}, body: z.object({ text: z.string().min(1) }) },
  async (ctx) => {
    const item = { PK: \`TENANT#\${ctx.params.tenantId}\`, SK: 'NOTE#1', text: ctx.body.text };
    await table.put(item);
    return ctx.json(201, { tenant: ctx.params.tenantId, text: ctx.body.text });
  },
);
export const handler = app.handler;
// The Function URL variant: streamify takes an App as the published types describe it.
export const streamingHandler = streamify(app);
`;

// A records-only function, from its own subpath: its types and its run through the packed CLI.
const WORKER = `import { createWorker } from '@lift/core/worker';
import * as z from 'zod';

export const worker = createWorker({ service: 'consumer-worker' });
worker.sqs('orders', { body: z.object({ total: z.number() }) }, (message) => {
  if (message.body.total < 0) throw new Error('negative total');
});
export const handler = worker.handler;
`;

// An app without observability, from its own subpath: its types, its run, and a bundle without the
// logger, metrics and tracing, built from the packed dist as a user's bundler sees it.
const LEAN = `import { createApp } from '@lift/core/lean';

const app = createApp({ service: 'consumer-lean' });
app.get('/hello', () => ({ hello: 'world' }));
export const handler = app.handler;
`;

// The deployment, as docs/deploy.md writes it: one stack from the service's own declarations.
const INFRA = `import { fileURLToPath } from 'node:url';
import { LiftService, loadService, stageSettings } from '@lift/cdk';
import { App, Stack } from 'aws-cdk-lib';

const entry = fileURLToPath(new URL('./handler.ts', import.meta.url));
const issuer = 'https://issuer.example.com/';
const app = new App({ outdir: process.argv[2] ?? 'cdk.out' });
const stage = stageSettings('prod');
const stack = new Stack(app, 'consumer-prod', { env: { region: stage.region } });
new LiftService(stack, 'Consumer', {
  service: await loadService(entry, {}, {
    environment: { LIFT_DEV_ISSUER: issuer, LIFT_DEV_JWKS_URI: \`\${issuer}jwks.json\` },
  }),
  stage,
  entry,
  authorizer: { issuer, audience: ['lift-dev'] },
});
app.synth();
`;

/**
 * Bundles src/lean.ts as a deploy would (esbuild from the consumer's own install, minified ESM for
 * Node, resolving the packed dist without any source condition): none of the observability code may
 * be in it.
 */
async function leanBundleHasNoObservability(app) {
  const esbuild = await import(pathToFileURL(join(app, 'node_modules/esbuild/lib/main.js')).href);
  const result = await esbuild.build({
    entryPoints: [join(app, 'src/lean.ts')],
    absWorkingDir: app,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    external: ['@aws-sdk/*'],
    write: false,
    metafile: true,
  });
  // Every module esbuild read is an input; those tree-shaken away contribute no bytes to the output.
  const carried = Object.entries(Object.values(result.metafile.outputs)[0]?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  if (!carried.some((path) => path.includes('@lift/core/dist/app/app.js')))
    fail(`the lean app's bundle does not carry the app: ${carried.join(', ')}`);
  const observability = carried.filter((path) =>
    /@lift\/core\/dist\/(observability\/(?!parts\.js)|stdout\/|otel\/)/.test(path),
  );
  if (observability.length > 0)
    fail(`the lean app's bundle carries observability: ${observability.join(', ')}`);
  const bytes = result.outputFiles[0].contents.length;
  console.log(
    `lift invoke: the lean app (@lift/core/lean) answers; its bundle is ${bytes} B, without observability`,
  );
}

/** Synthesises the consumer's stack with the packed @lift/cdk, reads it, and runs the bundle it deploys. */
async function synthesises(app) {
  const outdir = join(app, 'cdk.out');
  execFileSync(process.execPath, ['--import', 'tsx', 'src/infra.ts', outdir], { cwd: app, stdio: 'inherit' });
  const template = JSON.parse(readFileSync(join(outdir, 'consumer-prod.template.json'), 'utf8'));
  const resources = Object.values(template.Resources);
  const routes = resources
    .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
    .map((r) => `${r.Properties.RouteKey} ${r.Properties.AuthorizationType}`)
    .sort();
  if (routes.join() !== 'GET /health NONE,HEAD /health NONE,POST /tenants/{tenantId}/notes JWT')
    fail(`the stack's routes are ${routes.join(', ')}`);
  const fn = resources.find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler',
  );
  if (fn?.Properties.Runtime !== 'nodejs24.x') fail('no nodejs24.x function serves the routes');
  // The asset's folder in the cloud assembly is named after the zip the template deploys.
  const asset = `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`;
  // The bundle as Lambda loads it: an ES module answering an API Gateway event.
  process.env.LIFT_DEV_ISSUER = 'https://issuer.example.com/';
  process.env.LIFT_DEV_JWKS_URI = 'https://issuer.example.com/jwks.json';
  process.env.POWERTOOLS_DEV = 'true';
  const { handler } = await import(pathToFileURL(join(outdir, asset, 'index.mjs')).href);
  const answer = await handler({
    version: '2.0',
    routeKey: 'GET /health',
    rawPath: '/health',
    rawQueryString: '',
    headers: { host: 'api.example.com' },
    requestContext: {
      http: {
        method: 'GET',
        path: '/health',
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.9',
        userAgent: 'test',
      },
      requestId: 'r-1',
      routeKey: 'GET /health',
      stage: '$default',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  });
  if (answer.statusCode !== 200) fail(`the deployed bundle answered ${JSON.stringify(answer)}`);
  console.log(
    `@lift/cdk: stack synthesised (${routes.length} routes, protected one behind JWT), its bundle answers 200`,
  );
}

const TOOLING = `import { type DevServer, startDevServer } from '@lift/cli';

export async function start(entry: string): Promise<DevServer> {
  return startDevServer({ entry, port: 0 });
}
`;

async function devServerAnswers(app, token) {
  const child = spawn(join(app, 'node_modules/.bin/lift'), ['dev', 'src/handler.ts', '--port', '0'], {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  try {
    const deadline = Date.now() + 60_000;
    let url;
    while ((url = /http:\/\/(?:localhost|127\.0\.0\.1):\d+/.exec(out)?.[0]) === undefined) {
      if (child.exitCode !== null || Date.now() > deadline) fail(`lift dev did not start:\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const health = await fetch(`${url}/health`);
    if (health.status !== 200) fail(`lift dev: GET /health answered ${health.status}`);
    const created = await fetch(`${url}/tenants/acme/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    if (created.status !== 201) fail(`lift dev: POST answered ${created.status}: ${await created.text()}`);
    const other = await fetch(`${url}/tenants/globex/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hello' }),
    });
    if (other.status !== 403) fail(`lift dev: another tenant's POST answered ${other.status}`);
    console.log(`lift dev: ${url} answered 200, 201, and 403 for another tenant`);
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('close', resolve));
  }
}

try {
  const packs = join(work, 'packs');
  mkdirSync(packs);
  const packed = JSON.parse(
    npm(
      [
        'pack',
        '--json',
        '--workspace',
        '@lift/core',
        '--workspace',
        '@lift/cli',
        '--workspace',
        '@lift/cdk',
        '--pack-destination',
        packs,
      ],
      repo,
    ),
  );
  for (const pack of packed) checkTarball(pack);
  const tarball = (name) => `file:${join(packs, packed.find((p) => p.name === name).filename)}`;

  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  const pinned = (name) => root.devDependencies[name] ?? fail(`no pinned version of ${name}`);
  const cdkManifest = JSON.parse(readFileSync(join(repo, 'packages/cdk/package.json'), 'utf8'));
  const cdkPinned = (name) => cdkManifest.devDependencies[name] ?? fail(`no pinned version of ${name}`);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'consumer',
        private: true,
        type: 'module',
        dependencies: {
          '@lift/core': tarball('@lift/core'),
          '@aws-sdk/client-dynamodb': pinned('@aws-sdk/client-dynamodb'),
          '@aws-sdk/lib-dynamodb': pinned('@aws-sdk/lib-dynamodb'),
          zod: pinned('zod'),
        },
        devDependencies: {
          '@lift/cli': tarball('@lift/cli'),
          '@lift/cdk': tarball('@lift/cdk'),
          'aws-cdk-lib': cdkPinned('aws-cdk-lib'),
          constructs: cdkPinned('constructs'),
          tsx: pinned('tsx'),
          '@types/node': pinned('@types/node'),
          typescript: pinned('typescript'),
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2023',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        types: ['node'],
      },
      include: ['src'],
      // The stack is checked on its own below: aws-cdk-lib's declarations do not compile under these settings.
      exclude: ['src/infra.ts'],
    }),
  );
  writeFileSync(
    join(app, 'tsconfig.infra.json'),
    JSON.stringify({ extends: './tsconfig.json', include: ['src/infra.ts'], exclude: [] }),
  );
  writeFileSync(join(app, 'src/handler.ts'), SERVICE);
  writeFileSync(join(app, 'src/tooling.ts'), TOOLING);
  writeFileSync(join(app, 'src/worker.ts'), WORKER);
  writeFileSync(join(app, 'src/lean.ts'), LEAN);
  writeFileSync(join(app, 'src/infra.ts'), INFRA);
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
  if (readFileSync(join(app, 'node_modules/@lift/cli/dist/lift.mjs'), 'utf8').includes('function createApp('))
    fail('@lift/cli bundles a copy of @lift/core');

  // The published types, checked with the project's own settings (NodeNext, strict).
  execFileSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', app], {
    stdio: 'inherit',
  });
  console.log('tsc: the service and the tooling type-check against the packed types (NodeNext)');
  // The stack, with the same settings: only aws-cdk-lib's own declarations may fail them (they are
  // not written for exactOptionalPropertyTypes), never @lift/cdk's or the stack's code.
  let infra = { status: 0, out: '' };
  try {
    execFileSync(
      process.execPath,
      [join(app, 'node_modules/typescript/bin/tsc'), '-p', join(app, 'tsconfig.infra.json')],
      { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    infra = { status: error.status ?? 1, out: `${error.stdout ?? ''}${error.stderr ?? ''}` };
  }
  const errors = infra.out.split('\n').filter((line) => /error TS\d+/.test(line));
  const ours = errors.filter((line) => !line.startsWith('node_modules/aws-cdk-lib/'));
  // A failed run with no error of aws-cdk-lib's to explain it (a crash, a config error) fails too.
  if (ours.length > 0 || (infra.status !== 0 && errors.length === 0))
    fail(`the stack does not type-check against the packed @lift/cdk:\n${ours.join('\n') || infra.out}`);
  console.log('tsc: the stack type-checks against the packed @lift/cdk (NodeNext)');

  const lift = (args) =>
    execFileSync(join(app, 'node_modules/.bin/lift'), args, {
      cwd: app,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const health = JSON.parse(lift(['invoke', 'src/handler.ts', '--path', '/health']));
  if (health.statusCode !== 200) fail(`lift invoke answered ${JSON.stringify(health)}`);
  const token = lift(['token', 'src/handler.ts', '--sub', 'ada', '--tenant', 'acme']).trim();
  const created = JSON.parse(
    lift([
      'invoke',
      'src/handler.ts',
      '--method',
      'POST',
      '--path',
      '/tenants/acme/notes',
      '--header',
      `authorization: Bearer ${token}`,
      '--header',
      'content-type: application/json',
      '--body',
      '{"text":"hi"}',
    ]),
  );
  if (created.statusCode !== 201) fail(`lift invoke POST answered ${JSON.stringify(created)}`);
  console.log('lift invoke: GET /health 200, POST with a lift token 201');
  const batch = JSON.parse(
    lift(['invoke', 'src/worker.ts', '--source', 'sqs', '--queue', 'orders', '--body', '{"total":-1}']),
  );
  if (batch?.batchItemFailures?.length !== 1)
    fail(`lift invoke of the worker answered ${JSON.stringify(batch)}`);
  console.log('lift invoke: the worker (@lift/core/worker) answers an SQS batch with its failed message');
  const hello = JSON.parse(lift(['invoke', 'src/lean.ts', '--path', '/hello']));
  if (hello.statusCode !== 200 || hello.body !== '{"hello":"world"}')
    fail(`lift invoke of the lean app answered ${JSON.stringify(hello)}`);
  await leanBundleHasNoObservability(app);
  await devServerAnswers(app, token);
  await synthesises(app);
  console.log('consumer test passed');
} finally {
  rmSync(work, { recursive: true, force: true });
}
