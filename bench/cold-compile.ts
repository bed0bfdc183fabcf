/**
 * What a cold start compiles: the functions of a bundle V8 compiles to bytecode during import + first
 * call, read from V8's own log (`--log-function-events`), in a Lambda-like process. V8 compiles a
 * function the first time it runs, so this is the code the cold path executes: unlike a timing it is
 * the same on every run of one Node version, and on a busy machine too.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import ts from 'typescript';
import { type NodeRuntime, scratchFile } from './p5-cold-start.js';

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

// Import + first call with the context Lambda hands over; the answer must be a 200.
const PROBE = `
const [bundle, eventFile] = process.argv.slice(1);
const { readFileSync } = await import('node:fs');
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const context = { functionName: 'cold', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cold', memoryLimitInMB: '128', awsRequestId: '8f5a1c3e-2b7d-4e9a-9c1f-0d3b6a7e5f42', logGroupName: '/aws/lambda/cold', logStreamName: 's', getRemainingTimeInMillis: () => 30000, callbackWaitsForEmptyEventLoop: true };
const { handler } = await import(bundle);
const result = await handler(event, context);
if (result?.statusCode !== 200) throw new Error('answered ' + JSON.stringify(result).slice(0, 200));
`;

/** The environment of P5's Lambda-like process that decides which code a first call runs. */
const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'cold',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
  AWS_REGION: 'us-east-1',
  TZ: ':UTC',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
};

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
        '--log-function-events',
        `--logfile=${log}`,
        '--no-logfile-per-isolate',
        '--input-type=module',
        '-e',
        PROBE,
        bundle,
        eventFile,
      ],
      { env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...LAMBDA_ENV }, maxBuffer: 16 << 20 },
    );
    // Lines: `script-details,<id>,<url>,…` and `function,<event>,<script id>,<start>,<end>,<ms>,<at>,<name>`.
    const lines = readFileSync(log, 'utf8').split('\n');
    const script = lines
      .find((line) => line.startsWith('script-details,') && line.split(',')[2]?.endsWith(bundle))
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
