/**
 * The bundle a Lift function deploys: built once per process with esbuild, as the Lambda runtime will
 * load it, its lazily loaded packages apart (split.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { LAZY_DIR, type LazyPackage, lazyEntryPoints, planLazyPackages } from './split.js';

const bundles = new Map<string, string>();

// The project's `node_modules/.cache/lift-cdk`: the bundle lands at the same place relative to the
// sources on every machine, so its source map, and so the asset hash, do not depend on where the
// checkout or the temp folder is (a `cdk diff` from a laptop shows no change CI would not make).
function cacheDir(entry: string): string {
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'lift-cdk');
    if (dirname(dir) === dir) return join(tmpdir(), 'lift-cdk');
  }
}

/** Options of {@link bundleEntry}. */
export interface BundleOptions {
  /** Export conditions esbuild resolves with (a monorepo passes its source condition). */
  readonly conditions?: readonly string[];
  /**
   * Bundle apart, in `lift-lazy/`, each package the code loads only through `import()` (the AWS SDK
   * clients Lift loads on first use), so a cold start does not parse them (default true).
   */
  readonly splitLazyPackages?: boolean;
}

type BuildOptions = Parameters<typeof buildSync>[0];

// AWS SDK clients Lift loads only when a feature needs them may not be installed: those are left to
// the copy the Lambda runtime provides (nodejs22.x and later ship the SDK v3); installed ones are
// bundled. Returns the build's metafile and adds to `external` the clients it had to leave out.
function buildLeavingOutMissingClients(options: BuildOptions, external: Set<string>, entry: string) {
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
        throw new Error(`bundleEntry: ${entry} does not bundle: ${(error as Error).message}`, {
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
 * `import()` go to files of their own unless `splitLazyPackages` is false (docs/deploy.md).
 */
export function bundleEntry(entry: string, options: BundleOptions = {}): string {
  const conditions = options.conditions ?? [];
  const split = options.splitLazyPackages ?? true;
  const key = `${resolve(entry)}\n${conditions.join(',')}\n${split}`;
  const cached = bundles.get(key);
  if (cached !== undefined) return cached;
  const id = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const outdir = join(cacheDir(resolve(entry)), id);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const shared: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The oldest runtime a function may choose, so one bundle serves both.
    target: 'node22',
    conditions: [...conditions],
    legalComments: 'none',
    logLevel: 'silent',
  };
  const written: BuildOptions = {
    ...shared,
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    banner: {
      js: "import { createRequire as __liftRequire } from 'node:module'; const require = __liftRequire(import.meta.url);",
    },
  };
  const external = new Set<string>();
  const cwd = process.cwd();
  let lazy: LazyPackage[] = [];
  if (split) {
    const metafile = buildLeavingOutMissingClients(
      { ...shared, entryPoints: [resolve(entry)], outdir, write: false, metafile: true },
      external,
      entry,
    );
    const inputs = metafile?.inputs ?? {};
    const entryKey = Object.keys(inputs).find((path) => resolve(cwd, path) === resolve(entry));
    if (entryKey !== undefined) lazy = planLazyPackages(inputs, entryKey, cwd);
  }
  buildLeavingOutMissingClients(
    {
      ...written,
      entryPoints: [resolve(entry)],
      outfile: join(outdir, 'index.mjs'),
      alias: Object.fromEntries(lazy.map((p) => [p.specifier, p.output])),
      external: lazy.length === 0 ? [] : [`./${LAZY_DIR}/*`],
    },
    external,
    entry,
  );
  if (lazy.length > 0)
    buildLeavingOutMissingClients(
      {
        ...written,
        entryPoints: lazyEntryPoints(lazy, `${outdir}.facades`),
        outdir: join(outdir, LAZY_DIR),
        splitting: true,
        chunkNames: 'chunk-[hash]',
        outExtension: { '.js': '.mjs' },
      },
      external,
      entry,
    );
  writeFileSync(join(outdir, 'package.json'), '{"type":"module"}\n');
  bundles.set(key, outdir);
  return outdir;
}
