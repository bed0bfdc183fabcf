// The Node.js majors Lambda offers (nodejs22.x, nodejs24.x), as binaries this machine can run: used by
// `npm run test:runtimes` (the unit suite on each) and by the benchmarks' Lambda-like cold starts.
//
// The runtimes come from the npm registry, as the `node-linux-<arch>` packages: a third-party
// repackaging of the official Linux build's bin/node, pinned to exact versions and checked against
// the integrity pinned below (that pin is what we trust). Only bin/node is kept, in a cache outside
// the clone, and reused while `node --version` answers right:
//   ${LIFT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lift-ci}/node-v<version>-linux-<arch>/bin/node
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Exact versions (the newest 22.x and 24.x on the registry when pinned) and the tarballs' integrity. */
export const RUNTIMES = {
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

const cacheRoot =
  process.env.LIFT_NODE_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lift-ci');
const arch = process.arch;

/** `node --version` of a binary, or undefined when it does not run. */
export function versionOf(bin) {
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

/** Why this machine cannot run the pinned runtimes, or undefined when it can. */
function unsupported() {
  if (process.platform !== 'linux')
    return `runs on Linux only (the node-linux-* packages); this is ${process.platform}`;
  if (arch !== 'x64' && arch !== 'arm64') return `no pinned runtime for the ${arch} architecture`;
  return undefined;
}

/** The path of a runtime's bin/node when the cache already holds it, else undefined (nothing is fetched). */
export function cachedRuntime(major) {
  const runtime = RUNTIMES[major];
  if (runtime === undefined || unsupported() !== undefined) return undefined;
  const bin = join(cacheRoot, `node-v${runtime.version}-linux-${arch}`, 'bin', 'node');
  return versionOf(bin) === `v${runtime.version}` ? bin : undefined;
}

/**
 * The directory of a runtime, from the cache or fetched from the registry into it; throws an Error
 * saying why when it cannot be had. `log` hears where it came from.
 */
export function ensureRuntime(major, log = console.log) {
  const why = unsupported();
  if (why !== undefined) throw new Error(why);
  if (!(major in RUNTIMES))
    throw new Error(`unknown runtime "${major}"; known: ${Object.keys(RUNTIMES).join(', ')}`);
  const { version, integrity } = RUNTIMES[major];
  const pkg = `node-linux-${arch}@${version}`;
  const dir = join(cacheRoot, `node-v${version}-linux-${arch}`);
  if (versionOf(join(dir, 'bin', 'node')) === `v${version}`) {
    log(`Node ${version} from the cache, ${dir}`);
    return dir;
  }
  log(`fetching ${pkg} from the npm registry into ${dir}`);
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
