import type { RouteAuth } from '../app/access.js';
import type { Group } from '../app/app.js';
import type { Context, RequestInput } from '../context/context.js';
import type { TableDefinition } from '../dynamodb/table.js';
import { ConfigurationError } from '../errors/errors.js';
import { isInstance } from '../errors/instance.js';
import { safeRead } from '../errors/report.js';
import { instrumentAwsClient } from '../otel/otel.js';
import { lazyPeer } from '../peer/peer.js';

const dynamodbSdk = lazyPeer(
  '@aws-sdk/client-dynamodb',
  () => import('@aws-sdk/client-dynamodb'),
  'dynamoTableCheck',
);

// A failed check's error, by name only (a message may carry internals), never reading what throws.
function errorName(error: unknown): string {
  const name = isInstance(error, Error) ? safeRead(() => error.name) : undefined;
  return typeof name === 'string' ? name : 'Error';
}

/** One dependency check; it receives a signal that aborts at its timeout. */
export interface HealthCheck {
  readonly name: string;
  readonly check: (signal: AbortSignal) => Promise<unknown> | unknown;
  /** Overrides the default per-check timeout. */
  readonly timeoutMs?: number;
}

/** The outcome of one check. */
export interface CheckResult {
  readonly status: 'ok' | 'fail' | 'timeout';
  readonly durationMs: number;
  readonly error?: string;
}

/** Options of {@link registerHealth}. */
export interface HealthOptions {
  readonly checks: readonly HealthCheck[];
  readonly livePath?: string;
  readonly readyPath?: string;
  /** Per-check timeout (default 2 s). */
  readonly timeoutMs?: number;
  /** How long a readiness result is reused (default 5 s), so probes cannot hammer dependencies. */
  readonly cacheMs?: number;
  /** Who sees per-check details (default nobody: the body says only ok or fail). */
  readonly showDetails?: (ctx: Context<RequestInput, object>) => boolean;
  /** The routes' `auth` declaration, for apps with access control (usually `'public'`). */
  readonly auth?: RouteAuth;
  readonly now?: () => number;
}

async function run(check: HealthCheck, timeoutMs: number, now: () => number): Promise<CheckResult> {
  const started = now();
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('timeout'));
      resolve('timeout');
    }, check.timeoutMs ?? timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      Promise.resolve()
        .then(() => check.check(controller.signal))
        .then(() => 'ok' as const),
      timedOut,
    ]);
    return { status: outcome, durationMs: now() - started };
  } catch (error) {
    return {
      status: 'fail',
      durationMs: now() - started,
      error: errorName(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Adds `/health/live` (the process answers) and `/health/ready` (every dependency check passes) to
 * an app. Checks run in parallel, each bounded by its timeout, so one slow dependency delays nothing
 * else; the readiness result is cached for a few seconds. Ready is 200 or 503; per-check details
 * (status, duration, error name, never messages) only for callers `showDetails` allows.
 */
export function registerHealth(app: Group<object>, options: HealthOptions): void {
  const names = new Set<string>();
  for (const c of options.checks ?? []) {
    if (typeof c?.name !== 'string' || typeof c.check !== 'function' || names.has(c.name)) {
      throw new ConfigurationError('registerHealth: every check needs a unique name and a check function');
    }
    names.add(c.name);
  }
  const timeoutMs = options.timeoutMs ?? 2_000;
  const cacheMs = options.cacheMs ?? 5_000;
  const now = options.now ?? Date.now;
  const showDetails = options.showDetails ?? (() => false);
  const routeOptions = options.auth === undefined ? {} : { auth: options.auth };
  let cached: { at: number; results: Record<string, CheckResult> } | undefined;
  let running: Promise<Record<string, CheckResult>> | undefined;

  const readiness = async (): Promise<Record<string, CheckResult>> => {
    if (cached !== undefined && now() - cached.at < cacheMs) return cached.results;
    running ??= Promise.all(options.checks.map(async (c) => [c.name, await run(c, timeoutMs, now)] as const))
      .then((entries) => {
        const results = Object.fromEntries(entries);
        cached = { at: now(), results };
        return results;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  app.get(options.livePath ?? '/health/live', routeOptions, () => ({ status: 'ok' }));
  app.get(options.readyPath ?? '/health/ready', routeOptions, async (ctx) => {
    const results = await readiness();
    const ok = Object.values(results).every((r) => r.status === 'ok');
    ctx.header('cache-control', 'no-store');
    const body = showDetails(ctx)
      ? { status: ok ? 'ok' : 'fail', checks: results }
      : { status: ok ? 'ok' : 'fail' };
    return ctx.json(ok ? 200 : 503, body);
  });
}

/** Checks that a declared DynamoDB table exists and is active (DescribeTable; the SDK is imported lazily). */
export function dynamoTableCheck(
  table: TableDefinition,
  options: { readonly client?: import('@aws-sdk/client-dynamodb').DynamoDBClient } = {},
): HealthCheck {
  let client: Promise<import('@aws-sdk/client-dynamodb').DynamoDBClient> | undefined;
  return {
    name: `dynamodb:${table.name}`,
    async check(signal) {
      const sdk = await dynamodbSdk();
      client ??= Promise.resolve(options.client ?? instrumentAwsClient(new sdk.DynamoDBClient({})));
      const { Table } = await (await client).send(
        new sdk.DescribeTableCommand({ TableName: table.tableName() }),
        { abortSignal: signal },
      );
      if (Table?.TableStatus !== 'ACTIVE' && Table?.TableStatus !== 'UPDATING')
        throw new Error(`table is ${Table?.TableStatus}`);
    },
  };
}

/** Checks that an HTTP dependency answers with a 2xx status. */
export function httpCheck(name: string, url: string): HealthCheck {
  return {
    name,
    async check(signal) {
      const res = await fetch(url, { signal });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`answered ${res.status}`);
    },
  };
}

/** Checks that a secret can be resolved (the value itself is never reported). */
export function secretCheck(secrets: { get(name: string): Promise<string> }, name: string): HealthCheck {
  return { name: `secret:${name}`, check: () => secrets.get(name) };
}
