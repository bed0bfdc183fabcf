/**
 * `npm run synth`: CloudFormation for every deployable service, dev and prod, offline, into
 * `cdk.out/<service>-<stage>/`, with cdk-nag's AwsSolutions checks (any unacknowledged finding fails).
 * Deploy one with `npx cdk deploy --app cdk.out/<service>-<stage> --all`.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LiftService, loadService, stageSettings } from '@lift/cdk';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ENTRY as BUBBLE_ENTRY, bubbleBatchStacks } from '../reference/bubble-batch/infra/stacks.js';
import { bubbleBatchStage } from '../reference/bubble-batch/infra/stage.js';
import * as bubbleResources from '../reference/bubble-batch/src/resources.js';

const root = new URL('../', import.meta.url);
const out = (name: string) => fileURLToPath(new URL(`cdk.out/${name}`, root));
const QUERIES = fileURLToPath(new URL('ops/logs-insights', root));
const JWT_ISSUER = process.env.JWT_ISSUER ?? 'https://issuer.example.com/';

/** The examples, each one stack; what each reads from the environment at import, as placeholders. */
const examples: {
  name: string;
  /** Read at import: a placeholder while the entry loads for synthesis. */
  placeholders?: Record<string, string>;
  /** Set on the deployed functions. */
  environment?: Record<string, string>;
  authorizer?: { issuer: string; audience: string[] } | { inFunction: string };
  allowOpenRoutes?: string;
}[] = [
  { name: 'hello-world', allowOpenRoutes: 'a greeting anyone may read' },
  {
    name: 'crud-api',
    placeholders: { CURSOR_SECRET: 'synth-placeholder-cursor-secret-32-characters' },
    allowOpenRoutes:
      'the example shows tenant-keyed storage without authentication; put it behind access control before real use',
  },
  {
    name: 'jwt-auth',
    // The gateway and the function check the same issuer.
    environment: { JWT_ISSUER, JWT_JWKS_URI: `${JWT_ISSUER}.well-known/jwks.json` },
    authorizer: { issuer: JWT_ISSUER, audience: ['jwt-auth-example'] },
  },
  {
    name: 'signed-requests',
    placeholders: { ORDERS_SERVICE_SECRET: 'synth-placeholder-orders-secret-32chars' },
    authorizer: {
      inFunction: 'callers sign each request with HMAC (Lift signing), which no gateway authorizer verifies',
    },
  },
  { name: 'queue-worker', allowOpenRoutes: 'its one route reads a batch by id, as the example shows' },
];

function checked(outdir: string): App {
  rmSync(outdir, { recursive: true, force: true });
  // As cdk.json sets it: cross-stack references stay strong (the producing stack is protected).
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

const started = performance.now();
const lines: string[] = [];
const bubble = await loadService(BUBBLE_ENTRY, bubbleResources);
for (const stage of ['dev', 'prod'] as const) {
  const t0 = performance.now();
  const app = checked(out(`bubble-batch-${stage}`));
  bubbleBatchStacks(app, { service: bubble, stage: bubbleBatchStage(stage), conditions: ['@lift/source'] });
  app.synth();
  lines.push(`bubble-batch ${stage}: 5 stacks in ${(performance.now() - t0).toFixed(0)} ms`);
}
for (const example of examples) {
  const entry = fileURLToPath(new URL(`examples/${example.name}/src/handler.ts`, root));
  const service = await loadService(
    entry,
    {},
    {
      environment: { ...example.environment, ...example.placeholders },
    },
  );
  for (const stage of ['dev', 'prod'] as const) {
    const t0 = performance.now();
    const settings = stageSettings(stage);
    const app = checked(out(`${example.name}-${stage}`));
    const stack = new Stack(app, `Lift-${example.name}-${stage}`, { env: { region: settings.region } });
    new LiftService(stack, 'Service', {
      service,
      stage: settings,
      entry,
      queries: QUERIES,
      conditions: ['@lift/source'],
      ...(example.authorizer === undefined ? {} : { authorizer: example.authorizer }),
      ...(example.allowOpenRoutes === undefined ? {} : { allowOpenRoutes: example.allowOpenRoutes }),
      ...(example.environment === undefined ? {} : { environment: example.environment }),
    });
    app.synth();
    lines.push(`${example.name} ${stage}: 1 stack in ${(performance.now() - t0).toFixed(0)} ms`);
  }
}
for (const line of lines) console.log(line);
console.log(`all stacks synthesised in ${((performance.now() - started) / 1000).toFixed(1)} s → cdk.out/`);
