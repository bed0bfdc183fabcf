/**
 * Where a Lift cold start goes (`npm run bench:cold-path --workspace bench`): bytes per module of the
 * hello-world, SQS-only and P1 bundles (esbuild's metafile); the cold start with each observability
 * part switched on alone; a CPU profile of import + first call of the P1 bundle with defaults on
 * (self time by module and by function); the time each module's top level takes to evaluate; and
 * which functions the cold path compiles, by count and bytes, on each of Lambda's runtimes and by
 * folder (cold-compile.ts: read from V8's log, so the same on every run).
 * Writes the "cold-path" section of docs/benchmarks.md.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import {
  type BundleSize,
  bundleSize,
  HELLO_WORLD,
  moduleAt,
  moduleStarts,
  owner,
  SQS_HELLO,
} from './bundle.js';
import { coldCompileSection } from './cold-compile.js';
import { p1Events } from './events.js';
import { MACHINE, writeSection } from './harness.js';
import {
  bundleContender,
  type ColdContender,
  coldStarts,
  eventFileFor,
  probe,
  scratchFile,
} from './p5-cold-start.js';

const run = promisify(execFile);
const quick = process.argv.includes('--quick');
const runs = quick ? 2 : 15;
const machine = MACHINE;
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ms = (value: number) => value.toFixed(2);
const lift = (options: string) =>
  `import { createLiftP1 } from './apps/p1-lift.ts'; export const handler = createLiftP1(${options});`;

/** Bytes per owning folder, largest first. */
function byOwner(size: BundleSize): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [path, bytes] of size.modules) totals.set(owner(path), (totals.get(owner(path)) ?? 0) + bytes);
  return new Map([...totals].sort((a, b) => b[1] - a[1]));
}

/** Bytes of each bundle by folder: one row per folder, one column per bundle. */
function bytesTable(bundles: readonly (readonly [string, BundleSize])[]): string {
  const owners = bundles.map(([, size]) => byOwner(size));
  const names = [...new Set(owners.flatMap((o) => [...o.keys()]))].sort(
    (a, b) => (owners[owners.length - 1]?.get(b) ?? 0) - (owners[owners.length - 1]?.get(a) ?? 0),
  );
  return [
    `| folder | ${bundles.map(([name]) => name).join(' | ')} |`,
    `| --- | ${bundles.map(() => '---:').join(' | ')} |`,
    `| **total (minified)** | ${bundles.map(([, s]) => `**${s.bytes.toLocaleString('en')}**`).join(' | ')} |`,
    ...names
      .filter((name) => owners.some((o) => (o.get(name) ?? 0) >= 200))
      .map(
        (name) =>
          `| \`${name}\` | ${owners.map((o) => (o.get(name) ?? 0).toLocaleString('en')).join(' | ')} |`,
      ),
  ].join('\n');
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

// Import + first call under the inspector's sampling profiler (50 µs), started right before the
// import and stopped right after the answer, so Node's start-up and the probe's own set-up stay out.
const PROFILE_PROBE = `
const [bundle, eventFile, target] = process.argv.slice(1);
const { readFileSync, writeFileSync } = await import('node:fs');
const { Session } = await import('node:inspector/promises');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { functionName: 'cold', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold', memoryLimitInMB: '1024', awsRequestId: '8f5a1c3e-2b7d-4e9a-9c1f-0d3b6a7e5f42', logGroupName: '/aws/lambda/cold', logStreamName: 's', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: true };
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 50 });
await session.post('Profiler.start');
const { handler } = await import(bundle);
const result = await handler(event, context);
const { profile } = await session.post('Profiler.stop');
writeFileSync(target, JSON.stringify(profile));
process.stdout.write('\\n' + JSON.stringify({ status: result.statusCode }));
`;

/** What a profile frame's self time is spent on, in the terms the breakdown ranks. */
function kindOf(frame: CpuProfile['nodes'][number]['callFrame'], file: string): string {
  const { functionName: fn, url } = frame;
  if (url.endsWith(file)) return 'Lift and the app (code in the bundle)';
  if (fn === '(garbage collector)') return 'garbage collection';
  if (
    fn === 'compileSourceTextModule' ||
    fn === 'openFileHandle' ||
    fn === 'decode' ||
    url.startsWith('node:internal/modules/')
  )
    return 'loading the bundle: read, decode, parse and compile, link';
  if (fn === 'compileForInternalLoader' || fn === 'internalBinding' || fn === 'requireBuiltin')
    return 'Node built-ins compiled on first use';
  if (url.startsWith('node:')) return 'other Node code (streams, the stdout pipe, crypto, …)';
  return `V8/native: ${fn}`;
}

/** Self time (ms, summed over `runs` profiles) by module and by function of the profiled bundle. */
async function profileColdPath(file: string, code: string, eventFile: string) {
  const starts = moduleStarts(code);
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const byKind = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const target = `${file}.${i}.cpuprofile`;
    await run(process.execPath, ['--input-type=module', '-e', PROFILE_PROBE, file, eventFile, target], {
      env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
    });
    const profile = JSON.parse(readFileSync(target, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    profile.samples.forEach((id, k) => {
      const frame = nodes.get(id);
      const delta = (profile.timeDeltas[k] ?? 0) / 1000;
      // 'dispatch' is the inspector answering Profiler.stop: the profiler's own time.
      if (frame === undefined || (frame.url === '' && frame.functionName === 'dispatch')) return;
      total += delta;
      const kind = kindOf(frame, file);
      byKind.set(kind, (byKind.get(kind) ?? 0) + delta);
      // Frames without a URL are V8 and Node natives ('(program)': V8 outside JavaScript).
      const where = frame.url.endsWith(file)
        ? moduleAt(starts, frame.lineNumber)
        : frame.url === ''
          ? `native: ${frame.functionName}`
          : frame.url.startsWith('node:')
            ? `node: ${frame.url.slice(5)}`
            : frame.url;
      byModule.set(where, (byModule.get(where) ?? 0) + delta);
      const fn = `${frame.functionName || '(anonymous)'} — ${where}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + delta);
    });
  }
  const ranked = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, t]) => [name, t / runs, t / total] as const);
  return {
    total: total / runs,
    kinds: ranked(byKind, 10),
    modules: ranked(byModule, 15),
    functions: ranked(byFunction, 15),
  };
}

/**
 * Evaluation time of each module's top level: the unminified bundle with a timestamp before each
 * module's first statement, in fresh processes. The gap to the next module is this module's share;
 * the first call is timed on its own.
 */
async function moduleTimes(code: string, label: string, eventFile: string) {
  const lines = code.split('\n');
  const starts = moduleStarts(code);
  for (const { line, module } of starts)
    lines[line] = `__liftMark(${JSON.stringify(module)});\n${lines[line]}`;
  const instrumented = [
    'const __liftMarks = (globalThis.__liftMarks = []);',
    'function __liftMark(name) { __liftMarks.push([name, performance.now()]); }',
    ...lines,
  ].join('\n');
  const file = scratchFile(`${label}-instrumented.mjs`);
  writeFileSync(file, instrumented);
  let builtins: { atImport: string[]; atCall: string[] } = { atImport: [], atCall: [] };
  const samples = new Map<string, number[]>();
  const add = (name: string, value: number) => samples.set(name, [...(samples.get(name) ?? []), value]);
  const script = `
const [bundle, eventFile] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
// performance loads its own built-ins on first use: before the snapshot, so they are not counted.
performance.now();
const loaded = new Set(process.moduleLoadList);
const started = performance.now();
const { handler } = await import(bundle);
const imported = performance.now();
const atImport = process.moduleLoadList.filter((m) => !loaded.has(m));
const result = await handler(event, { functionName: 'cold', awsRequestId: '8f5a1c3e-2b7d-4e9a-9c1f-0d3b6a7e5f42', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold', memoryLimitInMB: '1024', getRemainingTimeInMillis: () => 30000 });
const called = performance.now();
const atCall = process.moduleLoadList.filter((m) => !loaded.has(m) && !atImport.includes(m));
process.stdout.write('\\n' + JSON.stringify({ started, imported, called, atImport, atCall, marks: globalThis.__liftMarks, status: result.statusCode }));`;
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, file, eventFile], {
      env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
    });
    const r = JSON.parse(stdout.slice(stdout.lastIndexOf('\n{') + 1)) as {
      started: number;
      imported: number;
      called: number;
      marks: [string, number][];
      atImport: string[];
      atCall: string[];
      status: number;
    };
    builtins = { atImport: r.atImport, atCall: r.atCall };
    if (r.status !== 200) throw new Error(`instrumented P1 bundle answered ${r.status}`);
    const first = r.marks[0]?.[1] ?? r.imported;
    const app = r.marks.findIndex(([name]) => name.startsWith('apps/'));
    add('(the top level of every core module, summed)', (r.marks[app]?.[1] ?? r.imported) - first);
    add('(import until the first module runs: read, parse, link)', first - r.started);
    r.marks.forEach(([name, at], k) => {
      add(name, (r.marks[k + 1]?.[1] ?? r.imported) - at);
    });
    add('(first call)', r.called - r.imported);
    add('(total)', r.called - r.started);
  }
  const times = [...samples]
    .map(([name, values]) => [name, median(values)] as const)
    .sort((a, b) => b[1] - a[1]);
  return { times, builtins };
}

const bundles: [string, BundleSize][] = [
  ['hello-world (HTTP)', await bundleSize(HELLO_WORLD)],
  ['SQS-only', await bundleSize(SQS_HELLO)],
  ['P1, observability off', await bundleSize(lift('false'))],
  ['P1, defaults', await bundleSize(lift('true'))],
];

// Observability parts one at a time, in alternating fresh processes.
const parts: ColdContender[] = [
  { name: 'raw', module: 'apps/p1-raw.ts' },
  { name: 'Lift, all off', source: lift('false'), observed: false },
  { name: 'Lift, tracing only', source: lift('{ logger: false, metrics: false }') },
  { name: 'Lift, metrics only', source: lift('{ logger: false, tracing: false }') },
  { name: 'Lift, logger only', source: lift('{ metrics: false, tracing: false }') },
  { name: 'Lift, defaults (all on)', source: lift('true'), observed: true },
  // The built-ins Lift's bundle imports at its top level, each alone in a raw handler.
  ...(
    [
      ['node:crypto', 'createHash'],
      ['node:net', 'isIPv4'],
      ['node:async_hooks', 'AsyncLocalStorage'],
    ] as const
  ).map(([builtin, name]) => ({
    name: `raw + import of ${builtin}`,
    source: `import { ${name} } from '${builtin}'; import { handler as raw } from './apps/p1-raw.ts'; export const handler = (e) => (${name}, raw(e));`,
  })),
];
const ablation = await coldStarts('parts', parts, p1Events()[0], 200, quick ? 2 : 31);

// The first stdout write on its own: what any logging pays on its first line.
const eventFile = eventFileFor('cold-path', p1Events()[0]);
const writeOnly = await bundleContender('write', {
  name: 'first-write',
  source: `export const handler = async () => { process.stdout.write('{"message":"x"}\\n'); return { statusCode: 200 }; };`,
});
const nothing = await bundleContender('write', {
  name: 'no-write',
  source: 'export const handler = async () => ({ statusCode: 200 });',
});
const firstWrite: number[] = [];
const firstWriteCpu: number[] = [];
for (let i = 0; i < (quick ? 2 : 41); i++) {
  const a = await probe(writeOnly.file, eventFile, { kind: 'local' });
  const b = await probe(nothing.file, eventFile, { kind: 'local' });
  firstWrite.push(a.elapsed - b.elapsed);
  firstWriteCpu.push((a.cpu - b.cpu) / 1000);
}

const readable = await bundleSize(lift('true'), { minify: false });
const profiled = scratchFile('profile-p1-defaults-unminified.mjs');
writeFileSync(profiled, readable.code);
const profile = await profileColdPath(profiled, readable.code, eventFile);
const evaluation = await moduleTimes(readable.code, 'eval', eventFile);

const compileSection = await coldCompileSection(eventFile, lift, !quick);

const date = new Date().toISOString().slice(0, 10);
const hello = bundles[0]?.[1] as BundleSize;
const markdown = [
  '## Cold path breakdown',
  '',
  `Command: \`npm run bench:cold-path --workspace bench\`. Machine: ${machine}. Date: ${date}. ${runs} profiles and`,
  `${quick ? 2 : 21} fresh processes per row; medians.`,
  '',
  '### Bytes by folder (esbuild metafile, minified ESM, AWS SDK external)',
  '',
  bytesTable(bundles),
  '',
  '| hello-world module | bytes |',
  '| --- | ---: |',
  ...hello.modules.slice(0, 15).map(([path, bytes]) => `| \`${path}\` | ${bytes.toLocaleString('en')} |`),
  '',
  '### Observability parts one at a time (P1 bundle, import + first call)',
  '',
  '| P1 bundle | bundle (minified) | import + first call, ms (median) | min–max | CPU, ms (median) | CPU over "all off" (Lift) or raw, ms |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...ablation.map((r) => {
    const base = ablation.find((a) => a.name === (r.name.startsWith('raw') ? 'raw' : 'Lift, all off'));
    return `| ${r.name} | ${r.size.bytes.toLocaleString('en')} B | ${ms(r.median)} | ${ms(r.min)}–${ms(r.max)} | ${ms(r.cpuMs)} | ${ms(r.cpuMs - (base?.cpuMs ?? Number.NaN))} |`;
  }),
  '',
  `A process's first \`process.stdout.write\` of one line (to a pipe), on its own: ${ms(median(firstWrite))} ms wall, ${ms(median(firstWriteCpu))} ms CPU (medians of the difference between a handler that writes one line and one that does not).`,
  '',
  `### CPU profile of import + first call (P1, defaults on; unminified bundle so names and module comments survive; ${ms(profile.total)} ms sampled per run)`,
  '',
  '| self time spent on | ms per run | share |',
  '| --- | ---: | ---: |',
  ...profile.kinds.map(([name, t, share]) => `| ${name} | ${ms(t)} | ${(share * 100).toFixed(0)}% |`),
  '',
  '| self time in module | ms per run | share |',
  '| --- | ---: | ---: |',
  ...profile.modules.map(([name, t, share]) => `| \`${name}\` | ${ms(t)} | ${(share * 100).toFixed(0)}% |`),
  '',
  '| function — module | ms per run | share |',
  '| --- | ---: | ---: |',
  ...profile.functions.map(([name, t, share]) => `| \`${name}\` | ${ms(t)} | ${(share * 100).toFixed(0)}% |`),
  '',
  compileSection,
  '',
  '### Top-level evaluation per module (P1, defaults on, unminified, timestamps between modules)',
  '',
  '| module | ms (median) |',
  '| --- | ---: |',
  ...evaluation.times.slice(0, 12).map(([name, t]) => `| \`${name}\` | ${ms(t)} |`),
  '',
  `Node built-ins first loaded by the import: ${evaluation.builtins.atImport.map((m) => `\`${m}\``).join(', ') || 'none'}.`,
  `By the first call: ${evaluation.builtins.atCall.map((m) => `\`${m}\``).join(', ') || 'none'}.`,
].join('\n');

if (quick) console.log(markdown);
else writeSection('cold-path', markdown);
