/**
 * The bundle a Lift function deploys: built once per process with esbuild, as the Lambda runtime will
 * load it, its lazily loaded packages apart (split.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { LAZY_DIR, type LazyPackage, lazyEntryPoints, planLazyPackages } from './split.js';

const bundles = new Map<string, string>();

// The packages `@lift/core` starts loading during the Lambda init (`startDuringInit`: the shared
// DynamoDB document client). Apart, their files would be read only after the init (a file read is
// I/O, and the runtime asks for the first event as soon as the entry has loaded), so inside the
// runtime the entry loads them before its own code, as part of the init.
const STARTED_DURING_INIT: ReadonlySet<string> = new Set([
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
]);
const REQUIRE =
  "import { createRequire as __liftRequire } from 'node:module'; const require = __liftRequire(import.meta.url);";

// The project's `node_modules/.cache/lift-cdk`, and the entry's path from the project: the bundle
// lands at the same place relative to the sources on every machine, so its source maps, and so the
// asset hash, do not depend on where the checkout or the temp folder is (a `cdk diff` from a laptop
// shows no change CI would not make).
function cacheDir(entry: string): { dir: string; project: string; entry: string } {
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules')))
      return {
        dir: join(dir, 'node_modules', '.cache', 'lift-cdk'),
        project: dir,
        entry: relative(dir, entry),
      };
    if (dirname(dir) === dir) return { dir: join(tmpdir(), 'lift-cdk'), project: dirname(entry), entry };
  }
}

function preloads(lazy: readonly LazyPackage[]): string[] {
  const started = lazy.filter((p) => STARTED_DURING_INIT.has(p.specifier));
  if (started.length === 0) return [];
  const loads = started.map((p) => `import(${JSON.stringify(p.output)})`).join(', ');
  // Settled, not all: a failure must not stop the init; the first real use meets it again.
  return [`if (process.env.AWS_LAMBDA_RUNTIME_API !== undefined) await Promise.allSettled([${loads}]);`];
}

/** Options of {@link bundleEntry}. */
export interface BundleOptions {
  /** Export conditions esbuild resolves with (a monorepo passes its source condition). */
  readonly conditions?: readonly string[];
  /**
   * Bundle apart, in `lift-lazy/`, each package the code loads only through `import()` (the AWS SDK
   * clients Lift loads on first use), so the init does not parse the ones a function never uses; the
   * DynamoDB client, which Lift starts in the init, is read there first (default false; it pays only
   * where a function carries clients it seldom uses: docs/deploy.md).
   */
  readonly splitLazyPackages?: boolean;
}

type BuildOptions = Parameters<typeof buildSync>[0];

// AWS SDK clients Lift loads only when a feature needs them may not be installed: those are left to
// the copy the Lambda runtime provides (nodejs22.x and later ship the SDK v3); installed ones are
// bundled. Returns the build's metafile and adds to `external` the clients it had to leave out.
function buildLeavingOutMissingClients(options: BuildOptions, external: Set<string>, what: string) {
  for (;;) {
    try {
      return buildSync({ ...options, external: [...(options.external ?? []), ...external] }).metafile;
    } catch (error) {
      const errors = (error as { errors?: { text: string }[] }).errors ?? [];
      const missing = errors
        .map((e) => /^Could not resolve "(@aws-sdk\/[^"]+)"/.exec(e.text)?.[1])
        .filter((name): name is string => name !== undefined && !external.has(name));
      const others = errors.filter((e) => !/^Could not resolve "@aws-sdk\//.test(e.text));
      if (missing.length === 0 || others.length > 0)
        throw new Error(`bundleEntry: ${what} does not bundle: ${(error as Error).message}`, {
          cause: error,
        });
      for (const name of missing) external.add(name);
    }
  }
}

/**
 * Bundles an entry once per process (every function of a service shares one bundle): ESM, minified,
 * with a linked source map, everything bundled (the AWS SDK too, so the version deployed is the one
 * tested), `require` available to CommonJS dependencies. The packages it loads only through
 * `import()` go to files of their own when `splitLazyPackages` is set (docs/deploy.md).
 */
export function bundleEntry(entry: string, options: BundleOptions = {}): string {
  const conditions = options.conditions ?? [];
  const split = options.splitLazyPackages ?? false;
  const key = `${resolve(entry)}\n${conditions.join(',')}\n${split}`;
  const cached = bundles.get(key);
  if (cached !== undefined) return cached;
  const cache = cacheDir(resolve(entry));
  const id = createHash('sha256')
    .update(`${cache.entry}\n${conditions.join(',')}\n${split}`)
    .digest('hex')
    .slice(0, 16);
  const outdir = join(cache.dir, id);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const shared: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The oldest runtime a function may choose, so one bundle serves both.
    target: 'node22',
    conditions: [...conditions],
    // Paths in the build (chunk hashes among them) are relative to the project, not to where the
    // process runs.
    absWorkingDir: cache.project,
    legalComments: 'none',
    logLevel: 'silent',
  };
  const written: BuildOptions = {
    ...shared,
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    banner: { js: REQUIRE },
  };
  const external = new Set<string>();
  let lazy: LazyPackage[] = [];
  if (split) {
    const metafile = buildLeavingOutMissingClients(
      { ...shared, entryPoints: [resolve(entry)], outdir, write: false, metafile: true },
      external,
      entry,
    );
    // esbuild names the entry as it found it (symlinks resolved), relative to the project.
    const entryKey = Object.values(metafile?.outputs ?? {}).find(
      (o) => o.entryPoint !== undefined,
    )?.entryPoint;
    if (metafile === undefined || entryKey === undefined)
      throw new Error(`bundleEntry: esbuild did not say which module of ${entry} is the entry`);
    lazy = planLazyPackages(metafile.inputs, entryKey, cache.project);
  }
  buildLeavingOutMissingClients(
    {
      ...written,
      entryPoints: [resolve(entry)],
      outfile: join(outdir, 'index.mjs'),
      alias: Object.fromEntries(lazy.map((p) => [p.specifier, p.output])),
      banner: { js: [REQUIRE, ...preloads(lazy)].join(' ') },
      // Exactly these paths: a pattern would also take the code's own imports that look like them.
      external: lazy.map((p) => p.output),
    },
    external,
    entry,
  );
  if (lazy.length > 0) {
    // Beside the bundle, not in it, at a place as independent of the machine as the bundle's (their
    // paths are in the source maps).
    const facades = `${outdir}.facades`;
    try {
      buildLeavingOutMissingClients(
        {
          ...written,
          entryPoints: lazyEntryPoints(lazy, facades),
          outdir: join(outdir, LAZY_DIR),
          splitting: true,
          chunkNames: 'chunk-[hash]',
          outExtension: { '.js': '.mjs' },
        },
        external,
        `the packages ${entry} loads by import() (${lazy.map((p) => p.specifier).join(', ')})`,
      );
    } finally {
      rmSync(facades, { recursive: true, force: true });
    }
  }
  writeFileSync(join(outdir, 'package.json'), '{"type":"module"}\n');
  bundles.set(key, outdir);
  return outdir;
}
