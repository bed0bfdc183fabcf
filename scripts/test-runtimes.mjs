// Runs the unit suite (`vitest run`, what `npm run test:unit` runs) under each Node.js major that
// Lambda offers (nodejs22.x, nodejs24.x), so a difference between runtimes fails CI and not a deploy.
// The machine's own Node (20 on CI) runs `npm test` as before; this script only adds the other two.
//
// The runtimes, pinned, and where they come from: scripts/node-runtimes.mjs.
//
//   node scripts/test-runtimes.mjs              # every runtime below
//   node scripts/test-runtimes.mjs 24           # one of them
//   node scripts/test-runtimes.mjs 22 -- packages/core/src/router   # arguments after -- go to vitest
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRuntime, RUNTIMES } from './node-runtimes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');

function fail(message) {
  console.error(`test:runtimes: ${message}`);
  process.exit(1);
}

if (!existsSync(vitest)) fail(`${vitest} is missing: run npm ci first`);

const dashDash = process.argv.indexOf('--');
const selected = (dashDash === -1 ? process.argv.slice(2) : process.argv.slice(2, dashDash)).map(String);
const vitestArgs = dashDash === -1 ? [] : process.argv.slice(dashDash + 1);
for (const major of selected) {
  if (!(major in RUNTIMES)) fail(`unknown runtime "${major}"; known: ${Object.keys(RUNTIMES).join(', ')}`);
}
const majors = selected.length > 0 ? selected : Object.keys(RUNTIMES);

const results = [];
for (const major of majors) {
  const { version } = RUNTIMES[major];
  let dir;
  try {
    dir = ensureRuntime(major, (message) => console.log(`test:runtimes: ${message}`));
  } catch (error) {
    fail(`Node ${version}: ${error.message}`);
  }
  // That node first on PATH (then the workspace's .bin, as under `npm run`), so `node`, and
  // process.execPath in tests that start child processes, are the runtime under test.
  const env = {
    ...process.env,
    PATH: [join(dir, 'bin'), join(root, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
  };
  const onPath = execFileSync('node', ['--version'], { env, encoding: 'utf8' }).trim();
  if (onPath !== `v${version}`) fail(`node on PATH is ${onPath}, not v${version}`);
  console.log(`\ntest:runtimes: Node ${onPath}: vitest run ${vitestArgs.join(' ')}`.trimEnd());
  const started = performance.now();
  const run = spawnSync('node', [vitest, 'run', ...vitestArgs], { cwd: root, env, stdio: 'inherit' });
  const seconds = Math.round((performance.now() - started) / 1000);
  const ok = run.status === 0;
  results.push({ version, ok, seconds, how: run.signal ? `signal ${run.signal}` : `exit ${run.status}` });
  if (!ok) console.error(`test:runtimes: the unit suite FAILED on Node ${version} (${results.at(-1).how})`);
}

console.log('');
for (const { version, ok, seconds, how } of results) {
  console.log(`test:runtimes: Node ${version}: ${ok ? 'passed' : `FAILED (${how})`} in ${seconds} s`);
}
const failed = results.filter((r) => !r.ok);
if (failed.length > 0) fail(`the unit suite failed on Node ${failed.map((r) => r.version).join(' and ')}`);
