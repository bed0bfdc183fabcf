/**
 * P8: what a rate-limit decision costs. Lift's memory store against rate-limiter-flexible's
 * `RateLimiterMemory`; Lift's DynamoDB store (without and with a lease) against its
 * `RateLimiterDynamo` (as documented, and with its `inMemoryBlockOnConsumed`, which refuses a full key
 * without a call as Lift does), on one DynamoDB server in its own process (dynalite, or DynamoDB
 * Local with `LIFT_BENCH_DYNAMODB=local`), each contender through its own SDK client that counts the
 * calls it sends. Two cases: a client under its limit (keys rotating through a pool, every decision
 * allowed) and a hot key over its limit (every decision limited). Before timing, every contender
 * must give the same answers. Then lease mode at a realistic rate: four instances sharing one hot
 * key at 50, 100 and 200 decisions/s, with the share of decisions made without a call, checked never
 * to admit more than the limit in any sliding window.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDB, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { securityTable } from '@lift/core/auth';
import { defineTable, ensureTables } from '@lift/core/dynamodb';
import {
  type CheckedRule,
  checkRule,
  type DynamoRateLimitStore,
  dynamoRateLimitStore,
  memoryRateLimitStore,
  type RateLimitRule,
  type RateLimitStore,
} from '@lift/core/ratelimit';
import { startDynamoDBLocal } from '@lift/core/testing/dynamodb';
import { RateLimiterDynamo, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { type CallCounter, countedClient, startDynaliteProcess } from './dynamodb-process.js';
import { type Contender, compare, type Plan, QUICK, type Timing } from './harness.js';

/** The contenders' names. */
export const P8_LIFT_MEMORY = 'Lift, memory store';
export const P8_RLF_MEMORY = 'rate-limiter-flexible, memory';
export const P8_LIFT_DYNAMODB = 'Lift, DynamoDB store';
export const P8_LIFT_LEASE = 'Lift, DynamoDB store, lease';
export const P8_RLF_DYNAMODB = 'rate-limiter-flexible, DynamoDB';
export const P8_RLF_BLOCK = 'rate-limiter-flexible, DynamoDB, inMemoryBlockOnConsumed';

/** One timed case: timings, and per contender its DynamoDB calls and local decisions per decision. */
export interface P8Case {
  readonly timings: Timing[];
  readonly calls: Readonly<Record<string, number>>;
  readonly local: Readonly<Record<string, number>>;
}

/** One contender of the paced lease run at one rate. */
export interface PacedRow {
  readonly rate: number;
  readonly name: string;
  readonly decisions: number;
  readonly admitted: number;
  /** The most admissions in any sliding window of the rule's length. */
  readonly mostInWindow: number;
  /** Share of decisions made without a call (spent from a lease, or refused as known full). */
  readonly localShare: number;
  /** Share of admissions spent from a lease. */
  readonly leasedShare: number;
  readonly callsPerDecision: number;
  /** Decisions the store could not make (`store_error` or `timeout`). */
  readonly undecided: number;
  readonly medianMs: number;
  readonly p99Ms: number;
}

/** What P8 measured. */
export interface P8Results {
  readonly server: string;
  readonly memory: { readonly under: P8Case; readonly over: P8Case };
  readonly dynamodb: { readonly under: P8Case; readonly hot: P8Case; readonly over: P8Case };
  readonly paced: readonly PacedRow[];
  readonly pacedRule: string;
  readonly pacedSeconds: number;
  readonly instances: number;
}

const RLF_TABLE = defineTable({
  name: 'bench-rate-limiter-flexible',
  partitionKey: { name: 'key', type: 'S' },
  ttlAttribute: 'expire',
});

/** The server: dynalite, or DynamoDB Local (the jar the tests use) with LIFT_BENCH_DYNAMODB=local. */
async function startServer(): Promise<{ endpoint: string; close: () => Promise<void>; name: string }> {
  if (process.env.LIFT_BENCH_DYNAMODB === 'local') {
    // Bundled to bench/.bench-out/, so the repository root is two folders up.
    const cacheDir = fileURLToPath(new URL('../../node_modules/.cache/lift-dynamodb-local', import.meta.url));
    const server = await startDynamoDBLocal({ cacheDir });
    return { ...server, name: 'DynamoDB Local (in memory, Java) on loopback' };
  }
  return { ...(await startDynaliteProcess()), name: 'dynalite 4.0.0 in its own process, loopback' };
}

/** A counter of the calls an SDK client sends. */

type Verdict = 'allowed' | 'limited' | 'undecided';

/** A Lift store as a contender: a decision at the wall clock (`store_error` and `timeout` are `undecided`). */
function liftDecide(store: RateLimitStore, rule: CheckedRule) {
  return async (key: string): Promise<{ outcome: Verdict; local: boolean }> => {
    const decision = await store.consume(key, rule, { now: Date.now() });
    const { outcome } = decision;
    return {
      outcome: outcome === 'allowed' || outcome === 'limited' ? outcome : 'undecided',
      local: decision.local,
    };
  };
}

/** A rate-limiter-flexible limiter as a contender: a refusal rejects with a `RateLimiterRes`. */
function rlfDecide(limiter: RateLimiterMemory | RateLimiterDynamo) {
  return async (key: string): Promise<{ outcome: Verdict; local: boolean }> => {
    try {
      await limiter.consume(key);
      return { outcome: 'allowed', local: false };
    } catch (error) {
      if (error instanceof RateLimiterRes) return { outcome: 'limited', local: false };
      throw error;
    }
  };
}

type Decide = (key: string) => Promise<{ outcome: Verdict; local: boolean }>;

interface Entry {
  readonly name: string;
  readonly decide: Decide;
  readonly counter?: CallCounter;
  readonly store?: DynamoRateLimitStore;
}

/**
 * Times `entries` on `keys` (cycled), after filling each key `prefill` times; calls and local shares
 * counted. Every decision, timed ones included, must be `expected`: a case that drifted (a window
 * that filled, a store that failed) would time something else.
 */
async function timeCase(
  entries: readonly Entry[],
  keys: readonly string[],
  plan: Plan,
  prefill: number,
  expected: Verdict,
) {
  const began = performance.now();
  for (const { decide } of entries)
    for (const key of keys) for (let i = 0; i < prefill; i++) await decide(key);
  const decisions = new Map<string, number>(entries.map((e) => [e.name, 0]));
  const local = new Map<string, number>(entries.map((e) => [e.name, 0]));
  for (const e of entries) if (e.counter !== undefined) e.counter.calls = 0;
  const before = new Map(entries.map((e) => [e.name, e.store?.stats()]));
  const contenders: Contender[] = entries.map((e) => ({
    name: e.name,
    handler: async (event) => {
      const decision = await e.decide((event as { key: string }).key);
      if (decision.outcome !== expected)
        throw new Error(`P8: ${e.name} answered ${decision.outcome} where the case expects ${expected}`);
      decisions.set(e.name, (decisions.get(e.name) ?? 0) + 1);
      if (decision.local) local.set(e.name, (local.get(e.name) ?? 0) + 1);
      return decision.outcome;
    },
  }));
  const timings = await compare(
    contenders,
    keys.map((key) => ({ key })),
    plan,
    undefined,
    (result) => result,
  );
  const calls: Record<string, number> = {};
  const locals: Record<string, number> = {};
  for (const e of entries) {
    const n = decisions.get(e.name) ?? 1;
    locals[e.name] = (local.get(e.name) ?? 0) / n;
    if (e.counter === undefined) continue;
    calls[e.name] = e.counter.calls / n;
    // Lift's own count (stats()) must agree with what its client sent.
    const was = before.get(e.name);
    if (e.store !== undefined && was !== undefined) {
      const now = e.store.stats();
      if (now.calls - was.calls !== e.counter.calls)
        throw new Error(
          `P8: ${e.name} counted ${now.calls - was.calls} calls, its client sent ${e.counter.calls}`,
        );
      if (now.decisions - was.decisions !== n)
        throw new Error(`P8: ${e.name} counted ${now.decisions - was.decisions} decisions, not ${n}`);
    }
  }
  console.log(
    `P8: ${entries.map((e) => e.name).join(', ')} on ${keys.length} keys: ${((performance.now() - began) / 1000).toFixed(1)} s`,
  );
  return { timings, calls, local: locals };
}

/** The most of `times` in any sliding window (t - windowMs, t]. */
function mostInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[first] as number) <= (sorted[last] as number) - windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** A contender of the paced run: its instances (each its own store and client) and their call counter. */
interface PacedContender {
  readonly name: string;
  readonly instances: readonly Decide[];
  readonly counter: CallCounter;
  /** Checked never to admit more than the limit in any sliding window. */
  readonly exact: boolean;
}

/** Paced decisions on one fresh hot key, the instances taking turns, at `rate` per second. */
async function paced(
  rate: number,
  seconds: number,
  windowMs: number,
  limit: number,
  c: PacedContender,
): Promise<PacedRow> {
  const key = `paced-${rate}-${process.pid}-${Date.now()}`;
  const admitted: number[] = [];
  const latencies: number[] = [];
  let local = 0;
  let leased = 0;
  let undecided = 0;
  c.counter.calls = 0;
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + i * interval - performance.now();
    if (wait >= 1) await sleep(wait);
    const decide = c.instances[i % c.instances.length] as Decide;
    pending.push(
      (async () => {
        const now = Date.now();
        const start = performance.now();
        const decision = await decide(key);
        latencies.push(performance.now() - start);
        if (decision.local) local++;
        if (decision.outcome === 'undecided') undecided++;
        if (decision.outcome === 'allowed') {
          admitted.push(now);
          if (decision.local) leased++;
        }
      })(),
    );
  }
  await Promise.all(pending);
  console.log(`P8: ${c.name} paced at ${rate}/s: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  latencies.sort((a, b) => a - b);
  const most = mostInAnyWindow(admitted, windowMs);
  if (c.exact && most > limit)
    throw new Error(`P8: ${c.name} admitted ${most} in one window at ${rate}/s, over the limit ${limit}`);
  return {
    rate,
    name: c.name,
    decisions: total,
    admitted: admitted.length,
    mostInWindow: most,
    localShare: local / total,
    leasedShare: admitted.length === 0 ? 0 : leased / admitted.length,
    callsPerDecision: c.counter.calls / total,
    undecided,
    medianMs: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
  };
}

/** Runs P8. */
export async function runP8(options: { readonly quick: boolean }): Promise<P8Results> {
  const { quick } = options;
  const server = await startServer();
  const clients: DynamoDBClient[] = [];
  const client = <T extends DynamoDBClient>(
    Client: new (config: DynamoDBClientConfig) => T,
    counter: CallCounter,
  ): T => {
    const made = countedClient(Client, server.endpoint, counter);
    clients.push(made);
    return made;
  };
  try {
    const setup = client(DynamoDBClient, { calls: 0 });
    await ensureTables(setup, [securityTable, RLF_TABLE]);

    // Clients under their limit: 100 per hour, keys rotating so none reaches it. One hot key under
    // its limit: 1000 per second (the DynamoDB contenders decide a few hundred a second). A hot key
    // over its limit: 10 per hour, filled before timing.
    const under: RateLimitRule = { limit: 100, window: '1h' };
    const hot: RateLimitRule = { limit: 1000, window: '1s' };
    const over: RateLimitRule = { limit: 10, window: '1h' };
    const seconds = (rule: RateLimitRule) => checkRule('p8', rule).windowMs / 1000;
    const lease = { size: 10, maxMs: 1000 };

    const memoryEntries = (rule: RateLimitRule): Entry[] => [
      { name: P8_LIFT_MEMORY, decide: liftDecide(memoryRateLimitStore(), checkRule('p8', rule)) },
      {
        name: P8_RLF_MEMORY,
        decide: rlfDecide(new RateLimiterMemory({ points: rule.limit, duration: seconds(rule) })),
      },
    ];
    // The lease row only where one key is hot: spread over a pool, each key's lease would expire
    // unspent between its visits (and its lost admissions fill the key's window).
    const dynamoEntries = (rule: RateLimitRule, label: string, withLease: boolean): Entry[] => {
      const liftCounter = { calls: 0 };
      const leaseCounter = { calls: 0 };
      const rlfCounter = { calls: 0 };
      const blockCounter = { calls: 0 };
      const store = dynamoRateLimitStore({
        table: securityTable,
        client: client(DynamoDBClient, liftCounter),
        timeoutMs: 2000,
      });
      const leased = dynamoRateLimitStore({
        table: securityTable,
        client: client(DynamoDBClient, leaseCounter),
        timeoutMs: 2000,
      });
      const rlf = (counter: CallCounter, keyPrefix: string, block: boolean) =>
        new RateLimiterDynamo({
          storeClient: client(DynamoDB, counter),
          tableName: RLF_TABLE.tableName(),
          tableCreated: true,
          ttlSet: true,
          keyPrefix,
          points: rule.limit,
          duration: seconds(rule),
          ...(block ? { inMemoryBlockOnConsumed: rule.limit } : {}),
        });
      return [
        {
          name: P8_LIFT_DYNAMODB,
          decide: liftDecide(store, checkRule('p8', { ...rule, name: `p8-${label}` })),
          counter: liftCounter,
          store,
        },
        ...(withLease
          ? [
              {
                name: P8_LIFT_LEASE,
                decide: liftDecide(leased, checkRule('p8', { ...rule, name: `p8-${label}-lease`, lease })),
                counter: leaseCounter,
                store: leased,
              },
            ]
          : []),
        {
          name: P8_RLF_DYNAMODB,
          decide: rlfDecide(rlf(rlfCounter, `rlf-${label}`, false)),
          counter: rlfCounter,
        },
        {
          name: P8_RLF_BLOCK,
          decide: rlfDecide(rlf(blockCounter, `rlfb-${label}`, true)),
          counter: blockCounter,
        },
      ];
    };
    const pool = (n: number, label: string) =>
      Array.from({ length: n }, (_, i) => `${label}-${process.pid}-${i}`);

    // Memory: 1000 keys, each decided ~47 times in all (under 100).
    const memoryPlan: Plan = quick ? QUICK : { warmup: 5_000, iterations: 1_000, repetitions: 41 };
    // DynamoDB: 100 keys, each decided ~18 times in all (under 100).
    const dynamoPlan: Plan = quick ? QUICK : { warmup: 200, iterations: 100, repetitions: 15 };
    const memory = {
      under: await timeCase(memoryEntries(under), pool(1000, 'mem'), memoryPlan, 0, 'allowed'),
      over: await timeCase(memoryEntries(over), ['mem-full'], memoryPlan, over.limit, 'limited'),
    };
    const dynamodb = {
      under: await timeCase(dynamoEntries(under, 'under', false), pool(100, 'ddb'), dynamoPlan, 0, 'allowed'),
      hot: await timeCase(dynamoEntries(hot, 'hot', true), ['ddb-hot'], dynamoPlan, 0, 'allowed'),
      over: await timeCase(
        dynamoEntries(over, 'over', true),
        ['ddb-full'],
        dynamoPlan,
        over.limit,
        'limited',
      ),
    };

    // Lease mode at a realistic rate: 1000 per 10 s (100/s sustained) on one hot key, over four
    // instances (each its own client and store), at 50/s (under), 100/s (at) and 200/s (over).
    const instances = 4;
    const pacedLimit = 1000;
    const pacedWindow = 10_000;
    const pacedRuleOf = (name: string, leased: boolean) =>
      checkRule('p8', {
        limit: pacedLimit,
        window: pacedWindow,
        name,
        ...(leased ? { lease } : {}),
      });
    const pacedSeconds = quick ? 1 : 10;
    const pacedRows: PacedRow[] = [];
    const liftContender = (name: string, leased: boolean): PacedContender => {
      const counter = { calls: 0 };
      const rule = pacedRuleOf(`p8-paced-${leased ? 'lease' : 'plain'}`, leased);
      return {
        name,
        counter,
        exact: true,
        instances: Array.from({ length: instances }, () =>
          liftDecide(
            dynamoRateLimitStore({
              table: securityTable,
              client: client(DynamoDBClient, counter),
              timeoutMs: 2000,
            }),
            rule,
          ),
        ),
      };
    };
    const rlfContender = (): PacedContender => {
      const counter = { calls: 0 };
      return {
        name: P8_RLF_DYNAMODB,
        counter,
        exact: false,
        instances: Array.from({ length: instances }, () =>
          rlfDecide(
            new RateLimiterDynamo({
              storeClient: client(DynamoDB, counter),
              tableName: RLF_TABLE.tableName(),
              tableCreated: true,
              ttlSet: true,
              keyPrefix: 'rlf-paced',
              points: pacedLimit,
              duration: pacedWindow / 1000,
            }),
          ),
        ),
      };
    };
    // One contender at a time, so none slows the server for another.
    for (const rate of quick ? [100] : [50, 100, 200])
      for (const contender of [
        liftContender(P8_LIFT_LEASE, true),
        liftContender(P8_LIFT_DYNAMODB, false),
        rlfContender(),
      ])
        pacedRows.push(await paced(rate, pacedSeconds, pacedWindow, pacedLimit, contender));
    return {
      server: server.name,
      memory,
      dynamodb,
      paced: pacedRows,
      pacedRule: `${pacedLimit} per ${pacedWindow / 1000} s, lease of ${lease.size} for ${lease.maxMs} ms`,
      pacedSeconds,
      instances,
    };
  } finally {
    for (const c of clients) c.destroy();
    await server.close();
  }
}

const x = (value: number) => `${value.toFixed(value < 0.1 ? 3 : 2)}×`;
const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
const median = (timings: readonly Timing[], name: string) =>
  timings.find((t) => t.name === name)?.median ?? Number.NaN;

/** A timed case as a table: µs per decision, the ratio to rate-limiter-flexible, calls and local share. */
function caseTable(c: P8Case, peer: string): string {
  const base = median(c.timings, peer);
  return [
    '| contender | µs/decision (median) | min–max | × rate-limiter-flexible | DynamoDB calls/decision | decided locally |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...c.timings.map((t) => {
      const calls = c.calls[t.name];
      return `| ${t.name} | ${t.median.toFixed(2)} | ${t.min.toFixed(2)}–${t.max.toFixed(2)} | ${x(t.median / base)} | ${calls === undefined ? '—' : calls.toFixed(2)} | ${pct(c.local[t.name] ?? 0)} |`;
    }),
  ].join('\n');
}

/** The P8 section of docs/benchmarks.md. */
export function p8Markdown(r: P8Results, machine: string, command: string): string {
  const date = new Date().toISOString().slice(0, 10);
  const { under, hot, over } = r.dynamodb;
  const m = (c: P8Case, name: string) => median(c.timings, name);
  const calls = (c: P8Case, name: string) => (c.calls[name] ?? Number.NaN).toFixed(2);
  const ratio = (c: P8Case, name: string, peer: string) => x(m(c, name) / m(c, peer));
  const leaseRows = r.paced.filter((p) => p.name === P8_LIFT_LEASE);
  const plainRows = r.paced.filter((p) => p.name === P8_LIFT_DYNAMODB);
  const saturatedRows = plainRows.filter((p) => p.undecided > 0);
  const pacedTable = [
    '| decisions/s | contender | admitted | most in any 10 s | decided locally | admissions from a lease | DynamoDB calls/decision | undecided | latency median / p99, ms |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.paced.map(
      (p) =>
        `| ${p.rate} | ${p.name} | ${p.admitted} of ${p.decisions} | ${p.mostInWindow} | ${pct(p.localShare)} | ${p.name === P8_RLF_DYNAMODB ? '—' : pct(p.leasedShare)} | ${p.callsPerDecision.toFixed(2)} | ${p.name === P8_RLF_DYNAMODB ? '—' : p.undecided} | ${p.medianMs.toFixed(2)} / ${p.p99Ms.toFixed(2)} |`,
    ),
  ].join('\n');
  return [
    '## P8: rate-limit decisions',
    '',
    `Command: \`${command}\`${command.includes('--only=p8') ? ' (this section alone; `npm run bench` writes it too)' : ''}. Machine: ${machine}. Date: ${date}.`,
    `DynamoDB: ${r.server}; every DynamoDB contender has its own SDK client, which counts the calls it sends.`,
    '',
    "Lift's stores keep an exact sliding window (never more than the limit in any window, one timestamp per",
    'admission); rate-limiter-flexible 11.4.0 counts fixed windows (one counter, up to twice the limit across a',
    'window edge). Its `RateLimiterDynamo` is used as documented (an `UpdateItem` that resets an expired window,',
    'then, when the window is live, a second one that adds to it), and once more with `inMemoryBlockOnConsumed` set',
    "to the limit, its option to refuse a full key in memory. Lift's lease rows take 10 admissions per write, spent",
    'for up to 1 s. Every decision, timed ones included, must be the answer the case expects (all allowed, or all',
    "limited), or the run stops; Lift's own call count (`stats()`) must equal what its client sent. Times are per",
    'decision, made at the wall clock; calls and local decisions are per decision over the whole case.',
    '',
    '### Many clients, each under its limit (every decision allowed)',
    '',
    'A pool of keys (1000 in memory, 100 in DynamoDB), 100 per hour each, cycled so none reaches its limit.',
    '',
    caseTable(r.memory.under, P8_RLF_MEMORY),
    '',
    caseTable(under, P8_RLF_DYNAMODB),
    '',
    '### One hot key under its limit (every decision allowed)',
    '',
    'One key, 1000 per second, decided as fast as each contender answers (a few hundred a second against',
    "DynamoDB). Lift's item then holds 1000 timestamps (about 12 KB), which every write returns; DynamoDB also",
    'bills a write by the size of the item, about 12 write units here against 1 for a counter, which a lease',
    'divides by its size.',
    '',
    caseTable(hot, P8_RLF_DYNAMODB),
    '',
    '### A hot key over its limit (every decision limited)',
    '',
    'One key, 10 per hour, filled before timing.',
    '',
    caseTable(r.memory.over, P8_RLF_MEMORY),
    '',
    caseTable(over, P8_RLF_DYNAMODB),
    '',
    '### Lease mode at a realistic rate',
    '',
    `One hot key, ${r.pacedRule}, shared by ${r.instances} instances (each its own store and client) that take`,
    `turns, for ${r.pacedSeconds} s per rate and contender, one contender at a time, each on a fresh key. At 50/s the key is`,
    'under its limit, at 100/s at it, at 200/s over it. "Most in any 10 s" is checked against the limit for Lift on',
    'every run (a sliding window); rate-limiter-flexible\'s fixed windows may exceed it across an edge. "Undecided" counts',
    'Lift decisions that ended in `store_error` or `timeout` (2 s).',
    '',
    pacedTable,
    '',
    '### Reading',
    '',
    `In memory, Lift decides in ${ratio(r.memory.under, P8_LIFT_MEMORY, P8_RLF_MEMORY)} the time of rate-limiter-flexible under the limit and ${ratio(r.memory.over, P8_LIFT_MEMORY, P8_RLF_MEMORY)} over it`,
    `(${m(r.memory.under, P8_LIFT_MEMORY).toFixed(2)} and ${m(r.memory.over, P8_LIFT_MEMORY).toFixed(2)} µs): a ring of timestamps per key, where its peer refuses by throwing.`,
    `Against DynamoDB, an allowed decision costs Lift one conditional write (${calls(under, P8_LIFT_DYNAMODB)} calls per decision, ${m(under, P8_LIFT_DYNAMODB).toFixed(0)} µs) where`,
    `rate-limiter-flexible makes ${calls(under, P8_RLF_DYNAMODB)} (${m(under, P8_RLF_DYNAMODB).toFixed(0)} µs): its first write fails on a live window and a second one counts;`,
    `Lift ÷ rate-limiter-flexible ${ratio(under, P8_LIFT_DYNAMODB, P8_RLF_DYNAMODB)}. On one hot key Lift's write returns the whole window (${m(hot, P8_LIFT_DYNAMODB).toFixed(0)} µs,`,
    `${ratio(hot, P8_LIFT_DYNAMODB, P8_RLF_DYNAMODB)}); a lease makes ${pct(hot.local[P8_LIFT_LEASE] ?? 0)} of decisions without a call (${calls(hot, P8_LIFT_LEASE)} calls each) and brings the`,
    `median to ${m(hot, P8_LIFT_LEASE).toFixed(1)} µs (${ratio(hot, P8_LIFT_LEASE, P8_RLF_DYNAMODB)}). On a full key Lift refuses from the state it last saw, without a call`,
    `(${m(over, P8_LIFT_DYNAMODB).toFixed(1)} µs against ${m(over, P8_RLF_DYNAMODB).toFixed(0)} µs and ${calls(over, P8_RLF_DYNAMODB)} calls; rate-limiter-flexible with \`inMemoryBlockOnConsumed\` also refuses`,
    `in memory, ${m(over, P8_RLF_BLOCK).toFixed(1)} µs). At a paced rate over ${r.instances} instances the lease decided`,
    `${leaseRows.map((p) => `${pct(p.localShare)} at ${p.rate}/s`).join(', ')} locally (${leaseRows.map((p) => p.callsPerDecision.toFixed(2)).join(', ')} calls per`,
    `decision, against ${plainRows.map((p) => p.callsPerDecision.toFixed(2)).join(', ')} without a lease and 2.00 for rate-limiter-flexible), never above the limit in`,
    'any window. The price: a lease holds its slots until its last moment to spend plus a window, and what it',
    'does not spend is lost, so a 1 s lease on a 10 s window sustains about 10/11 of the limit; that is what zero',
    'over-admission across instances costs when decisions are made locally.',
    '',
    'Without a lease, every decision on a key at the largest limit writes (and reads back) its whole 1000-slot',
    'item. DynamoDB takes at most 1000 write units a second on one item, about 80 such writes, so a key like this',
    'one tops out near 80 decisions a second without a lease and near 800 with a lease of 10; leases are for',
    'exactly these keys.' +
      (saturatedRows.length === 0
        ? ''
        : ` In this run the emulator did not keep up either: ${saturatedRows.map((p) => `${p.undecided} of ${p.decisions} decisions at ${p.rate}/s`).join(' and ')} ended in \`timeout\` (the figures vary between runs when the server is saturated).`),
  ].join('\n');
}
