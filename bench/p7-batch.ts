/**
 * P7: one SQS batch of 10 JSON order messages, each validated by the same zod schema, answered with a
 * partial batch response. Contenders: Lift (`app.sqs` with `body`), a hand-written loop, Powertools'
 * `BatchProcessor`. Before anything is timed, every contender must report exactly the failed
 * messages of each batch. Also: the contenders' bundles and cold starts, and the bundle of an
 * SQS-only Lift handler beside the HTTP hello-world's.
 */
import { isDeepStrictEqual } from 'node:util';
import type { LambdaContext } from '@lift/core';
import { sqsEvent } from '@lift/core/testing';
import { createLiftP7 } from './apps/p7-lift.js';
import { createPowertoolsP7 } from './apps/p7-powertools.js';
import { createRawP7 } from './apps/p7-raw.js';
import { type BundleSize, bundleSize, HELLO_WORLD, SQS_HELLO, SQS_HELLO_APP } from './bundle.js';
import { type P7Batch, p7Batches } from './events.js';
import { type Contender, compare, type Plan, QUICK, type Timing } from './harness.js';
import { type ColdResult, coldStarts } from './p5-cold-start.js';

/** What P7 measured. */
export interface P7Results {
  /** Every message valid. */
  readonly valid: Timing[];
  /** One message failing the schema. */
  readonly oneInvalid: Timing[];
  /** Bundles and cold starts (import + the first batch, with one invalid message). */
  readonly cold: ColdResult[];
  /** `createWorker` + one `worker.sqs` + `handler`, beside the HTTP hello-world. */
  readonly sqsHello: BundleSize;
  readonly httpHello: BundleSize;
  /** The SQS-only consumer's cold start, as a worker and as an app (`createApp` + `records()`). */
  readonly helloCold: ColdResult[];
}

/** The peer P7's ratios are taken against. */
export const P7_PEERS = ['Powertools batch'];

const named = (name: string, handler: unknown): Contender => ({
  name,
  handler: handler as Contender['handler'],
});

/** Fresh apps for each comparison (fresh JIT state and caches). */
const p7Apps = () => [
  named('raw', createRawP7()),
  named('Lift', createLiftP7()),
  named('Lift, logs + EMF on', createLiftP7(true)),
  named('Powertools batch', createPowertoolsP7()),
];

/** A partial batch response as the ids it reports failed, sorted. */
export function failedIds(result: unknown): string[] {
  const failures = (result as { batchItemFailures?: unknown } | undefined)?.batchItemFailures;
  if (!Array.isArray(failures)) throw new Error(`not a partial batch response: ${JSON.stringify(result)}`);
  return failures.map((f) => (f as { itemIdentifier: string }).itemIdentifier).sort();
}

/** Every contender reports exactly the failed messages of every batch; throws naming who does not. */
async function checkAnswers(
  batches: Readonly<Record<string, P7Batch>>,
  context: LambdaContext,
  quietly: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<void> {
  for (const [name, batch] of Object.entries(batches)) {
    for (const c of p7Apps()) {
      const got = failedIds(await quietly(() => c.handler(structuredClone(batch.event), context)));
      if (!isDeepStrictEqual(got, [...batch.failed].sort()))
        throw new Error(
          `P7 ${name}: ${c.name} reported ${JSON.stringify(got)}, expected ${JSON.stringify(batch.failed)}`,
        );
    }
  }
}

/** Runs P7: answers checked, then timed; bundles built and cold-started in `processes` fresh processes each. */
export async function runP7(options: {
  readonly quick: boolean;
  readonly context: LambdaContext;
  readonly processes: number;
  readonly quietly: <T>(work: () => Promise<T>) => Promise<T>;
}): Promise<P7Results> {
  const { quick, context, processes, quietly } = options;
  const batches = p7Batches();
  await checkAnswers(batches, context, quietly);
  // A call handles 10 messages: fewer calls per batch than P1's, so the parsed events alive during a
  // batch stay as small.
  const plan: Plan = quick ? QUICK : { warmup: 3_000, iterations: 200, repetitions: 150 };
  const valid = await quietly(() => compare(p7Apps(), [batches.valid.event], plan, context, failedIds));
  const oneInvalid = await quietly(() =>
    compare(p7Apps(), [batches.oneInvalid.event], plan, context, failedIds),
  );
  const cold = await coldStarts(
    'p7',
    [
      { name: 'raw', module: 'apps/p7-raw.ts' },
      { name: 'Lift', module: 'apps/p7-lift.ts' },
      { name: 'Lift as an app (createApp + records())', module: 'apps/p7-lift-app.ts' },
      { name: 'Powertools batch', module: 'apps/p7-powertools.ts' },
    ],
    batches.oneInvalid.event,
    {
      answer: { batchItemFailures: batches.oneInvalid.failed.map((itemIdentifier) => ({ itemIdentifier })) },
    },
    processes,
  );
  const [sqsHello, httpHello] = await Promise.all([bundleSize(SQS_HELLO), bundleSize(HELLO_WORLD)]);
  // The bundled SQS-only handler must answer a batch, not just build.
  const module = await import(`data:text/javascript;base64,${Buffer.from(sqsHello.code).toString('base64')}`);
  const answer = await quietly(() => module.handler(structuredClone(batches.valid.event), context));
  if (!isDeepStrictEqual(answer, { batchItemFailures: [] }))
    throw new Error(`bundled SQS-only handler answered ${JSON.stringify(answer)}`);
  // The smallest consumer without zod, whose bytes are mostly Lift's: what leaving the HTTP core out
  // of a records-only function buys at a cold start.
  const helloCold = await coldStarts(
    'p7-hello',
    [
      { name: 'worker (`createWorker`)', source: SQS_HELLO },
      { name: 'app (`createApp` + `records()`)', source: SQS_HELLO_APP },
    ],
    sqsEvent([{ body: 'hello' }], { queue: 'orders' }),
    { answer: { batchItemFailures: [] } },
    processes,
  );
  return { valid, oneInvalid, cold, sqsHello, httpHello, helloCold };
}
