import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  type AlarmProps,
  ComparisonOperator,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { LiftMonitoringProps } from './monitoring.js';

const MINUTE = Duration.minutes(1);

/**
 * The alarms of a service, when its stage has alarms: per function errors over 10 a minute, errors
 * over 5% of invocations and p99 duration over 3 s; API 5xx; DynamoDB read/write throttling; any
 * dead-letter queue holding a message. Missing data is not breaching (an idle service is healthy).
 */
export function addAlarms(
  scope: Construct,
  props: LiftMonitoringProps,
  created: (alarm: Alarm) => void,
): void {
  const { stage, service } = props;
  const alarm = (name: string, alarmProps: AlarmProps) => {
    if (stage.alarms) created(new Alarm(scope, name, alarmProps));
  };

  for (const fn of props.functions) {
    const name = fn.node.id;
    const errors = fn.function.metricErrors({ period: MINUTE, statistic: 'Sum' });
    alarm(`${name}Errors`, {
      alarmDescription: `${service} ${name}: more than 10 errors in a minute`,
      metric: errors,
      threshold: 10,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm(`${name}ErrorRate`, {
      alarmDescription: `${service} ${name}: errors above 5% of invocations`,
      metric: new MathExpression({
        expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
        usingMetrics: {
          errors: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          invocations: fn.function.metricInvocations({ period: Duration.minutes(5), statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm(`${name}Duration`, {
      alarmDescription: `${service} ${name}: p99 duration above 3 s`,
      metric: fn.function.metricDuration({ period: Duration.minutes(5), statistic: 'p99' }),
      threshold: 3000,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
  if (props.api !== undefined)
    alarm('Api5xx', {
      alarmDescription: `${service}: API answered 5xx`,
      metric: props.api.metricServerError({ period: MINUTE, statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  for (const table of props.tables ?? [])
    alarm(`${table.node.id}Throttles`, {
      alarmDescription: `${service}: DynamoDB throttled requests on ${table.definition.name}`,
      metric: new MathExpression({
        expression: 'SUM(METRICS())',
        usingMetrics: {
          reads: table.table.metric('ReadThrottleEvents', { period: MINUTE, statistic: 'Sum' }),
          writes: table.table.metric('WriteThrottleEvents', { period: MINUTE, statistic: 'Sum' }),
        },
        period: MINUTE,
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  for (const [i, queue] of (props.deadLetterQueues ?? []).entries())
    alarm(`DeadLetters${i}`, {
      alarmDescription: `${service}: a dead-letter queue holds messages`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum' }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
}
