/**
 * Bundle size of a hello-world service (HTTP, and SQS-only): esbuild, minified ESM for Node (as a
 * Lambda deploy would build it), with the AWS SDK external. Reports raw and gzip bytes.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The hello-world service, exactly as a user writes it. */
export const HELLO_WORLD = `
import { createApp } from '@lift/core';
const app = createApp({ service: 'hello' });
app.get('/', () => ({ hello: 'world' }));
export const handler = app.handler;
`;

/** The hello-world built with the lean `createApp` (`@lift/core/lean`): no observability code. */
export const HELLO_WORLD_LEAN = `
import { createApp } from '@lift/core/lean';
const app = createApp({ service: 'hello' });
app.get('/', () => ({ hello: 'world' }));
export const handler = app.handler;
`;

/**
 * The smallest SQS consumer, as a user writes it: the hello-world's counterpart for records, a worker
 * (a function that serves no HTTP).
 */
export const SQS_HELLO = `
import { createWorker } from '@lift/core/worker';
const worker = createWorker({ service: 'hello' });
worker.sqs('orders', (message) => {
  if (message.body.length === 0) throw new Error('empty message');
});
export const handler = worker.handler;
`;

/** The same consumer built as an app (`createApp({ records: records() })`), as before `createWorker`. */
export const SQS_HELLO_APP = `
import { createApp } from '@lift/core';
import { records } from '@lift/core/events';
const app = createApp({ service: 'hello', records: records() });
app.sqs('orders', (message) => {
  if (message.body.length === 0) throw new Error('empty message');
});
export const handler = app.handler;
`;

/** Size of one bundle. */
export interface BundleSize {
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly code: string;
  /** Bytes each source module contributes to the minified output, largest first. */
  readonly modules: readonly (readonly [path: string, bytes: number])[];
}

/** How to bundle: `minify: false` keeps names and esbuild's `// path` comment before each module. */
export interface BundleOptions {
  /** Where `source`'s imports resolve from; bench/ by default. */
  readonly resolveDir?: string;
  readonly minify?: boolean;
}

/** Bundles `source` (resolved from bench/) and measures it. */
export async function bundleSize(source: string, options: BundleOptions = {}): Promise<BundleSize> {
  const result = await build({
    stdin: {
      contents: source,
      // The runner is bundled to bench/.bench-out/, so bench/ is one folder up.
      resolveDir: options.resolveDir ?? fileURLToPath(new URL('..', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    minify: options.minify ?? true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    conditions: ['@lift/source'],
    external: ['@aws-sdk/*'],
    write: false,
    legalComments: 'none',
    metafile: true,
  });
  const code = result.outputFiles[0]?.text ?? '';
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const modules = Object.entries(inputs)
    .map(([path, info]) => [path.replace(/^.*packages\/core\/src\//, ''), info.bytesInOutput] as const)
    .sort((a, b) => b[1] - a[1]);
  return { bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code).length, code, modules };
}

/** The folder a bundled module belongs to (paths come relative to core's src/): a core feature folder, or a package. */
export function owner(path: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg !== null) return pkg[1] as string;
  if (path.startsWith('<stdin>') || path.startsWith('apps/') || path.startsWith('bench/')) return '(the app)';
  const folder = /^([^/.]+)\//.exec(path);
  return folder === null ? path : `core/${folder[1]}/`;
}

/** Line (0-based) where each module of an unminified bundle starts, from esbuild's `// path` comments. */
export function moduleStarts(code: string): { line: number; module: string }[] {
  return code.split('\n').flatMap((text, line) => {
    const match = /^\/\/ (\S+\.(?:ts|js|mjs|cjs|json))$/.exec(text);
    return match === null
      ? []
      : [{ line, module: (match[1] as string).replace(/^.*packages\/core\/src\//, 'core/') }];
  });
}

/** The module an unminified bundle's `line` (0-based) belongs to, from {@link moduleStarts}. */
export function moduleAt(starts: readonly { line: number; module: string }[], line: number): string {
  let found = '(entry)';
  for (const start of starts) {
    if (start.line > line) break;
    found = start.module;
  }
  return found;
}
