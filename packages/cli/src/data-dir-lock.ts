import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DevServerError } from './errors.js';
import { isProcessAlive } from './paths.js';

/** The lock file `lift dev` and `lift invoke` keep in a data dir while they use it. */
export const LOCK_FILE = 'lift.lock';

const held = new Set<string>();
let exitHookInstalled = false;

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function releaseAllNow(): void {
  for (const file of held) if (readPid(file) === process.pid) rmSync(file, { force: true });
  held.clear();
}

/**
 * Takes the data dir for this process, as the embedded DynamoDB's files cannot be shared by two
 * processes: a lock file holding the pid. A lock left by a process that is gone is taken over.
 * Returns the function that releases it (also done when the process exits).
 */
export function lockDataDir(dataDir: string): () => void {
  const dir = resolve(dataDir);
  const file = join(dir, LOCK_FILE);
  if (held.has(file)) throw new DevServerError(`data dir ${dataDir} is in use by this process already`);
  mkdirSync(dir, { recursive: true });
  // Written whole under another name, then linked into place: linking fails if a lock exists, and a
  // reader never sees a lock without its pid.
  const temp = `${file}.${randomBytes(6).toString('hex')}`;
  writeFileSync(temp, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        linkSync(temp, file);
        held.add(file);
        if (!exitHookInstalled) {
          exitHookInstalled = true;
          process.once('exit', releaseAllNow);
        }
        return () => {
          if (held.delete(file) && readPid(file) === process.pid) rmSync(file, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readPid(file);
      // Our own pid in a lock we do not hold was left by an earlier process that had the same pid
      // (containers reuse low pids), so it is stale like a dead one.
      if (owner !== undefined && owner !== process.pid && isProcessAlive(owner)) {
        throw new DevServerError(
          `data dir ${dataDir} is in use by process ${owner}; stop it, or pass another --data-dir`,
        );
      }
      rmSync(file, { force: true });
    }
    throw new DevServerError(`data dir ${dataDir} is in use by another process; try again`);
  } finally {
    rmSync(temp, { force: true });
  }
}
