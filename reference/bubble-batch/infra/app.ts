/**
 * The CDK app: `npx cdk synth --app 'npx tsx reference/bubble-batch/infra/app.ts' --context stage=dev`
 * (or `npm run synth`, which writes every stage of every service offline).
 */
import { loadService, stageSettings } from '@lift/cdk';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as resources from '../src/resources.js';
import { bubbleBatchStacks, ENTRY } from './stacks.js';

const app = new App();
// cdk-nag's AwsSolutions checks: synthesis fails on any finding not acknowledged (with a reason) in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stageName = String(app.node.tryGetContext('stage') ?? 'dev');
const domain = app.node.tryGetContext('domain') as string | undefined;
const certificateArn = app.node.tryGetContext('certificateArn') as string | undefined;
const region = (app.node.tryGetContext('region') as string | undefined) ?? process.env.CDK_DEFAULT_REGION;
bubbleBatchStacks(app, {
  service: await loadService(ENTRY, resources),
  stage: stageSettings(stageName, {
    ...(region === undefined ? {} : { region }),
    ...(process.env.CDK_DEFAULT_ACCOUNT === undefined ? {} : { account: process.env.CDK_DEFAULT_ACCOUNT }),
    ...(domain !== undefined && certificateArn !== undefined
      ? { domain: { name: domain, certificateArn } }
      : {}),
    tags: { project: 'kefir' },
  }),
  conditions: ['@lift/source'],
});
app.synth();
