import { expect, it } from 'vitest';
import { bubbleBatchStage } from './stage.js';

it('takes the region and prod domain from the environment; empty CI variables count as unset', () => {
  expect(bubbleBatchStage('dev', {}).region).toBe('us-east-1');
  const prod = bubbleBatchStage('prod', {
    LIFT_DEPLOY_REGION: 'eu-west-1',
    LIFT_API_DOMAIN: 'api.bubblebatch.com',
    LIFT_API_CERTIFICATE_ARN: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
  });
  expect(prod).toMatchObject({
    region: 'eu-west-1',
    production: true,
    domain: { name: 'api.bubblebatch.com' },
  });
  expect(
    bubbleBatchStage('prod', { LIFT_DEPLOY_REGION: '', LIFT_API_DOMAIN: '', LIFT_API_CERTIFICATE_ARN: '' }),
  ).toMatchObject({
    region: 'us-east-1',
  });
  expect(
    bubbleBatchStage('prod', { LIFT_API_DOMAIN: '', LIFT_API_CERTIFICATE_ARN: '' }).domain,
  ).toBeUndefined();
  expect(
    bubbleBatchStage('dev', { LIFT_API_DOMAIN: 'x.example.com', LIFT_API_CERTIFICATE_ARN: 'arn' }).domain,
  ).toBeUndefined();
  expect(() => bubbleBatchStage('production')).toThrow(/say whether stage "production" is production/);
});
