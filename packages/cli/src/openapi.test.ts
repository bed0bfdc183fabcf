/**
 * `lift openapi`: the command line, and the documents of every example, each loaded through the real
 * loader (the esbuild bundle `lift dev` runs) and checked by an OpenAPI 3.1 validator.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { helpText, parseCommandLine, UsageError } from './args.js';
import { fixture, lift } from './fixtures/harness.js';
import { generateOpenApi } from './openapi.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const entries = readdirSync(examples).map(
  (name) => [name, join(examples, name, 'src', 'handler.ts')] as const,
);
const scratch = mkdtempSync(join(tmpdir(), 'lift-openapi-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('lift openapi arguments', () => {
  it('reads the entry, output, format, info and servers', () => {
    expect(
      parseCommandLine([
        'openapi',
        'src/handler.ts',
        '--out',
        'api.yaml',
        '--format',
        'yaml',
        '--title',
        'Orders',
        '--version',
        '2.0.0',
        '--server',
        'https://a.example.com',
        '--server',
        '/v1',
      ]),
    ).toEqual({
      kind: 'openapi',
      options: {
        entry: 'src/handler.ts',
        out: 'api.yaml',
        format: 'yaml',
        title: 'Orders',
        version: '2.0.0',
        servers: ['https://a.example.com', '/v1'],
      },
    });
    expect(parseCommandLine(['openapi', 'x.ts'])).toEqual({
      kind: 'openapi',
      options: { entry: 'x.ts', format: 'json' },
    });
    expect(helpText('openapi')).toContain('--format json|yaml');
    // `--format` keeps its meaning for lift dev.
    expect(helpText('dev')).toContain('--format http|rest');
  });

  it('refuses a bad format or server in one line', () => {
    const message = (argv: string[]) => {
      try {
        parseCommandLine(argv);
      } catch (error) {
        if (error instanceof UsageError) return error.message;
      }
      return undefined;
    };
    expect(message(['openapi', 'x.ts', '--format', 'xml'])).toBe(
      '--format must be one of json, yaml, got "xml"',
    );
    expect(message(['openapi', 'x.ts', '--server', 'ftp://x'])).toBe(
      '--server must be an http(s) URL or a path, got "ftp://x"',
    );
    expect(message(['openapi', 'x.ts', '--port', '1'])).toMatch(
      /^unknown option --port \(it belongs to lift dev\)/,
    );
  });
});

describe('the documents of the examples', () => {
  for (const [name, entry] of entries) {
    it(`${name}: valid OpenAPI 3.1, JSON and YAML alike`, async () => {
      const warnings: string[] = [];
      const json = await generateOpenApi({ entry, log: (line) => warnings.push(line) });
      const document = JSON.parse(json) as { openapi: string; info: { title: string }; paths: object };
      expect(document.openapi).toBe('3.1.1');
      expect(document.info.title).toBe(name === 'signed-requests' ? 'billing' : name);
      expect(Object.keys(document.paths).length).toBeGreaterThan(0);
      const result = await new Validator().validate(document);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      const yaml = await generateOpenApi({ entry, format: 'yaml', log: () => {} });
      expect(parse(yaml)).toEqual(document);
      // Same service, same bytes.
      expect(await generateOpenApi({ entry, log: () => {} })).toBe(json);
      expect(warnings.filter((w) => w.startsWith('warning:'))).toEqual([]);
    }, 60_000);
  }
});

describe('the lift binary', () => {
  it('writes the document to --out, with info and servers from the flags', async () => {
    const out = join(scratch, 'nested', 'openapi.json');
    const result = await lift([
      'openapi',
      entries.find(([name]) => name === 'crud-api')?.[1] as string,
      '--out',
      out,
      '--title',
      'Items',
      '--server',
      'https://api.example.com',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`lift openapi: wrote ${out}\n`);
    const document = JSON.parse(readFileSync(out, 'utf8')) as { info: object; servers: object };
    expect(document.info).toEqual({ title: 'Items', version: '0.0.0' });
    expect(document.servers).toEqual([{ url: 'https://api.example.com' }]);
  }, 60_000);

  it('prints only the document on stdout, and says so when the entry exports no app', async () => {
    const printed = await lift(['openapi', entries.find(([name]) => name === 'hello-world')?.[1] as string]);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout)).toMatchObject({ openapi: '3.1.1', paths: { '/': {} } });
    const noApp = await lift(['openapi', fixture('echo.ts')]);
    expect(noApp.code).toBe(1);
    expect(noApp.stderr).toMatch(/^lift openapi: .*echo\.ts exports no Lift app/);
    const worker = await lift(['openapi', fixture('records-only.ts')]);
    expect(worker.code).toBe(1);
    expect(worker.stderr).toMatch(/records-only\.ts exports a worker \(createWorker\), which serves no HTTP/);
  }, 60_000);
});
