/**
 * The CDK app of Bubble Batch (`cdk.json` runs it): `npx cdk synth -c stage=prod`. `npm run synth`
 * builds the same stacks, for both stages, into `cdk.out/bubble-batch-<stage>/` (what CI deploys).
 */
import { loadService } from '@lift/cdk';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import * as resources from '../src/resources.js';
import { bubbleBatchStacks, ENTRY } from './stacks.js';
import { bubbleBatchStage } from './stage.js';

const app = new App();
// cdk-nag's AwsSolutions checks: synthesis fails on any finding not acknowledged (with a reason) in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
bubbleBatchStacks(app, {
  service: await loadService(ENTRY, resources),
  stage: bubbleBatchStage(String(app.node.tryGetContext('stage') ?? 'dev')),
  conditions: ['@lift/source'],
});
app.synth();
