import { Stack, Tags, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { type GatewayAuthorizer, LiftHttpApi, type LiftHttpApiProps } from './api.js';
import { LiftUserPool } from './auth.js';
import { LiftBucket, LiftTable } from './data.js';
import type { ServiceDeclarations } from './declarations.js';
import { LiftEvents } from './events.js';
import { type FunctionPlan, LiftFunctions } from './functions.js';
import { addGuardRails } from './guards.js';
import { LiftMonitoring } from './monitoring.js';
import type { StageSettings } from './stage.js';

/** Options of {@link LiftService}. */
export interface LiftServiceProps {
  readonly service: ServiceDeclarations;
  readonly stage: StageSettings;
  /** The entry module exporting the handler and the declarations. */
  readonly entry: string;
  /** How routes, records and schedules split over functions (default one function). */
  readonly functions?: Readonly<Record<string, FunctionPlan>>;
  /** The gateway's authorizer when the service declares no user pool but protects routes. */
  readonly authorizer?: GatewayAuthorizer;
  /** Why every route may be open, for an app with no access control (see {@link LiftHttpApiProps}). */
  readonly allowOpenRoutes?: string;
  /** More environment variables for every function (an issuer URL the entry reads, say). */
  readonly environment?: Readonly<Record<string, string>>;
  /** A folder of Logs Insights `.query` files to save (Lift's `ops/logs-insights`). */
  readonly queries?: string;
  readonly runtime?: 'nodejs22.x' | 'nodejs24.x';
  readonly conditions?: readonly string[];
  /** Bundle apart the packages loaded only through `import()` (default false; see `BundleOptions`). */
  readonly splitLazyPackages?: boolean;
}

/**
 * A whole Lift service in one stack, from its declarations: tables, buckets and user pools; its
 * functions; an HTTP API when it has routes; queues, topics, notifications, rules, streams and
 * schedules; alarms, a dashboard and saved queries; the guard rails; cost tags on every resource.
 */
export class LiftService extends Construct {
  readonly tables: LiftTable[];
  readonly buckets: LiftBucket[];
  readonly userPools: LiftUserPool[];
  readonly functions: LiftFunctions;
  readonly api: LiftHttpApi | undefined;
  readonly events: LiftEvents;
  readonly monitoring: LiftMonitoring;

  constructor(scope: Construct, id: string, props: LiftServiceProps) {
    super(scope, id);
    const { service, stage } = props;
    const name = service.app.service;
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region) || region !== stage.region)
      throw new Error(
        `LiftService ${name}: put it in a stack in the stage's region (new Stack(app, id, { env: { region: stage.region } })); the stack's is ${Token.isUnresolved(region) ? 'not set' : region}, the stage's ${stage.region}`,
      );
    const streamed = new Set(service.app.records.filter((r) => r.source === 'dynamodb').map((r) => r.name));
    this.tables = service.tables.map(
      (definition) =>
        new LiftTable(this, `Table-${definition.name}`, {
          definition,
          stage,
          stream: streamed.has(definition.name),
        }),
    );
    this.buckets = service.buckets.map(
      (definition) => new LiftBucket(this, `Bucket-${definition.name}`, { definition, stage }),
    );
    this.userPools = service.userPools.map(
      (definition) => new LiftUserPool(this, `UserPool-${definition.name}`, { definition, stage }),
    );
    this.functions = new LiftFunctions(this, 'Functions', {
      service,
      stage,
      entry: props.entry,
      tables: this.tables,
      buckets: this.buckets,
      userPools: this.userPools,
      ...(props.functions === undefined ? {} : { functions: props.functions }),
      ...(props.runtime === undefined ? {} : { runtime: props.runtime }),
      ...(props.conditions === undefined ? {} : { conditions: props.conditions }),
      ...(props.splitLazyPackages === undefined ? {} : { splitLazyPackages: props.splitLazyPackages }),
      ...(props.environment === undefined ? {} : { environment: props.environment }),
    });
    const pool = this.userPools[0];
    const authorizer = props.authorizer ?? (pool === undefined ? undefined : { userPool: pool });
    this.api =
      service.app.routes.length === 0
        ? undefined
        : new LiftHttpApi(this, 'Api', {
            service: name,
            stage,
            routes: this.functions.routes,
            cors: service.app.cors,
            ...(authorizer === undefined ? {} : { authorizer }),
            ...(props.allowOpenRoutes === undefined ? {} : { allowOpenRoutes: props.allowOpenRoutes }),
          });
    this.events = new LiftEvents(this, 'Events', {
      service: name,
      stage,
      records: this.functions.records,
      eventBridge: this.functions.eventBridge,
      schedules: this.functions.schedules,
      tables: this.tables,
      buckets: this.buckets,
    });
    this.monitoring = new LiftMonitoring(this, 'Monitoring', {
      service: name,
      stage,
      functions: this.functions.all,
      tables: this.tables,
      deadLetterQueues: this.events.deadLetterQueues,
      ...(this.api === undefined ? {} : { api: this.api.api }),
      ...(props.queries === undefined ? {} : { queries: props.queries }),
    });
    tagService(this, name, stage);
    addGuardRails(Stack.of(this), stage);
  }
}

/** Cost-allocation tags on every resource under `scope`: service, stage, and the stage's own. */
export function tagService(scope: Construct, service: string, stage: StageSettings): void {
  Tags.of(scope).add('service', service);
  Tags.of(scope).add('stage', stage.name);
  for (const [key, value] of Object.entries(stage.tags)) Tags.of(scope).add(key, value);
}
