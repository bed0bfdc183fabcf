/**
 * P5's contenders, its run (P1 handlers on this machine and in a Lambda-like process, P2 handlers,
 * the hello-world bundle) and its section of docs/benchmarks.md.
 */
import { type BundleSize, bundleSize, HELLO_WORLD, HELLO_WORLD_LEAN } from './bundle.js';
import { p1Events, p2Events } from './events.js';
import { bestOf } from './harness.js';
import {
  type ColdContender,
  type ColdMode,
  type ColdResult,
  coldStarts,
  lambdaRuntimes,
} from './p5-cold-start.js';

/** The memory of P5's Lambda-like processes: Lambda's smallest size, where cold starts hurt most. */
export const LAMBDA_MEMORY_MB = 128;

/**
 * P1's cold contenders: Lift as deployed (defaults on), with observability off (by its options, and
 * with the lean `createApp`, whose bundle leaves its code out), and every peer.
 */
export const P1_COLD: readonly ColdContender[] = [
  { name: 'raw', module: 'apps/p1-raw.ts', observed: false },
  { name: 'Lift (defaults)', module: 'apps/p1-lift-defaults.ts', observed: true },
  { name: 'Lift (observability off)', module: 'apps/p1-lift.ts', observed: false },
  { name: 'Lift (lean entry)', module: 'apps/p1-lift-lean.ts', observed: false },
  { name: 'Middy + Powertools Logger/Metrics', module: 'apps/p1-middy-powertools.ts', observed: true },
  { name: 'Middy', module: 'apps/p1-middy.ts', observed: false },
  { name: 'Hono', module: 'apps/p1-hono.ts', observed: false },
  { name: 'Powertools event handler', module: 'apps/p1-powertools.ts', observed: false },
];
const P1_PEERS = ['Middy + Powertools Logger/Metrics', 'Middy', 'Hono', 'Powertools event handler'];
const P2_PEERS = ['Middy + jose', 'Hono + jose'];

/** Everything P5 measured. */
export interface P5Results {
  /** Fresh processes per contender. */
  readonly processes: number;
  readonly p1: ColdResult[];
  /**
   * P1 in a Lambda-like process, once per Node.js runtime: Lambda's own (nodejs22.x, nodejs24.x) when
   * they could be had, else this machine's Node.
   */
  readonly p1Lambda: readonly {
    readonly node: string;
    readonly pinned: boolean;
    readonly rows: ColdResult[];
  }[];
  readonly p2: ColdResult[];
  readonly hello: BundleSize;
  /** The hello-world with the lean `createApp`. */
  readonly helloLean: BundleSize;
}

/** Runs P5; `tokens` are P2's bearer tokens (the first one is used). */
export async function runP5(options: {
  readonly quick: boolean;
  readonly tokens: readonly string[];
  readonly quietly: <T>(work: () => Promise<T> | T) => Promise<T>;
}): Promise<P5Results> {
  const processes = options.quick ? 2 : 21;
  const p1 = await coldStarts('p1', P1_COLD, p1Events()[0], 200, processes);
  // A quick check uses the runtimes only if an earlier run (or test:runtimes) has fetched them.
  const runtimes = lambdaRuntimes({ fetch: !options.quick });
  const p1Lambda: { node: string; pinned: boolean; rows: ColdResult[] }[] = [];
  for (const node of runtimes.length > 0 ? runtimes : [undefined]) {
    const lambda: ColdMode = {
      kind: 'lambda',
      memoryMb: LAMBDA_MEMORY_MB,
      ...(node === undefined ? {} : { node }),
    };
    const rows = await coldStarts('p1-lambda', P1_COLD, p1Events()[0], 200, processes, lambda);
    p1Lambda.push({ node: node?.version ?? process.versions.node, pinned: node !== undefined, rows });
  }
  const p2 = await coldStarts(
    'p2',
    [
      { name: 'raw + jose', module: 'apps/p2-raw.ts' },
      { name: 'Lift', module: 'apps/p2-lift.ts' },
      { name: 'Middy + jose', module: 'apps/p2-middy.ts' },
      { name: 'Hono + jose', module: 'apps/p2-hono.ts' },
    ],
    p2Events(options.tokens)[0],
    201,
    processes,
  );
  const hello = await bundleSize(HELLO_WORLD);
  const helloLean = await bundleSize(HELLO_WORLD_LEAN);
  // The bundled hello-worlds must answer, not just build.
  for (const built of [hello, helloLean]) {
    const helloModule = await import(
      `data:text/javascript;base64,${Buffer.from(built.code).toString('base64')}`
    );
    const helloAnswer = (await options.quietly(() =>
      helloModule.handler({ ...(p1Events()[0] as object), rawPath: '/' }),
    )) as { statusCode: number; body: string };
    if (helloAnswer.statusCode !== 200 || helloAnswer.body !== '{"hello":"world"}')
      throw new Error(`bundled hello-world answered ${JSON.stringify(helloAnswer)}`);
  }
  return { processes, p1, p1Lambda, p2, hello, helloLean };
}

const x = (value: number) => `${value.toFixed(2)}×`;
const verdict = (value: number, target: number) =>
  `**${x(value)}** (target ≤ ${target}×: ${value <= target ? 'met' : 'missed'})`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const row = (rows: readonly ColdResult[], name: string) => rows.find((r) => r.name === name) as ColdResult;

/** A P5 table; `against` names the rows every other row is divided by, one column each. */
function coldTable(
  rows: readonly ColdResult[],
  against: readonly string[],
  peers: readonly string[],
): string {
  const best = bestOf(rows, peers);
  const columns = [...against.map((name) => `× ${name}`), ...(best === undefined ? [] : ['× best peer'])];
  return [
    `| contender | bundle (minified) | gzip | import + first call, ms (median) | min–max | ${columns.join(' | ')} | CPU, ms | RSS after, MB |`,
    `| --- | ---: | ---: | ---: | ---: | ${columns.map(() => '---:').join(' | ')} | ---: | ---: |`,
    ...rows.map((r) => {
      const ratios = [
        ...against.map((name) => x(r.median / row(rows, name).median)),
        ...(best === undefined ? [] : [x(r.median / best.median)]),
      ];
      return `| ${r.name} | ${r.size.bytes.toLocaleString('en')} B | ${r.size.gzipBytes.toLocaleString('en')} B | ${r.median.toFixed(1)} | ${r.min.toFixed(1)}–${r.max.toFixed(1)} | ${ratios.join(' | ')} | ${r.cpuMs.toFixed(1)} | ${r.rssMb.toFixed(0)} |`;
    }),
  ].join('\n');
}

/** The P1 goals of issue 17, for one set of rows: on wall time, then on CPU time. */
function goals(rows: readonly ColdResult[]): string {
  return `Wall time: ${goalsOn(rows, (r) => r.median)}\n\nCPU time: ${goalsOn(rows, (r) => r.cpuMs)}`;
}

function goalsOn(rows: readonly ColdResult[], of: (r: ColdResult) => number): string {
  const m = (name: string) => of(row(rows, name));
  const defaults = m('Lift (defaults)');
  const off = m('Lift (observability off)');
  const lean = m('Lift (lean entry)');
  return [
    `Lift (defaults) ÷ Middy + Powertools Logger/Metrics ${verdict(defaults / m('Middy + Powertools Logger/Metrics'), 0.6)};`,
    `Lift (defaults) ÷ Middy ${verdict(defaults / m('Middy'), 1)}; Lift (observability off) ÷ Middy ${verdict(off / m('Middy'), 0.6)};`,
    `Lift (lean entry) ÷ Middy ${verdict(lean / m('Middy'), 0.6)}.`,
  ].join(' ');
}

/** The P5 section of docs/benchmarks.md. */
export function p5Markdown(r: P5Results, machine: string, command: string): string {
  const date = new Date().toISOString().slice(0, 10);
  const against = ['raw', 'Middy + Powertools Logger/Metrics', 'Middy'];
  const p1Bundle = row(r.p1, 'Lift (defaults)').size.bytes;
  const middyBundle = row(r.p1, 'Middy').size.bytes;
  return [
    '## P5: cold start and size',
    '',
    `Command: \`${command}\`. Machine: ${machine}. Date: ${date}.`,
    '',
    'Each handler bundled as for a deploy (esbuild, minified ESM, platform node, AWS SDK external) into a',
    'folder outside the repository, as `/var/task` holds only the bundle, so optional imports fail as they',
    `do when deployed; then ${r.processes} fresh Node processes per contender, alternating, each timing \`import()\` of the`,
    "bundle plus the first call from inside the process (Node's own start-up excluded), stdout a pipe.",
    'Every process must answer 200, and the rows marked as observed must write an access-log line and an',
    'EMF blob (the others neither). "Lift (defaults)" is the app as a user deploys it: access log, EMF',
    'metrics and spans on; "Lift (lean entry)" is the app of "observability off" built with `createApp` from',
    '`@lift/core/lean`, which leaves the observability code out of the bundle. "Middy + Powertools',
    'Logger/Metrics" adds the same observability to Middy the',
    'Powertools way (`injectLambdaContext`, `logMetrics` with the cold-start metric, one access line and',
    'one EMF blob with the same keys and metrics per request). CPU is the median CPU time (user + system,',
    'all threads) of import + first call: other work on a shared machine delays a process without adding',
    'to it, so its ratios are steadier than wall-time ratios. RSS is the median resident set after the',
    'first call.',
    '',
    '### P1 handlers, this machine',
    '',
    coldTable(r.p1, against, P1_PEERS),
    '',
    goals(r.p1),
    '',
    `### P1 handlers, Lambda-like process (${LAMBDA_MEMORY_MB} MB)`,
    '',
    `On each of Lambda's Node.js runtimes (\`node-linux-${process.arch}\` from the npm registry, pinned in`,
    '`scripts/node-runtimes.mjs`; the same binaries `npm run test:runtimes` runs the suite on; this',
    "machine's Node when they could not be had), with",
    `the flags the Lambda Node.js runtime's bootstrap derives from the function's memory`,
    `(\`${['--expose-gc', '--max-http-header-size=81920', `--max-semi-space-size=${Math.floor(LAMBDA_MEMORY_MB / 20)}`, `--max-old-space-size=${LAMBDA_MEMORY_MB - Math.floor(LAMBDA_MEMORY_MB / 10)}`].join(' ')}\`) and the environment a function sees`,
    '(`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, `AWS_LAMBDA_INITIALIZATION_TYPE=on-demand`, `AWS_EXECUTION_ENV`,',
    '`_X_AMZN_TRACE_ID`, …). Not emulated: the CPU share Lambda gives 128 MB (about 1/14 of a vCPU, since',
    'a full vCPU comes at 1,769 MB), so absolute times on Lambda are several times these; the ratios are',
    'what carries over.',
    '',
    ...r.p1Lambda.flatMap(({ node, pinned, rows }) => [
      `#### Node ${node}${pinned ? ` (nodejs${node.split('.')[0]}.x)` : " (this machine's: Lambda's runtimes could not be had)"}`,
      '',
      coldTable(rows, against, P1_PEERS),
      '',
      goals(rows),
      '',
    ]),
    '### P2 handlers',
    '',
    coldTable(r.p2, ['raw + jose'], P2_PEERS),
    '',
    `P1 bundle with defaults: ${p1Bundle.toLocaleString('en')} B against Middy's ${middyBundle.toLocaleString('en')} B (target ≤ Middy's: ${p1Bundle <= middyBundle ? 'met' : '**missed**'}).`,
    `Lift hello-world (\`createApp\` + one route + \`handler\`, defaults on): ${r.hello.bytes.toLocaleString('en')} B minified (${kb(r.hello.bytes)}), ${r.hello.gzipBytes.toLocaleString('en')} B gzip; target ≤ 16 KB: ${r.hello.bytes <= 16_384 ? 'met' : '**missed**'}.`,
    `The same with the lean \`createApp\` (\`@lift/core/lean\`, no observability): ${r.helloLean.bytes.toLocaleString('en')} B minified (${kb(r.helloLean.bytes)}), ${r.helloLean.gzipBytes.toLocaleString('en')} B gzip; target ≤ 10 KB: ${r.helloLean.bytes <= 10_240 ? 'met' : '**missed**'}.`,
    'Where the bytes and milliseconds go: "Cold path breakdown" below.',
  ].join('\n');
}
