/**
 * A small benchmark harness: contenders run the same pre-built events, interleaved repetition by
 * repetition so drift hits all alike; events are parsed before each timed batch, never inside it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import type { LambdaContext } from '@lift/core';

/** One contender: a name and a Lambda-style handler. */
export interface Contender {
  readonly name: string;
  readonly handler: (event: unknown, context?: LambdaContext) => Promise<unknown>;
}

/** Timing of one contender over every repetition (µs per call). */
export interface Timing {
  readonly name: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** How much to run. */
export interface Plan {
  readonly warmup: number;
  readonly iterations: number;
  readonly repetitions: number;
}

/** Full runs and the `--quick` run that only checks answers. */
// Many short interleaved batches rather than a few long ones: on a shared machine the load drifts,
// and short alternating batches make both contenders sample the same conditions. Batches stay small
// because the parsed events of a batch are alive while it runs, and collecting a large live set adds
// the same cost to every contender, which would flatten the ratios.
export const FULL: Plan = { warmup: 20_000, iterations: 1_000, repetitions: 150 };
export const QUICK: Plan = { warmup: 10, iterations: 20, repetitions: 1 };

/** The machine a run describes itself by in docs/benchmarks.md: Node, CPU model and count, platform. */
export const MACHINE = `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), ${process.platform}/${process.arch}`;

/** The median; of an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * What a contender answered, as far as the workloads require them to agree: the status, the JSON body
 * of a success (errors differ in wording between frameworks), the CORS origin, and that the security
 * headers are there. Header names are compared case-insensitively, as HTTP does.
 */
export function answerOf(result: unknown): unknown {
  const r = result as { statusCode?: number; headers?: Record<string, string>; body?: string };
  const headers = new Map(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const status = r.statusCode ?? 0;
  return {
    status,
    body: status < 300 ? JSON.parse(r.body ?? 'null') : undefined,
    cors: headers.get('access-control-allow-origin'),
    nosniff: headers.get('x-content-type-options'),
    hsts: headers.has('strict-transport-security'),
  };
}

/**
 * Checks that every contender gives the same answer as the first one for each event (as `answer`
 * reads it). Throws, naming the contender, the event and the difference, when an answer differs.
 */
export async function agree(
  contenders: readonly Contender[],
  events: readonly unknown[],
  context?: LambdaContext,
  answer: (result: unknown) => unknown = answerOf,
): Promise<void> {
  for (const [n, event] of events.entries()) {
    const expected = answer(await (contenders[0] as Contender).handler(structuredClone(event), context));
    for (const c of contenders.slice(1)) {
      const actual = answer(await c.handler(structuredClone(event), context));
      if (!isDeepStrictEqual(actual, expected)) {
        throw new Error(
          `${c.name} answers event ${n} differently:\n${JSON.stringify(actual)}\nexpected\n${JSON.stringify(expected)}`,
        );
      }
    }
  }
}

/**
 * Checks that every contender gives the same answer as the first one for each event, then times
 * them. Throws, naming the contender and the difference, when an answer differs.
 */
export async function compare(
  contenders: readonly Contender[],
  events: readonly unknown[],
  plan: Plan,
  context?: LambdaContext,
  answer: (result: unknown) => unknown = answerOf,
): Promise<Timing[]> {
  await agree(contenders, events, context, answer);
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  // The Lambda runtime hands a handler a freshly JSON.parse'd payload; batches are built the same way.
  const payloads = events.map((event) => JSON.stringify(event));
  const batch = (n: number) =>
    Array.from({ length: n }, (_, i) => JSON.parse(payloads[i % payloads.length] as string));
  for (const c of contenders) {
    const warm = batch(plan.warmup);
    for (const event of warm) await c.handler(event, context);
  }
  for (let rep = 0; rep < plan.repetitions; rep++) {
    // Rotate the order each repetition so no contender always runs first.
    const order = contenders.map((_, i) => contenders[(i + rep) % contenders.length] as Contender);
    for (const c of order) {
      const prepared = batch(plan.iterations);
      const start = process.hrtime.bigint();
      for (let i = 0; i < prepared.length; i++) await c.handler(prepared[i], context);
      const elapsed = Number(process.hrtime.bigint() - start) / 1000;
      samples.get(c.name)?.push(elapsed / plan.iterations);
    }
  }
  return contenders.map((c) => {
    const values = samples.get(c.name) ?? [];
    return { name: c.name, median: median(values), min: Math.min(...values), max: Math.max(...values) };
  });
}

const ratio = (value: number) => `${value.toFixed(value < 0.1 ? 3 : 2)}×`;

/**
 * A markdown table of timings: µs per call, the ratio to the baseline (the first row) and, when
 * peers are named, to the fastest of them.
 */
export function table(timings: readonly Timing[], baseline = 'raw', peers: readonly string[] = []): string {
  const base = (timings[0] as Timing).median;
  const peerTimes = timings.filter((t) => peers.includes(t.name)).map((t) => t.median);
  const best = peerTimes.length > 0 ? Math.min(...peerTimes) : undefined;
  const rows = timings.map(
    (t) =>
      `| ${t.name} | ${t.median.toFixed(2)} | ${t.min.toFixed(2)}–${t.max.toFixed(2)} | ${ratio(t.median / base)} |${
        best === undefined ? '' : ` ${ratio(t.median / best)} |`
      }`,
  );
  return [
    `| contender | µs/call (median) | min–max | × ${baseline} |${best === undefined ? '' : ' × best peer |'}`,
    `| --- | ---: | ---: | ---: |${best === undefined ? '' : ' ---: |'}`,
    ...rows,
  ].join('\n');
}

/** The median of a contender's timing, by name. */
export function medianOf(timings: readonly Timing[], name: string): number {
  return timings.find((t) => t.name === name)?.median ?? Number.NaN;
}

/** The fastest median among the named contenders. */
export function bestOf(timings: readonly Timing[], names: readonly string[]): Timing | undefined {
  return timings.filter((t) => names.includes(t.name)).sort((a, b) => a.median - b.median)[0];
}

/**
 * Replaces one named section of docs/benchmarks.md (between `<!-- NAME:start -->` and
 * `<!-- NAME:end -->`), adding it at the end the first time, so each benchmark owns its part.
 */
export function writeSection(name: string, markdown: string): void {
  // Bundled to bench/.bench-out/, so the repository root is two folders up.
  const file = new URL('../../docs/benchmarks.md', import.meta.url);
  let doc: string;
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc =
      '# Benchmarks\n\nEvery figure here is produced by a command in this repository; each section names it.\n';
  }
  const block = `<!-- ${name}:start -->\n${markdown}\n<!-- ${name}:end -->`;
  const pattern = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->`);
  writeFileSync(file, pattern.test(doc) ? doc.replace(pattern, block) : `${doc.trimEnd()}\n\n${block}\n`);
  console.log(`docs/benchmarks.md: ${name} section updated`);
}

/** A synchronous operation to time. */
export interface TimedCall {
  readonly name: string;
  readonly run: () => void;
}

/** Times synchronous calls, interleaved per repetition, and reports medians (µs per call). */
export function timeCalls(calls: readonly TimedCall[], plan: Plan): Timing[] {
  const samples = new Map<string, number[]>(calls.map((c) => [c.name, []]));
  for (const c of calls) for (let i = 0; i < plan.warmup; i++) c.run();
  for (let rep = 0; rep < plan.repetitions; rep++) {
    const order = calls.map((_, i) => calls[(i + rep) % calls.length] as TimedCall);
    for (const c of order) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < plan.iterations; i++) c.run();
      samples.get(c.name)?.push(Number(process.hrtime.bigint() - start) / 1000 / plan.iterations);
    }
  }
  return calls.map((c) => {
    const values = samples.get(c.name) ?? [];
    return { name: c.name, median: median(values), min: Math.min(...values), max: Math.max(...values) };
  });
}

/** Runs `work` with stdout and stderr writes dropped: contenders' own lines must not cost I/O. */
export async function quietly<T>(work: () => Promise<T> | T): Promise<T> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await work();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
