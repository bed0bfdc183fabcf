/** What the constructs refuse, and the narrowness of what they acknowledge. */
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadService, type ServiceDeclarations, serviceDeclarations } from './declarations.js';
import { LiftEvents } from './events.js';
import * as jobs from './fixtures/jobs.js';
import * as open from './fixtures/open.js';
import * as fixture from './fixtures/service.js';
import { LiftService, type LiftServiceProps } from './service.js';
import { stageSettings } from './stage.js';

const ENTRY = fileURLToPath(new URL('./fixtures/service.ts', import.meta.url));
const OPEN = fileURLToPath(new URL('./fixtures/open.ts', import.meta.url));
const JOBS = fileURLToPath(new URL('./fixtures/jobs.ts', import.meta.url));
let shop: ServiceDeclarations;
beforeAll(async () => {
  shop = await loadService(ENTRY, fixture);
}, 60_000);

const declarations = (app: typeof open.app) => ({ ...serviceDeclarations({ app }), tables: [open.table] });
function service(props: Partial<LiftServiceProps> & Pick<LiftServiceProps, 'service'>, nag = false) {
  const app = new App();
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'S', { env: { region: 'us-east-1' } });
  const lift = new LiftService(stack, 'Svc', {
    stage: stageSettings('prod'),
    entry: props.service === shop ? ENTRY : OPEN,
    conditions: ['@lift/source'],
    ...props,
  });
  return { app, stack, lift };
}

describe('a worker (createWorker)', () => {
  it('deploys with the default plan: one function for its records and schedules, and no HTTP API', () => {
    const { stack, lift } = service({ service: serviceDeclarations(jobs), entry: JOBS });
    expect(lift.api).toBeUndefined();
    const t = Template.fromStack(stack);
    expect(Object.keys(t.findResources('AWS::ApiGatewayV2::Api'))).toEqual([]);
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    t.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });
});

describe('refused at construction', () => {
  it('an app with no access control deploys only when told why every route is open', () => {
    expect(() => service({ service: declarations(open.app) })).toThrow(
      /declares no access control, so GET \/ would be open to anyone.*allowOpenRoutes/,
    );
    const { stack } = service({ service: declarations(open.app), allowOpenRoutes: 'a public greeting' });
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /',
      AuthorizationType: 'NONE',
    });
  });

  it('routes whose CORS differs from the app-wide rule (one rule holds for a whole HTTP API)', () => {
    expect(() =>
      service({
        service: declarations(open.corsApp),
        authorizer: { issuer: 'https://i.example.com/', audience: ['a'] },
      }),
    ).toThrow(/GET \/admin\/b has CORS rules other than the app's/);
  });

  it('a rate-limited route whose function may write no table', () => {
    const props = { service: declarations(open.limitedApp) };
    expect(() =>
      service({ ...props, functions: { Web: { routes: ['/'], access: { 'open-items': 'read' } } } }),
    ).toThrow(/GET \/page \(rate limited, but its function may write no table/);
    expect(() =>
      service({
        ...props,
        functions: { Web: { routes: ['/'], access: { 'open-items': 'readWithRateLimits' } } },
      }),
    ).not.toThrow();
  });

  it('a plan entry that names nothing (a misspelt table would keep the read-and-write default)', () => {
    expect(() =>
      service({
        service: shop,
        authorizer: { issuer: 'https://i.example.com/', audience: ['a'] },
        functions: {
          Api: {
            routes: ['/', '/nowhere'],
            access: { ordrs: 'read' },
            records: ['sqs:payment'],
            schedules: ['nighly'],
          },
        },
      }),
    ).toThrow(
      /Api.access names "ordrs", which is no declared table or bucket; Api.records names "sqs:payment".*Api.schedules names "nighly".*Api.routes has "\/nowhere"/,
    );
  });

  it('two resources that would get one name, or a name longer than AWS takes', () => {
    const { lift } = service({
      service: shop,
      authorizer: { issuer: 'https://i.example.com/', audience: ['a'] },
    });
    const fn = lift.functions.all[0];
    if (fn === undefined) throw new Error('no function');
    const record = (name: string) => ({ record: { source: 'sqs' as const, name, exact: true }, fn });
    expect(
      () =>
        new LiftEvents(lift, 'More', {
          service: 'shop',
          stage: stageSettings('prod'),
          records: [record('a'), record('a-dlq')],
        }),
    ).toThrow(/two resources would be named "shop-prod-a-dlq"/);
    expect(
      () =>
        new LiftEvents(lift, 'Long', {
          service: 'shop',
          stage: stageSettings('prod'),
          records: [record('q'.repeat(80))],
        }),
    ).toThrow(/longer than the 80 characters AWS allows/);
  });

  it('a stack outside the stage region, and a stage that does not say whether it is production', () => {
    const app = new App();
    expect(
      () =>
        new LiftService(new Stack(app, 'S', { env: { region: 'eu-west-1' } }), 'Svc', {
          service: shop,
          stage: stageSettings('dev'),
          entry: ENTRY,
        }),
    ).toThrow(/stack's is eu-west-1, the stage's us-east-1/);
    expect(() => stageSettings('production')).toThrow(/say whether stage "production" is production/);
    expect(stageSettings('staging', { production: false }).pointInTimeRecovery).toBe(false);
    expect(() => stageSettings('Prod')).toThrow(/not a stage name/);
  });

  it('an entry that fails at import is named, with what synthesis needs of an entry', async () => {
    await expect(
      loadService(fileURLToPath(new URL('./fixtures/missing.ts', import.meta.url)), {}),
    ).rejects.toThrow(/loadService: importing .*missing\.ts failed: .*must not call AWS at import/);
  });
});

describe('acknowledgements stay narrow', () => {
  const authorizer = { issuer: 'https://issuer.example.com/', audience: ['shop'] };

  it('a Resource * grant added to a function role later still fails cdk-nag', () => {
    const { app, lift } = service({ service: shop, authorizer }, true);
    lift.functions.all[0]?.function.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
  }, 60_000);

  it('an invoke grant on * added to a scheduler role still fails cdk-nag; each role may invoke one function', () => {
    const template = Template.fromStack(service({ service: shop, authorizer }).stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ],
      },
    });
    const { app, lift } = service({ service: shop, authorizer }, true);
    const role = lift.events.node.findAll().find((c) => c.node.id.startsWith('SchedulerRole-'));
    (role as unknown as { addToPolicy(s: PolicyStatement): void }).addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: ['*'] }),
    );
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
  }, 60_000);

  it('the alarm topic lets this account’s CloudWatch publish, under a key CloudWatch may use', () => {
    const t = Template.fromStack(service({ service: shop, authorizer }).stack);
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
  });

  it('function roles use a table key only through DynamoDB', () => {
    const t = Template.fromStack(service({ service: shop, authorizer }).stack);
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Condition?: unknown }[] } } })
          .Properties.PolicyDocument.Statement,
    );
    const kms = statements.filter((s) => JSON.stringify(s.Action).includes('kms:'));
    expect(kms.length).toBeGreaterThan(0);
    for (const s of kms) {
      // The one exception is CDK's own stream-read grant (the table's stream mapping): decrypt only.
      if (s.Condition === undefined) expect(s.Action).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
      else expect(JSON.stringify(s.Condition)).toContain('dynamodb.us-east-1.amazonaws.com');
    }
    expect(kms.filter((s) => s.Condition === undefined)).toHaveLength(1);
  });
});
