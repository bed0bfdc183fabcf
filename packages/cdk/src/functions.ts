import type { EventBridgeManifest, RecordManifest, RouteManifest } from '@lift/core';
import type { ScheduleInfo } from '@lift/core/events';
import type { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { LiftUserPool } from './auth.js';
import type { DataAccess, LiftBucket, LiftTable } from './data.js';
import type { ServiceDeclarations } from './declarations.js';
import { LiftFunction, type MemoryPreset } from './function.js';
import type { StageSettings } from './stage.js';

/** What one function of a service serves and may touch. */
export interface FunctionPlan {
  /**
   * Routes it serves: a path prefix (`/batches` serves `/batches` and everything under it) or one
   * route (`GET /export.csv`). A route goes to the function with the longest matching entry.
   */
  readonly routes?: readonly string[];
  /** Schedules it runs, by name. */
  readonly schedules?: readonly string[];
  /** Record registrations it consumes: `sqs:reminders`, `s3:photos`, `dynamodb:kefir`... */
  readonly records?: readonly string[];
  /** EventBridge registrations it consumes, by source. */
  readonly eventBridge?: readonly string[];
  /** What it may do with each declared table and bucket, by declared name (default `readWrite`; `none` for nothing). */
  readonly access?: Readonly<Record<string, DataAccess | 'none'>>;
  /** Secrets it reads (a Secrets Manager `Secret`), each reaching it as `<NAME>_ARN`. */
  readonly secrets?: Readonly<Record<string, { readonly secretArn: string }>>;
  readonly memory?: MemoryPreset | number;
  readonly timeout?: Duration;
  readonly reservedConcurrency?: number;
}

/** Options of {@link LiftFunctions}. */
export interface LiftFunctionsProps {
  readonly service: ServiceDeclarations;
  readonly stage: StageSettings;
  /** The entry module that exports the handler and the declarations. */
  readonly entry: string;
  /** The functions by name (default one, `Handler`, serving everything: routes, if any, records, schedules). */
  readonly functions?: Readonly<Record<string, FunctionPlan>>;
  readonly tables?: readonly LiftTable[];
  readonly buckets?: readonly LiftBucket[];
  readonly userPools?: readonly LiftUserPool[];
  readonly runtime?: 'nodejs22.x' | 'nodejs24.x';
  readonly conditions?: readonly string[];
  /** Bundle apart the packages loaded only through `import()` (default false; see `BundleOptions`). */
  readonly splitLazyPackages?: boolean;
  /**
   * What these functions must serve between them (default both): `routes`, or `events` (records,
   * EventBridge patterns and schedules), when a service's functions are split over stacks.
   */
  readonly covers?: readonly ('routes' | 'events')[];
  /** More environment variables for every function. */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * Every name a plan uses must name something: a typo in `access` would otherwise leave the default
 * (read and write) in place, and a typo in `records` would leave a registration unwired.
 */
function checkPlans(plans: Readonly<Record<string, FunctionPlan>>, props: LiftFunctionsProps): void {
  const app = props.service.app;
  const tables = new Set((props.tables ?? []).map((t) => t.definition.name));
  const buckets = new Set((props.buckets ?? []).map((b) => b.definition.name));
  const records = new Set(app.records.map((r) => `${r.source}:${r.name}`));
  const schedules = new Set(app.schedules.map((s) => s.name));
  const rules = new Set(app.eventBridge.map((e) => e.source.join('|')));
  const problems: string[] = [];
  for (const [name, plan] of Object.entries(plans)) {
    for (const [resource, access] of Object.entries(plan.access ?? {})) {
      if (!tables.has(resource) && !buckets.has(resource))
        problems.push(`${name}.access names "${resource}", which is no declared table or bucket`);
      else if (access === 'readWithRateLimits' && !tables.has(resource))
        problems.push(`${name}.access: readWithRateLimits is for tables, and "${resource}" is a bucket`);
    }
    for (const r of plan.records ?? [])
      if (!records.has(r)) problems.push(`${name}.records names "${r}", which the app does not register`);
    for (const s of plan.schedules ?? [])
      if (!schedules.has(s)) problems.push(`${name}.schedules names "${s}", which the app does not declare`);
    for (const e of plan.eventBridge ?? [])
      if (!rules.has(e)) problems.push(`${name}.eventBridge names "${e}", which the app does not register`);
    for (const r of plan.routes ?? [])
      if (!app.routes.some((route) => routeMatch(r, route) >= 0))
        problems.push(`${name}.routes has "${r}", which matches no route of the app`);
  }
  if (problems.length > 0) throw new Error(`LiftFunctions: ${problems.join('; ')}`);
}

function routeMatch(entry: string, route: RouteManifest): number {
  const space = entry.indexOf(' ');
  if (space > 0) return entry === `${route.method} ${route.pattern}` ? Number.MAX_SAFE_INTEGER : -1;
  const prefix = entry.endsWith('/') ? entry.slice(0, -1) : entry;
  if (prefix === '') return 0;
  return route.pattern === prefix || route.pattern.startsWith(`${prefix}/`) ? prefix.length : -1;
}

/**
 * A service's functions: one bundle of its entry, split over the functions its plan names (or one),
 * each given the routes, records and schedules it serves, the environment its declarations name, and
 * a role granting only what its plan allows on the exact tables, indexes, keys and buckets. Every
 * route, record registration and schedule must land on exactly one function, or synthesis stops
 * naming what is left over.
 */
export class LiftFunctions extends Construct {
  readonly functions = new Map<string, LiftFunction>();
  readonly routes: { route: RouteManifest; fn: LiftFunction }[] = [];
  readonly records: { record: RecordManifest; fn: LiftFunction }[] = [];
  readonly eventBridge: { pattern: EventBridgeManifest; fn: LiftFunction }[] = [];
  readonly schedules: { schedule: ScheduleInfo; fn: LiftFunction }[] = [];

  constructor(scope: Construct, id: string, props: LiftFunctionsProps) {
    super(scope, id);
    const { service, stage } = props;
    const app = service.app;
    // One function serving everything: every route when the app has some (a worker has none).
    const plans = props.functions ?? { Handler: app.routes.length > 0 ? { routes: ['/'] } : {} };
    checkPlans(plans, props);
    const single = Object.keys(plans).length === 1;
    const environment: Record<string, string> = {};
    for (const t of props.tables ?? []) Object.assign(environment, t.environment);
    for (const b of props.buckets ?? []) Object.assign(environment, b.environment);
    for (const p of props.userPools ?? []) Object.assign(environment, p.environment);
    Object.assign(environment, props.environment);

    for (const [name, plan] of Object.entries(plans)) {
      const secrets = Object.fromEntries(
        Object.entries(plan.secrets ?? {}).map(([env, secret]) => [`${env}_ARN`, secret.secretArn]),
      );
      const fn = new LiftFunction(this, name, {
        service: app.service,
        stage,
        entry: props.entry,
        environment: { ...environment, ...secrets },
        ...(plan.memory === undefined ? {} : { memory: plan.memory }),
        ...(plan.timeout === undefined ? {} : { timeout: plan.timeout }),
        ...(plan.reservedConcurrency === undefined ? {} : { reservedConcurrency: plan.reservedConcurrency }),
        ...(props.runtime === undefined ? {} : { runtime: props.runtime }),
        ...(props.conditions === undefined ? {} : { conditions: props.conditions }),
        ...(props.splitLazyPackages === undefined ? {} : { splitLazyPackages: props.splitLazyPackages }),
        description: `${app.service} ${name}`,
      });
      for (const secret of Object.values(plan.secrets ?? {}))
        fn.allow(['secretsmanager:GetSecretValue'], [secret.secretArn]);
      for (const t of props.tables ?? []) {
        const access = plan.access?.[t.definition.name] ?? 'readWrite';
        if (access !== 'none') t.grant(fn, access);
      }
      for (const b of props.buckets ?? []) {
        const access = plan.access?.[b.definition.name] ?? 'readWrite';
        if (access !== 'none') b.grant(fn, access);
      }
      this.functions.set(name, fn);
    }

    const entries = Object.entries(plans).map(([name, plan]) => ({
      plan,
      fn: this.functions.get(name) as LiftFunction,
    }));
    const unserved: string[] = [];
    const covers = new Set(props.covers ?? ['routes', 'events']);
    for (const route of covers.has('routes') ? app.routes : []) {
      let best: LiftFunction | undefined;
      let score = -1;
      for (const { plan, fn } of entries)
        for (const entry of plan.routes ?? []) {
          const s = routeMatch(entry, route);
          if (s > score) {
            score = s;
            best = fn;
          }
        }
      if (best === undefined) unserved.push(`route ${route.method} ${route.pattern}`);
      else this.routes.push({ route, fn: best });
    }
    const pick = <T>(
      items: readonly T[],
      key: (item: T) => string,
      list: (p: FunctionPlan) => readonly string[] | undefined,
    ) =>
      items.flatMap((item) => {
        const found = entries.filter(({ plan }) => list(plan)?.includes(key(item)));
        if (found.length === 0 && single) return [{ item, fn: entries[0]?.fn as LiftFunction }];
        if (found.length !== 1) {
          unserved.push(`${key(item)} (${found.length === 0 ? 'no function' : 'several functions'})`);
          return [];
        }
        return [{ item, fn: (found[0] as { fn: LiftFunction }).fn }];
      });
    const events = covers.has('events');
    for (const { item, fn } of pick(
      events ? app.records : [],
      (r) => `${r.source}:${r.name}`,
      (p) => p.records,
    ))
      this.records.push({ record: item, fn });
    for (const { item, fn } of pick(
      events ? app.schedules : [],
      (s) => s.name,
      (p) => p.schedules,
    ))
      this.schedules.push({ schedule: item, fn });
    for (const { item, fn } of pick(
      events ? app.eventBridge : [],
      (e) => e.source.join('|'),
      (p) => p.eventBridge,
    ))
      this.eventBridge.push({ pattern: item, fn });
    // A rate-limited or idempotent route writes its state to a table: its function must be able to.
    const unwritable: string[] = [];
    for (const { route, fn } of this.routes) {
      if (route.rateLimited !== true && route.idempotent !== true) continue;
      const plan = entries.find((e) => e.fn === fn)?.plan;
      const access = (props.tables ?? []).map((t) => plan?.access?.[t.definition.name] ?? 'readWrite');
      const writes = access.some(
        (a) => a === 'readWrite' || (a === 'readWithRateLimits' && route.idempotent !== true),
      );
      if (!writes)
        unwritable.push(
          `route ${route.method} ${route.pattern} (${route.idempotent === true ? 'idempotent' : 'rate limited'}, but its function may write no table: give it readWrite${route.idempotent === true ? '' : ' or readWithRateLimits'})`,
        );
    }
    if (unwritable.length > 0) throw new Error(`LiftFunctions: ${unwritable.join('; ')}`);
    if (unserved.length > 0)
      throw new Error(
        `LiftFunctions: no single function serves ${unserved.join(', ')}; name each in one function's plan`,
      );
  }

  /** Every function, in plan order. */
  get all(): LiftFunction[] {
    return [...this.functions.values()];
  }
}
