import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { CfnQueryDefinition } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { addAlarms } from './alarms.js';
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
    addAlarms(this, props, (alarm) => {
      alarm.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(alarm);
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
