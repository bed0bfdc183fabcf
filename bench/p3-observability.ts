/**
 * P3/P4: one access-log line, and one EMF flush of three metrics, with Lift and with Powertools
 * Logger/Metrics, in the same run. Both write through process.stdout.write, which the caller swaps
 * for a no-op so neither pays for I/O.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { createLogger, createMetrics } from '@lift/core/observability';
import { fakeLambdaContext } from '@lift/core/testing';
import type { TimedCall } from './harness.js';

const context = fakeLambdaContext({ functionName: 'orders-fn', awsRequestId: 'req-1' });
const fields = {
  request_id: 'req-1',
  tenant_id: 't1',
  user_id: 'u1',
  route: '/orders/:id',
  method: 'GET',
  status: 200,
  duration_ms: 3,
};

/** One access-log line with the same keys. */
export function logCalls(): TimedCall[] {
  const lift = createLogger({ service: 'orders' });
  lift.addContext(context);
  const powertools = new PowertoolsLogger({ serviceName: 'orders' });
  powertools.addContext(context);
  return [
    { name: 'Powertools Logger', run: () => powertools.info('request', fields) },
    { name: 'Lift', run: () => lift.info('request', fields) },
  ];
}

/** Three metrics on the same dimensions, then one flush. */
export function metricCalls(): TimedCall[] {
  const lift = createMetrics({ namespace: 'Bench', service: 'orders' });
  const powertools = new PowertoolsMetrics({ namespace: 'Bench', serviceName: 'orders' });
  return [
    {
      name: 'Powertools Metrics',
      run: () => {
        powertools.addDimension('route', '/orders/:id');
        powertools.addMetric('latency', 'Milliseconds', 3);
        powertools.addMetric('requests', 'Count', 1);
        powertools.addMetric('bytes', 'Bytes', 512);
        powertools.publishStoredMetrics();
      },
    },
    {
      name: 'Lift',
      run: () => {
        lift.addDimension('route', '/orders/:id');
        lift.addMetric('latency', 'Milliseconds', 3);
        lift.addMetric('requests', 'Count', 1);
        lift.addMetric('bytes', 'Bytes', 512);
        lift.flush();
      },
    },
  ];
}
