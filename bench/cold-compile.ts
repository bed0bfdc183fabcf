/**
 * What a cold start compiles: the functions of a bundle V8 compiles to bytecode during import + first
 * call, read from V8's own log (`--log-function-events`), in a Lambda-like process. V8 compiles a
 * function the first time it runs, so this is the code the cold path executes: unlike a timing it is
 * the same on every run of one Node version, and on a busy machine too.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { bundleSize, moduleAt, moduleStarts, owner } from './bundle.js';
import { LAMBDA_MEMORY_MB } from './p5.js';
import {
  bundleContender,
  type ColdContender,
  lambdaEnv,
  lambdaNodeFlags,
  lambdaRuntimes,
  type NodeRuntime,
  scratchFile,
} from './p5-cold-start.js';

const run = promisify(execFile);

/** The functions compiled on the cold path, and where their code sits in the bundle. */
export interface ColdCompile {
  /** Functions compiled to bytecode, the module's top level included. */
  readonly functions: number;
  /**
   * Their own source bytes: each function's text less the functions written inside it (compiled or
   * not), which V8 skips when it compiles the outer one. The module's top level is left out.
   */
  readonly bytes: number;
  /** Each compiled function but the top level: its [start, end) offsets in the bundle, and its own bytes. */
  readonly compiled: readonly { readonly start: number; readonly end: number; readonly own: number }[];
}

// Import + first call with the context Lambda hands over; the answer must be a 200. Not P5's probe
// (`probe` in p5-cold-start.ts): that one reports through `process.stdout` after the call, which runs
// a getter Lift's stdout writer installs, so one more function would count as compiled on the cold
// path than the cold path compiles.
const PROBE = `
const [bundle, eventFile] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { functionName: 'cold', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold', memoryLimitInMB: '128', awsRequestId: '8f5a1c3e-2b7d-4e9a-9c1f-0d3b6a7e5f42', logGroupName: '/aws/lambda/cold', logStreamName: 's', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: true };
const { handler } = await import(bundle);
const result = await handler(event, context);
if (result?.statusCode !== 200) throw new Error('answered ' + JSON.stringify(result).slice(0, 200));
`;

/**
 * Runs `bundle` once (import + first call of `eventFile`) on `node` (this machine's Node when
 * undefined) with V8's function events logged, and reads which of the bundle's functions were
 * compiled to bytecode.
 */
export async function coldCompile(
  bundle: string,
  eventFile: string,
  node?: NodeRuntime,
): Promise<ColdCompile> {
  const log = scratchFile(`functions-${process.pid}-${Math.random().toString(36).slice(2)}.log`);
  try {
    await run(
      node?.bin ?? process.execPath,
      [
        ...lambdaNodeFlags(LAMBDA_MEMORY_MB),
        '--log-function-events',
        `--logfile=${log}`,
        '--no-logfile-per-isolate',
        '--input-type=module',
        '-e',
        PROBE,
        bundle,
        eventFile,
      ],
      {
        env: {
          PATH: process.env.PATH ?? '',
          NODE_NO_WARNINGS: '1',
          ...lambdaEnv(LAMBDA_MEMORY_MB, dirname(bundle), node?.version),
        },
        maxBuffer: 16 << 20,
      },
    );
    // Lines: `script-details,<id>,<url>,…` and `function,<event>,<script id>,<start>,<end>,<ms>,<at>,<name>`.
    const lines = readFileSync(log, 'utf8').split('\n');
    const url = pathToFileURL(bundle).href;
    const script = lines
      .find((line) => line.startsWith('script-details,') && line.split(',')[2] === url)
      ?.split(',')[1];
    if (script === undefined) throw new Error(`V8's log names no script for ${bundle}`);
    const spans = new Map<string, readonly [number, number]>();
    for (const line of lines) {
      const f = line.split(',');
      if (f[0] === 'function' && f[1] === 'interpreter' && f[2] === script)
        spans.set(`${f[3]}-${f[4]}`, [Number(f[3]), Number(f[4])]);
    }
    const code = readFileSync(bundle, 'utf8');
    const nested = functionSpans(code);
    // The top level spans the whole module, up to its last newlines.
    const compiled = [...spans.values()]
      .filter(([start, end]) => !(start === 0 && end >= code.trimEnd().length))
      .map(([start, end]) => ({ start, end, own: ownBytes(start, end, nested) }));
    return { functions: spans.size, bytes: compiled.reduce((sum, f) => sum + f.own, 0), compiled };
  } finally {
    rmSync(log, { force: true });
  }
}

/** The [start, end) offsets of every function with a body in `code`, ordered by start. */
function functionSpans(code: string): (readonly [number, number])[] {
  const file = ts.createSourceFile('bundle.mjs', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const found: (readonly [number, number])[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && (node as ts.FunctionLikeDeclaration).body !== undefined)
      found.push([node.getStart(file), node.end]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found.sort((a, b) => a[0] - b[0]);
}

/**
 * The bytes of [start, end) less the functions written inside it. V8 reports a function from its
 * parameters to its closing brace (TypeScript from its name or keyword), so a function ending where
 * this one ends is this one; a class's field initializer spans the fields and the methods between.
 */
function ownBytes(start: number, end: number, functions: readonly (readonly [number, number])[]): number {
  let own = end - start;
  let reached = start;
  for (const [s, e] of functions) {
    if (s < start || e === end) continue;
    if (s >= end) break;
    if (s < reached) continue;
    own -= e - s;
    reached = e;
  }
  return own;
}

/** What the cold path compiles, in a fresh process each, for the P1 contenders of P5. */
const CONTENDERS = (lift: (options: string) => string): readonly ColdContender[] => [
  { name: 'raw', module: 'apps/p1-raw.ts' },
  { name: 'Lift (lean entry)', module: 'apps/p1-lift-lean.ts' },
  { name: 'Lift (observability off)', source: lift('false') },
  { name: 'Lift (defaults)', source: lift('true') },
  { name: 'Middy', module: 'apps/p1-middy.ts' },
  { name: 'Middy + Powertools Logger/Metrics', module: 'apps/p1-middy-powertools.ts' },
];

/**
 * The "What the cold path compiles" part of docs/benchmarks.md: the P1 contenders, minified as
 * deployed, on each of Lambda's runtimes (`fetch`: fetch one that is missing), then the lean and
 * defaults apps by folder, unminified so esbuild's module comments place each function. `lift`
 * builds the source of the P1 app with the given `createLiftP1` argument.
 */
export async function coldCompileSection(
  eventFile: string,
  lift: (options: string) => string,
  fetch: boolean,
): Promise<string> {
  const rows = CONTENDERS(lift);
  const runtimes = lambdaRuntimes({ fetch });
  const nodes = runtimes.length > 0 ? runtimes : [undefined];
  const bundles = await Promise.all(rows.map((row) => bundleContender('compile', row)));
  const results: { node: string; rows: ColdCompile[] }[] = [];
  for (const node of nodes) {
    const measured: ColdCompile[] = [];
    for (const { file } of bundles) measured.push(await coldCompile(file, eventFile, node));
    results.push({ node: node?.version ?? process.versions.node, rows: measured });
  }
  const newest = nodes[nodes.length - 1];
  const lean = await compiledByFolder(
    "import { createApp } from '@lift/core/lean'; import { addP1Routes } from './apps/p1-lift-routes.ts'; export const handler = addP1Routes(createApp({ service: 'bench' }));",
    'lean',
    eventFile,
    newest,
  );
  const defaults = await compiledByFolder(lift('true'), 'defaults', eventFile, newest);
  const cell = (m: Map<string, [number, number]>, folder: string) => {
    const v = m.get(folder);
    return v === undefined ? '' : `${v[0]}, ${v[1].toLocaleString('en')} B`;
  };
  return [
    '### What the cold path compiles (P1, import + first call, Lambda-like environment)',
    '',
    'V8 compiles a function to bytecode the first time it runs, so the functions compiled during import',
    '+ first call are the code a cold start executes; each costs a full parse and a compile on top of the',
    "whole bundle's pre-parse. Read from V8's log (`--log-function-events`), so the figures are the same on",
    "every run of one Node version. Bytes: each compiled function's own source, without the functions",
    'written inside it (which V8 skips when it compiles the outer one); the top level of the module left out.',
    '',
    `| P1 bundle | bundle (minified) | ${results.map(({ node }) => `Node ${node}: functions | bytes`).join(' | ')} |`,
    `| --- | ---: | ${results.map(() => '---: | ---:').join(' | ')} |`,
    ...rows.map(
      (row, k) =>
        `| ${row.name} | ${(bundles[k]?.size.bytes ?? 0).toLocaleString('en')} B | ${results.map((r) => `${r.rows[k]?.functions} | ${r.rows[k]?.bytes.toLocaleString('en')}`).join(' | ')} |`,
    ),
    '',
    `By folder, unminified, Node ${results[results.length - 1]?.node} (functions, bytes):`,
    '',
    '| folder | lean entry | defaults |',
    '| --- | ---: | ---: |',
    ...[...new Set([...defaults.keys(), ...lean.keys()])].map(
      (folder) => `| \`${folder}\` | ${cell(lean, folder)} | ${cell(defaults, folder)} |`,
    ),
  ].join('\n');
}

/** Functions and own bytes compiled on the cold path, by the folder of the module they sit in. */
async function compiledByFolder(
  source: string,
  name: string,
  eventFile: string,
  node: NodeRuntime | undefined,
): Promise<Map<string, [number, number]>> {
  const built = await bundleSize(source, { minify: false });
  const file = scratchFile(`compile-${name}.mjs`);
  writeFileSync(file, built.code);
  const { compiled } = await coldCompile(file, eventFile, node);
  const starts = moduleStarts(built.code);
  const lineAt: number[] = [];
  let offset = 0;
  for (const text of built.code.split('\n')) {
    lineAt.push(offset);
    offset += text.length + 1;
  }
  const byFolder = new Map<string, [number, number]>();
  for (const { start, own } of compiled) {
    let line = 0;
    while (line + 1 < lineAt.length && (lineAt[line + 1] as number) <= start) line++;
    const folder = owner(moduleAt(starts, line).replace(/^core\//, ''));
    const [count, bytes] = byFolder.get(folder) ?? [0, 0];
    byFolder.set(folder, [count + 1, bytes + own]);
  }
  return new Map([...byFolder].sort((a, b) => b[1][1] - a[1][1]));
}
