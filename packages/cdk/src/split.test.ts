/**
 * The packages a bundle loads only through `import()` go to files of their own, and what the code
 * sees does not change: the bundle answers exactly what Node answers running the same code
 * unbundled, and packages that would be bundled twice stay in `index.mjs`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry } from './bundle.js';

const run = promisify(execFile);

// A project whose entry loads packages every way that matters: CommonJS (with a name no identifier
// can hold, and a `module.exports = require()` re-export), ESM (one re-exporting a CommonJS module's
// names), one also imported statically, one also imported by a subpath, one whose dependency the
// entry imports statically, one loading another by `import()`, and two sharing a dependency.
const FILES: Record<string, string> = {
  'package.json': '{"type":"module"}',
  'entry.mjs': `
import { Shared } from 'shared-dep';
import { Thing as StaticThing } from 'both';
import { extra } from 'sub-pkg/extra.js';
import { helper } from './lift-lazy/helper.js';
const read = (get) => { try { return get(); } catch { return 'threw'; } };
export async function handler() {
  const cjs = await import('cjs-lib');
  const again = await import('cjs-lib');
  const reexport = await import('cjs-reexport');
  const esm = await import('esm-lib');
  const usesShared = await import('uses-shared');
  const both = await import('both');
  const a = await import('a-lazy');
  const b = await import('b-lazy');
  const star = await import('star-esm');
  const sub = await import('sub-pkg');
  const outer = await import('nested-outer');
  const inner = await outer.load();
  const getter = await import('lazy-getter');
  const flagged = await import('es-flagged');
  const wrapper = await import('wrapper');
  return {
    // Node 23 and later also name a CommonJS module's 'module.exports'; the bundles do not.
    cjsKeys: Object.keys(cjs).filter((k) => k !== 'module.exports').sort(),
    greet: cjs.greet('x'),
    odd: cjs['odd-name'],
    defaultIsExports: cjs.default.greet === cjs.greet,
    sameModule: again.default === cjs.default,
    reexport: [reexport.value, Object.keys(reexport).sort()],
    esm: [esm.x, esm.default, Object.keys(esm).sort()],
    sharedIsOne: usesShared.make() instanceof Shared,
    bothIsOne: new both.Thing() instanceof StaticThing,
    commonIsOne: a.make() instanceof b.Common,
    star: Object.keys(star).sort(),
    sub: [sub.main, extra],
    nested: [inner.f?.(), Object.keys(inner).filter((k) => k !== 'module.exports').sort()],
    getter: [getter.ok, read(() => getter.optionalThing), typeof getter.hasOwnProperty],
    flagged: typeof flagged.default,
    conditions: [wrapper.a, wrapper.b],
    helper: helper(),
    order: globalThis.order,
  };
}
`,
  'node_modules/cjs-lib/package.json': '{"name":"cjs-lib","main":"index.js"}',
  'node_modules/cjs-lib/index.js':
    "(globalThis.order ??= []).push('cjs-lib');\nexports.greet = (n) => 'hi ' + n;\nexports['odd-name'] = 1;\n",
  'node_modules/cjs-reexport/package.json': '{"name":"cjs-reexport","main":"index.js"}',
  'node_modules/cjs-reexport/index.js': "module.exports = require('./impl.js');\n",
  'node_modules/cjs-reexport/impl.js': 'exports.value = 42;\n',
  'node_modules/esm-lib/package.json': '{"name":"esm-lib","type":"module","main":"index.js"}',
  'node_modules/esm-lib/index.js':
    "(globalThis.order ??= []).push('esm-lib');\nexport const x = 1;\nexport default 'd';\n",
  'node_modules/shared-dep/package.json': '{"name":"shared-dep","main":"index.js"}',
  'node_modules/shared-dep/index.js': 'exports.Shared = class Shared {};\n',
  'node_modules/uses-shared/package.json': '{"name":"uses-shared","main":"index.js"}',
  'node_modules/uses-shared/index.js':
    "const { Shared } = require('shared-dep');\nexports.make = () => new Shared();\n",
  'node_modules/both/package.json': '{"name":"both","main":"index.js"}',
  'node_modules/both/index.js': 'exports.Thing = class Thing {};\n',
  'node_modules/common/package.json': '{"name":"common","main":"index.js"}',
  'node_modules/common/index.js': 'exports.Common = class Common {};\n',
  'node_modules/a-lazy/package.json': '{"name":"a-lazy","main":"index.js"}',
  'node_modules/a-lazy/index.js':
    "const { Common } = require('common');\nexports.make = () => new Common();\n",
  'node_modules/b-lazy/package.json': '{"name":"b-lazy","main":"index.js"}',
  'node_modules/b-lazy/index.js': "exports.Common = require('common').Common;\n",
  'node_modules/star-esm/package.json': '{"name":"star-esm","type":"module","main":"index.js"}',
  'node_modules/star-esm/index.js': "export * from 'star-cjs';\nexport const own = 1;\n",
  'node_modules/star-cjs/package.json': '{"name":"star-cjs","main":"index.js"}',
  'node_modules/star-cjs/index.js': 'exports.f = 1;\n',
  'node_modules/sub-pkg/package.json': '{"name":"sub-pkg","main":"index.js"}',
  'node_modules/sub-pkg/index.js': "exports.main = 'main';\n",
  'node_modules/sub-pkg/extra.js': "exports.extra = 'extra';\n",
  'node_modules/nested-outer/package.json': '{"name":"nested-outer","main":"index.js"}',
  'node_modules/nested-outer/index.js': "exports.load = () => import('nested-inner');\n",
  'node_modules/nested-inner/package.json': '{"name":"nested-inner","main":"index.js"}',
  'node_modules/nested-inner/index.js': "exports.f = () => 'inner';\n",
  'lift-lazy/helper.js': "export const helper = () => 'mine';\n",
  // A getter that throws, and a name the lexer finds that the module never sets (Node gives neither).
  'node_modules/lazy-getter/package.json': '{"name":"lazy-getter","main":"index.js"}',
  'node_modules/lazy-getter/index.js': [
    'var missing;',
    // The form TypeScript emits for a re-export, which the lexer reads.
    "Object.defineProperty(exports, 'optionalThing', { enumerable: true, get: function () { return missing.thing; } });",
    'if (false) exports.hasOwnProperty = 1;',
    'exports.ok = 1;',
    '',
  ].join('\n'),
  'node_modules/es-flagged/package.json': '{"name":"es-flagged","main":"index.js"}',
  'node_modules/es-flagged/index.js':
    "Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = () => 'made';\n",
  // A re-export whose file the build's condition chooses.
  'node_modules/wrapper/package.json': '{"name":"wrapper","main":"index.js"}',
  'node_modules/wrapper/index.js': "module.exports = require('cond-dep');\n",
  'node_modules/cond-dep/package.json':
    '{"name":"cond-dep","exports":{"my-src":"./src.cjs","default":"./dist.cjs"}}',
  'node_modules/cond-dep/src.cjs': "exports.a = 'src-a';\nexports.b = 'src-b';\n",
  'node_modules/cond-dep/dist.cjs': "exports.a = 'dist-a';\n",
};

const ANSWER = `
const { handler } = await import(process.argv[1]);
process.stdout.write(JSON.stringify(await handler()));
`;

// The condition the project's sources are found by, as a monorepo's are.
const SOURCE = { conditions: ['my-src'] };

async function answer(module: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [
    '--conditions=my-src',
    '--input-type=module',
    '-e',
    ANSWER,
    module,
  ]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('packages loaded only by import(), bundled apart', () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'lift-split-'));
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(project, path)), { recursive: true });
      writeFileSync(join(project, path), text);
    }
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('answers what Node answers running the code unbundled', async () => {
    const node = await answer(join(project, 'entry.mjs'));
    expect(node).toMatchObject({
      cjsKeys: ['default', 'greet', 'odd-name'],
      sharedIsOne: true,
      bothIsOne: true,
      commonIsOne: true,
    });
    const split = bundleEntry(join(project, 'entry.mjs'), { ...SOURCE, splitLazyPackages: true });
    expect(await answer(join(split, 'index.mjs'))).toEqual(node);
    const oneFile = bundleEntry(join(project, 'entry.mjs'), SOURCE);
    // Except that esbuild's namespace of a CommonJS module runs a getter at each read, where Node's
    // read it once at import (and a getter that threw there gives undefined), and inherits
    // Object.prototype's names.
    expect(await answer(join(oneFile, 'index.mjs'))).toEqual({ ...node, getter: [1, 'threw', 'function'] });
  }, 60_000);

  it('puts apart only the packages no module of the entry shares', () => {
    const split = bundleEntry(join(project, 'entry.mjs'), { ...SOURCE, splitLazyPackages: true });
    const apart = readdirSync(join(split, 'lift-lazy')).filter(
      (f) => !f.startsWith('chunk-') && f.endsWith('.mjs'),
    );
    // uses-shared needs shared-dep, which the entry imports; both and sub-pkg are imported statically
    // too; esm-lib and star-esm are ES modules; nested-outer loads another package by import(), so it
    // stays, and the package it loads too, since a CommonJS importer gets esbuild's `default` of a
    // module marked __esModule, not Node's (es-flagged is marked, and goes: the entry is Node's ESM).
    expect(apart.sort()).toEqual([
      'a-lazy.mjs',
      'b-lazy.mjs',
      'cjs-lib.mjs',
      'cjs-reexport.mjs',
      'es-flagged.mjs',
      'lazy-getter.mjs',
      'wrapper.mjs',
    ]);
    const oneFile = bundleEntry(join(project, 'entry.mjs'), SOURCE);
    expect(readdirSync(oneFile)).not.toContain('lift-lazy');
  });

  it('builds the same bytes wherever the project is, so the asset hash does not move', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'lift-split-elsewhere-'));
    try {
      for (const [path, text] of Object.entries(FILES)) {
        mkdirSync(dirname(join(elsewhere, path)), { recursive: true });
        writeFileSync(join(elsewhere, path), text);
      }
      const here = bundleEntry(join(project, 'entry.mjs'), { ...SOURCE, splitLazyPackages: true });
      const there = bundleEntry(join(elsewhere, 'entry.mjs'), { ...SOURCE, splitLazyPackages: true });
      expect(there.slice(elsewhere.length)).toBe(here.slice(project.length));
      const files = (dir: string) =>
        readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((f) => f.isFile())
          .map((f) => join(f.parentPath, f.name).slice(dir.length))
          .sort();
      expect(files(there)).toEqual(files(here));
      for (const file of files(here))
        expect(readFileSync(join(there, file)).equals(readFileSync(join(here, file))), file).toBe(true);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
