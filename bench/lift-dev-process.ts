/** `lift dev` in its own process for the load runs, so the load generator does not share its CPU or memory. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The resident memory of a process, in MiB (from /proc). */
export function rssMiB(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Starts the built CLI's `lift dev` on `entry` (relative to the repository root) and waits until
 * `ready(url)` is true: the dev server answers 503 while the service loads.
 */
export async function startLiftDev(
  entry: string,
  port: number,
  ready: (url: string) => Promise<boolean>,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: string }> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [`${root}packages/cli/dist/lift.mjs`, 'dev', `${root}${entry}`, '--port', String(port), '--no-watch'],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1', ...env } },
  );
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`lift dev exited with ${child.exitCode}`);
    try {
      if (await ready(url)) return { child, url };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('lift dev did not start');
}
