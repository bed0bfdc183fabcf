/**
 * The public surface of every published package, one snapshot per entry point of its package.json
 * `exports`: every exported name with whether it is a value, a type or both. A change to what users
 * can import shows in review as a change to packages/<name>/api/*.api.txt (`npx vitest run -u`
 * rewrites them on purpose).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every published package of the repository, each with its own snapshots in <package>/api/.
const packages = ['core', 'cli', 'cdk'].map((name) => {
  const root = new URL(`../../${name}/`, import.meta.url);
  const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
    name: string;
    exports: Record<string, string | { '@lift/source'?: string }>;
  };
  return { root, manifest };
});
const entries = packages.flatMap(({ root, manifest }) =>
  Object.entries(manifest.exports).flatMap(([subpath, target]) =>
    typeof target === 'object' && target['@lift/source'] !== undefined
      ? [
          {
            name: `${manifest.name}${subpath === '.' ? '' : subpath.slice(1)}`,
            snapshot: fileURLToPath(
              new URL(
                `api/${subpath === '.' ? 'index' : subpath.slice(2).replaceAll('/', '-')}.api.txt`,
                root,
              ),
            ),
            file: fileURLToPath(new URL(target['@lift/source'], root)),
          },
        ]
      : [],
  ),
);
const program = ts.createProgram(
  entries.map((e) => e.file),
  {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2023,
    customConditions: ['@lift/source'],
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  },
);
const checker = program.getTypeChecker();

function surface(file: string): string {
  const source = program.getSourceFile(file);
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (module === undefined) throw new Error(`no module symbol for ${file}`);
  return checker
    .getExportsOfModule(module)
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const value = (target.flags & ts.SymbolFlags.Value) !== 0;
      const type = (target.flags & ts.SymbolFlags.Type) !== 0;
      return `${symbol.name}: ${value && type ? 'value and type' : value ? 'value' : 'type'}`;
    })
    .sort()
    .join('\n');
}

describe('public API', () => {
  for (const { name, snapshot, file } of entries) {
    it(`${name} exports what its snapshot lists`, async () => {
      await expect(`${surface(file)}\n`).toMatchFileSnapshot(snapshot);
    });
  }
});
