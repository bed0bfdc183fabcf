/**
 * What building a Lift app costs at cold start (issue 17): in fresh Node processes, the P1 bundle's
 * import + first call, and separately, in a bundle whose app is built only when the probe asks,
 * `createApp`, the 40 `app.get` calls, `compile()` and the first call, each timed on its own; then
 * the same build again in the same process (warm), which tells first-execution cost (V8 compiling
 * each function on first use) from work proportional to the routes. `--profile` adds a CPU profile of
 * the cold build alone (self and total time by function). Median of 15 processes.
 *
 * Run: `npm run bench:app-build --workspace bench` (add ` -- --runs=41` and the flags below).
 * Flags: `--runs=N`, `--profile` (then the profile), `--profile-only`, `--keep` (copies of the
 * bundles and the event in .bench-out/app-build/, for runs by hand with `--trace-gc` or `--cpu-prof`).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleSize } from './bundle.js';
import { p1Events } from './events.js';
import { eventFileFor, scratchFile } from './p5-cold-start.js';

const exec = promisify(execFile);
const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const runs = runsArg === undefined ? 15 : Number(runsArg.slice(7));
const profileOnly = process.argv.includes('--profile-only');
const profiling = profileOnly || process.argv.includes('--profile');
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const ms = (value: number) => value.toFixed(2);

// The P1 app as bench/apps/p1-lift.ts writes it, with a timestamp between the steps. Built only when
// the probe calls `build`, so the import is timed apart from it.
const BUILD_ENTRY = `
import { createApp } from '@lift/core';
import { cors } from '@lift/core/http';
import { ORIGIN, ROUTES } from './apps/common.ts';
export function build(observed) {
  const marks = [performance.now()];
  const app = createApp(observed ? { service: 'bench' } : { service: 'bench', logger: false, metrics: false, tracing: false });
  marks.push(performance.now());
  app.use(cors({ origins: [ORIGIN] }));
  for (let n = 0; n < ROUTES; n++) {
    app.get(\`/r\${n}/:id/items/:itemId\`, (ctx) => ({ route: n, id: ctx.params.id, itemId: ctx.params.itemId }));
  }
  marks.push(performance.now());
  app.compile();
  marks.push(performance.now());
  return { handler: app.handler, marks };
}`;

const CONTEXT = `{ functionName: 'cold', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold', memoryLimitInMB: '1024', awsRequestId: '8f5a1c3e-2b7d-4e9a-9c1f-0d3b6a7e5f42', logGroupName: '/aws/lambda/cold', logStreamName: 's', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: true }`;

// Import, cold build, first call, then a second build and call in the same (now warm) process.
const BUILD_PROBE = `
const [bundle, eventFile, observed, profileTarget] = process.argv.slice(1);
const { readFileSync, writeFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = ${CONTEXT};
performance.now();
let session;
if (profileTarget) {
  const { Session } = await import('node:inspector/promises');
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
}
const t0 = performance.now();
const { build } = await import(bundle);
const t1 = performance.now();
if (session) await session.post('Profiler.start');
const cpu = process.cpuUsage();
const cold = build(observed === 'true');
const buildCpu = process.cpuUsage(cpu);
if (session) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profileTarget, JSON.stringify(profile));
}
const t2 = performance.now();
const first = await cold.handler(event, context);
const t3 = performance.now();
const warm = build(observed === 'true');
const t4 = performance.now();
await warm.handler(event, context);
const t5 = performance.now();
const m = cold.marks, w = warm.marks;
process.stdout.write('\\n' + JSON.stringify({
  status: first.statusCode,
  import: t1 - t0,
  createApp: m[1] - m[0], routes: m[2] - m[1], compile: m[3] - m[2], build: m[3] - m[0],
  buildCpu: (buildCpu.user + buildCpu.system) / 1000,
  firstCall: t3 - t2,
  warmBuild: w[3] - w[0], warmRoutes: w[2] - w[1], warmCompile: w[3] - w[2], warmCall: t5 - t4,
}));`;

// The whole cold start of the P1 bundle, as P5 times it: import + first call.
const P1_PROBE = `
const [bundle, eventFile] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = ${CONTEXT};
performance.now();
const cpu = process.cpuUsage();
const t0 = performance.now();
const { handler } = await import(bundle);
const result = await handler(event, context);
const elapsed = performance.now() - t0;
const used = process.cpuUsage(cpu);
process.stdout.write('\\n' + JSON.stringify({ status: result.statusCode, elapsed, cpu: (used.user + used.system) / 1000 }));`;

async function probe(script: string, args: readonly string[]): Promise<Record<string, number>> {
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script, ...args], {
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const result = JSON.parse(stdout.slice(stdout.lastIndexOf('\n{') + 1)) as Record<string, number>;
  if (result.status !== 200) throw new Error(`probe answered ${result.status}, not 200`);
  return result;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const frameName = (frame: ProfileNode['callFrame']) =>
  `${frame.functionName || '(anonymous)'}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`;

/**
 * Self and total (self + callees, each function counted once per stack) time by function, ms per
 * run, from profiles of the cold build.
 */
function profileTimes(files: readonly string[]): { self: [string, number][]; total: [string, number][] } {
  const totals = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as {
      nodes: ProfileNode[];
      samples: number[];
      timeDeltas: number[];
    };
    const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    profile.samples.forEach((id, k) => {
      const frame = nodes.get(id);
      if (frame === undefined || (frame.url === '' && frame.functionName === 'dispatch')) return;
      const delta = (profile.timeDeltas[k] ?? 0) / 1000 / files.length;
      totals.set(frameName(frame), (totals.get(frameName(frame)) ?? 0) + delta);
      const onStack = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const f = nodes.get(at);
        if (f !== undefined) onStack.add(frameName(f));
      }
      for (const name of onStack) inclusive.set(name, (inclusive.get(name) ?? 0) + delta);
    });
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, 30);
  return { self: top(totals), total: top(inclusive) };
}

const eventFile = eventFileFor('app-build', p1Events()[0]);
// `--keep`: a copy of each bundle and the event in .bench-out/app-build/, for manual runs (--trace-gc, --cpu-prof).
const keep = process.argv.includes('--keep')
  ? fileURLToPath(new URL('./app-build/', import.meta.url))
  : undefined;
const write = (name: string, code: string) => {
  const file = scratchFile(name);
  writeFileSync(file, code);
  if (keep !== undefined) {
    mkdirSync(keep, { recursive: true });
    writeFileSync(join(keep, name), code);
  }
  return file;
};
if (keep !== undefined) write('event.json', readFileSync(eventFile, 'utf8'));
const p1Off = write(
  'p1-off.mjs',
  (
    await bundleSize(
      "import { createLiftP1 } from './apps/p1-lift.ts'; export const handler = createLiftP1(false);",
    )
  ).code,
);
const p1On = write(
  'p1-on.mjs',
  (
    await bundleSize(
      "import { createLiftP1 } from './apps/p1-lift.ts'; export const handler = createLiftP1(true);",
    )
  ).code,
);
const builder = write('build.mjs', (await bundleSize(BUILD_ENTRY)).code);

const samples = new Map<string, number[]>();
const add = (name: string, value: number | undefined) =>
  samples.set(name, [...(samples.get(name) ?? []), value ?? Number.NaN]);
for (let i = 0; i < (profileOnly ? 0 : runs); i++) {
  // Contenders alternate process by process, so drift on the machine hits all alike.
  const off = await probe(P1_PROBE, [p1Off, eventFile]);
  add('P1 bundle, observability off: import + first call', off.elapsed);
  add('P1 bundle, observability off: import + first call (CPU)', off.cpu);
  const on = await probe(P1_PROBE, [p1On, eventFile]);
  add('P1 bundle, defaults: import + first call', on.elapsed);
  add('P1 bundle, defaults: import + first call (CPU)', on.cpu);
  const b = await probe(BUILD_PROBE, [builder, eventFile, 'false']);
  for (const key of ['import', 'createApp', 'routes', 'compile', 'build', 'buildCpu', 'firstCall'])
    add(`build bundle (observability off): ${key}`, b[key]);
  for (const key of ['warmBuild', 'warmRoutes', 'warmCompile', 'warmCall'])
    add(`same process, second app: ${key}`, b[key]);
}

console.log(`| measure (${runs} fresh processes) | median ms | min | max |`);
console.log('| --- | ---: | ---: | ---: |');
for (const [name, values] of samples)
  console.log(
    `| ${name} | ${ms(median(values))} | ${ms(Math.min(...values))} | ${ms(Math.max(...values))} |`,
  );

if (profiling) {
  // Unminified, so function names survive.
  const readable = write('build-unminified.mjs', (await bundleSize(BUILD_ENTRY, { minify: false })).code);
  const files: string[] = [];
  for (let i = 0; i < runs; i++) {
    const target = scratchFile(`build.${i}.cpuprofile`);
    await probe(BUILD_PROBE, [readable, eventFile, 'false', target]);
    files.push(target);
  }
  const { self, total } = profileTimes(files);
  for (const [title, rows] of [
    ['self', self],
    ['total', total],
  ] as const) {
    console.log(`\n| cold build, ${title} time by function (line in the unminified bundle) | ms per run |`);
    console.log('| --- | ---: |');
    for (const [name, t] of rows) console.log(`| \`${name}\` | ${ms(t)} |`);
  }
}
