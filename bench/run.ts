/**
 * `npm run bench` runs every workload against its contenders and rewrites docs/benchmarks.md;
 * `npm run bench -- --quick` (run by `npm test`) runs each a few times and checks the answers only.
 */
import { fakeLambdaContext } from '@lift/core/testing';
import { createHonoP1 } from './apps/p1-hono.js';
import { createLiftP1 } from './apps/p1-lift.js';
import { createMiddyP1 } from './apps/p1-middy.js';
import { createPowertoolsP1 } from './apps/p1-powertools.js';
import { createRawP1 } from './apps/p1-raw.js';
import { createHonoP2 } from './apps/p2-hono.js';
import { createLiftP2 } from './apps/p2-lift.js';
import { createMiddyP2 } from './apps/p2-middy.js';
import { createRawP2 } from './apps/p2-raw.js';
import {
  badTokenEvents,
  invalidBodyEvents,
  mintTokens,
  notFoundEvents,
  p1Events,
  p2Events,
} from './events.js';
import {
  type Contender,
  compare,
  FULL,
  MACHINE,
  type Plan,
  QUICK,
  quietly,
  type Timing,
  timeCalls,
  writeSection,
} from './harness.js';
import { logCalls, metricCalls } from './p3-observability.js';
import { p5Markdown, runP5 } from './p5.js';
import { P7_PEERS, runP7 } from './p7-batch.js';
import { p8Markdown, runP8 } from './p8-ratelimit.js';
import { p9Markdown, runP9 } from './p9-idempotency.js';
import { writeP7Section, writeReport } from './report.js';
import { awsJwtVerify, jose, liftAuth } from './verifiers.js';

const quick = process.argv.includes('--quick');
// `--only=p5` (or p7, p8, p9) runs that workload alone and rewrites only its section of docs/benchmarks.md.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (only !== undefined && only !== 'p5' && only !== 'p7' && only !== 'p8' && only !== 'p9')
  throw new Error(`--only takes p5, p7, p8 or p9, not ${only}`);
const machine = MACHINE;
console.log(`${quick ? 'quick check' : 'benchmark'}: ${machine}`);
const context = fakeLambdaContext({ timeoutMs: 900_000 });
// P8 runs its DynamoDB contenders on DynamoDB Local with LIFT_BENCH_DYNAMODB=local (dynalite otherwise).
const p8Env = process.env.LIFT_BENCH_DYNAMODB === 'local' ? 'LIFT_BENCH_DYNAMODB=local ' : '';

const named = (name: string, handler: unknown): Contender => ({
  name,
  handler: handler as Contender['handler'],
});
const P1_PEERS = ['Middy', 'Hono', 'Powertools event handler'];
const P2_PEERS = ['Middy + jose', 'Hono + jose'];

// Each workload's apps, fresh for every comparison (fresh JIT state and caches).
const p1Apps = () => [
  named('raw', createRawP1()),
  named('Lift', createLiftP1()),
  named('Middy', createMiddyP1()),
  named('Hono', createHonoP1()),
  named('Powertools event handler', createPowertoolsP1()),
];
const p2Apps = () => [
  named('raw + jose', createRawP2()),
  named('Lift', createLiftP2()),
  named('Middy + jose', createMiddyP2()),
  named('Hono + jose', createHonoP2()),
];

/** P1 to P7, every section of the report. */
async function runAll(): Promise<void> {
  // P1: independent trials (fresh apps, fresh warm-up), the median trial by Lift/raw is reported.
  const p1Contenders = () => {
    const apps = p1Apps();
    // Right after Lift: Lift with its default access log and EMF metrics on, to show what they cost.
    apps.splice(2, 0, named('Lift, access log + EMF on', createLiftP1(true)));
    return apps;
  };
  const p1Trials: Timing[][] = [];
  for (let t = 0; t < (quick ? 1 : 3); t++) {
    p1Trials.push(await quietly(() => compare(p1Contenders(), p1Events(), quick ? QUICK : FULL, context)));
  }
  const liftOverRaw = (t: Timing[]) => (t[1]?.median ?? 0) / (t[0]?.median ?? 1);
  const p1 = [...p1Trials].sort((a, b) => liftOverRaw(a) - liftOverRaw(b))[
    Math.floor(p1Trials.length / 2)
  ] as Timing[];

  // P2: 200 distinct tokens. Lift runs twice: with its verified-token cache off (every call a first
  // sight) and on (after warm-up every token is known); jose verifies every call in the others.
  const tokens = await mintTokens(quick ? 4 : 200);
  const rsaPlan: Plan = quick ? QUICK : { warmup: 2_000, iterations: 200, repetitions: 25 };
  const p2 = await quietly(() =>
    compare(
      [
        named('raw + jose', createRawP2()),
        named('Lift (first sight)', createLiftP2({ cacheSize: 0 })),
        named('Lift (repeated token)', createLiftP2()),
        named('Middy + jose', createMiddyP2()),
        named('Hono + jose', createHonoP2()),
      ],
      p2Events(tokens),
      rsaPlan,
      context,
    ),
  );

  // P3/P4: synchronous calls, every writer's output dropped.
  const obsPlan: Plan = quick ? QUICK : { warmup: 20_000, iterations: 2_000, repetitions: 60 };
  const p3 = await quietly(() => timeCalls(logCalls(), obsPlan));
  const p4 = await quietly(() => timeCalls(metricCalls(), obsPlan));

  // P6: what rejecting costs. 401 and 422 on the P2 apps, 404 on the P1 apps.
  const rejected = {
    unauthorized: await quietly(() => compare(p2Apps(), badTokenEvents(tokens), rsaPlan, context)),
    notFound: await quietly(() => compare(p1Apps(), notFoundEvents(), quick ? QUICK : FULL, context)),
    invalid: await quietly(() => compare(p2Apps(), invalidBodyEvents(tokens), rsaPlan, context)),
  };

  // P5: bundles and cold starts in fresh processes, here and in a Lambda-like process.
  const p5 = await runP5({ quick, tokens, quietly });
  const processes = p5.processes;

  // Token verification alone, for the auth section.
  const auth = await compare(
    [jose(), awsJwtVerify(), liftAuth(false), liftAuth(true)],
    tokens,
    quick ? QUICK : { warmup: 2_000, iterations: 500, repetitions: 40 },
  );

  // P7: one SQS batch of 10 validated messages; bundles and cold starts of its contenders.
  const p7 = await runP7({ quick, context, processes, quietly });
  // P8: rate-limit decisions in memory and in DynamoDB, against rate-limiter-flexible.
  const p8 = await runP8({ quick });
  // P9: what idempotency adds to a request, against Powertools' idempotency utility.
  const p9 = await runP9({ quick, context });

  const results = {
    processes,
    machine,
    p1,
    p1Trials,
    p2,
    p3,
    p4,
    p5,
    rejected,
    auth,
    p7,
    peers: { p1: P1_PEERS, p2: P2_PEERS, p7: P7_PEERS },
  };
  if (quick) {
    console.log(
      'quick check passed: every contender of every workload gave the expected answers; the bundles answer cold',
    );
  } else {
    writeReport(results);
    writeSection('p8', p8Markdown(p8, machine, `${p8Env}npm run bench`));
    writeSection('p9', p9Markdown(p9, machine));
  }
}

/** P5 alone. */
async function runOnlyP5(): Promise<void> {
  const p5 = await runP5({ quick, tokens: await mintTokens(4), quietly });
  if (quick)
    console.log('quick check passed: every P5 bundle answered cold, observed ones logged and measured');
  else writeSection('p5', p5Markdown(p5, machine, 'npm run bench:p5 --workspace bench'));
}

/** P7 alone. */
async function runOnlyP7(): Promise<void> {
  const processes = quick ? 2 : 21;
  const p7 = await runP7({ quick, context, processes, quietly });
  if (quick) console.log('quick check passed: every P7 contender reported exactly the failed messages');
  else writeP7Section({ machine, processes, p7, peers: P7_PEERS });
}

/** P8 alone. */
async function runOnlyP8(): Promise<void> {
  const p8 = await runP8({ quick });
  if (quick)
    console.log('quick check passed: every P8 contender gave the same answers; Lift never over the limit');
  else
    writeSection(
      'p8',
      p8Markdown(p8, machine, `node bench/build.mjs && ${p8Env}node bench/.bench-out/run.mjs --only=p8`),
    );
}

/** P9 alone. */
async function runOnlyP9(): Promise<void> {
  const p9 = await runP9({ quick, context });
  if (quick) console.log('quick check passed: every P9 contender answered and replayed as expected');
  else writeSection('p9', p9Markdown(p9, machine));
}

await (only === 'p5'
  ? runOnlyP5()
  : only === 'p7'
    ? runOnlyP7()
    : only === 'p8'
      ? runOnlyP8()
      : only === 'p9'
        ? runOnlyP9()
        : runAll());
