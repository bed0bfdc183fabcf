/**
 * P3/P4: one access-log line with Lift, Powertools Logger and pino, and one EMF flush of three
 * metrics with Lift and Powertools Metrics, in the same run. All write through
 * process.stdout.write, which the caller swaps for a no-op so none pays for I/O.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { createLogger, createMetrics } from '@lift/core/observability';
import { fakeLambdaContext } from '@lift/core/testing';
import pino from 'pino';
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
  // pino configured for the same keys: level names, `message`, an ISO timestamp, the service and
  // the Lambda keys on a child; it masks nothing (redaction needs listed paths).
  const pinoLogger = pino(
    {
      messageKey: 'message',
      base: { service: 'orders' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    },
    { write: (line: string) => process.stdout.write(line) },
  ).child({
    cold_start: false,
    function_arn: context.invokedFunctionArn,
    function_memory_size: context.memoryLimitInMB,
    function_name: context.functionName,
    function_request_id: context.awsRequestId,
  });
  return [
    { name: 'Powertools Logger', run: () => powertools.info('request', fields) },
    { name: 'pino', run: () => pinoLogger.info(fields, 'request') },
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
