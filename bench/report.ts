/** Writes the benchmark results into docs/benchmarks.md, one section per workload. */
import type { BundleSize } from './bundle.js';
import { bestOf, medianOf, type Timing, table, writeSection } from './harness.js';
import { type P5Results, p5Markdown } from './p5.js';
import type { ColdResult } from './p5-cold-start.js';
import type { P7Results } from './p7-batch.js';

/** Everything one `npm run bench` measured. */
export interface Results {
  readonly machine: string;
  /** Fresh processes per contender in P5. */
  readonly processes: number;
  readonly p1: Timing[];
  readonly p1Trials: Timing[][];
  readonly p2: Timing[];
  readonly p3: Timing[];
  readonly p4: Timing[];
  readonly p5: P5Results;
  readonly rejected: {
    readonly unauthorized: Timing[];
    readonly notFound: Timing[];
    readonly invalid: Timing[];
  };
  readonly auth: Timing[];
  readonly p7: P7Results;
  readonly peers: {
    readonly p1: readonly string[];
    readonly p2: readonly string[];
    readonly p7: readonly string[];
  };
}

const x = (value: number) => `${value.toFixed(value < 0.1 ? 3 : 2)}×`;
const verdict = (value: number, target: number) =>
  `**${x(value)}** (target ≤ ${target}×: ${value <= target ? 'met' : 'missed'})`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function coldTable(rows: readonly ColdResult[], peers: readonly string[]): string {
  const raw = rows[0] as ColdResult;
  const best = bestOf(rows, peers);
  return [
    '| contender | bundle (minified) | gzip | import + first call, ms (median) | min–max | × raw | × best peer |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.size.bytes.toLocaleString('en')} B | ${r.size.gzipBytes.toLocaleString('en')} B | ${r.median.toFixed(1)} | ${r.min.toFixed(1)}–${r.max.toFixed(1)} | ${x(r.median / raw.median)} | ${best === undefined ? '' : x(r.median / best.median)} |`,
    ),
  ].join('\n');
}

/** The short reading at the top: where Lift wins, where it loses, and why. Numbers from this run. */
function reading(r: Results): string {
  const m = (timings: readonly Timing[], name: string) => medianOf(timings, name);
  const p1Lift = m(r.p1, 'Lift');
  const peerRange = r.peers.p1.map((peer) => `${(m(r.p1, peer) / p1Lift).toFixed(0)}× (${peer})`).join(', ');
  const observedCost = m(r.p1, 'Lift, access log + EMF on') - p1Lift;
  const first = m(r.p2, 'Lift (first sight)');
  const repeated = m(r.p2, 'Lift (repeated token)');
  const bestP2 = bestOf(r.p2, r.peers.p2) as Timing;
  const liftVerify = m(r.auth, 'Lift (first sight)');
  const awsVerify = m(r.auth, 'aws-jwt-verify');
  const cold = (rows: readonly ColdResult[], name: string) =>
    rows.find((row) => row.name === name) as ColdResult;
  const liftCold = cold(r.p5.p1, 'Lift (defaults)');
  const offCold = cold(r.p5.p1, 'Lift (observability off)');
  const leanCold = cold(r.p5.p1, 'Lift (lean entry)');
  const middyCold = cold(r.p5.p1, 'Middy');
  const observedMiddyCold = cold(r.p5.p1, 'Middy + Powertools Logger/Metrics');
  return [
    '## Reading',
    '',
    `**Wins.** A routed GET with CORS and security headers costs ${p1Lift.toFixed(2)} µs in Lift, ${x(p1Lift / m(r.p1, 'raw'))} the hand-written`,
    `handler; the peers take ${peerRange} as long. Hono and the Powertools event handler build a WHATWG`,
    'Request and Response per call; Middy runs every middleware as a promise step and its router tries the',
    `dynamic routes one regular expression at a time. With a known token, a secured POST costs ${repeated.toFixed(1)} µs`,
    `(${x(repeated / bestP2.median)} ${bestP2.name}): Lift remembers verified tokens by their SHA-256 until they expire, where`,
    'jose verifies the RSA signature again on every call. One log line and one EMF flush cost a fraction of',
    `Powertools' (${x(m(r.p3, 'Lift') / m(r.p3, 'Powertools Logger'))} and ${x(m(r.p4, 'Lift') / m(r.p4, 'Powertools Metrics'))}), with masking pino does not do; and rejections are cheap: a 404 costs`,
    `${m(r.rejected.notFound, 'Lift').toFixed(1)} µs (4xx errors carry no stack trace), a 422 behind a known token ${m(r.rejected.invalid, 'Lift').toFixed(1)} µs.`,
    '',
    `**Losses.** Against the raw handler, P1 is at ${x(p1Lift / m(r.p1, 'raw'))} (target 1.3×): Lift also checks which of four event`,
    'shapes arrived, walks a segment trie, builds a context and merges headers from hooks, and it answers with',
    "a request id no other contender sends (every app has one; checking that AWS's id is safe to echo is ~60 ns). A first-sight token",
    `costs ${first.toFixed(0)} µs, ${x(first / bestP2.median)} ${bestP2.name} (target 0.35×): the RSA signature check`,
    `(aws-jwt-verify alone: ${awsVerify.toFixed(0)} µs) is most of it and no framework can skip it. Lift's authenticator adds`,
    `${(liftVerify - awsVerify).toFixed(0)} µs to it (it decodes the header and payload first, to pin issuer and algorithm before any`,
    `key is touched, then maps the principal), and the request around it ${(first - liftVerify).toFixed(0)} µs (body, zod, access control,`,
    'response). Reaching 0.35× would take a verifier faster than aws-jwt-verify. A bad token costs what',
    'verifying costs, in every contender. Cold start is where Lift pays for what it carries: the P1 bundle as',
    `deployed (defaults on) imports and answers in ${liftCold.median.toFixed(1)} ms against ${observedMiddyCold.median.toFixed(1)} ms for Middy with Powertools Logger and`,
    `Metrics (${x(liftCold.median / observedMiddyCold.median)}, target 0.6×) and ${middyCold.median.toFixed(1)} ms for Middy alone (${x(liftCold.median / middyCold.median)}); with observability off, ${offCold.median.toFixed(1)} ms`,
    `(${x(offCold.median / middyCold.median)} Middy, target 0.6×), and ${leanCold.median.toFixed(1)} ms (${x(leanCold.median / middyCold.median)}) built with the lean \`createApp\` (\`@lift/core/lean\`), whose bundle`,
    `leaves observability's code out. The hello-world bundle is ${kb(r.p5.hello.bytes)} (${kb(r.p5.helloLean.bytes)} lean): the record engine, rate limits`,
    'and idempotency enter a bundle only with their imports (`records()`, `rateLimits()`, `idempotency()`), but every',
    'app still carries the four HTTP adapters, and every app of `@lift/core` the observability stack, which its',
    '`createApp` reaches whatever its options say (see "Cold path breakdown").',
    '',
    `**Observability on.** Lift's default access-log line, EMF blob and trace id add ${observedCost.toFixed(1)} µs to a request`,
    '(the P1 row "access log + EMF on"); doing the same with Powertools Logger and Metrics costs about',
    `${(m(r.p3, 'Powertools Logger') + m(r.p4, 'Powertools Metrics')).toFixed(0)} µs (P3 + P4).`,
  ].join('\n');
}

/** Rewrites every section of docs/benchmarks.md this run owns. */
export function writeReport(r: Results): void {
  const date = new Date().toISOString().slice(0, 10);
  const p1Lift = medianOf(r.p1, 'Lift');
  const middy = medianOf(r.p1, 'Middy');
  const p1Raw = medianOf(r.p1, 'raw');
  const p1Ratios = r.p1Trials.map((t) => x(medianOf(t, 'Lift') / medianOf(t, 'raw'))).join(', ');
  writeSection('reading', reading(r));
  writeSection(
    'method',
    [
      '## How these were measured',
      '',
      `Command: \`npm run bench\` (writes every section below except the load run). Machine: ${r.machine}. Date: ${date}.`,
      '',
      '- Every workload sends the same pre-built events through each contender in one process. Before timing,',
      '  each contender must give the expected answer to every event (status, the JSON body of successes, the',
      '  CORS origin, `nosniff` and HSTS present); a contender that differs stops the run.',
      '- Events are parsed from JSON before each timed batch (as the Lambda runtime hands them over), never',
      '  inside it. Contenders are interleaved batch by batch, in rotating order, after a warm-up; tables show',
      '  the median of the batches with min–max, the ratio to the raw hand-written handler and to the fastest peer.',
      '- Peers are dev dependencies of `bench/` only: Middy 6.4.5 (the last line for Node 20; Middy 7 needs',
      '  Node 22), Hono 4.13.19, Powertools event handler 2.35.0, Powertools batch 2.35.0, Powertools',
      '  Logger/Metrics 2.36.0, pino 10.4.0, jose 6.2.17. Each is written as its documentation shows; the code',
      '  is in `bench/apps/`.',
      "- No contender logs in P1, P2 and P6 (Lift with `logger: false, metrics: false, tracing: false`, Middy's error",
      '  handler with `logger: false`); P1 also shows Lift with its default access log and EMF metrics on. Lines',
      "  written anyway (Lift's audit line for a denial) go to a no-op `process.stdout.write`.",
      '- `npm test` runs `npm run bench -- --quick`: every workload a few times, answers checked, nothing timed.',
    ].join('\n'),
  );
  writeSection(
    'p1',
    [
      '## P1: routed GET',
      '',
      '40 routes shaped `/r{n}/:id/items/:itemId`, GET with params, CORS for an allowed origin, security headers,',
      `error handling. ${r.p1Trials.length} independent trials; the table is the median trial (Lift/raw per trial: ${p1Ratios}).`,
      '',
      table(r.p1, 'raw', r.peers.p1),
      '',
      `Lift ÷ raw ${verdict(p1Lift / p1Raw, 1.3)}; Lift ÷ Middy ${verdict(p1Lift / middy, 0.35)}.`,
      `Default observability (one access-log line and one EMF blob per request) adds ${(medianOf(r.p1, 'Lift, access log + EMF on') - p1Lift).toFixed(2)} µs per request.`,
    ].join('\n'),
  );
  const first = medianOf(r.p2, 'Lift (first sight)');
  const repeated = medianOf(r.p2, 'Lift (repeated token)');
  const middyJose = medianOf(r.p2, 'Middy + jose');
  writeSection(
    'p2',
    [
      '## P2: secured POST',
      '',
      "RS256 JWT (2048-bit key, key set given, no network), tenant in the path must match the token's, a role",
      'check, a zod-validated JSON body, 201 JSON. Middy, Hono and raw verify with jose on every call; Lift uses its',
      'own authenticator (aws-jwt-verify underneath), once with its verified-token cache off (every call a first',
      'sight) and once on (200 distinct tokens, all seen during warm-up).',
      '',
      table(r.p2, 'raw + jose', r.peers.p2),
      '',
      `Repeated token: Lift ÷ Middy+jose ${verdict(repeated / middyJose, 0.1)}. First sight: Lift ÷ Middy+jose ${verdict(first / middyJose, 0.35)}.`,
    ].join('\n'),
  );
  const pt = medianOf(r.p3, 'Powertools Logger');
  writeSection(
    'p3',
    [
      '## P3: one access-log line',
      '',
      "The same 7 request keys after the Lambda context keys, in each logger's own shape (Lift's and Powertools'",
      'are identical, checked by the golden tests); output dropped, so no contender pays for I/O.',
      '',
      table(r.p3, 'Powertools'),
      '',
      `Lift ÷ Powertools ${verdict(medianOf(r.p3, 'Lift') / pt, 0.3)}. Lift masks every field (key names and value`,
      'patterns) before writing; pino masks nothing unless given paths to redact.',
    ].join('\n'),
  );
  writeSection(
    'p4',
    [
      '## P4: one EMF flush of three metrics',
      '',
      table(r.p4, 'Powertools'),
      '',
      `Lift ÷ Powertools ${verdict(medianOf(r.p4, 'Lift') / medianOf(r.p4, 'Powertools Metrics'), 0.3)}; both blobs have the same shape (golden test).`,
    ].join('\n'),
  );
  writeSection('p5', p5Markdown(r.p5, r.machine, 'npm run bench'));
  writeSection(
    'p6',
    [
      '## P6: rejected requests',
      '',
      'What answering an attacker costs. 401: a well-formed token whose signature does not verify (P2 apps).',
      '404: paths no route serves (P1 apps). 422: a valid token and a body failing validation (P2 apps).',
      '',
      '### 401, bad token',
      '',
      table(r.rejected.unauthorized, 'raw + jose', r.peers.p2),
      '',
      '### 404, no such route',
      '',
      table(r.rejected.notFound, 'raw', r.peers.p1),
      '',
      '### 422, invalid body',
      '',
      table(r.rejected.invalid, 'raw + jose', r.peers.p2),
    ].join('\n'),
  );
  writeSection(
    'auth',
    [
      '## Token verification alone',
      '',
      "The same 200 RS256 tokens verified by each library, no HTTP around it. Lift's rows run its full",
      'authenticator (header parsing, issuer and algorithm pinning, aws-jwt-verify, exp/nbf/iat checks, principal',
      'mapping); "repeated token" has its verified-token cache on.',
      '',
      table(r.auth, 'jose'),
    ].join('\n'),
  );
  writeP7Section({ machine: r.machine, processes: r.processes, p7: r.p7, peers: r.peers.p7 });
  for (const section of [
    r.p1,
    r.p2,
    r.p3,
    r.p4,
    r.rejected.unauthorized,
    r.rejected.notFound,
    r.rejected.invalid,
  ])
    console.log(`${table(section)}\n`);
  console.log('docs/benchmarks.md updated');
}

/** What the P7 section needs. */
export interface P7Report {
  readonly machine: string;
  readonly processes: number;
  readonly p7: P7Results;
  readonly peers: readonly string[];
}

/** Rewrites the P7 section of docs/benchmarks.md (`npm run bench` and `npm run bench:p7`). */
export function writeP7Section({ machine, processes, p7, peers }: P7Report): void {
  const date = new Date().toISOString().slice(0, 10);
  const m = (timings: readonly Timing[], name: string) => medianOf(timings, name);
  const ratioLine = (timings: readonly Timing[]) => {
    const lift = m(timings, 'Lift');
    return `Lift ÷ raw **${x(lift / m(timings, 'raw'))}**, Lift ÷ Powertools batch **${x(lift / m(timings, 'Powertools batch'))}**; per message, Lift takes ${(lift / 10).toFixed(2)} µs.`;
  };
  const module = (rows: BundleSize['modules']) =>
    rows.slice(0, 10).map(([path, bytes]) => `| \`${path}\` | ${bytes.toLocaleString('en')} |`);
  const size = (b: BundleSize) =>
    `${b.bytes.toLocaleString('en')} B minified (${kb(b.bytes)}), ${b.gzipBytes.toLocaleString('en')} B gzip`;
  writeSection(
    'p7',
    [
      '## P7: SQS batch with schema validation',
      '',
      `Command: \`npm run bench:p7 --workspace bench\` (this section alone; \`npm run bench\` writes it too). Machine: ${machine}. Date: ${date}.`,
      '',
      "One SQS batch of 10 JSON order messages (Lambda's default batch size), each body parsed and validated",
      'by the same zod schema, the valid ones handled (a running total), the partial batch response',
      'returned. Lift: a worker, `worker.sqs(queue, { body: OrderMessage }, handler)`. raw: a hand-written loop',
      '(`JSON.parse`, `safeParse`, `batchItemFailures`). Powertools: `BatchProcessor(EventType.SQS)` with',
      '`processPartialResponse`, its record handler parsing the body and calling `OrderMessage.parse`. Before',
      'timing, every contender must report exactly the failed message ids of three batches (all valid; one',
      'message failing the schema; one not JSON and one failing the schema). "Lift, logs + EMF on" keeps Lift\'s',
      'default summary line, failure lines and EMF metrics, written to a no-op; the other rows log nothing.',
      'Times are per batch of 10.',
      '',
      '### Every message valid',
      '',
      table(p7.valid, 'raw', peers),
      '',
      ratioLine(p7.valid),
      '',
      '### One message failing the schema',
      '',
      table(p7.oneInvalid, 'raw', peers),
      '',
      ratioLine(p7.oneInvalid),
      '',
      '### Bundles and cold start',
      '',
      'Each P7 handler bundled as P5 bundles (esbuild, minified ESM, platform node, AWS SDK external), zod',
      `included in each; then ${processes} fresh Node processes per contender, each timing \`import()\` plus the first`,
      'batch (with one invalid message), checked to answer exactly that message id. "Lift as an app" is the',
      'same consumer built with `createApp({ records: records() })`, as records-only functions were built',
      'before `createWorker`: it carries the HTTP core.',
      '',
      coldTable(p7.cold, peers),
      '',
      '### SQS-only handler and HTTP hello-world',
      '',
      '| bundle | minified | gzip |',
      '| --- | ---: | ---: |',
      `| HTTP hello-world (\`createApp\` + one route + \`handler\`) | ${p7.httpHello.bytes.toLocaleString('en')} B | ${p7.httpHello.gzipBytes.toLocaleString('en')} B |`,
      `| SQS-only (\`createWorker\` + one \`worker.sqs\` + \`handler\`) | ${p7.sqsHello.bytes.toLocaleString('en')} B | ${p7.sqsHello.gzipBytes.toLocaleString('en')} B |`,
      '',
      `SQS-only: ${size(p7.sqsHello)}; HTTP hello-world: ${size(p7.httpHello)}. The SQS-only bundle carries none of the HTTP core (\`bench/bundle-budget.test.ts\` checks it) and answers a batch`,
      'when imported from its bundled code (checked each run). Its largest modules:',
      '',
      '| SQS-only module | bytes |',
      '| --- | ---: |',
      ...module(p7.sqsHello.modules),
      '',
      `The same SQS-only consumer, import + first batch (one message) in ${processes} fresh processes each,`,
      'as a worker and as an app, observability on (the default) in both:',
      '',
      '| built as | bundle (minified) | import + first call, ms (median) | min–max | CPU, ms | × app |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...p7.helloCold.map(
        (r) =>
          `| ${r.name} | ${r.size.bytes.toLocaleString('en')} B | ${r.median.toFixed(1)} | ${r.min.toFixed(1)}–${r.max.toFixed(1)} | ${r.cpuMs.toFixed(1)} | ${x(r.median / (p7.helloCold[1] as ColdResult).median)} |`,
      ),
    ].join('\n'),
  );
  console.log(`${table(p7.valid, 'raw', peers)}\n\n${table(p7.oneInvalid, 'raw', peers)}\n`);
}
