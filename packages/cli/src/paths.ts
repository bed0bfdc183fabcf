import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * The folder of the project an entry belongs to: the nearest folder above it with a package.json,
 * or undefined when there is none.
 */
export function projectRoot(entry: string): string | undefined {
  let dir = dirname(resolve(entry));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
}

function userCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '') return join(xdg, 'lift');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'lift');
  const local = process.env.LOCALAPPDATA;
  if (process.platform === 'win32' && local !== undefined) return join(local, 'lift', 'Cache');
  return join(homedir(), '.cache', 'lift');
}

/**
 * Where lift keeps an entry's private files (build output, the development signing key):
 * `node_modules/.cache/lift` of the entry's project, which every project already keeps out of version
 * control, or a per-user cache folder when the entry has no package.json above it. Never inside the
 * sources, where it could be committed.
 */
export function liftCacheDir(entry: string): string {
  const root = projectRoot(entry);
  if (root !== undefined) return join(root, 'node_modules', '.cache', 'lift');
  return join(userCacheDir(), `project-${shortHash(dirname(resolve(entry)))}`);
}

/** A file name for one entry inside the project cache: readable, and distinct per entry path. */
export function entrySlug(entry: string): string {
  const file = resolve(entry);
  const root = projectRoot(file) ?? dirname(file);
  const readable = relative(root, file)
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(-60);
  return `${readable}-${shortHash(file)}`;
}

/** Whether a process with this id is running (one we may not signal still counts). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const ownBuildDirs = new Set<string>();
let exitHookInstalled = false;

function removeOwnBuildDirsNow(): void {
  for (const dir of ownBuildDirs) rmSync(dir, { recursive: true, force: true });
  ownBuildDirs.clear();
}

// Build folders are named `<pid>-<random>`: a folder whose process is gone was left by a crash or a
// kill -9 and is removed by the next run.
function sweepStaleBuildDirs(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (Number.isSafeInteger(pid) && pid > 0 && isProcessAlive(pid)) continue;
    rmSync(join(base, name), { recursive: true, force: true });
  }
}

/**
 * Creates a build folder for one dev server or invocation of this process, under the entry's
 * {@link liftCacheDir}. It is removed by {@link removeBuildDir}, or when the process exits.
 */
export function createBuildDir(entry: string): string {
  const base = join(liftCacheDir(entry), 'builds');
  sweepStaleBuildDirs(base);
  const dir = join(base, `${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  ownBuildDirs.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' handlers must be synchronous; rmSync is.
    process.once('exit', removeOwnBuildDirsNow);
  }
  return dir;
}

/** Removes a folder made by {@link createBuildDir}. */
export function removeBuildDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  ownBuildDirs.delete(dir);
}

/** Whether `path` is `dir` or lies below it (both absolute). */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
