import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire, SourceMap } from 'node:module';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AppManifest } from '@lift/core';
import { isUserPoolDefinition } from '@lift/core/cognito';
import { isTableDefinition, type TableDefinition } from '@lift/core/dynamodb';
import type { ScheduleInfo } from '@lift/core/events';
import { isBucketDefinition } from '@lift/core/s3';
import { build, type Metafile } from 'esbuild';
import { settleWithin } from './deadline.js';
import { createBuildDir } from './paths.js';

/** A Lambda-style handler. */
export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

// What the dev server needs of a bucket or pool declaration, spelled out here so the CLI's types do
// not pull in @lift/core/s3's and /cognito's, which name the optional AWS SDK packages.
/** A bucket a service declares: what `lift dev` needs of `defineBucket`'s result. */
export interface DeclaredBucket {
  readonly name: string;
  bucketName(): string;
}
/** A user pool a service declares: what `lift dev` needs of `defineUserPool`'s result. */
export interface DeclaredUserPool {
  readonly name: string;
  readonly idFromEnv: string;
  readonly clientIdFromEnv: string;
}

/** What `lift dev` uses of the entry's Lift app (`createApp`'s result); `openapi` may be absent in older cores. */
export interface DeclaredApp {
  schedules(): ScheduleInfo[];
  manifest(): AppManifest;
  openapi?: (options: {
    readonly info: { readonly title: string; readonly version: string };
    readonly servers?: readonly { readonly url: string }[];
  }) => unknown;
}

/** Whether the entry's Lift app is a worker (`createWorker`): no routes, and no `openapi()` of an app. */
export function isWorker(app: DeclaredApp | undefined): boolean {
  return app !== undefined && typeof app.openapi !== 'function' && app.manifest().routes.length === 0;
}

/** A loaded service: its handler and the resources it declares. */
export interface LoadedService {
  readonly handler: LambdaHandler;
  readonly tables: readonly TableDefinition[];
  /** The buckets it declares (`defineBucket` of `@lift/core/s3`), exported from the entry. */
  readonly buckets: readonly DeclaredBucket[];
  /** The user pools it declares (`defineUserPool` of `@lift/core/cognito`), exported from the entry. */
  readonly userPools: readonly DeclaredUserPool[];
  /** Rewrites the bundle's frames in a stack to the TypeScript sources they came from. */
  readonly mapStack: (stack: string) => string;
  /**
   * Packages the bundle imports from node_modules that are not installed, each with the `npm install`
   * line that fixes it: said at start-up rather than at the first request that needs one.
   */
  readonly missing: readonly string[];
  /**
   * The schedules the app declares (`app.schedules()`), read from the entry's `app` export (or another
   * export that is a Lift app); undefined when the entry exports no app, so they cannot be known.
   */
  readonly schedules: readonly ScheduleInfo[] | undefined;
  /** The entry's Lift app (as for `schedules`), for the dev dashboard; undefined when it exports none. */
  readonly app: DeclaredApp | undefined;
}

/** A mistake in the service itself (missing file, no handler export, does not build). */
export class ServiceError extends Error {
  /** @param message what to fix */
  constructor(message: string) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** Options of {@link loadService}. */
export interface LoadServiceOptions {
  /**
   * Where the bundles go: a folder of this process, whose older bundles are removed. By default one
   * made by {@link createBuildDir} under the project's `node_modules/.cache/lift`, removed on exit.
   */
  readonly outDir?: string;
  /**
   * How long the module's top level may run before loading fails (default: no bound). `lift dev` and
   * `lift invoke` give it what Lambda gives: its 10 s init, then the first invocation's timeout.
   */
  readonly initTimeoutMs?: number;
}

/** The declarations of one kind among the entry's exports (also inside exported arrays), by name. */
function collect<T extends { readonly name: string }>(
  module: Record<string, unknown>,
  is: (value: unknown) => value is T,
): T[] {
  const found = new Map<string, T>();
  for (const value of Object.values(module)) {
    for (const candidate of Array.isArray(value) ? value : [value]) {
      if (is(candidate)) found.set(candidate.name, candidate);
    }
  }
  return [...found.values()];
}

/** Whether a value is a Lift app: it has `handler`, `schedules()` and `manifest()`. */
function isApp(value: unknown): value is DeclaredApp {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { handler?: unknown }).handler === 'function' &&
    typeof (value as { schedules?: unknown }).schedules === 'function' &&
    typeof (value as { manifest?: unknown }).manifest === 'function'
  );
}

/** The entry's `app` export, else the first export that is an app. */
function declaredApp(module: Record<string, unknown>): DeclaredApp | undefined {
  return isApp(module.app) ? module.app : Object.values(module).find(isApp);
}

const INLINE_MAP = '//# sourceMappingURL=data:application/json;base64,';

// Node maps stacks itself when nothing replaced Error.prepareStackTrace; loaders and test runners
// that do (tsx, vitest) only map what they compiled, so the frames of a bundle are mapped here too.
function stackMapper(outfile: string): (stack: string) => string {
  // Read now: a reload removes this bundle while requests it serves may still fail later.
  const text = readFileSync(outfile, 'utf8');
  let map: SourceMap | null | undefined;
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(
    `(?:${literal(pathToFileURL(outfile).href)}|${literal(outfile)}):(\\d+):(\\d+)`,
    'g',
  );
  return (stack) => {
    if (map === undefined) {
      try {
        const at = text.lastIndexOf(INLINE_MAP);
        map =
          at === -1
            ? null
            : new SourceMap(
                JSON.parse(Buffer.from(text.slice(at + INLINE_MAP.length).trim(), 'base64').toString()),
              );
      } catch {
        map = null;
      }
    }
    const found = map;
    if (found === null) return stack;
    return stack.replace(frame, (whole, line: string, column: string) => {
      const entry = found.findEntry(Number(line) - 1, Number(column) - 1);
      if (!('originalSource' in entry)) return whole;
      const source = entry.originalSource.startsWith('file:')
        ? fileURLToPath(entry.originalSource)
        : resolve(dirname(outfile), entry.originalSource);
      return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    });
  };
}

let generation = 0;

// One folder per entry, as each load removes the older bundles in its folder.
const defaultOutDirs = new Map<string, string>();

/**
 * Bundles the entry with esbuild, as a deploy would (the AWS SDK left to node_modules), and imports
 * the bundle. Each load is a new file, so a reload gets the new code of every module the entry uses.
 * Bundles stay in the project (outside its sources), where the AWS SDK and other externals resolve
 * from. Tables are the exported table definitions (or arrays of them); schedules are those of the
 * exported app (`export const app = createApp(...)` next to `export const handler = app.handler`).
 */
export async function loadService(entry: string, options: LoadServiceOptions = {}): Promise<LoadedService> {
  const file = resolve(entry);
  if (!existsSync(file)) throw new ServiceError(`Entry not found: ${entry}`);
  let outDir = options.outDir ?? defaultOutDirs.get(file);
  if (outDir === undefined) {
    outDir = createBuildDir(file);
    defaultOutDirs.set(file, outDir);
  }
  mkdirSync(outDir, { recursive: true });
  generation += 1;
  const outfile = join(
    outDir,
    `${basename(file).replace(/\.[cm]?[jt]sx?$/, '')}.${process.pid}.${generation}.mjs`,
  );
  let built: Awaited<ReturnType<typeof build>>;
  try {
    built = await build({
      entryPoints: [file],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: sourceConditions(file),
      external: ['@aws-sdk/*', '@smithy/*', 'dynalite'],
      sourcemap: 'inline',
      metafile: true,
      logLevel: 'silent',
      banner: {
        js: "import { createRequire as __liftRequire } from 'node:module'; const require = __liftRequire(import.meta.url);",
      },
    });
  } catch (error) {
    const errors =
      (error as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors ?? [];
    const detail = errors
      .map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`)
      .join('\n');
    throw new ServiceError(`${entry} does not build:\n${detail || String(error)}`);
  }
  for (const old of readdirSync(outDir)) {
    if (old.endsWith('.mjs') && join(outDir, old) !== outfile) rmSync(join(outDir, old), { force: true });
  }
  const initTimeoutMs = options.initTimeoutMs ?? Number.POSITIVE_INFINITY;
  const module = (await settleWithin(
    import(pathToFileURL(outfile).href),
    initTimeoutMs,
    () =>
      new ServiceError(
        `${entry} had not finished loading after ${initTimeoutMs} ms, as long as Lambda waits for an init: its top level may wait on something that never settles`,
      ),
  )) as Record<string, unknown>;
  if (typeof module.handler !== 'function') {
    throw new ServiceError(
      `${entry} has no "handler" export; export the Lambda entry point: export const handler = app.handler`,
    );
  }
  const app = declaredApp(module);
  return {
    handler: module.handler as LambdaHandler,
    tables: collect(module, isTableDefinition),
    buckets: collect(module, isBucketDefinition),
    userPools: collect(module, isUserPoolDefinition),
    mapStack: stackMapper(outfile),
    missing: missingPackages(built.metafile, outfile),
    schedules: app?.schedules(),
    app,
  };
}

/** The package a bare import names: `@aws-sdk/client-dynamodb` of `@aws-sdk/client-dynamodb/dist/x`. */
function packageOf(path: string): string {
  const parts = path.split('/');
  return path.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

/**
 * The packages left external in the bundle (the AWS SDK, dynalite) that do not resolve from where the
 * bundle runs, each as its `npm install` line, with the range @lift/core declares for its optional
 * peers when it names one.
 */
function missingPackages(metafile: Metafile | undefined, outfile: string): string[] {
  const imports = Object.values(metafile?.outputs ?? {}).flatMap((output) => output.imports);
  const names = [
    ...new Set(
      imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => packageOf(i.path)),
    ),
  ];
  const require = createRequire(outfile);
  let peers: Record<string, string> = {};
  try {
    const manifest = require('@lift/core/package.json') as { peerDependencies?: Record<string, string> };
    peers = manifest.peerDependencies ?? {};
  } catch {
    // No @lift/core beside the bundle (a service that does not use it): plain install lines.
  }
  return names
    .filter((name) => {
      try {
        require.resolve(`${name}/package.json`);
        return false;
      } catch {
        try {
          require.resolve(name);
          return false;
        } catch {
          return true;
        }
      }
    })
    .map((name) => `npm install ${name}${peers[name] === undefined ? '' : `@${peers[name]}`}`);
}

/**
 * Export conditions for the service's bundle. A project gets @lift/core as published (its `dist`, as
 * a deploy bundles it); inside the Lift repository, where @lift/core is a workspace link rather than
 * an installed package, its TypeScript sources, so a change to them shows without a rebuild.
 */
function sourceConditions(entry: string): string[] {
  try {
    const manifest = createRequire(entry).resolve('@lift/core/package.json');
    return realpathSync(manifest).split(sep).includes('node_modules') ? [] : ['@lift/source'];
  } catch {
    return [];
  }
}
