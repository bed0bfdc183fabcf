/**
 * Every ```ts block in README.md and docs/*.md is written to docs/.samples/ as its own module and
 * type-checked with the repository's compiler settings, so a sample that stops compiling fails `npm test`.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const samplesDir = `${root}docs/.samples/`;

function samples(): { file: string; index: number; code: string }[] {
  const docs = readdirSync(`${root}docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs].flatMap((file) => {
    const text = readFileSync(`${root}${file}`, 'utf8');
    return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m, index) => ({
      file,
      index,
      code: m[1] as string,
    }));
  });
}

describe('documentation samples', () => {
  it('every TypeScript sample in README.md and docs/ compiles', () => {
    const found = samples();
    expect(found.length).toBeGreaterThan(15);
    rmSync(samplesDir, { recursive: true, force: true });
    mkdirSync(samplesDir, { recursive: true });
    const paths = found.map(({ file, index, code }) => {
      const path = `${samplesDir}${file.replace(/[/.]/g, '_')}_${index}.ts`;
      writeFileSync(path, `${code}\nexport {};\n`);
      return path;
    });
    const config = ts.readConfigFile(`${root}tsconfig.base.json`, ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const program = ts.createProgram(paths, { ...options, noEmit: true, noUnusedLocals: false });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(samplesDir))
      .map((d) => {
        const where = d.file
          ? `${d.file.fileName.slice(samplesDir.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
          : '';
        return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);

  it('imports zod as a namespace, as biome requires of the code', () => {
    // `import { z } from 'zod'` (or its default) carries all of zod's languages into a reader's bundle
    // (docs/handlers.md).
    const named = samples()
      .filter(({ code }) =>
        /import\s+(type\s+)?(\{[^}]*\bz\b[^}]*\}|z)\s+from\s+['"]zod(\/v4)?['"]/.test(code),
      )
      .map(({ file, index }) => `${file} #${index}`);
    expect(named).toEqual([]);
  });
});
