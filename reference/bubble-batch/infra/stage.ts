import { type StageSettings, stageSettings } from '@lift/cdk';

/**
 * Bubble Batch's settings for a stage, the same for `npm run synth` (what CI deploys) and the CDK CLI
 * (`cdk.json`): the region from `LIFT_DEPLOY_REGION` (default us-east-1), prod's API domain from
 * `LIFT_API_DOMAIN` and `LIFT_API_CERTIFICATE_ARN` when both are set, the `project` cost tag.
 */
export function bubbleBatchStage(name: string, env: NodeJS.ProcessEnv = process.env): StageSettings {
  // An unset CI variable arrives as an empty string: empty means unset.
  const domain = env.LIFT_API_DOMAIN || undefined;
  const certificateArn = env.LIFT_API_CERTIFICATE_ARN || undefined;
  return stageSettings(name, {
    region: env.LIFT_DEPLOY_REGION || 'us-east-1',
    ...(name === 'prod' && domain !== undefined && certificateArn !== undefined
      ? { domain: { name: domain, certificateArn } }
      : {}),
    tags: { project: 'kefir' },
  });
}
