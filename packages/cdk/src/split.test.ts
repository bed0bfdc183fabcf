/**
 * The packages a bundle loads only through `import()` go to files of their own, and what the code
 * sees does not change: the bundle answers exactly what Node answers running the same code
 * unbundled, and packages that would be bundled twice stay in `index.mjs`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntry } from './bundle.js';

const run = promisify(execFile);

// A project whose entry loads packages every way that matters: CommonJS (with a name no identifier
// can hold, and a `module.exports = require()` re-export), ESM, one also imported statically, one
// whose dependency the entry imports statically, and two sharing a dependency.
const FILES: Record<string, string> = {
  'package.json': '{"type":"module"}',
  'entry.mjs': `
import { Shared } from 'shared-dep';
import { Thing as StaticThing } from 'both';
export async function handler() {
  const cjs = await import('cjs-lib');
  const again = await import('cjs-lib');
  const reexport = await import('cjs-reexport');
  const esm = await import('esm-lib');
  const usesShared = await import('uses-shared');
  const both = await import('both');
  const a = await import('a-lazy');
  const b = await import('b-lazy');
  return {
    cjsKeys: Object.keys(cjs).sort(),
    greet: cjs.greet('x'),
    odd: cjs['odd-name'],
    defaultIsExports: cjs.default.greet === cjs.greet,
    sameModule: again.default === cjs.default,
    reexport: [reexport.value, Object.keys(reexport).sort()],
    esm: [esm.x, esm.default, Object.keys(esm).sort()],
    sharedIsOne: usesShared.make() instanceof Shared,
    bothIsOne: new both.Thing() instanceof StaticThing,
    commonIsOne: a.make() instanceof b.Common,
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
};

const ANSWER = `
const { handler } = await import(process.argv[1]);
process.stdout.write(JSON.stringify(await handler()));
`;

async function answer(module: string): Promise<unknown> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', ANSWER, module]);
  return JSON.parse(stdout);
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
    const split = bundleEntry(join(project, 'entry.mjs'));
    expect(await answer(join(split, 'index.mjs'))).toEqual(node);
    const oneFile = bundleEntry(join(project, 'entry.mjs'), { splitLazyPackages: false });
    expect(await answer(join(oneFile, 'index.mjs'))).toEqual(node);
  }, 60_000);

  it('puts apart only the packages no module of the entry shares', () => {
    const split = bundleEntry(join(project, 'entry.mjs'));
    const apart = readdirSync(join(split, 'lift-lazy')).filter(
      (f) => !f.startsWith('chunk-') && f.endsWith('.mjs'),
    );
    // uses-shared needs shared-dep, which the entry imports; both is imported statically too.
    expect(apart.sort()).toEqual([
      'a-lazy.mjs',
      'b-lazy.mjs',
      'cjs-lib.mjs',
      'cjs-reexport.mjs',
      'esm-lib.mjs',
    ]);
    const oneFile = bundleEntry(join(project, 'entry.mjs'), { splitLazyPackages: false });
    expect(readdirSync(oneFile)).not.toContain('lift-lazy');
  });
});
