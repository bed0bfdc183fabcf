import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { App } from '@lift/core';
import { type OpenApiDocument, openApiDocument, openApiJson } from '@lift/core/openapi';
import { stringify } from 'yaml';
import { applyDevEnvironment, legacyFolderNotice, loadDevIssuer, serveDevJwks } from './dev-issuer.js';
import { createBuildDir, removeBuildDir } from './paths.js';
import { isWorker, loadService, ServiceError } from './service.js';

/** Options of {@link generateOpenApi} (`lift openapi`). */
export interface OpenApiCommandOptions {
  /** The service's entry: a file exporting its `app` (and `handler`). */
  readonly entry: string;
  /** Write the document here instead of returning it only. */
  readonly out?: string;
  /** Default `json`. */
  readonly format?: 'json' | 'yaml';
  /** `info.title` (default the app's service name) and `info.version` (default `0.0.0`). */
  readonly title?: string;
  readonly version?: string;
  /** Server URLs, in order. */
  readonly servers?: readonly string[];
  /** Where warnings and progress go (default nowhere). */
  readonly log?: (line: string) => void;
}

/** The document as text: JSON as `openApiJson` writes it, or YAML without anchors (every node spelled out). */
export function formatOpenApi(document: OpenApiDocument, format: 'json' | 'yaml'): string {
  return format === 'yaml'
    ? stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 })
    : openApiJson(document);
}

/**
 * The OpenAPI document of the entry's app, as text. The entry is loaded as `lift dev` loads it (its
 * bundle, `LIFT_DEV=1` and the development issuer), so an entry that reads its configuration from the
 * environment loads here too. Each schema the document cannot state exactly is logged as a warning.
 */
export async function generateOpenApi(options: OpenApiCommandOptions): Promise<string> {
  const log = options.log ?? (() => {});
  const legacy = legacyFolderNotice(options.entry);
  if (legacy !== undefined) log(`note: ${legacy}`);
  const issuer = loadDevIssuer(options.entry);
  const jwks = await serveDevJwks(issuer);
  applyDevEnvironment(issuer, jwks.uri);
  const outDir = createBuildDir(options.entry);
  // Whatever the service prints while it loads goes to stderr: stdout carries the document only.
  const stdoutWrite = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let document: OpenApiDocument;
  try {
    const service = await loadService(options.entry, { outDir });
    if (service.app === undefined)
      throw new ServiceError(
        `${options.entry} exports no Lift app; export it next to the handler: export const app = createApp(...)`,
      );
    if (isWorker(service.app))
      throw new ServiceError(
        `${options.entry} exports a worker (createWorker), which serves no HTTP: it has no OpenAPI document`,
      );
    document = openApiDocument(service.app as unknown as App<object>, {
      info: {
        ...(options.title === undefined ? {} : { title: options.title }),
        ...(options.version === undefined ? {} : { version: options.version }),
      },
      ...(options.servers === undefined ? {} : { servers: options.servers }),
      onWarning: (w) => log(`warning: ${w.route} ${w.where}: ${w.message}`),
    });
  } finally {
    process.stdout.write = stdoutWrite;
    removeBuildDir(outDir);
    await jwks.close();
  }
  const text = formatOpenApi(document, options.format ?? 'json');
  if (options.out !== undefined) {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, text);
  }
  return text;
}
