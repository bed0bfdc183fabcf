/**
 * P9: what idempotency adds to a request. The same payment handler (a few µs of work) runs bare, with
 * Lift's engine (`runIdempotent`) over the memory store and over the DynamoDB store, and with
 * Powertools' `makeIdempotent` over its DynamoDB persistence layer, in the same run. Both DynamoDB
 * contenders talk to one dynalite server in its own process on loopback, each through its own SDK
 * client, with no local cache. Two cases: a first request (a new key every call: lock, run, store)
 * and a replay (a key already completed). Before timing, every contender must give the same answers,
 * and each DynamoDB contender's calls per request are counted.
 *
 * dynalite ignores `ReturnValuesOnConditionCheckFailure`, so both DynamoDB contenders read the
 * existing record with a `GetItem` after their failed conditional put on a replay; against DynamoDB
 * itself both answer a replay from the put's error (one call).
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LambdaContext } from '@lift/core';
import { securityTable } from '@lift/core/auth';
import { defineTable, ensureTables } from '@lift/core/dynamodb';
import {
  dynamoIdempotencyStore,
  type IdempotencyStore,
  idempotencyKey,
  memoryIdempotencyStore,
  payloadHash,
  runIdempotent,
} from '@lift/core/idempotency';
import { countedClient, startDynaliteProcess } from './dynamodb-process.js';
import { type Contender, compare, type Plan, QUICK, type Timing } from './harness.js';

/** What P9 measured. */
export interface P9Results {
  /** A new key every call: the full lock-run-store path. */
  readonly first: Timing[];
  /** A key already completed: the stored answer, the handler not run. */
  readonly replay: Timing[];
  /** DynamoDB calls per request, counted before timing. */
  readonly calls: Readonly<Record<string, { readonly first: number; readonly replay: number }>>;
  readonly server: string;
}

/** The contenders' names. */
export const P9_BASELINE = 'no idempotency';
export const P9_LIFT_MEMORY = 'Lift, memory store';
export const P9_LIFT_DYNAMODB = 'Lift, DynamoDB store';
export const P9_POWERTOOLS = 'Powertools idempotency, DynamoDB';
/** The peer P9's ratios are taken against. */
export const P9_PEERS = [P9_POWERTOOLS];

/** A payment request: the client's key, the tenant, the body. */
interface PaymentEvent {
  key: string;
  readonly tenant: string;
  readonly body: { readonly orderId: string; readonly amount: number; readonly currency: string };
}
interface Answer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The work behind the key: a few µs, answered as a 201. */
function charge(event: PaymentEvent): Answer {
  const body = JSON.stringify({
    charged: event.body.amount,
    currency: event.body.currency,
    order: event.body.orderId,
  });
  return { statusCode: 201, headers: { 'content-type': 'application/json' }, body };
}

const POWERTOOLS_TABLE = defineTable({
  name: 'bench-powertools-idempotency',
  partitionKey: { name: 'id', type: 'S' },
  ttlAttribute: 'expiration',
});

let sequence = 0;
/** Each contender's handler; `fresh` gives every call a new key (the first-request case). */
function contenders(
  fresh: boolean,
  stores: { readonly memory: IdempotencyStore; readonly dynamodb: IdempotencyStore },
  powertools: DynamoDBPersistenceLayer,
): Contender[] {
  const rekey = (event: PaymentEvent) => {
    if (fresh) event.key = `${event.key}-${process.pid}-${sequence++}`;
    return event;
  };
  const lift = (store: IdempotencyStore) => async (event: unknown, context?: LambdaContext) => {
    const e = rekey(event as PaymentEvent);
    const now = Date.now();
    const outcome = await runIdempotent(
      store,
      idempotencyKey({ tenant: e.tenant, scope: 'POST /payments', key: e.key }),
      payloadHash(e.body),
      { now, lockUntil: now + (context?.getRemainingTimeInMillis() ?? 30_000), expiresAt: now + 3_600_000 },
      async () => charge(e),
      (answer) => ({ status: answer.statusCode, headers: answer.headers, body: answer.body }),
    );
    if (outcome.kind === 'ran') return outcome.value;
    const { stored } = outcome;
    return {
      statusCode: stored.status,
      headers: { ...stored.headers, 'idempotent-replayed': 'true' },
      body: stored.body,
    };
  };
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[tenant, key]',
    payloadValidationJmesPath: 'body',
  });
  const powertoolsHandler = makeIdempotent(async (event: PaymentEvent, _context: unknown) => charge(event), {
    persistenceStore: powertools,
    config,
  });
  return [
    { name: P9_BASELINE, handler: async (event) => charge(rekey(event as PaymentEvent)) },
    { name: P9_LIFT_MEMORY, handler: lift(stores.memory) },
    { name: P9_LIFT_DYNAMODB, handler: lift(stores.dynamodb) },
    {
      name: P9_POWERTOOLS,
      handler: (event, context) => powertoolsHandler(rekey(event as PaymentEvent), context as never),
    },
  ];
}

/** The requests: `count` keys (replays cycle through them once completed). */
function events(count: number): PaymentEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `pay-${process.pid}-${i}`,
    tenant: 't1',
    body: { orderId: `o-${i}`, amount: 100 + i, currency: 'EUR' },
  }));
}

/** Runs P9. `context` gives the Lambda deadline the locks expire with. */
export async function runP9(options: {
  readonly quick: boolean;
  readonly context: LambdaContext;
}): Promise<P9Results> {
  const { close, endpoint } = await startDynaliteProcess();
  const liftCounter = { calls: 0 };
  const powertoolsCounter = { calls: 0 };
  const liftRaw = countedClient(DynamoDBClient, endpoint, liftCounter);
  const powertoolsRaw = countedClient(DynamoDBClient, endpoint, powertoolsCounter);
  try {
    await ensureTables(liftRaw, [securityTable, POWERTOOLS_TABLE]);
    const stores = {
      memory: memoryIdempotencyStore(),
      dynamodb: dynamoIdempotencyStore({
        table: securityTable,
        client: DynamoDBDocumentClient.from(liftRaw, { marshallOptions: { removeUndefinedValues: true } }),
      }),
    };
    const powertools = new DynamoDBPersistenceLayer({
      tableName: POWERTOOLS_TABLE.tableName(),
      awsSdkV3Client: powertoolsRaw,
    });
    const plan: Plan = options.quick ? QUICK : { warmup: 300, iterations: 100, repetitions: 21 };

    // Calls per request, before timing: one first request and one replay of it per contender.
    const one = events(1);
    const counted: Record<string, { first: number; replay: number }> = {};
    for (const [name, counter] of [
      [P9_LIFT_DYNAMODB, liftCounter],
      [P9_POWERTOOLS, powertoolsCounter],
    ] as const) {
      const { handler } = contenders(false, stores, powertools).find((c) => c.name === name) as Contender;
      const event = { ...(one[0] as PaymentEvent), key: `count-${name.length}-${process.pid}` };
      counter.calls = 0;
      await handler(structuredClone(event), options.context);
      const first = counter.calls;
      counter.calls = 0;
      const replayed = (await handler(structuredClone(event), options.context)) as Answer;
      if (replayed.statusCode !== 201) throw new Error(`${name} did not replay: ${JSON.stringify(replayed)}`);
      counted[name] = { first, replay: counter.calls };
    }

    const first = await compare(contenders(true, stores, powertools), events(50), plan, options.context);
    // Replays: complete each key once (compare's answer check does), then every timed call replays.
    const replayEvents = events(50).map((e) => ({ ...e, key: `replay-${e.key}` }));
    const replay = await compare(contenders(false, stores, powertools), replayEvents, plan, options.context);
    return { first, replay, calls: counted, server: 'dynalite 4.0.0 in its own process, loopback' };
  } finally {
    liftRaw.destroy();
    powertoolsRaw.destroy();
    await close();
  }
}

/** The P9 section of docs/benchmarks.md. */
export function p9Markdown(results: P9Results, machine: string): string {
  const row = (timings: readonly Timing[], name: string) => {
    const base = timings.find((t) => t.name === P9_BASELINE)?.median ?? 0;
    const peer = timings.find((t) => t.name === P9_POWERTOOLS)?.median ?? Number.NaN;
    const t = timings.find((x) => x.name === name) as Timing;
    const calls = results.calls[name];
    // Only the two DynamoDB contenders do the same work; a ratio of the others to Powertools says nothing.
    const ratio = calls === undefined ? '—' : `${(t.median / peer).toFixed(2)}×`;
    return `| ${name} | ${t.median.toFixed(1)} | ${t.min.toFixed(1)}–${t.max.toFixed(1)} | ${(t.median - base).toFixed(1)} | ${ratio} | ${calls === undefined ? '—' : `${calls.first} / ${calls.replay}`} |`;
  };
  const tableOf = (timings: readonly Timing[]) =>
    [
      '| contender | µs/request (median) | min–max | overhead µs | × Powertools | DynamoDB calls (first / replay) |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...timings.map((t) => row(timings, t.name)),
    ].join('\n');
  return [
    '## P9: idempotency overhead',
    '',
    `\`npm run bench\` on ${machine}. DynamoDB: ${results.server}, each contender with its own SDK client; no local caches.`,
    "Overhead is the median less the bare handler's. dynalite returns no item on a failed condition, so a replay costs",
    'a conditional put and a get for both DynamoDB contenders here; on DynamoDB the put alone.',
    '',
    '### First request (lock, run, store)',
    '',
    tableOf(results.first),
    '',
    '### Replay (a completed key)',
    '',
    tableOf(results.replay),
  ].join('\n');
}
