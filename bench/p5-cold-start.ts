/**
 * P5: what a cold start costs. Each contender's handler is bundled as a Lambda deploy bundles it
 * (esbuild, minified ESM, AWS SDK external) into a folder outside the repository, as /var/task holds
 * only the bundle (so optional imports such as `@opentelemetry/api` fail as they do when deployed);
 * then fresh Node processes each import one bundle and answer one event, timed inside the process
 * from before the import to the answer, stdout a pipe. Processes for different contenders alternate,
 * so drift on the machine hits all alike.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, promisify } from 'node:util';
import { cachedRuntime, ensureRuntime, RUNTIMES } from '../scripts/node-runtimes.mjs';
import { type BundleSize, bundleSize } from './bundle.js';
import type { Timing } from './harness.js';

const run = promisify(execFile);
// One folder per run, outside the repository: no node_modules above it.
const out = mkdtempSync(join(tmpdir(), 'lift-p5-'));
process.on('exit', () => rmSync(out, { recursive: true, force: true }));

/** One bundled handler of one contender: a module under bench/ whose `handler` is exported, or an entry's source. */
export interface ColdContender {
  readonly name: string;
  /** The module under bench/ whose `handler` export is bundled. */
  readonly module?: string;
  /** The entry's source (imports resolve from bench/), when no module fits. */
  readonly source?: string;
  /**
   * `true`: the first call must write an access-log line (`"message":"request"`) and an EMF blob;
   * `false`: it must write neither; absent: not checked.
   */
  readonly observed?: boolean;
}

/** A Node.js binary other than the one running the benchmark: one of Lambda's runtimes. */
export interface NodeRuntime {
  /** Path of its `node`. */
  readonly bin: string;
  /** Its version, without the `v` (`24.22.3`). */
  readonly version: string;
}

/**
 * Where the processes run. `local`: this machine's Node defaults. `lambda`: the flags and
 * environment the Lambda Node.js runtime's bootstrap gives a function of `memoryMb`, on `node` (one
 * of Lambda's runtimes) when given, else on this machine's Node.
 */
export type ColdMode =
  | { readonly kind: 'local' }
  | { readonly kind: 'lambda'; readonly memoryMb: number; readonly node?: NodeRuntime };

/**
 * The runtime a tool's `--node=<major>` names (`--node=24`: nodejs24.x), fetched when missing, or
 * `undefined` without the flag (this machine's Node). Throws when the runtime cannot be had.
 */
export function nodeFromArgs(args: readonly string[]): NodeRuntime | undefined {
  const major = args.find((a) => a.startsWith('--node='))?.slice('--node='.length);
  if (major === undefined) return undefined;
  const runtime = RUNTIMES[major];
  if (runtime === undefined)
    throw new Error(`--node=${major}: no such runtime; known: ${Object.keys(RUNTIMES).join(', ')}`);
  return {
    bin: join(
      ensureRuntime(major, (m) => console.error(`bench: ${m}`)),
      'bin',
      'node',
    ),
    version: runtime.version,
  };
}

/**
 * Lambda's Node.js runtimes (nodejs22.x, nodejs24.x), pinned in scripts/node-runtimes.mjs: fetched
 * into the cache when `fetch` is set, else only those already there. A runtime that cannot be had is
 * left out, with the reason on stderr, and the runs on it with it.
 */
export function lambdaRuntimes(options: { readonly fetch: boolean }): NodeRuntime[] {
  const found: NodeRuntime[] = [];
  for (const [major, { version }] of Object.entries(RUNTIMES)) {
    let bin = cachedRuntime(major);
    if (bin === undefined && options.fetch) {
      try {
        bin = join(
          ensureRuntime(major, (message) => console.error(`bench: ${message}`)),
          'bin',
          'node',
        );
      } catch (error) {
        console.error(`bench: Node ${version} left out: ${(error as Error).message}`);
      }
    }
    if (bin !== undefined) found.push({ bin, version });
  }
  return found;
}

/** A bundle's size, its cold start (import + first call, ms) and its memory after the first call. */
export interface ColdResult extends Timing {
  readonly size: BundleSize;
  /**
   * Median CPU time (user + system, every thread) of import + first call, ms: less sensitive than
   * wall time to other work on the machine, which delays a process without adding to its CPU time.
   */
  readonly cpuMs: number;
  /** Median resident set size after the first call, MB. */
  readonly rssMb: number;
  /** Median V8 heap used after the first call, MB. */
  readonly heapMb: number;
}

/** What one fresh process reports. */
export interface Probe {
  readonly elapsed: number;
  /** Of `elapsed`, the import alone. */
  readonly imported: number;
  /** Of `cpu`, the import alone, µs. */
  readonly importCpu: number;
  /** CPU time of import + first call, µs. */
  readonly cpu: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly answer: unknown;
  /** Everything else the process wrote to stdout (the contender's log and EMF lines). */
  readonly written: string;
}

// The probe a fresh process runs: import the bundle, answer one event, report the time and the answer.
// The request id is a UUID, as Lambda's always is (Lift derives a new trace id from it).
const PROBE = `
const [bundle, eventFile, memory] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { functionName: 'cold', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold', memoryLimitInMB: memory, awsRequestId: '8f5a1c3e-2b7d-4e9a-9c1f-0d3b6a7e5f42', logGroupName: '/aws/lambda/cold', logStreamName: 's', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: true };
const cpuBefore = process.cpuUsage();
const started = performance.now();
const { handler } = await import(bundle);
const imported = performance.now() - started;
const importedCpu = process.cpuUsage(cpuBefore);
const result = await handler(event, context);
const elapsed = performance.now() - started;
const { user, system } = process.cpuUsage(cpuBefore);
const { rss, heapUsed } = process.memoryUsage();
process.stdout.write('\\n' + JSON.stringify({ elapsed, imported, importCpu: importedCpu.user + importedCpu.system, cpu: user + system, rss, heapUsed, answer: result ?? null }));
`;

/**
 * The Lambda Node.js runtime's bootstrap (/var/runtime/bootstrap in the AWS base images) starts node
 * with `--expose-gc --max-http-header-size 81920` and, from AWS_LAMBDA_FUNCTION_MEMORY_SIZE, a young
 * generation of a tenth of the memory (`--max-semi-space-size` = half of it) and the rest as old space.
 */
export function lambdaNodeFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [
    '--expose-gc',
    '--max-http-header-size=81920',
    `--max-semi-space-size=${Math.floor(newSpace / 2)}`,
    `--max-old-space-size=${memoryMb - newSpace}`,
  ];
}

/** The environment a function's process sees (the parts a library may read at import or first call). */
export function lambdaEnv(
  memoryMb: number,
  taskRoot: string,
  nodeVersion = process.versions.node,
): Record<string, string> {
  return {
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${nodeVersion.split('.')[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: 'cold',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/cold',
    // Set by the runtime (and its emulator) for the runtime interface client; Lift writes its lines
    // straight to descriptor 1 when it sees it.
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    AWS_LAMBDA_LOG_STREAM_NAME: 's',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    TZ: ':UTC',
    _HANDLER: 'index.handler',
    _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  };
}

/**
 * Runs one fresh process on `bundle` with `event`; `nodeFlags` go before the probe (e.g. `--cpu-prof`),
 * `env` adds to its environment (a local endpoint, table names).
 */
export async function probe(
  bundle: string,
  eventFile: string,
  mode: ColdMode,
  nodeFlags: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<Probe> {
  const base = { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' };
  const lambda = mode.kind === 'lambda';
  // execFile gives the child a pipe for stdout, as the Lambda runtime does.
  const { stdout } = await run(
    (lambda ? mode.node?.bin : undefined) ?? process.execPath,
    [
      ...(lambda ? lambdaNodeFlags(mode.memoryMb) : []),
      ...nodeFlags,
      '--input-type=module',
      '-e',
      PROBE,
      bundle,
      eventFile,
      lambda ? String(mode.memoryMb) : '1024',
    ],
    {
      env: { ...(lambda ? { ...base, ...lambdaEnv(mode.memoryMb, out, mode.node?.version) } : base), ...env },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const at = stdout.lastIndexOf('\n{"elapsed"');
  return { ...(JSON.parse(stdout.slice(at + 1)) as Omit<Probe, 'written'>), written: stdout.slice(0, at) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

// Bundles by entry source: the local and Lambda-like runs time the same bundles.
const bundles = new Map<string, Promise<BundleSize>>();

/** Bundles one contender into the run's folder; returns the bundle's path and size. */
export async function bundleContender(
  label: string,
  contender: ColdContender,
): Promise<{ file: string; size: BundleSize }> {
  mkdirSync(out, { recursive: true });
  const source = contender.source ?? `export { handler } from './${contender.module}';`;
  let pending = bundles.get(source);
  if (pending === undefined) {
    pending = bundleSize(source);
    bundles.set(source, pending);
  }
  const size = await pending;
  const file = join(out, `${label}-${contender.name.replace(/\W+/g, '-').toLowerCase()}.mjs`);
  writeFileSync(file, size.code);
  return { file, size };
}

/** A path in the run's folder, for files a probe reads (an instrumented bundle, a profile). */
export function scratchFile(name: string): string {
  mkdirSync(out, { recursive: true });
  return join(out, name);
}

/** Writes `event` where the probes read it; returns the file. */
export function eventFileFor(label: string, event: unknown): string {
  const file = join(out, `${label}-event.json`);
  writeFileSync(file, JSON.stringify(event));
  return file;
}

/** Throws unless the process wrote what `observed` asks for. */
function checkObserved(contender: ColdContender, label: string, written: string): void {
  if (contender.observed === undefined) return;
  const logged = /"message":"request"/.test(written);
  const emf = /"_aws":\{/.test(written);
  if (contender.observed ? !(logged && emf) : logged || emf)
    throw new Error(
      `${contender.name} (${label}) should ${contender.observed ? '' : 'not '}write an access-log line and an EMF blob on its first call; it wrote: ${written.slice(0, 300)}`,
    );
}

/**
 * Bundles every contender, checks each answers as expected in a fresh process (an HTTP status, or
 * exactly `{ answer }` for other events) and writes the observability it claims, then times
 * `processes` fresh processes per contender, in rotating order.
 */
export async function coldStarts(
  label: string,
  contenders: readonly ColdContender[],
  event: unknown,
  expected: number | { readonly answer: unknown },
  processes: number,
  mode: ColdMode = { kind: 'local' },
): Promise<ColdResult[]> {
  const eventFile = eventFileFor(label, event);
  const built = await Promise.all(
    contenders.map(async (contender) => ({ contender, ...(await bundleContender(label, contender)) })),
  );
  const samples = new Map<string, Probe[]>(contenders.map((c) => [c.name, []]));
  for (let i = 0; i < processes; i++) {
    for (let k = 0; k < built.length; k++) {
      const { contender, file } = built[(k + i) % built.length] as (typeof built)[number];
      const result = await probe(file, eventFile, mode);
      const right =
        typeof expected === 'number'
          ? (result.answer as { statusCode?: unknown } | null)?.statusCode === expected
          : isDeepStrictEqual(result.answer, expected.answer);
      if (!right)
        throw new Error(
          `${contender.name} (${label}) answered ${JSON.stringify(result.answer).slice(0, 200)} on a cold start, not ${JSON.stringify(typeof expected === 'number' ? expected : expected.answer)}`,
        );
      checkObserved(contender, label, result.written);
      samples.get(contender.name)?.push(result);
    }
  }
  return built.map(({ contender, size }) => {
    const probes = samples.get(contender.name) ?? [];
    const values = probes.map((p) => p.elapsed);
    return {
      name: contender.name,
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      size,
      cpuMs: median(probes.map((p) => p.cpu / 1000)),
      rssMb: median(probes.map((p) => p.rss / 2 ** 20)),
      heapMb: median(probes.map((p) => p.heapUsed / 2 ** 20)),
    };
  });
}
