/** LiftService on a fixture app that uses every source: what it creates, and what it refuses. */
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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
  const stack = new Stack(app, `Shop-${stage}`, { env: { region: 'eu-west-1' } });
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
      QueueName: 'payments-dev',
      VisibilityTimeout: 60,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'ledger-dev.fifo', FifoQueue: true });
    t.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'ledger-dev-dlq.fifo', FifoQueue: true });
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
    t.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'alerts-dev' });
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
    t.hasResourceProperties('AWS::Kinesis::Stream', { Name: 'clicks-dev' });
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
    const noAuthorizer = new Stack(new App(), 'S', { env: { region: 'eu-west-1' } });
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

describe('guard rails at synthesis', () => {
  it('a queue mapping without ReportBatchItemFailures', () => {
    const { app, lift } = build();
    const mapping = lift.functions.all[0]?.function.node
      .findAll()
      .find((c) => c.node.id.startsWith('SqsEventSource'))?.node.defaultChild;
    (mapping as unknown as { functionResponseTypes: unknown }).functionResponseTypes = undefined;
    expect(() => app.synth()).toThrow(/lacks ReportBatchItemFailures/);
  });

  it('a queue whose visibility timeout is under six times its consumer timeout', () => {
    const { app, stack } = build();
    const queue = stack.node.findAll().find((c) => c.node.path.endsWith('sqs-payments/Resource'));
    (queue as unknown as { visibilityTimeout: number }).visibilityTimeout = 30;
    expect(() => app.synth()).toThrow(
      /visibility timeout 30s is under six times its consumer's timeout \(10s → at least 60s\)/,
    );
  });

  it('a protected route whose gateway authorizer was removed', () => {
    const { app, stack } = build();
    const route = stack.node.findAll().find((c) => c.node.path.endsWith('POST--orders/Resource'));
    (route as unknown as { authorizationType: string }).authorizationType = 'NONE';
    expect(() => app.synth()).toThrow(/route POST \/orders is protected in the app but has no authorizer/);
  });

  it('a production table without point-in-time recovery', () => {
    const { app } = build('prod', {}, false);
    expect(() => app.synth()).not.toThrow();
    const { app: app2 } = (() => {
      const a = new App();
      const stack = new Stack(a, 'Shop-prod', { env: { region: 'eu-west-1' } });
      new LiftService(stack, 'Shop', {
        service,
        stage: stageSettings('prod', { pointInTimeRecovery: false }),
        entry: ENTRY,
        conditions: ['@lift/source'],
        authorizer: { issuer: 'https://issuer.example.com/', audience: ['shop'] },
      });
      return { app: a };
    })();
    expect(() => app2.synth()).toThrow(/a production table needs point-in-time recovery/);
  });
});
