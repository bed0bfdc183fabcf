/**
 * Bubble Batch on AWS, from the declarations in `src/`: the Auth, Data, Api, Scheduler and Monitoring
 * stacks the infrastructure plan names. Nothing here repeats a route, table, bucket, pool or schedule:
 * they come from the app and the resources its entry exports.
 */
import { fileURLToPath } from 'node:url';
import {
  addGuardRails,
  LiftBucket,
  LiftEvents,
  LiftFunctions,
  LiftHttpApi,
  LiftMonitoring,
  LiftTable,
  LiftUserPool,
  type ServiceDeclarations,
  type StageSettings,
  tagService,
} from '@lift/cdk';
import { type App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { bubbleTable, photosBucket } from '../src/resources.js';

/** The handler module: bundled into every function, and the source of the declarations. */
export const ENTRY = fileURLToPath(new URL('../src/handler.ts', import.meta.url));
const QUERIES = fileURLToPath(new URL('../../../ops/logs-insights', import.meta.url));

/** The five stacks of one stage. */
export interface BubbleBatchStacks {
  readonly auth: Stack;
  readonly data: Stack;
  readonly api: Stack;
  readonly scheduler: Stack;
  readonly monitoring: Stack;
}

/** Options of {@link bubbleBatchStacks}. */
export interface BubbleBatchStackOptions {
  readonly service: ServiceDeclarations;
  readonly stage: StageSettings;
  /** Export conditions for bundling (the monorepo's `@lift/source` bundles the workspace's sources). */
  readonly conditions?: readonly string[];
}

/** Builds the stage's stacks in `app`. */
export function bubbleBatchStacks(app: App, options: BubbleBatchStackOptions): BubbleBatchStacks {
  const { service, stage } = options;
  const name = service.app.service;
  const env = { region: stage.region, ...(stage.account === undefined ? {} : { account: stage.account }) };
  const stack = (id: string, description: string) =>
    new Stack(app, `BubbleBatch-${stage.name}-${id}`, {
      env,
      description: `Bubble Batch (${stage.name}): ${description}`,
      terminationProtection: stage.production,
    });
  const conditions = options.conditions === undefined ? {} : { conditions: options.conditions };

  const auth = stack('Auth', 'Cognito user pool, email one-time codes');
  const [poolDefinition] = service.userPools;
  if (poolDefinition === undefined)
    throw new Error('bubble-batch declares its user pool in src/resources.ts');
  const userPool = new LiftUserPool(auth, 'Users', {
    definition: poolDefinition,
    stage,
    email: {
      subject: 'Your Bubble Batch code',
      body: 'Your Bubble Batch sign-in code is {####}. It expires in 3 minutes.',
    },
    tokens: { idAndAccess: Duration.hours(1), refresh: Duration.days(30) },
  });

  const data = stack('Data', 'single table, photos bucket, cursor secret');
  const tables = service.tables.map((definition) => new LiftTable(data, 'Table', { definition, stage }));
  const buckets = service.buckets.map((definition) => new LiftBucket(data, 'Photos', { definition, stage }));
  const cursorSecret = new Secret(data, 'CursorSecret', {
    description: 'Encrypts list cursors (the same on every instance)',
    generateSecretString: { passwordLength: 64, excludePunctuation: true },
    removalPolicy: stage.removalPolicy,
  });
  Validations.of(cursorSecret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'Rotating the cursor key invalidates every list cursor in flight (users reload the list); rotate by hand when needed, not on a schedule.',
  });

  const api = stack('Api', 'HTTP API and its seven functions');
  const secrets = { CURSOR_SECRET: cursorSecret };
  const table = bubbleTable.name;
  const photos = photosBucket.name;
  // What both stacks' functions bundle, find and may reach.
  const shared = { service, stage, entry: ENTRY, tables, buckets, userPools: [userPool], ...conditions };
  const http = new LiftFunctions(api, 'Functions', {
    ...shared,
    covers: ['routes'],
    functions: {
      // The cursor secret reaches every function that lists (tableClient reads it on a list's first page).
      Auth: { routes: ['/auth'], access: { [photos]: 'none' } },
      Batches: { routes: ['/batches'], secrets },
      Events: { routes: ['/batches/:id/events'], secrets },
      Reminders: {
        routes: ['/batches/:id/reminders', '/me/reminders'],
        access: { [photos]: 'none' },
        secrets,
      },
      Devices: { routes: ['/me/devices'], access: { [photos]: 'none' }, secrets },
      Export: { routes: ['/export.csv'], memory: 'large', timeout: Duration.seconds(30), secrets },
      // Reads only, but its rate limit keeps its windows in the same table.
      Public: { routes: ['/public'], access: { [table]: 'readWithRateLimits', [photos]: 'read' }, secrets },
    },
  });
  const httpApi = new LiftHttpApi(api, 'Http', {
    service: name,
    stage,
    routes: http.routes,
    cors: service.app.cors,
    authorizer: { userPool },
  });

  const scheduler = stack('Scheduler', 'EventBridge Scheduler and the reminder processor');
  const jobs = new LiftFunctions(scheduler, 'Functions', {
    ...shared,
    covers: ['events'],
    functions: {
      ReminderProcessor: {
        schedules: ['due-reminders'],
        secrets,
        timeout: Duration.seconds(60),
        access: { [photos]: 'none' },
      },
    },
  });
  const events = new LiftEvents(scheduler, 'Events', {
    service: name,
    stage,
    records: jobs.records,
    eventBridge: jobs.eventBridge,
    schedules: jobs.schedules,
    tables,
    buckets,
  });

  const monitoring = stack('Monitoring', 'alarms, dashboard, saved queries');
  new LiftMonitoring(monitoring, 'Monitoring', {
    service: name,
    stage,
    functions: [...http.all, ...jobs.all],
    api: httpApi.api,
    tables,
    deadLetterQueues: events.deadLetterQueues,
    queries: QUERIES,
  });

  const stacks = { auth, data, api, scheduler, monitoring };
  for (const s of Object.values(stacks)) {
    tagService(s, name, stage);
    addGuardRails(s, stage);
  }
  return stacks;
}
