import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A Node process running a test's script, talked to by lines: the test writes to stdin, reads stdout. */
export interface LineWorker {
  readonly child: ChildProcess;
  /** The next line it printed; rejects, with its stderr, if it exits first. */
  next(): Promise<string>;
}

/** The `src` folder of @lift/core, which worker scripts import from (`process.env.LIFT_SRC`). */
const SRC = fileURLToPath(new URL('..', import.meta.url));

/**
 * Starts `script` (an ES module's text, run through tsx with the `@lift/source` condition) as its own
 * OS process, as a separate Lambda instance would be, with `env` added and `LIFT_SRC` set.
 */
export function startLineWorker(script: string, env: Record<string, string>): LineWorker {
  const child = spawn(
    process.execPath,
    ['--conditions=@lift/source', '--import', 'tsx', '--input-type=module', '-e', script],
    {
      env: { ...process.env, NODE_NO_WARNINGS: '1', LIFT_SRC: SRC, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const resolve = waiting.shift();
    if (resolve === undefined) lines.push(line);
    else resolve(line);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
  });
  exited.catch(() => undefined);
  return {
    child,
    next: () => {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      return Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited]);
    },
  };
}
