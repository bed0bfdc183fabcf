/** LiftService on a fixture app that uses every source: what it creates, and what it refuses. */
import { fileURLToPath } from 'node:url';
import { sqsEvent } from '@lift/core/testing';
import { App, CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { gatewayPath } from './api.js';
import { loadService, type ServiceDeclarations } from './declarations.js';
import * as fixture from './fixtures/service.js';
import { LiftService, type LiftServiceProps } from './service.js';
import { stageSettings } from './stage.js';

const ENTRY = fileURLToPath(new URL('./fixtures/service.ts', import.meta.url));
let service: ServiceDeclarations;
beforeAll(async () => {
  service = await loadService(ENTRY, fixture);
}, 60_000);

function build(stage = 'dev', extra: Partial<LiftServiceProps> = {}, nag = false) {
  const app = new App();
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, `Shop-${stage}`, { env: { region: 'us-east-1' } });
  const lift = new LiftService(stack, 'Shop', {
    service,
    stage: stageSettings(stage),
    entry: ENTRY,
    conditions: ['@lift/source'],
    authorizer: { issuer: 'https://issuer.example.com/', audience: ['shop'] },
    ...extra,
  });
  return { app, stack, lift };
}

describe('LiftService', () => {
  it('passes cdk-nag AwsSolutions with every source wired (acknowledgements justified in code)', () => {
    const { app } = build('prod', {}, true);
    expect(() => app.synth()).not.toThrow();
  }, 60_000);

  it('a queue per app.sqs: DLQ, visibility six times the function timeout, partial-batch responses; FIFO kept', () => {
    const t = Template.fromStack(build().stack);
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'shop-dev-payments',
      VisibilityTimeout: 60,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'shop-dev-ledger.fifo', FifoQueue: true });
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'shop-dev-ledger-dlq.fifo', FifoQueue: true });
    const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping')).map(
      (m) => (m as { Properties: Record<string, unknown> }).Properties,
    );
    // Two queues, the table's stream and the Kinesis stream: all report failed records only.
    expect(mappings).toHaveLength(4);
    for (const m of mappings) expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mappings.filter((m) => m.DestinationConfig !== undefined)).toHaveLength(2);
  });

  it('topics, bucket notifications, stream, rule and schedule from the registrations; deployed names reach the function', () => {
    const t = Template.fromStack(build().stack);
    t.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'shop-dev-alerts' });
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      RedrivePolicy: Match.anyValue(),
    });
    t.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
          }),
        ],
      },
    });
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    t.hasResourceProperties('AWS::Kinesis::Stream', { Name: 'shop-dev-clicks' });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: [{ prefix: 'shop.' }], 'detail-type': ['OrderPlaced'] },
    });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'nightly',
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      GroupName: Match.anyValue(),
    });
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) =>
      JSON.stringify(f).includes('LIFT_RESOURCE_NAMES'),
    );
    const names = JSON.stringify(fn);
    for (const key of [
      'sqs:payments',
      'sqs:ledger.fifo',
      'sns:alerts',
      's3:shop-uploads',
      'dynamodb:orders',
      'kinesis:clicks',
    ])
      expect(names).toContain(key);
  });

  it('the deployed names the stack hands the function route its records in core, declared name to deployed name', async () => {
    const t = Template.fromStack(build().stack);
    const fn = Object.values(t.findResources('AWS::Lambda::Function')).find((f) =>
      JSON.stringify(f).includes('LIFT_RESOURCE_NAMES'),
    ) as {
      Properties: {
        Environment: { Variables: { LIFT_RESOURCE_NAMES: { 'Fn::Join': [string, unknown[]] } } };
      };
    };
    // Resolve the template's references as CloudFormation would: a queue's name is what the stack set.
    const queues = t.findResources('AWS::SQS::Queue');
    const [, parts] = fn.Properties.Environment.Variables.LIFT_RESOURCE_NAMES['Fn::Join'];
    const value = parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const [id] = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'] ?? [];
        const queue =
          id === undefined ? undefined : (queues[id] as { Properties: { QueueName: string } } | undefined);
        return queue?.Properties.QueueName ?? 'generated-name';
      })
      .join('');
    expect(JSON.parse(value)).toMatchObject({
      'sqs:payments': 'shop-dev-payments',
      'sqs:ledger.fifo': 'shop-dev-ledger.fifo',
    });
    process.env.LIFT_RESOURCE_NAMES = value;
    try {
      const answer = await fixture.app.handler(sqsEvent(['{}'], { queue: 'shop-dev-payments' }));
      expect(answer).toEqual({ batchItemFailures: [] });
    } finally {
      delete process.env.LIFT_RESOURCE_NAMES;
    }
  });

  it('HTTP API: CORS from the app, wildcard paths as {proxy+}, the issuer authorizer on protected routes', () => {
    const t = Template.fromStack(build().stack);
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://shop.example.com'],
        AllowCredentials: true,
      }),
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /files/{proxy+}',
      AuthorizationType: 'JWT',
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /health',
      AuthorizationType: 'NONE',
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: 'https://issuer.example.com/', Audience: ['shop'] },
    });
    t.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedOrigins: ['https://shop.example.com'] })] },
    });
  });

  it('converts patterns to gateway paths', () => {
    expect(gatewayPath('/')).toBe('/');
    expect(gatewayPath('/a/:id/b/')).toBe('/a/{id}/b');
    expect(gatewayPath('/files/*')).toBe('/files/{proxy+}');
    expect(gatewayPath('/x/{slug}')).toBe('/x/{slug}');
  });

  it('refuses a protected route with no authorizer, and a plan that leaves something unserved', () => {
    const noAuthorizer = new Stack(new App(), 'S', { env: { region: 'us-east-1' } });
    expect(
      () =>
        new LiftService(noAuthorizer, 'Shop', {
          service,
          stage: stageSettings('dev'),
          entry: ENTRY,
          conditions: ['@lift/source'],
        }),
    ).toThrow(/POST \/orders is protected but the API has no authorizer/);
    expect(() => build('dev', { functions: { Api: { routes: ['/orders'] } } })).toThrow(
      /no single function serves route GET \/health, route GET \/files\/\*;/,
    );
    expect(() =>
      build('dev', {
        functions: { Api: { routes: ['/'] }, Worker: { records: ['sqs:payments'], schedules: ['nightly'] } },
      }),
    ).toThrow(/sqs:ledger.fifo \(no function\)/);
  });
});

describe('guard rails at synthesis (on the template as deployed, overrides included)', () => {
  const cfn = (stack: Stack, pathEnd: string) => {
    const found = stack.node.findAll().find((c) => c.node.path.endsWith(pathEnd));
    if (!(found instanceof CfnResource)) throw new Error(`no resource at ${pathEnd}`);
    return found;
  };

  it('a mapping whose ReportBatchItemFailures was removed by an override', () => {
    const { app, stack } = build();
    const mapping = stack.node
      .findAll()
      .find((c) => c instanceof CfnResource && c.cfnResourceType === 'AWS::Lambda::EventSourceMapping');
    (mapping as CfnResource).addPropertyDeletionOverride('FunctionResponseTypes');
    expect(() => app.synth()).toThrow(/lacks ReportBatchItemFailures/);
  });

  it('a queue whose visibility timeout an override put under six times its consumer timeout', () => {
    const { app, stack } = build();
    cfn(stack, 'sqs-payments/Resource').addPropertyOverride('VisibilityTimeout', 30);
    expect(() => app.synth()).toThrow(
      /visibility timeout 30s is under six times its consumer's timeout \(10s → at least 60s\)/,
    );
  });

  it('a queue in another stack, whose visibility cannot be checked', () => {
    const { app, stack, lift } = build();
    const other = new Stack(app, 'Queues', { env: { region: 'us-east-1' } });
    const queue = new Queue(other, 'Jobs', { visibilityTimeout: Duration.seconds(5) });
    lift.functions.all[0]?.function.addEventSource(
      new SqsEventSource(queue, { reportBatchItemFailures: true }),
    );
    void stack;
    expect(() => app.synth()).toThrow(/visibility timeout cannot be checked/);
  });

  it('a protected route whose gateway authorizer was removed by an override', () => {
    const { app, stack } = build();
    const route = cfn(stack, 'POST--orders/Resource');
    route.addPropertyOverride('AuthorizationType', 'NONE');
    route.addPropertyDeletionOverride('AuthorizerId');
    expect(() => app.synth()).toThrow(/route POST \/orders is protected in the app but has no authorizer/);
  });

  it('a catch-all route added by hand with no authorizer', () => {
    const { app, lift } = build();
    lift.api?.api.addRoutes({
      path: '/{proxy+}',
      methods: [HttpMethod.ANY],
      integration: new HttpLambdaIntegration('Everything', lift.functions.all[0]?.function as LambdaFunction),
    });
    expect(() => app.synth()).toThrow(/catch-all route ANY \/\{proxy\+\} has no authorizer/);
  });

  it('a production table without point-in-time recovery (by setting, or by override)', () => {
    expect(() => build('prod').app.synth()).not.toThrow();
    const a = new App();
    new LiftService(new Stack(a, 'Shop-prod', { env: { region: 'us-east-1' } }), 'Shop', {
      service,
      stage: stageSettings('prod', { pointInTimeRecovery: false }),
      entry: ENTRY,
      conditions: ['@lift/source'],
      authorizer: { issuer: 'https://issuer.example.com/', audience: ['shop'] },
    });
    expect(() => a.synth()).toThrow(/a production table needs point-in-time recovery/);
    const { app, stack } = build('prod');
    const table = stack.node
      .findAll()
      .find((c) => c instanceof CfnResource && c.cfnResourceType === 'AWS::DynamoDB::GlobalTable');
    (table as CfnResource).addPropertyOverride(
      'Replicas.0.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled',
      false,
    );
    expect(() => app.synth()).toThrow(/a production table needs point-in-time recovery/);
  });
});
