/**
 * P5: what a cold start costs. Each contender's P1, P2 and P7 handler is bundled as a Lambda deploy
 * bundles it (esbuild, minified ESM, AWS SDK external); then fresh Node processes each import one
 * bundle and answer one event, timed inside the process from before the import to the answer.
 * Processes for different contenders alternate, so drift on the machine hits all alike.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';
import { type BundleSize, bundleSize } from './bundle.js';
import type { Timing } from './harness.js';

const run = promisify(execFile);
const out = new URL('./p5/', import.meta.url);

/** One bundled handler of one contender. */
export interface ColdContender {
  readonly name: string;
  /** The module under bench/ whose `handler` export is bundled. */
  readonly module: string;
}

/** A bundle's size and its cold start (import + first call, ms) over fresh processes. */
export interface ColdResult extends Timing {
  readonly size: BundleSize;
}

// The probe a fresh process runs: import the bundle, answer one event, report the time and the answer.
const PROBE = `
const [bundle, eventFile] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { functionName: 'cold', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold', memoryLimitInMB: '1024', awsRequestId: 'cold-1', logGroupName: '/aws/lambda/cold', logStreamName: 's', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: true };
const started = performance.now();
const { handler } = await import(bundle);
const result = await handler(event, context);
const elapsed = performance.now() - started;
process.stdout.write(JSON.stringify({ elapsed, answer: result ?? null }));
`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Bundles every contender, checks each answers as expected in a fresh process (an HTTP status, or
 * exactly `{ answer }` for other events), then times `processes` fresh processes per contender.
 */
export async function coldStarts(
  label: string,
  contenders: readonly ColdContender[],
  event: unknown,
  expected: number | { readonly answer: unknown },
  processes: number,
): Promise<ColdResult[]> {
  mkdirSync(out, { recursive: true });
  const eventFile = new URL(`${label}-event.json`, out);
  writeFileSync(eventFile, JSON.stringify(event));
  const built = await Promise.all(
    contenders.map(async (c) => {
      const size = await bundleSize(`export { handler } from './${c.module}';`);
      const file = new URL(`${label}-${c.name.replace(/\W+/g, '-').toLowerCase()}.mjs`, out);
      writeFileSync(file, size.code);
      return { contender: c, size, file };
    }),
  );
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let i = 0; i < processes; i++) {
    for (let k = 0; k < built.length; k++) {
      const { contender, file } = built[(k + i) % built.length] as (typeof built)[number];
      const { stdout } = await run(
        process.execPath,
        ['--input-type=module', '-e', PROBE, fileURLToPath(file), fileURLToPath(eventFile)],
        {
          env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
        },
      );
      const probe = JSON.parse(stdout.slice(stdout.lastIndexOf('{"elapsed"'))) as {
        elapsed: number;
        answer: unknown;
      };
      const right =
        typeof expected === 'number'
          ? (probe.answer as { statusCode?: unknown } | null)?.statusCode === expected
          : isDeepStrictEqual(probe.answer, expected.answer);
      if (!right)
        throw new Error(
          `${contender.name} (${label}) answered ${JSON.stringify(probe.answer).slice(0, 200)} on a cold start, not ${JSON.stringify(typeof expected === 'number' ? expected : expected.answer)}`,
        );
      samples.get(contender.name)?.push(probe.elapsed);
    }
  }
  return built.map(({ contender, size }) => {
    const values = samples.get(contender.name) ?? [];
    return {
      name: contender.name,
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      size,
    };
  });
}
