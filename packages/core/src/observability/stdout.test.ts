/**
 * Lift's lines reach standard output in fresh Node processes, stdout a pipe as Lambda gives it: straight
 * to descriptor 1 inside the Lambda runtime, through `process.stdout` elsewhere (where tests and the dev
 * tools tap it), and through the stream again, whole and in order, once the pipe cannot take a line.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Prepended to every child's script: records whether anything builds `process.stdout`, and reports on
// descriptor 2 directly, so the report itself builds no stream.
const PRELUDE = `
const { writeSync } = await import('node:fs');
const getter = Object.getOwnPropertyDescriptor(process, 'stdout').get;
let built = false;
Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, get() { built = true; return getter.call(process); } });
const report = (value) => writeSync(2, JSON.stringify(value) + '\\n');
const { writeStdoutLine } = await import(${JSON.stringify(src('./stdout.ts'))});
`;

interface Child {
  readonly stdout: string;
  readonly reports: Record<string, unknown>[];
  readonly code: number | null;
}

/**
 * Runs `script` (after the prelude) in a fresh process, with only `env` (and PATH). With
 * `holdStdoutUntil`, stdout is not read until the child reports that key, so the pipe fills.
 */
function runChild(script: string, env: Record<string, string>, holdStdoutUntil?: string): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--conditions=@lift/source', '--import', 'tsx', '--input-type=module', '-e', PRELUDE + script],
    {
      env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out: Buffer[] = [];
  let err = '';
  const read = () => child.stdout.on('data', (chunk: Buffer) => out.push(chunk)).resume();
  if (holdStdoutUntil === undefined) read();
  else child.stdout.pause();
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    if (
      holdStdoutUntil !== undefined &&
      err.includes(`"${holdStdoutUntil}"`) &&
      child.stdout.listenerCount('data') === 0
    )
      read();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      const reports = err
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      if (code !== 0) reject(new Error(`child exited ${code}: ${err}`));
      else resolve({ stdout: Buffer.concat(out).toString('utf8'), reports, code });
    });
  });
}

const LAMBDA = { AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' };

describe('writeStdoutLine', () => {
  it('writes straight to descriptor 1 in the Lambda runtime, never building process.stdout', async () => {
    const { stdout, reports } = await runChild(
      `writeStdoutLine('{"n":1}'); writeStdoutLine('{"text":"café ☕ 🚀"}'); report({ built });`,
      LAMBDA,
    );
    expect(stdout).toBe('{"n":1}\n{"text":"café ☕ 🚀"}\n');
    expect(reports).toEqual([{ built: false }]);
  });

  it('goes through process.stdout outside the Lambda runtime, where tests and lift dev tap it', async () => {
    const { stdout, reports } = await runChild(`writeStdoutLine('{"n":1}'); report({ built });`, {});
    expect(stdout).toBe('{"n":1}\n');
    expect(reports).toEqual([{ built: true }]);
  });

  // Building process.stdout first leaves descriptor 1 non-blocking (libuv does), as a handler that
  // wrote through it would. The parent reads nothing until the child says the stream has taken over,
  // so the pipe fills. The child then blocks its event loop while the parent empties the pipe: a line
  // written straight to the descriptor now would overtake what the stream still holds.
  it.each([
    // Lines of 10 KB until one meets a full pipe: refused whole (EAGAIN), it goes to the stream as text.
    { failure: 'EAGAIN', pad: 10_000, chunk: 'string' },
    // One line longer than the pipe can hold: cut by a partial write, the stream gets the rest as bytes.
    { failure: 'a partial write', pad: 200_000, chunk: 'object' },
  ])(
    '$failure on a full non-blocking pipe: every line arrives whole and in order',
    async ({ pad, chunk }) => {
      const { stdout, reports } = await runChild(
        `
      void process.stdout;
      const chunks = [];
      const write = process.stdout.write;
      process.stdout.write = function (chunk, ...rest) { chunks.push(typeof chunk); return write.call(this, chunk, ...rest); };
      let i = 0;
      while (i < 3) writeStdoutLine(JSON.stringify({ i: i++ }));
      const pad = 'x'.repeat(${pad});
      while (chunks.length === 0 && i < 1000) writeStdoutLine(JSON.stringify({ i: i++, pad }));
      report({ full: true, first: chunks[0], at: i });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      for (let k = 0; k < 50; k++) writeStdoutLine(JSON.stringify({ i: i++, text: 'é'.repeat(k % 7) }));
      report({ done: true, streamed: chunks.length, total: i });
      await new Promise((resolve) => process.stdout.write('', resolve));
      `,
        LAMBDA,
        'full',
      );
      const [full, done] = reports as [{ first: string; at: number }, { streamed: number; total: number }];
      // Direct lines went first; the failing line (or its rest) and every line after it were streamed.
      expect(full.at).toBeGreaterThan(3);
      expect(full.first).toBe(chunk);
      expect(done.streamed).toBe(done.total - full.at + 1);
      const lines = stdout.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(
        Array.from({ length: done.total }, (_, i) => i),
      );
      expect(lines.filter((line) => line.includes('x'.repeat(pad)))).toHaveLength(full.at - 3);
    },
  );

  it("an app's default access line and EMF blob take the direct path in the Lambda runtime", async () => {
    const { stdout, reports } = await runChild(
      `
      const { createApp } = await import(${JSON.stringify(src('../index.ts'))});
      const { httpApiEvent, fakeLambdaContext } = await import(${JSON.stringify(src('../testing/index.ts'))});
      const app = createApp({ service: 'direct' });
      app.get('/', () => ({ ok: true }));
      const result = await app.handler(httpApiEvent({ path: '/' }), fakeLambdaContext());
      report({ built, status: result.statusCode });
      `,
      { ...LAMBDA, AWS_LAMBDA_FUNCTION_NAME: 'direct' },
    );
    expect(reports).toEqual([{ built: false, status: 200 }]);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.message === 'request' && line.service === 'direct')).toBe(true);
    expect(lines.some((line) => typeof line._aws === 'object')).toBe(true);
  });
});
