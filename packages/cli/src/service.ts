import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTableDefinition, type TableDefinition } from '@lift/core/dynamodb';
import { build } from 'esbuild';

/** A Lambda-style handler. */
export type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** A loaded service: its handler and the tables it declares. */
export interface LoadedService {
  readonly handler: LambdaHandler;
  readonly tables: readonly TableDefinition[];
}

/** A mistake in the service itself (missing file, no handler export, does not build). */
export class ServiceError extends Error {
  /** @param message what to fix */
  constructor(message: string) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** Where the dev bundles of an entry go. */
export function bundleDir(entry: string): string {
  return join(dirname(resolve(entry)), '.lift');
}

function collectTables(module: Record<string, unknown>): TableDefinition[] {
  const found = new Map<string, TableDefinition>();
  for (const value of Object.values(module)) {
    for (const candidate of Array.isArray(value) ? value : [value]) {
      if (isTableDefinition(candidate)) found.set(candidate.name, candidate);
    }
  }
  return [...found.values()];
}

let generation = 0;

/**
 * Bundles the entry with esbuild, as a deploy would (the AWS SDK left to node_modules), and imports
 * the bundle. Each load is a new file, so a reload gets the new code of every module the entry uses.
 * Tables are the exported table definitions (or arrays of them).
 */
export async function loadService(entry: string): Promise<LoadedService> {
  const file = resolve(entry);
  if (!existsSync(file)) throw new ServiceError(`Entry not found: ${entry}`);
  const outDir = bundleDir(file);
  mkdirSync(outDir, { recursive: true });
  generation += 1;
  const outfile = join(
    outDir,
    `${basename(file).replace(/\.[cm]?[jt]sx?$/, '')}.${process.pid}.${generation}.mjs`,
  );
  try {
    await build({
      entryPoints: [file],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: ['@lift/source'],
      external: ['@aws-sdk/*', '@smithy/*', 'dynalite'],
      sourcemap: 'inline',
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
  const module = (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
  if (typeof module.handler !== 'function') {
    throw new ServiceError(
      `${entry} has no "handler" export; export the Lambda entry point: export const handler = app.handler`,
    );
  }
  return { handler: module.handler as LambdaHandler, tables: collectTables(module) };
}
