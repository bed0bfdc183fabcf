/**
 * What Lift's default observability costs (issue 17), per part: the P1 app with everything off, each
 * of the logger, metrics and tracing on alone, and all on.
 *
 * - `--warm`: per request, in this process (µs per request, and over "all off"), output dropped,
 *   with `_X_AMZN_TRACE_ID` set as Lambda sets it.
 * - `--cold`: import + first call in fresh processes (CPU ms, and over "all off"), on a pipe, twice:
 *   a plain local process, and one with the environment Lambda gives an on-demand start
 *   (`AWS_LAMBDA_INITIALIZATION_TYPE`, `_X_AMZN_TRACE_ID`, so the `ColdStart` blob is written too;
 *   `AWS_LAMBDA_RUNTIME_API`, so Lift writes its lines straight to descriptor 1).
 *   The Lambda context carries a UUID request id, as Lambda's does. A third run is the Lambda one
 *   with a line written before the clock starts, so the pipe's set-up, which any logger pays on its
 *   first line, is left out: what remains is Lift's own first-call cost.
 *
 * Build and run (neither flag: both):
 *   npm run bench:obs-cost --workspace bench -- [--warm] [--cold] [--processes=21] [--node=22|24]
 *
 * `--node` runs the cold starts on that Lambda runtime (scripts/node-runtimes.mjs) instead of this
 * machine's Node.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { LambdaContext } from '@lift/core';
import { fakeLambdaContext } from '@lift/core/testing';
import { createLiftP1, type LiftObservabilityOff } from './apps/p1-lift.js';
import { p1Events } from './events.js';
import { agree } from './harness.js';
import { bundleContender, eventFileFor, nodeFromArgs } from './p5-cold-start.js';

const run = promisify(execFile);
const args = process.argv.slice(2);
const both = !args.includes('--warm') && !args.includes('--cold');
const processes = Number(args.find((a) => a.startsWith('--processes='))?.split('=')[1] ?? 21);
const node = nodeFromArgs(args);
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const PARTS: readonly (readonly [string, boolean | LiftObservabilityOff])[] = [
  ['all off', false],
  ['logger only', { metrics: false, tracing: false }],
  ['metrics only', { logger: false, tracing: false }],
  ['tracing only', { logger: false, metrics: false }],
  ['defaults (all on)', true],
];

/** Runs `work` with stdout writes dropped, so no contender pays for I/O. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const out = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = out;
  }
}

/**
 * Per-request cost, interleaved batch by batch as `compare` does, timed twice: wall clock, and the
 * process's CPU time (user + system), which other work on a shared machine inflates much less.
 */
async function warm(): Promise<void> {
  // Lambda sets the invocation's X-Ray header on every request, and Lift reads it on every request:
  // without it the figure would leave out what a Lambda invocation pays for the trace and the line.
  process.env._X_AMZN_TRACE_ID = LAMBDA_ENV._X_AMZN_TRACE_ID;
  const context = fakeLambdaContext({ timeoutMs: 900_000 });
  const iterations = 2_000;
  const repetitions = 60;
  const wall: number[][] = [];
  const cpu: number[][] = [];
  const cpuLow: number[][] = [];
  for (let t = 0; t < 3; t++) {
    const contenders = PARTS.map(([name, observed]) => ({
      name,
      handler: createLiftP1(observed) as (event: unknown, context?: LambdaContext) => Promise<unknown>,
    }));
    const payloads = p1Events().map((event) => JSON.stringify(event));
    const batch = (n: number) =>
      Array.from({ length: n }, (_, i) => JSON.parse(payloads[i % payloads.length] as string));
    const samples = contenders.map(() => ({ wall: [] as number[], cpu: [] as number[] }));
    await quietly(async () => {
      await agree(contenders, p1Events(), context);
      for (const c of contenders) for (const event of batch(20_000)) await c.handler(event, context);
      for (let rep = 0; rep < repetitions; rep++) {
        for (let k = 0; k < contenders.length; k++) {
          const index = (k + rep) % contenders.length;
          const c = contenders[index] as (typeof contenders)[number];
          const prepared = batch(iterations);
          const before = process.cpuUsage();
          const start = process.hrtime.bigint();
          for (const event of prepared) await c.handler(event, context);
          const elapsed = Number(process.hrtime.bigint() - start) / 1000;
          const used = process.cpuUsage(before);
          samples[index]?.wall.push(elapsed / iterations);
          samples[index]?.cpu.push((used.user + used.system) / iterations);
        }
      }
    });
    wall.push(samples.map((x) => median(x.wall)));
    cpu.push(samples.map((x) => median(x.cpu)));
    // The 10th percentile: batches the machine's other work disturbed least.
    cpuLow.push(
      samples.map((x) => [...x.cpu].sort((a, b) => a - b)[Math.floor(x.cpu.length / 10)] as number),
    );
  }
  console.log(
    `\nper request (P1; µs per request, median of 3 trials, each a median of ${repetitions} batches of ${iterations})`,
  );
  const over = (trials: number[][], k: number) =>
    median(trials.map((trial) => (trial[k] as number) - (trial[0] as number)));
  PARTS.forEach(([name], k) => {
    console.log(
      `${name.padEnd(20)} wall ${median(wall.map((x) => x[k] as number))
        .toFixed(2)
        .padStart(6)} (+${over(wall, k).toFixed(2)})   CPU ${median(cpu.map((x) => x[k] as number))
        .toFixed(2)
        .padStart(6)} (+${over(cpu, k).toFixed(2)})   CPU p10 ${median(cpuLow.map((x) => x[k] as number))
        .toFixed(2)
        .padStart(6)} (+${over(cpuLow, k).toFixed(2)})`,
    );
  });
}

// Import + first call, with the context Lambda hands over (a UUID request id).
const PROBE = `
const [bundle, eventFile] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { functionName: 'cold', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold', memoryLimitInMB: '1024', awsRequestId: '8f5a1c3e-2b7d-4e9a-9c1f-0d3b6a7e5f42', logGroupName: '/aws/lambda/cold', logStreamName: 's', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: true };
// With --stdout-first, one line is written before the clock starts: the pipe's set-up (about 3.5 ms
// CPU, which any logger pays on its first line) is then outside the figure.
if (process.argv.includes('--stdout-first')) process.stdout.write('\\n');
const before = process.cpuUsage();
const { handler } = await import(bundle);
const imported = process.cpuUsage();
const result = await handler(event, context);
const { user, system } = process.cpuUsage(before);
const call = process.cpuUsage(imported);
process.stdout.write('\\n' + JSON.stringify({ cpu: user + system, call: call.user + call.system, status: result.statusCode }));
`;

const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'cold',
  AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  TZ: ':UTC',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
};

async function cold(): Promise<void> {
  const eventFile = eventFileFor('obs-cost', p1Events()[0]);
  const built = await Promise.all(
    PARTS.map(async ([name, observed]) => ({
      name,
      file: (
        await bundleContender('obs-cost', {
          name,
          source: `import { createLiftP1 } from './apps/p1-lift.ts'; export const handler = createLiftP1(${JSON.stringify(observed)});`,
        })
      ).file,
    })),
  );
  for (const [mode, extra, flags] of [
    ['local', {}, []],
    ['Lambda environment', LAMBDA_ENV, []],
    ['Lambda environment, stdout written before', LAMBDA_ENV, ['--stdout-first']],
  ] as const) {
    const cpu = new Map<string, number[]>(PARTS.map(([name]) => [name, []]));
    const call = new Map<string, number[]>(PARTS.map(([name]) => [name, []]));
    for (let i = 0; i < processes; i++) {
      for (let k = 0; k < built.length; k++) {
        const { name, file } = built[(k + i) % built.length] as (typeof built)[number];
        const { stdout } = await run(
          node?.bin ?? process.execPath,
          ['--input-type=module', '-e', PROBE, file, eventFile, ...flags],
          {
            env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...extra },
          },
        );
        const r = JSON.parse(stdout.slice(stdout.lastIndexOf('\n{') + 1)) as {
          cpu: number;
          call: number;
          status: number;
        };
        if (r.status !== 200) throw new Error(`${name} answered ${r.status}`);
        const logged = stdout.includes('"message":"request"');
        if (logged !== (name === 'logger only' || name.startsWith('defaults')))
          throw new Error(`${name}: access line ${logged ? 'written' : 'missing'}`);
        cpu.get(name)?.push(r.cpu / 1000);
        call.get(name)?.push(r.call / 1000);
      }
    }
    const base = median(cpu.get('all off') ?? []);
    const callBase = median(call.get('all off') ?? []);
    console.log(
      `\ncold start on Node ${node?.version ?? process.versions.node}, ${mode} (CPU ms, median of ${processes} processes: import + first call, and the first call alone)`,
    );
    for (const [name] of PARTS) {
      const m = median(cpu.get(name) ?? []);
      const c = median(call.get(name) ?? []);
      console.log(
        `${name.padEnd(20)} ${m.toFixed(2).padStart(7)} (+${(m - base).toFixed(2)})   first call ${c.toFixed(2).padStart(6)} (+${(c - callBase).toFixed(2)})`,
      );
    }
  }
}

const { loadavg } = await import('node:os');
console.log(
  `Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
if (both || args.includes('--warm')) await warm();
if (both || args.includes('--cold')) await cold();
