import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnQueryDefinition } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LiftTable } from './data.js';
import type { LiftFunction } from './function.js';
import type { StageSettings } from './stage.js';

/** Options of {@link LiftMonitoring}. */
export interface LiftMonitoringProps {
  readonly service: string;
  readonly stage: StageSettings;
  readonly functions: readonly LiftFunction[];
  readonly api?: HttpApi;
  readonly tables?: readonly LiftTable[];
  /** Queues that must stay empty: dead-letter queues. */
  readonly deadLetterQueues?: readonly Queue[];
  /** A folder of Logs Insights `.query` files saved against every function's log group (Lift's `ops/logs-insights`). */
  readonly queries?: string;
}

const MINUTE = Duration.minutes(1);

/**
 * Alarms to an SNS topic (when the stage has alarms): per function errors over 10 a minute, errors over
 * 5% of invocations and p99 duration over 3 s; API 5xx; DynamoDB throttling; a dead-letter queue not
 * empty. A dashboard from the EMF metrics Lift writes (requests and latency per route, records and
 * failures per source) and Lambda's own; the Logs Insights queries saved against the log groups.
 */
export class LiftMonitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: LiftMonitoringProps) {
    super(scope, id);
    const { stage, service } = props;
    // CloudWatch cannot publish to a topic under the AWS-managed SNS key, and the topic policy that
    // enforces TLS replaces the default one: so a key of our own that CloudWatch may use, and an
    // explicit allow for this account's alarms.
    const key = new Key(this, 'AlarmsKey', {
      description: `${service} ${stage.name} alarm topic`,
      enableKeyRotation: true,
      removalPolicy: stage.removalPolicy,
    });
    const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } };
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: fromThisAccount,
      }),
    );
    this.topic = new Topic(this, 'Alarms', {
      displayName: `${service} ${stage.name} alarms`,
      enforceSSL: true,
      masterKey: key,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromThisAccount,
      }),
    );
    const alarm = (name: string, props2: ConstructorParameters<typeof Alarm>[2]) => {
      if (!stage.alarms) return;
      const created = new Alarm(this, name, props2);
      created.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(created);
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

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `${service}-${stage.name}` });
    // Lift's EMF: namespace and `service` dimension are the service; requests and latency are
    // dimensioned by route pattern, method and status class; records by source and registration.
    const search = (metric: string, dims: string, stat: string) =>
      new MathExpression({
        expression: `SEARCH('{${service},${dims}} MetricName="${metric}" service="${service}"', '${stat}', 60)`,
        usingMetrics: {},
        period: MINUTE,
      });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# ${service} (${stage.name})`, width: 24, height: 1 }),
      new GraphWidget({
        title: 'Requests per route',
        left: [search('requests', 'service,route,method,status_class', 'Sum')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Latency p99 per route (ms)',
        left: [search('latency', 'service,route,method,status_class', 'p99')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Records and failures per source',
        left: [search('records', 'service,event_source,event_name', 'Sum')],
        right: [search('record_failures', 'service,event_source,event_name', 'Sum')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Lambda errors and throttles',
        left: props.functions.map((fn) => fn.function.metricErrors({ period: MINUTE, label: fn.node.id })),
        right: props.functions.map((fn) =>
          fn.function.metricThrottles({ period: MINUTE, label: fn.node.id }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Cold starts',
        left: [
          new Metric({
            namespace: service,
            metricName: 'ColdStart',
            dimensionsMap: { service },
            statistic: 'Sum',
            period: MINUTE,
          }),
        ],
        width: 12,
      }),
    );

    if (props.queries !== undefined) {
      const logGroupNames = props.functions.map((fn) => fn.logGroup.logGroupName);
      for (const file of readdirSync(props.queries)
        .filter((f) => f.endsWith('.query'))
        .sort()) {
        // Saved as written (comments dropped): the files are what ops/ documents and tests.
        const queryString = readFileSync(join(props.queries, file), 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
          .join('\n');
        new CfnQueryDefinition(this, `Query-${basename(file, '.query')}`, {
          name: `${service}-${stage.name}/${basename(file, '.query')}`,
          queryString,
          logGroupNames,
        });
      }
    }
  }
}
