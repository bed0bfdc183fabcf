/**
 * Lift's lines reach standard output in fresh Node processes running bundled code, as on Lambda: straight
 * to descriptor 1 inside the Lambda runtime while nothing else uses `process.stdout`, through the stream
 * otherwise, and never ahead of or inside what the stream still holds.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, createReadStream, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lift-stdout-'));
const bundles = { stdout: join(dir, 'stdout.mjs'), app: join(dir, 'app.mjs') };

// The children run bundles with plain node, as Lambda runs a deploy: a loader such as tsx builds
// process.stdout on some Node versions (its workers pipe their output), which is what is under test.
beforeAll(async () => {
  const common: BuildOptions = {
    bundle: true,
    format: 'esm',
    platform: 'node',
    conditions: ['@lift/source'],
  };
  await build({ ...common, entryPoints: [src('./stdout.ts')], outfile: bundles.stdout });
  await build({
    ...common,
    external: ['@aws-sdk/*'],
    outfile: bundles.app,
    stdin: {
      contents: [
        `export { createApp } from ${JSON.stringify(src('../index.ts'))};`,
        `export { httpApiEvent } from ${JSON.stringify(src('../testing/events.ts'))};`,
        `export { fakeLambdaContext } from ${JSON.stringify(src('../testing/lambda-context.ts'))};`,
      ].join('\n'),
      resolveDir: src('.'),
      loader: 'ts',
    },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The start of every child's script: `built` records any use of `process.stdout`'s getter, `report`
 * writes to descriptor 2 directly (building no stream), `waitForParent` blocks the event loop until the
 * parent writes a byte to stdin. `before` runs before Lift is imported.
 */
const prelude = (before: string) => `
const { writeSync, readSync } = await import('node:fs');
const own = Object.getOwnPropertyDescriptor(process, 'stdout');
let built = false;
Object.defineProperty(process, 'stdout', { ...own, get() { built = true; return own.get.call(process); } });
const report = (value) => writeSync(2, JSON.stringify(value) + '\\n');
const waitForParent = () => readSync(0, Buffer.alloc(1));
const drained = () => new Promise((resolve) => process.stdout.write('', resolve));
${before}
const { writeStdoutLine } = await import(${JSON.stringify(bundles.stdout)});
`;

interface Run {
  readonly stdout: string;
  readonly reports: Record<string, unknown>[];
}

interface RunOptions {
  readonly env?: Record<string, string>;
  /** Code run before Lift is imported. */
  readonly before?: string;
  /**
   * The child's stdout: a socket pair read from the start (default), or a descriptor, which `handedOver`
   * closes in this process once the child has it, and `read` reads when the time comes; the child is
   * then sent a byte, which its script waits for.
   */
  readonly stdout?: { readonly fd: number; readonly handedOver: () => void; readonly read: () => Readable };
  /**
   * When the child reports `{ held: true }`, read until this many bytes arrived, then write a byte to
   * the child's stdin. Until then its stdout is not read, so the pipe fills.
   */
  readonly releaseAfter?: number;
}

/** Runs `script` after the prelude in a fresh process with only `env` (and PATH). */
function runChild(script: string, options: RunOptions = {}): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', prelude(options.before ?? '') + script],
    {
      env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...options.env },
      stdio: ['pipe', options.stdout?.fd ?? 'pipe', 'pipe'],
    },
  );
  if (options.stdout !== undefined) {
    options.stdout.handedOver();
    child.stdin?.write('.');
  }
  const out: Buffer[] = [];
  let received = 0;
  let released = false;
  let err = '';
  const read = (stream: Readable) =>
    stream.on('data', (chunk: Buffer) => {
      out.push(chunk);
      received += chunk.length;
      if (!released && options.releaseAfter !== undefined && received >= options.releaseAfter) {
        released = true;
        child.stdin?.write('.');
      }
    });
  const pipeOut = options.stdout === undefined ? child.stdout : null;
  const reading = new Promise<void>((resolve, reject) => {
    const start = () => {
      const stream = pipeOut ?? options.stdout?.read();
      if (stream == null) return reject(new Error('no stdout to read'));
      read(stream).resume();
      stream.once('end', resolve).once('error', reject);
    };
    if (options.releaseAfter === undefined) start();
    else {
      pipeOut?.pause();
      child.stderr?.on('data', function held(chunk: Buffer) {
        if (!chunk.toString().includes('"held":true')) return;
        child.stderr?.off('data', held);
        start();
      });
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  return Promise.all([exited, reading]).then(([code]) => {
    if (code !== 0) throw new Error(`child exited ${code}: ${err}`);
    const reports = err
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { stdout: Buffer.concat(out).toString('utf8'), reports };
  });
}

const LAMBDA = { AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001' };
const linesOf = (stdout: string) => {
  const lines = stdout.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
};

describe('writeStdoutLine', () => {
  it('writes straight to descriptor 1 in the Lambda runtime, never building process.stdout', async () => {
    const { stdout, reports } = await runChild(
      `writeStdoutLine('{"n":1}'); writeStdoutLine('{"text":"café ☕ 🚀"}');
       writeStdoutLine(JSON.stringify({ pad: 'x'.repeat(4085) })); report({ built });`,
      { env: LAMBDA },
    );
    expect(reports).toEqual([{ built: false }]);
    const lines = stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['{"n":1}', '{"text":"café ☕ 🚀"}']);
    // The longest line a direct write takes: 4,096 bytes with its newline.
    expect(Buffer.byteLength(`${lines[2]}\n`)).toBe(4096);
  });

  it('hands a line longer than 4 KB, and every later line, to process.stdout', async () => {
    const { stdout, reports } = await runChild(
      `writeStdoutLine('{"i":0}'); report({ built });
       writeStdoutLine(JSON.stringify({ i: 1, pad: 'x'.repeat(4085) })); writeStdoutLine('{"i":2}');
       report({ built }); await drained();`,
      { env: LAMBDA },
    );
    expect(reports).toEqual([{ built: false }, { built: true }]);
    expect(linesOf(stdout).map((line) => line.i)).toEqual([0, 1, 2]);
  });

  it.each([
    ['outside the Lambda runtime', {}],
    [
      'with AWS_LAMBDA_MAX_CONCURRENCY (handlers in worker threads)',
      { ...LAMBDA, AWS_LAMBDA_MAX_CONCURRENCY: '4' },
    ],
  ])('goes through process.stdout %s', async (_, env) => {
    const { stdout, reports } = await runChild(`writeStdoutLine('{"n":1}'); report({ built });`, { env });
    expect(stdout).toBe('{"n":1}\n');
    expect(reports).toEqual([{ built: true }]);
  });

  it('goes through process.stdout when descriptor 1 is a file, where lift openapi and lift dev redirect', () => {
    const file = join(dir, `out-${Date.now()}.txt`);
    const fd = openSync(file, 'w');
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `${prelude('')} writeStdoutLine('{"n":1}'); report({ built });`],
      { env: { PATH: process.env.PATH ?? '', ...LAMBDA }, stdio: ['ignore', fd, 'pipe'] },
    );
    closeSync(fd);
    expect(child.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n');
    expect(JSON.parse(child.stderr.toString())).toEqual({ built: true });
  });

  it("goes through process.stdout in a worker thread, whose output the main thread's stream carries", async () => {
    const worker = `
      const { writeSync } = await import('node:fs');
      const own = Object.getOwnPropertyDescriptor(process, 'stdout');
      let built = false;
      Object.defineProperty(process, 'stdout', { ...own, get() { built = true; return own.get.call(process); } });
      const { writeStdoutLine } = await import(${JSON.stringify(bundles.stdout)});
      writeStdoutLine('{"n":1}');
      writeSync(2, JSON.stringify({ worker: true, built }) + '\\n');`;
    const { stdout, reports } = await runChild(
      `const { Worker } = await import('node:worker_threads');
       const thread = new Worker(${JSON.stringify(worker)}, { eval: true });
       await new Promise((resolve) => thread.once('exit', resolve));
       await drained();`,
      { env: LAMBDA },
    );
    expect(reports).toEqual([{ worker: true, built: true }]);
    expect(stdout).toBe('{"n":1}\n');
  });

  it('leaves in place a getter laid over its own after Lift loaded', async () => {
    const { reports } = await runChild(
      `const lift = Object.getOwnPropertyDescriptor(process, 'stdout');
       let seen = 0;
       Object.defineProperty(process, 'stdout', { ...lift, get() { seen += 1; return lift.get.call(process); } });
       void process.stdout; void process.stdout; report({ seen });`,
      { env: LAMBDA },
    );
    expect(reports).toEqual([{ seen: 2 }]);
  });

  it('goes through process.stdout when a stdio stream was built before Lift loaded', async () => {
    const { stdout, reports } = await runChild(`writeStdoutLine('{"n":1}'); report({ streamed });`, {
      env: LAMBDA,
      before: `let streamed = 0; const write = process.stdout.write;
          process.stdout.write = function (...args) { streamed += 1; return write.apply(this, args); };`,
    });
    expect(stdout).toBe('{"n":1}\n');
    expect(reports).toEqual([{ streamed: 1 }]);
  });

  it('output another writer queued on process.stdout is never overtaken or split by a later line', async () => {
    // Lift writes directly; then other code writes 1 MB through process.stdout while nobody reads, so
    // the stream queues most of it; the parent then drains part of the socket while the child's event
    // loop is blocked, so a direct write would now succeed, in the middle of the queued line.
    const { stdout } = await runChild(
      `for (let i = 0; i < 3; i++) writeStdoutLine(JSON.stringify({ i }));
       process.stdout.write(JSON.stringify({ other: 'o'.repeat(1_000_000) }) + '\\n');
       report({ held: true }); waitForParent();
       writeStdoutLine('{"i":3}'); await drained();`,
      { env: LAMBDA, releaseAfter: 65_536 },
    );
    const lines = linesOf(stdout);
    expect(lines.map((line) => line.i ?? `other ${String(line.other).length}`)).toEqual([
      0,
      1,
      2,
      'other 1000000',
      3,
    ]);
  });

  it('a full pipe left non-blocking by another process: the stream takes over, nothing lost or reordered', async () => {
    // A real pipe (a FIFO) whose open description, shared with the child's descriptor 1, this process
    // made non-blocking: a direct write into the full pipe fails with EAGAIN, without the child having
    // built any stream. The child then blocks while this process drains part of the pipe.
    const fifo = join(dir, `fifo-${Date.now()}`);
    execFileSync('mkfifo', [fifo]);
    const writeEnd = openSync(fifo, constants.O_RDWR);
    const readEnd = openSync(fifo, constants.O_RDONLY);
    // Spawning made the description blocking; once the child holds it, a helper process that
    // inherits it wraps it in a socket, which makes it non-blocking, and exits. Then this process
    // closes its own copy and lets the child start.
    const handedOver = () => {
      execFileSync(
        process.execPath,
        ['-e', `new (require('node:net').Socket)({ fd: 3, readable: false }).destroy()`],
        {
          stdio: ['ignore', 'ignore', 'inherit', writeEnd],
        },
      );
      closeSync(writeEnd);
    };
    const { stdout, reports } = await runChild(
      `waitForParent();
       const pad = 'x'.repeat(1000);
       let i = 0;
       while (!built && i < 1000) writeStdoutLine(JSON.stringify({ i: i++, pad }));
       report({ held: true, at: i }); waitForParent();
       for (let k = 0; k < 50; k++) writeStdoutLine(JSON.stringify({ i: i++ }));
       report({ total: i }); await drained();`,
      {
        env: LAMBDA,
        stdout: { fd: writeEnd, handedOver, read: () => createReadStream('', { fd: readEnd }) },
        releaseAfter: 16_384,
      },
    );
    const [held, done] = reports as [{ at: number }, { total: number }];
    // Some lines went straight into the pipe before it was full.
    expect(held.at).toBeGreaterThan(10);
    expect(linesOf(stdout).map((line) => line.i)).toEqual(Array.from({ length: done.total }, (_, i) => i));
  });

  it("an app's default access line and EMF blob take the direct path in the Lambda runtime", async () => {
    const { stdout, reports } = await runChild(
      `const { createApp, httpApiEvent, fakeLambdaContext } = await import(${JSON.stringify(bundles.app)});
       const app = createApp({ service: 'direct' });
       app.get('/', () => ({ ok: true }));
       const result = await app.handler(httpApiEvent({ path: '/' }), fakeLambdaContext());
       report({ built, status: result.statusCode });`,
      { env: { ...LAMBDA, AWS_LAMBDA_FUNCTION_NAME: 'direct' } },
    );
    expect(reports).toEqual([{ built: false, status: 200 }]);
    const lines = linesOf(stdout);
    expect(lines.some((line) => line.message === 'request' && line.service === 'direct')).toBe(true);
    expect(lines.some((line) => typeof line._aws === 'object')).toBe(true);
  });
});
