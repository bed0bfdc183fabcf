import { expect } from 'vitest';

/**
 * The `ColdStart` blob as Powertools Metrics writes it (a blob of its own, dimensioned by service and
 * function name, Count 1), parsed: what Lift's must equal. `timestamp` defaults to any number.
 */
export function powertoolsColdStartBlob(blob: {
  readonly namespace: string;
  readonly service: string;
  readonly functionName: string;
  readonly timestamp?: number;
}): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: blob.timestamp ?? expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: blob.namespace,
          Dimensions: [['service', 'function_name']],
          Metrics: [{ Name: 'ColdStart', Unit: 'Count' }],
        },
      ],
    },
    service: blob.service,
    function_name: blob.functionName,
    ColdStart: 1,
  };
}
