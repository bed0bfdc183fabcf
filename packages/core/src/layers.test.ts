/**
 * Keeps docs/architecture.md true to the code: every folder of this package is in its layer table,
 * and every import (type-only ones included) goes to the same folder or a lower layer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('.', import.meta.url).pathname;
const DOC = readFileSync(new URL('../../../docs/architecture.md', import.meta.url), 'utf8');

// Rows like "| 3 | `body` | ..." and "| — | `test-support` | ...".
function layers(): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of DOC.split('\n')) {
    const match = /^\| (\d+|—) \| ([^|]+) \|/.exec(line);
    if (match === null) continue;
    const level = match[1] === '—' ? Number.POSITIVE_INFINITY : Number(match[1]);
    for (const folder of (match[2] as string).matchAll(/`([^`]+)`/g)) out.set(folder[1] as string, level);
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0] as string;

describe('layers', () => {
  const table = layers();
  const folders = readdirSync(SRC, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);

  it('docs/architecture.md places every folder of packages/core/src', () => {
    expect(folders.filter((f) => !table.has(f))).toEqual([]);
    expect([...table.keys()].filter((f) => !folders.includes(f))).toEqual([]);
  });

  it('every import goes to the same folder or a lower layer', () => {
    const upward: string[] = [];
    for (const file of sources(SRC)) {
      const from = folderOf(file);
      if (!table.has(from)) continue; // the package's entry point (index.ts) sits above every layer
      for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const to = folderOf(join(dirname(file), target as string));
        if (to === from) continue;
        const mine = table.get(from) as number;
        const theirs = table.get(to);
        if (theirs === undefined || theirs >= mine) upward.push(`${relative(SRC, file)} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
