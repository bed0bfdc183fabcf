/**
 * Which packages a bundle loads only through `import()`, and the files they go to. A one-file bundle
 * holds the AWS SDK clients Lift loads on first use, and V8 parses all of it on every cold start
 * (docs/benchmarks.md); in files of their own they are read when a request first needs them.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'cjs-module-lexer';
import type { Metafile } from 'esbuild';

type Inputs = Metafile['inputs'];
type Edge = Inputs[string]['imports'][number];

/** The folder, beside `index.mjs`, the packages loaded apart go to. */
export const LAZY_DIR = 'lift-lazy';

/** A package the entry loads only through `import()`, bundled apart. */
export interface LazyPackage {
  /** How the code names it: `@aws-sdk/client-dynamodb`. */
  readonly specifier: string;
  /** Its module, absolute. */
  readonly file: string;
  /** Its file in the bundle, relative to `index.mjs` (`./lift-lazy/aws-sdk+client-dynamodb.mjs`). */
  readonly output: string;
  /** What `import()` of it gives besides `default` (`module.exports`): the names Node finds. */
  readonly names: readonly string[];
}

// A package name alone (`zod`, `@aws-sdk/client-s3`): a subpath would share the alias of its package.
const PACKAGE = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*$/i;

// The names Node gives `import()` of a CommonJS module (`path`, a metafile key): those
// cjs-module-lexer (Node's own) finds, following `module.exports = require(...)` re-exports to the
// file esbuild bundled for them (the build's conditions chose it). Undefined when one cannot be read.
function commonJsNames(
  inputs: Inputs,
  path: string,
  cwd: string,
  seen = new Set<string>(),
): Set<string> | undefined {
  if (seen.has(path)) return new Set();
  seen.add(path);
  let found: { exports: string[]; reexports: string[] };
  try {
    found = parse(readFileSync(resolve(cwd, path), 'utf8'), path);
  } catch {
    return undefined;
  }
  const names = new Set(found.exports);
  for (const specifier of found.reexports) {
    const edge = inputs[path]?.imports.find(
      (e) => e.kind === 'require-call' && (e.original ?? e.path) === specifier,
    );
    const more =
      edge === undefined || edge.external ? undefined : commonJsNames(inputs, edge.path, cwd, seen);
    if (more === undefined) return undefined;
    for (const name of more) names.add(name);
  }
  names.delete('default');
  return names;
}

// Whether esbuild reads a module (a metafile key) as Node's ESM: `.mjs`/`.mts`, or a `.js`, `.jsx`,
// `.ts` or `.tsx` file whose nearest package.json says `"type": "module"`.
function nodeModeOf(cwd: string): (path: string) => boolean {
  const types = new Map<string, boolean>();
  const moduleType = (dir: string): boolean => {
    const known = types.get(dir);
    if (known !== undefined) return known;
    let found: boolean;
    try {
      found =
        (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown }).type === 'module';
    } catch {
      found = dirname(dir) === dir ? false : moduleType(dirname(dir));
    }
    types.set(dir, found);
    return found;
  };
  return (path) => {
    const file = resolve(cwd, path);
    if (/\.m[jt]s$/.test(file)) return true;
    // esbuild reads `"type"` for these alone; anything else is not ESM to it.
    return /\.[jt]sx?$/.test(file) && moduleType(dirname(file));
  };
}

function reach(inputs: Inputs, from: readonly string[], follow: (edge: Edge) => boolean): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  for (let path = stack.pop(); path !== undefined; path = stack.pop()) {
    if (seen.has(path)) continue;
    seen.add(path);
    for (const edge of inputs[path]?.imports ?? [])
      if (!edge.external && edge.path in inputs && follow(edge)) stack.push(edge.path);
  }
  return seen;
}

const within = (edge: Edge, specifier: string): boolean =>
  edge.original === specifier || (edge.original?.startsWith(`${specifier}/`) ?? false);

/**
 * The packages of a bundle (its esbuild metafile, keys relative to `cwd`) that can go apart without
 * changing what runs: each reached from the entry's side only by `import()` of its bare name, always
 * the same file, and sharing no module with the entry's side, so no module is bundled twice (a class
 * on both sides would fail `instanceof`) and the entry's modules run in the order they always did.
 * Each is CommonJS throughout, with no `import()` inside: CommonJS modules run when first required,
 * so esbuild's chunks cannot change their order, and a facade gives `import()` of one its names
 * (an ES module could `export *` a CommonJS module's names, which a chunk cannot carry).
 */
export function planLazyPackages(inputs: Inputs, entry: string, cwd: string): LazyPackage[] {
  const candidates = new Map<string, string | null>();
  const nodeMode = nodeModeOf(cwd);
  for (const [importer, input] of Object.entries(inputs))
    for (const edge of input.imports) {
      const name = edge.original;
      if (edge.kind !== 'dynamic-import' || edge.external || name === undefined || !PACKAGE.test(name))
        continue;
      if (!(edge.path in inputs) || !edge.path.includes('node_modules/')) continue;
      const seen = candidates.get(name);
      // An importer esbuild does not treat as Node's ESM gets `exports.default` as the `default` of a
      // module marked `__esModule` (which a CommonJS build may set where no lexer sees it), Node's
      // `module.exports`: the facade gives the latter, so only such importers may have it.
      const same = (seen === undefined || seen === edge.path) && nodeMode(importer);
      candidates.set(name, same ? edge.path : null);
    }
  const split = new Map<string, { path: string; names: readonly string[] }>();
  for (const [specifier, path] of candidates) {
    if (path === null || inputs[path]?.format !== 'cjs') continue;
    const commonJsOnly = [...reach(inputs, [path], () => true)].every(
      (module) =>
        inputs[module]?.format !== 'esm' &&
        !(inputs[module]?.imports ?? []).some((e) => e.kind === 'dynamic-import' && !e.external),
    );
    const names = commonJsOnly ? commonJsNames(inputs, path, cwd) : undefined;
    if (names !== undefined) split.set(specifier, { path, names: [...names].sort() });
  }
  let main: Set<string>;
  for (;;) {
    main = reach(
      inputs,
      [entry],
      (edge) => !(edge.kind === 'dynamic-import' && split.has(edge.original ?? '')),
    );
    const mainEdges = [...main].flatMap((path) => inputs[path]?.imports ?? []);
    let changed = false;
    for (const [specifier, { path: target }] of [...split]) {
      const apart = reach(inputs, [target], () => true);
      const shared = [...apart].some((path) => main.has(path));
      const otherwise = mainEdges.some(
        (edge) => within(edge, specifier) && !(edge.kind === 'dynamic-import' && edge.path === target),
      );
      if (shared || otherwise) {
        split.delete(specifier);
        changed = true;
      }
    }
    if (!changed) break;
  }
  // Only those the entry's side itself loads: the rest are inside a package already apart.
  const loaded = new Set(
    [...main].flatMap((path) =>
      (inputs[path]?.imports ?? []).filter((e) => e.kind === 'dynamic-import').map((e) => e.original),
    ),
  );
  return [...split]
    .filter(([specifier]) => loaded.has(specifier))
    .map(([specifier, { path, names }]) => ({
      specifier,
      file: resolve(cwd, path),
      output: `./${LAZY_DIR}/${specifier.replace(/^@/, '').replace('/', '+')}.mjs`,
      names,
    }));
}

/**
 * Writes, in `dir`, the module each lazy package is built from: a facade giving `import()` what Node
 * gives it (`default` is `module.exports`, plus the names Node finds, read once as Node reads them),
 * since esbuild's chunk of a CommonJS module exports only `default`. Returns the entry points of the
 * lazy build.
 */
export function lazyEntryPoints(
  packages: readonly LazyPackage[],
  dir: string,
): { in: string; out: string }[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return packages.map((lazy, index) => {
    const out = lazy.output.slice(`./${LAZY_DIR}/`.length, -'.mjs'.length);
    const { names } = lazy;
    const facade = join(dir, `facade-${index}.mjs`);
    // As Node reads them: own properties only, a getter that throws read as undefined.
    const values = names.map((name, i) => `e${i} = own(${JSON.stringify(name)})`);
    const exported = names.map((name, i) => `e${i} as ${JSON.stringify(name)}`);
    writeFileSync(
      facade,
      [
        `import m from ${JSON.stringify(lazy.file)};`,
        'const own = (name) => { try { return Object.hasOwn(m, name) ? m[name] : undefined; } catch { return undefined; } };',
        ...(values.length === 0 ? [] : [`const ${values.join(', ')};`, `export { ${exported.join(', ')} };`]),
        'export default m;',
        '',
      ].join('\n'),
    );
    return { in: facade, out };
  });
}
