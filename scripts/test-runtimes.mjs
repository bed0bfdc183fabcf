// Runs the unit suite (`vitest run`, what `npm run test:unit` runs) under each Node.js major that
// Lambda offers (nodejs22.x, nodejs24.x), so a difference between runtimes fails CI and not a deploy.
// The machine's own Node (20 on CI) runs `npm test` as before; this script only adds the other two.
//
// The runtimes come from the npm registry, as the `node-linux-<arch>` packages: a third-party
// repackaging of the official Linux build's bin/node, pinned to exact versions and checked against
// the integrity pinned below (that pin is what we trust). Only bin/node is kept, in a cache outside the clone, and reused while `node --version` answers right:
//   ${LIFT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lift-ci}/node-v<version>-linux-<arch>/bin/node
//
//   node scripts/test-runtimes.mjs              # every runtime below
//   node scripts/test-runtimes.mjs 24           # one of them
//   node scripts/test-runtimes.mjs 22 -- packages/core/src/router   # arguments after -- go to vitest
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Exact versions (the newest 22.x and 24.x on the registry when pinned) and the tarballs' integrity. */
const RUNTIMES = {
  22: {
    version: '22.23.5',
    integrity: {
      x64: 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
      arm64:
        'sha512-e1LOUGKVruPGuLVutn8+Cgm5pI1APm4Kvh+zbb/qe/ZpD9s+TQby5iUgZOWmPpbSKpj0Td8DP1N0NEnXasHizg==',
    },
  },
  24: {
    version: '24.22.3',
    integrity: {
      x64: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
      arm64:
        'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==',
    },
  },
};

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const cacheRoot =
  process.env.LIFT_NODE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lift-ci');

function fail(message) {
  console.error(`test:runtimes: ${message}`);
  process.exit(1);
}

if (process.platform !== 'linux')
  fail(`runs on Linux only (the node-linux-* packages); this is ${process.platform}`);
const arch = process.arch;
if (arch !== 'x64' && arch !== 'arm64') fail(`no pinned runtime for the ${arch} architecture`);
if (!existsSync(vitest)) fail(`${vitest} is missing: run npm ci first`);

const dashDash = process.argv.indexOf('--');
const selected = (dashDash === -1 ? process.argv.slice(2) : process.argv.slice(2, dashDash)).map(String);
const vitestArgs = dashDash === -1 ? [] : process.argv.slice(dashDash + 1);
for (const major of selected) {
  if (!(major in RUNTIMES)) fail(`unknown runtime "${major}"; known: ${Object.keys(RUNTIMES).join(', ')}`);
}
const majors = selected.length > 0 ? selected : Object.keys(RUNTIMES);

/** `node --version` of a binary, or undefined when it does not run. */
function versionOf(bin) {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** The directory of a runtime, from the cache or fetched from the registry into it. */
function ensureRuntime(major) {
  const { version, integrity } = RUNTIMES[major];
  const pkg = `node-linux-${arch}@${version}`;
  const dir = join(cacheRoot, `node-v${version}-linux-${arch}`);
  if (versionOf(join(dir, 'bin', 'node')) === `v${version}`) {
    console.log(`test:runtimes: Node ${version} from the cache, ${dir}`);
    return dir;
  }
  console.log(`test:runtimes: fetching ${pkg} from the npm registry into ${dir}`);
  mkdirSync(cacheRoot, { recursive: true });
  // A run stopped half-way leaves its temporary directory; it is never reused.
  for (const name of readdirSync(cacheRoot)) {
    if (name.startsWith(`.node-v${version}-`))
      rmSync(join(cacheRoot, name), { recursive: true, force: true });
  }
  const tmp = mkdtempSync(join(cacheRoot, `.node-v${version}-`));
  chmodSync(tmp, 0o755);
  try {
    let packed;
    try {
      const out = execFileSync('npm', ['pack', pkg, '--json', '--pack-destination', tmp], {
        cwd: tmp,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      packed = JSON.parse(out)[0];
    } catch (error) {
      throw new Error(`could not fetch ${pkg} from the npm registry (${error.message.split('\n')[0]})`);
    }
    const tarball = join(tmp, packed.filename);
    const actual = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (actual !== integrity[arch])
      throw new Error(`${pkg}: integrity ${actual}, not the pinned ${integrity[arch]}`);
    execFileSync('tar', [
      '-xzf',
      tarball,
      '-C',
      tmp,
      '--strip-components=1',
      'package/bin/node',
      'package/LICENSE',
    ]);
    rmSync(tarball);
    const got = versionOf(join(tmp, 'bin', 'node'));
    if (got !== `v${version}`)
      throw new Error(`${pkg}: bin/node answers ${got ?? 'nothing'}, not v${version}`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

const results = [];
for (const major of majors) {
  const { version } = RUNTIMES[major];
  let dir;
  try {
    dir = ensureRuntime(major);
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
