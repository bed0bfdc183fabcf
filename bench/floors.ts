/**
 * How far issue 17's remaining goals sit below what Lift's design can reach, measured rather than
 * argued, on the P1 app:
 *
 * - Per request: the raw handler; Lift as P1 has it (observability off); Lift with each of its
 *   default protections, and CORS, off in turn; and Lift with all of them off, which answers with
 *   fewer headers than raw sends. Only status and body must agree (the headers differ on purpose).
 *   The last row is the floor of Lift's core path (adapter, context, router, chain, response) under
 *   the P1 goal of 1.3× raw.
 * - Cold start, in the Lambda-like process of P5, on each of Lambda's Node.js runtimes: the P1 bundle with observability off by its
 *   options, and the same app built with the lean `createApp` (`@lift/core/lean`), whose bundle
 *   leaves the observability code out; Middy and raw beside them. The lean row is how close leaving
 *   observability out of the bundle comes to the goal of observability off ≤ 0.6× Middy.
 *
 * Writes the "floors" section of docs/benchmarks.md.
 * Run: `npm run bench:floors --workspace bench` (`-- --processes=N`, default 51).
 */
import { createApp, type LambdaContext } from '@lift/core';
import { fakeLambdaContext } from '@lift/core/testing';
import { addP1Routes } from './apps/p1-lift-routes.js';
import { createRawP1 } from './apps/p1-raw.js';
import { p1Events } from './events.js';
import {
  type Contender,
  compare,
  FULL,
  MACHINE,
  median,
  quietly,
  type Timing,
  writeSection,
} from './harness.js';
import {
  type ColdContender,
  type ColdResult,
  coldStarts,
  lambdaRuntimes,
  type NodeRuntime,
} from './p5-cold-start.js';

const processes = Number(process.argv.find((a) => a.startsWith('--processes='))?.split('=')[1] ?? 51);
const x = (value: number) => `${value.toFixed(2)}×`;

/** The P1 app of apps/p1-lift.ts, observability off, with some of its defaults also switched off. */
function liftP1(off: { securityHeaders?: false; requestId?: false; timeout?: false; cors?: false }) {
  const { cors: corsOff, ...defaults } = off;
  const app = createApp({ service: 'bench', logger: false, metrics: false, tracing: false, ...defaults });
  return addP1Routes(app, corsOff === undefined ? {} : { cors: corsOff }) as Contender['handler'];
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

const TRIALS = 5;

/** One row over every trial: the medians of its per-trial figures. */
interface FloorRow {
  readonly name: string;
  /** µs a call. */
  readonly micros: number;
  readonly overRaw: number;
  /** µs over Lift as P1 has it, measured within each trial: the median, and the least and most. */
  readonly overLift: number;
  readonly overLiftRange: readonly [number, number];
  /** This row ÷ raw in each trial. */
  readonly ratios: number[];
}

/**
 * {@link TRIALS} trials; each row's figures are medians over them, and its differences to raw and to
 * Lift are taken within each trial first, since the machine's speed drifts between trials more than
 * these differences are.
 */
async function perRequest(): Promise<FloorRow[]> {
  const trials: Timing[][] = [];
  for (let t = 0; t < TRIALS; t++) trials.push(await perRequestTrial());
  const first = trials[0] as Timing[];
  return first.map((_, k) => {
    const at = (trial: Timing[], i: number) => (trial[i] as Timing).median;
    const ratios = trials.map((trial) => at(trial, k) / at(trial, 0));
    const differences = trials.map((trial) => at(trial, k) - at(trial, 1));
    return {
      name: (first[k] as Timing).name,
      micros: median(trials.map((trial) => at(trial, k))),
      overRaw: median(ratios),
      overLift: median(differences),
      overLiftRange: [Math.min(...differences), Math.max(...differences)],
      ratios,
    };
  });
}

/**
 * P1's cold start in the Lambda-like process on `node` (this machine's Node when undefined), with
 * p5-cold-start's runner (none of the rows observes).
 */
function coldRows(node: NodeRuntime | undefined): Promise<ColdResult[]> {
  const contenders: ColdContender[] = [
    { name: 'raw', module: 'apps/p1-raw.ts', observed: false },
    { name: 'Lift, observability off by its options', module: 'apps/p1-lift.ts', observed: false },
    {
      name: "the same app with the lean createApp (observability's code left out)",
      module: 'apps/p1-lift-lean.ts',
      observed: false,
    },
    { name: 'Middy', module: 'apps/p1-middy.ts', observed: false },
  ];
  return coldStarts('floors', contenders, p1Events()[0], 200, processes, {
    kind: 'lambda',
    memoryMb: 128,
    ...(node === undefined ? {} : { node }),
  });
}

const rows = await perRequest();
const raw = rows[0] as FloorRow;
const lift = rows[1] as FloorRow;
const core = rows[6] as FloorRow;
const runtimes = lambdaRuntimes({ fetch: true });
const colds: { node: string; rows: ColdResult[] }[] = [];
for (const node of runtimes.length > 0 ? runtimes : [undefined])
  colds.push({ node: node?.version ?? process.versions.node, rows: await coldRows(node) });
const date = new Date().toISOString().slice(0, 10);

const markdown = [
  "## Floors under issue 17's remaining goals",
  '',
  `Command: \`npm run bench:floors --workspace bench\`. Machine: ${MACHINE}. Date: ${date}.`,
  '',
  'What the P1 app costs when parts of Lift are taken away, to show how far each missed goal sits',
  'below what tuning the current design can reach.',
  '',
  '### Per request (P1 events, observability off; only status and body must agree)',
  '',
  `${TRIALS} independent trials (fresh apps, fresh warm-up, rows interleaved batch by batch); each figure is`,
  'the median over the trials of that row’s figure in each trial, its differences taken within a trial.',
  '',
  '| contender | µs/call | × raw | over Lift (P1), µs | least–most over the trials, µs | × raw, each trial |',
  '| --- | ---: | ---: | ---: | ---: | --- |',
  ...rows.map((r) => {
    const over = r === raw || r === lift;
    const range = `${r.overLiftRange[0].toFixed(2)} to ${r.overLiftRange[1].toFixed(2)}`;
    return `| ${r.name} | ${r.micros.toFixed(2)} | ${x(r.overRaw)} | ${over ? '' : r.overLift.toFixed(2)} | ${over ? '' : range} | ${r.ratios.map(x).join(', ')} |`;
  }),
  '',
  'A row whose least–most range reaches zero cannot be told from Lift (P1) on this machine.',
  '',
  "The raw handler sends the security headers and the CORS headers Lift's defaults send (all but",
  `\`x-request-id\`); "all four off" sends none of them and is still at ${x(core.overRaw)} raw (goal for Lift with`,
  'them all on: 1.3×).',
  '',
  `### Cold start, Lambda-like process (128 MB), P1 bundle, import + first call (${processes} processes each, alternating)`,
  '',
  "On each of Lambda's Node.js runtimes, as in P5.",
  ...colds.flatMap(({ node, rows: cold }) => {
    const middy = cold[3] as ColdResult;
    return [
      '',
      `#### Node ${node}`,
      '',
      '| contender | bundle (minified) | ms (median) | CPU, ms (median) | × Middy (wall) | × Middy (CPU) |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...cold.map(
        (row) =>
          `| ${row.name} | ${row.size.bytes.toLocaleString('en')} B | ${row.median.toFixed(1)} | ${row.cpuMs.toFixed(1)} | ${x(row.median / middy.median)} | ${x(row.cpuMs / middy.cpuMs)} |`,
      ),
    ];
  }),
].join('\n');

console.log(markdown);
writeSection('floors', markdown);
