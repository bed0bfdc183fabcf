/**
 * How far issue 17's remaining goals sit below what Lift's design can reach, measured rather than
 * argued, on the P1 app:
 *
 * - Per request: the raw handler; Lift as P1 has it (observability off); Lift with each of its
 *   default protections, and CORS, off in turn; and Lift with all of them off, which answers with
 *   fewer headers than raw sends. Only status and body must agree (the headers differ on purpose).
 *   The last row is the floor of Lift's core path (adapter, context, router, chain, response) under
 *   the P1 goal of 1.3× raw.
 * - Cold start, in the Lambda-like process of P5: the P1 bundle with observability off by its
 *   options, and the same app built with the lean `createApp` (`@lift/core/lean`), whose bundle
 *   leaves the observability code out; Middy and raw beside them. The lean row is how close leaving
 *   observability out of the bundle comes to the goal of observability off ≤ 0.6× Middy.
 *
 * Writes the "floors" section of docs/benchmarks.md.
 * Run: `npm run bench:floors --workspace bench` (`-- --processes=N`, default 21).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createApp, type LambdaContext } from '@lift/core';
import { cors } from '@lift/core/http';
import { fakeLambdaContext } from '@lift/core/testing';
import { ORIGIN, ROUTES } from './apps/common.js';
import { createRawP1 } from './apps/p1-raw.js';
import { bundleSize } from './bundle.js';
import { p1Events } from './events.js';
import { type Contender, compare, FULL, quietly, type Timing, writeSection } from './harness.js';
import { type ColdMode, eventFileFor, type Probe, probe, scratchFile } from './p5-cold-start.js';

const processes = Number(process.argv.find((a) => a.startsWith('--processes='))?.split('=')[1] ?? 21);
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const x = (value: number) => `${value.toFixed(2)}×`;

/** The P1 app of apps/p1-lift.ts, observability off, with some of its defaults also switched off. */
function liftP1(off: { securityHeaders?: false; requestId?: false; timeout?: false; cors?: false }) {
  const { cors: corsOff, ...defaults } = off;
  const app = createApp({ service: 'bench', logger: false, metrics: false, tracing: false, ...defaults });
  if (corsOff === undefined) app.use(cors({ origins: [ORIGIN] }));
  for (let n = 0; n < ROUTES; n++) {
    app.get(`/r${n}/:id/items/:itemId`, (ctx) => ({
      route: n,
      id: ctx.params.id,
      itemId: ctx.params.itemId,
    }));
  }
  app.compile();
  return app.handler as Contender['handler'];
}

/** Status and body: what every row must agree on, whatever headers its defaults leave out. */
function statusAndBody(result: unknown): unknown {
  const r = result as { statusCode?: number; body?: string };
  return { status: r.statusCode, body: JSON.parse(r.body ?? 'null') };
}

/** One trial: fresh apps, fresh warm-up, every row timed in rotating order. */
async function perRequestTrial(): Promise<Timing[]> {
  const contenders: Contender[] = [
    { name: 'raw', handler: createRawP1() as Contender['handler'] },
    { name: 'Lift (P1, observability off)', handler: liftP1({}) },
    { name: 'without security headers', handler: liftP1({ securityHeaders: false }) },
    { name: 'without the request id', handler: liftP1({ requestId: false }) },
    { name: 'without the deadline', handler: liftP1({ timeout: false }) },
    { name: 'without CORS', handler: liftP1({ cors: false }) },
    {
      name: 'all four off (core path only)',
      handler: liftP1({ securityHeaders: false, requestId: false, timeout: false, cors: false }),
    },
  ];
  const context: LambdaContext = fakeLambdaContext({ timeoutMs: 900_000 });
  return quietly(() => compare(contenders, p1Events(), FULL, context, statusAndBody));
}

/** Three trials, as P1 runs them; the median trial by Lift ÷ raw is reported, with every trial's ratio. */
async function perRequest(): Promise<{ timings: Timing[]; ratios: number[] }> {
  const trials: Timing[][] = [];
  for (let t = 0; t < 3; t++) trials.push(await perRequestTrial());
  const ratio = (trial: Timing[]) => (trial[1] as Timing).median / (trial[0] as Timing).median;
  const sorted = [...trials].sort((a, b) => ratio(a) - ratio(b));
  return { timings: sorted[1] as Timing[], ratios: trials.map(ratio) };
}

interface ColdRow {
  readonly name: string;
  readonly bytes: number;
  readonly probes: Probe[];
}

async function coldStarts(): Promise<ColdRow[]> {
  const mode: ColdMode = { kind: 'lambda', memoryMb: 128 };
  const entries = [
    ['raw', 'apps/p1-raw.ts'],
    ['Lift, observability off by its options', 'apps/p1-lift.ts'],
    ["the same app with the lean createApp (observability's code left out)", 'apps/p1-lift-lean.ts'],
    ['Middy', 'apps/p1-middy.ts'],
  ] as const;
  const built = await Promise.all(
    entries.map(async ([name, module], i) => {
      const size = await bundleSize(`export { handler } from './${module}';`);
      const file = scratchFile(`floors-${i}.mjs`);
      writeFileSync(file, size.code);
      return { name, file, bytes: size.bytes, probes: [] as Probe[] };
    }),
  );
  const eventFile = eventFileFor('floors', p1Events()[0]);
  for (let i = 0; i < processes; i++) {
    for (let k = 0; k < built.length; k++) {
      const row = built[(k + i) % built.length] as (typeof built)[number];
      const result = await probe(row.file, eventFile, mode);
      const status = (result.answer as { statusCode?: unknown } | null)?.statusCode;
      // Every row answers, and none of them logs: the point is what an app that observes nothing costs.
      if (status !== 200 || /"message":"request"|"_aws":\{/.test(result.written))
        throw new Error(
          `${row.name} answered ${status} or wrote observability: ${result.written.slice(0, 200)}`,
        );
      row.probes.push(result);
    }
  }
  return built;
}

const { timings, ratios } = await perRequest();
const raw = timings[0] as Timing;
const lift = timings[1] as Timing;
const cold = await coldStarts();
const coldMedian = (row: ColdRow) => median(row.probes.map((p) => p.elapsed));
const coldCpu = (row: ColdRow) => median(row.probes.map((p) => p.cpu / 1000));
const middy = cold[3] as ColdRow;
const machine = `Node ${process.version}, ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores), ${process.platform}/${process.arch}`;
const date = new Date().toISOString().slice(0, 10);

const markdown = [
  "## Floors under issue 17's remaining goals",
  '',
  `Command: \`npm run bench:floors --workspace bench\`. Machine: ${machine}. Date: ${date}.`,
  '',
  'What the P1 app costs when parts of Lift are taken away, to show how far each missed goal sits',
  'below what tuning the current design can reach.',
  '',
  '### Per request (P1 events, observability off; only status and body must agree)',
  '',
  `3 independent trials; the table is the median trial by Lift ÷ raw (per trial: ${ratios.map(x).join(', ')}).`,
  '',
  '| contender | µs/call (median) | min–max | × raw | over Lift (P1), µs |',
  '| --- | ---: | ---: | ---: | ---: |',
  ...timings.map(
    (t) =>
      `| ${t.name} | ${t.median.toFixed(2)} | ${t.min.toFixed(2)}–${t.max.toFixed(2)} | ${x(t.median / raw.median)} | ${t === raw ? '' : (t.median - lift.median).toFixed(2)} |`,
  ),
  '',
  `The raw handler sends every header Lift's defaults and CORS send; "all four off" sends none of them and`,
  `is still at ${x((timings[6] as Timing).median / raw.median)} raw, against the goal of 1.3×.`,
  '',
  `### Cold start, Lambda-like process (128 MB), P1 bundle, import + first call (${processes} processes each, alternating)`,
  '',
  '| contender | bundle (minified) | ms (median) | CPU, ms (median) | × Middy (wall) | × Middy (CPU) |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...cold.map(
    (row) =>
      `| ${row.name} | ${row.bytes.toLocaleString('en')} B | ${coldMedian(row).toFixed(1)} | ${coldCpu(row).toFixed(1)} | ${x(coldMedian(row) / coldMedian(middy))} | ${x(coldCpu(row) / coldCpu(middy))} |`,
  ),
].join('\n');

console.log(markdown);
writeSection('floors', markdown);
