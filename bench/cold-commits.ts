/**
 * P1 cold starts of several commits' Lift bundles side by side with raw, Middy + Powertools and Middy,
 * processes alternating (P5's harness): how the before/after figures of issue 17 in
 * docs/benchmarks.md were taken. Each commit needs a worktree with its dependencies installed:
 * `git worktree add /tmp/wt-<commit> <commit> && (cd /tmp/wt-<commit> && npm ci)`. Then
 * `npm run bench:cold-commits --workspace bench -- <commit>... [--n=21] [--lambda]`.
 */
import { p1Events } from './events.js';
import { coldStarts } from './p5-cold-start.js';

const commits = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const lambda = process.argv.includes('--lambda');
const contenders = [
  { name: 'raw', module: 'apps/p1-raw.ts' },
  ...commits.flatMap((c) => [
    {
      name: `Lift defaults @${c}`,
      source: `export { handler } from '/tmp/wt-${c}/bench/apps/p1-lift-defaults.ts';`,
    },
    { name: `Lift off @${c}`, source: `export { handler } from '/tmp/wt-${c}/bench/apps/p1-lift.ts';` },
  ]),
  { name: 'Middy + Powertools', module: 'apps/p1-middy-powertools.ts' },
  { name: 'Middy', module: 'apps/p1-middy.ts' },
];
const results = await coldStarts(
  'commits',
  contenders,
  p1Events()[0],
  200,
  Number(process.argv.find((a) => a.startsWith('--n='))?.slice(4) ?? 21),
  lambda ? { kind: 'lambda', memoryMb: 128 } : { kind: 'local' },
);
const middyPt = results.find((r) => r.name === 'Middy + Powertools');
const middy = results.find((r) => r.name === 'Middy');
for (const r of results)
  console.log(
    `${r.name.padEnd(28)} ${String(r.size.bytes).padStart(7)} B  wall ${r.median.toFixed(1).padStart(5)} ms  cpu ${r.cpuMs.toFixed(1).padStart(5)} ms  ×MiddyPT ${(r.median / (middyPt?.median ?? 1)).toFixed(2)} (cpu ${(r.cpuMs / (middyPt?.cpuMs ?? 1)).toFixed(2)})  ×Middy ${(r.median / (middy?.median ?? 1)).toFixed(2)} (cpu ${(r.cpuMs / (middy?.cpuMs ?? 1)).toFixed(2)})`,
  );
