// `npm run test:consumer`: @lift/core and @lift/cli as a team adopting them gets them. Packs both
// packages (prepack builds them), checks what the tarballs hold, installs them into a project in
// the system's temp folder (outside this workspace, so nothing resolves to the sources), type-checks
// a small TypeScript service with NodeNext resolution, and runs it with `lift invoke` and `lift dev`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

const SERVICE = `import { createApp } from '@lift/core';
import { createAccessControl, jwtAuthenticator } from '@lift/core/auth';
import { defineTable, tableClient } from '@lift/core/dynamodb';
import { z } from 'zod';

export const notes = defineTable({
  name: 'consumer-notes',
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
`;

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
    }),
  );
  writeFileSync(join(app, 'src/handler.ts'), SERVICE);
  writeFileSync(join(app, 'src/tooling.ts'), TOOLING);
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
  if (readFileSync(join(app, 'node_modules/@lift/cli/dist/lift.mjs'), 'utf8').includes('function createApp('))
    fail('@lift/cli bundles a copy of @lift/core');

  // The published types, checked with the project's own settings (NodeNext, strict).
  execFileSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', app], {
    stdio: 'inherit',
  });
  console.log('tsc: the service and the tooling type-check against the packed types (NodeNext)');

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
  await devServerAnswers(app, token);
  console.log('consumer test passed');
} finally {
  rmSync(work, { recursive: true, force: true });
}
