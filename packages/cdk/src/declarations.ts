import { pathToFileURL } from 'node:url';
import type { AppManifest } from '@lift/core';
import { isUserPoolDefinition, localUserPoolIds } from '@lift/core/cognito';
import { isTableDefinition, type TableDefinition } from '@lift/core/dynamodb';
import { isBucketDefinition } from '@lift/core/s3';

// What the constructs need of `defineBucket`'s and `defineUserPool`'s results, spelled out here so the
// published types do not pull in @lift/core/s3's and /cognito's, which name the optional AWS SDK
// packages a deployment project need not install.
/** A bucket a service declares (`defineBucket` of `@lift/core/s3`). */
export interface DeclaredBucket {
  readonly name: string;
  readonly nameFromEnv?: string;
  readonly corsOrigins?: readonly string[];
}
/** A user pool a service declares (`defineUserPool` of `@lift/core/cognito`). */
export interface DeclaredUserPool {
  readonly name: string;
  readonly idFromEnv: string;
  readonly clientIdFromEnv: string;
}

/** What a service declares in code, read from its entry module: the app and its resources. */
export interface ServiceDeclarations {
  /** The app's routes, records, EventBridge patterns and schedules (`app.manifest()`). */
  readonly app: AppManifest;
  readonly tables: readonly TableDefinition[];
  readonly buckets: readonly DeclaredBucket[];
  readonly userPools: readonly DeclaredUserPool[];
}

interface AppLike {
  manifest(): AppManifest;
  readonly handler: unknown;
}

function isApp(value: unknown): value is AppLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { handler?: unknown }).handler === 'function' &&
    typeof (value as { manifest?: unknown }).manifest === 'function'
  );
}

function collect<T extends { readonly name: string }>(
  module: Record<string, unknown>,
  is: (value: unknown) => value is T,
): T[] {
  const found = new Map<string, T>();
  for (const value of Object.values(module))
    for (const candidate of Array.isArray(value) ? value : [value])
      if (is(candidate)) found.set(candidate.name, candidate);
  return [...found.values()];
}

/**
 * Reads a service's declarations from its entry module, as `lift dev` does: the `app` export (or the
 * first export that is a Lift app) and every table, bucket and user pool exported (also in arrays).
 * Importing the entry runs its top-level code, so it must not call AWS at import.
 */
export function serviceDeclarations(module: Record<string, unknown>): ServiceDeclarations {
  const app = isApp(module.app) ? module.app : Object.values(module).find(isApp);
  if (app === undefined)
    throw new Error(
      'serviceDeclarations: the entry exports no Lift app; export it next to the handler (export const app = createApp(...))',
    );
  return {
    app: app.manifest(),
    tables: collect(module, isTableDefinition),
    buckets: collect(module, isBucketDefinition),
    userPools: collect(module, isUserPoolDefinition),
  };
}

/** Options of {@link loadService}. */
export interface LoadServiceOptions {
  /** More variables the entry reads at import, set only while it loads (a secret's placeholder). */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * Imports a service's entry the way a deployed function loads it, and reads its declarations. A
 * deployed entry may read its resources' environment variables at import (a user pool's id for its
 * token issuer, say); during synthesis there are none yet, so each variable the declarations in
 * `resources` name (`TABLE_NAME`, `BUCKET_NAME`, `USER_POOL_ID`, ...) that is unset holds a
 * placeholder while the entry loads, and is unset again after. The placeholders never reach a template:
 * the stacks set the real values from the resources they create.
 */
export async function loadService(
  entry: string,
  resources: Record<string, unknown>,
  options: LoadServiceOptions = {},
): Promise<ServiceDeclarations> {
  const placeholders: Record<string, string> = { ...options.environment };
  for (const t of collect(resources, isTableDefinition))
    if (t.nameFromEnv !== undefined) placeholders[t.nameFromEnv] = t.name;
  for (const b of collect(resources, isBucketDefinition))
    if (b.nameFromEnv !== undefined) placeholders[b.nameFromEnv] = b.name;
  for (const p of collect(resources, isUserPoolDefinition)) {
    const ids = localUserPoolIds(p.name);
    placeholders[p.idFromEnv] = ids.poolId;
    placeholders[p.clientIdFromEnv] = ids.clientId;
  }
  const set = Object.keys(placeholders).filter((name) => process.env[name] === undefined);
  for (const name of set) process.env[name] = placeholders[name];
  try {
    let module: Record<string, unknown>;
    try {
      module = (await import(entry.startsWith('file:') ? entry : pathToFileURL(entry).href)) as Record<
        string,
        unknown
      >;
    } catch (error) {
      throw new Error(
        `loadService: importing ${entry} failed: ${(error as Error).message}. An entry is imported at synthesis as a deployed function loads it: it must not call AWS at import (read secrets on first use), and a variable it reads at import needs a placeholder in loadService's environment option`,
        { cause: error },
      );
    }
    return serviceDeclarations(module);
  } finally {
    for (const name of set) delete process.env[name];
  }
}
