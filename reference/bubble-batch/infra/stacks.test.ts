/**
 * The Bubble Batch stacks, synthesised offline for dev and prod with cdk-nag's AwsSolutions checks
 * (synthesis fails on any unacknowledged finding), then read resource by resource.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadService, type ServiceDeclarations, stageSettings } from '@lift/cdk';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import * as resources from '../src/resources.js';
import { bubbleBatchStacks, ENTRY } from './stacks.js';

type Templates = Record<'auth' | 'data' | 'api' | 'scheduler' | 'monitoring', Template>;

let service: ServiceDeclarations;
const synthesised: Record<string, Templates> = {};
const synthMs: Record<string, number> = {};

function synth(stageName: 'dev' | 'prod'): Templates {
  const started = performance.now();
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stacks = bubbleBatchStacks(app, {
    service,
    stage: stageSettings(stageName),
    conditions: ['@lift/source'],
  });
  const assembly = app.synth();
  synthMs[stageName] = performance.now() - started;
  const of = (name: keyof Templates) =>
    Template.fromJSON(assembly.getStackByName(stacks[name].stackName).template as Record<string, unknown>);
  return {
    auth: of('auth'),
    data: of('data'),
    api: of('api'),
    scheduler: of('scheduler'),
    monitoring: of('monitoring'),
  };
}

beforeAll(async () => {
  service = await loadService(ENTRY, resources);
  synthesised.dev = synth('dev');
  synthesised.prod = synth('prod');
  console.log(
    `synthesis with cdk-nag: dev ${synthMs.dev?.toFixed(0)} ms, prod ${synthMs.prod?.toFixed(0)} ms`,
  );
}, 120_000);

const dev = () => synthesised.dev as Templates;
const prod = () => synthesised.prod as Templates;
const all = (t: Templates) => Object.values(t) as Template[];

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
function statements(t: Template): Statement[] {
  return Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}
const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);
const flat = (v: unknown) => JSON.stringify(v);

describe('bubble-batch stacks', () => {
  it('synthesise with zero unacknowledged cdk-nag AwsSolutions findings', () => {
    // app.synth() above throws on any unacknowledged error; reaching here is the check.
    expect(Object.keys(synthesised)).toEqual(['dev', 'prod']);
  });

  it('Auth: email is the username, email codes (USER_AUTH and refresh only), MFA off, custom email, outputs', () => {
    const t = prod().auth;
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      MfaConfiguration: 'OFF',
      UserPoolTier: 'ESSENTIALS',
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: Match.arrayWith(['EMAIL_OTP']) } },
      VerificationMessageTemplate: Match.objectLike({ EmailSubject: 'Your Bubble Batch code' }),
      DeletionProtection: 'ACTIVE',
    });
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
      IdTokenValidity: 60,
      RefreshTokenValidity: 43200,
    });
    expect(Object.keys(t.findOutputs('*')).join()).toMatch(/UserPoolId.*UserPoolClientId/);
  });

  it('Data: the declared table (PK/SK, GSI1, TTL), on demand, customer-managed key; PITR and protection in prod only', () => {
    for (const [t, production] of [
      [dev().data, false],
      [prod().data, true],
    ] as const) {
      t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'GSI1' })],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: production },
            DeletionProtectionEnabled: production,
            SSESpecification: { KMSMasterKeyId: Match.anyValue() },
          }),
        ],
      });
      t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    }
  });

  it('Data: the photos bucket blocks public access, is encrypted, enforces TLS, expires objects after a year; versioned in prod', () => {
    for (const [t, production] of [
      [dev().data, false],
      [prod().data, true],
    ] as const) {
      t.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: Match.objectLike({}),
        LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })] },
        ...(production ? { VersioningConfiguration: { Status: 'Enabled' } } : {}),
      });
      if (!production)
        expect(flat(t.findResources('AWS::S3::Bucket'))).not.toContain('VersioningConfiguration');
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('Api: one gateway route per app route, a JWT authorizer on exactly the protected ones, no catch-all', () => {
    const t = prod().api;
    const routes = Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: { RouteKey: string; AuthorizationType?: string } }).Properties,
    );
    // Every declared route, and HEAD beside each GET (Lift answers HEAD with the GET route).
    const expected = service.app.routes.flatMap((r) =>
      (r.method === 'GET' ? ['GET', 'HEAD'] : [r.method]).map((method) => ({
        key: `${method} ${r.pattern.replace(/:(\w+)/g, '{$1}')}`,
        type: r.access === 'protected' ? 'JWT' : 'NONE',
      })),
    );
    expect(
      routes
        .map((r) => ({ key: r.RouteKey, type: r.AuthorizationType }))
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
    ).toEqual(expected.sort((a, b) => (a.key < b.key ? -1 : 1)));
    expect(routes.length).toBeGreaterThanOrEqual(13);
    expect(routes.map((r) => r.RouteKey).join()).not.toMatch(/\$default|proxy\+|ANY/);
    expect(expected.filter((r) => r.type === 'NONE').map((r) => r.key)).toEqual(
      expect.arrayContaining([
        'POST /auth/login',
        'POST /auth/verify',
        'GET /public/b/{batchId}',
        'HEAD /public/b/{batchId}',
      ]),
    );
    t.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('Api: seven arm64 Node.js 24 functions with the declared environment, 512 MB (1024 for export), logs kept 14/30 days', () => {
    const fns = Object.values(prod().api.findResources('AWS::Lambda::Function')).map(
      (f) => (f as { Properties: Record<string, unknown> }).Properties,
    );
    expect(fns).toHaveLength(7);
    for (const fn of fns) {
      expect(fn).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      const env = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const name of [
        'TABLE_NAME',
        'BUCKET_NAME',
        'USER_POOL_ID',
        'USER_POOL_CLIENT_ID',
        'POWERTOOLS_SERVICE_NAME',
      ])
        expect(env[name], name).toBeDefined();
    }
    expect(fns.map((f) => f.MemorySize).sort()).toEqual([1024, 512, 512, 512, 512, 512, 512]);
    dev().api.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    prod().api.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('least privilege: no wildcard action anywhere; wildcard resources only where AWS requires them', () => {
    for (const t of [...all(dev()), ...all(prod())])
      for (const s of statements(t)) {
        const actions = list(s.Action);
        for (const action of actions) expect(action, flat(s)).not.toContain('*');
        for (const resource of list(s.Resource)
          .map(flat)
          .filter((r) => r.includes('*'))) {
          const allowed =
            (resource === '"*"' &&
              actions.every((a) =>
                ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams'].includes(a),
              )) ||
            (resource.endsWith('/*"]]}') && actions.every((a) => a.startsWith('s3:'))) ||
            (resource.endsWith(':*"]]}') && actions.every((a) => a === 'lambda:InvokeFunction'));
          expect(allowed, `${actions.join()} on ${resource}`).toBe(true);
        }
      }
  });

  it('least privilege: the public page reads the table only; sign-in never touches the photos', () => {
    const policies = prod().api.findResources('AWS::IAM::Policy');
    const statementsOf = (fn: string) =>
      Object.entries(policies)
        .filter(([id]) => id.startsWith(`Functions${fn}Role`))
        .flatMap(
          ([, p]) =>
            (p as { Properties: { PolicyDocument: { Statement: (Statement & { Condition?: unknown })[] } } })
              .Properties.PolicyDocument.Statement,
        );
    const of = (fn: string) => statementsOf(fn).flatMap((s) => list(s.Action));
    expect(of('Public')).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 's3:GetObject']),
    );
    // Its only write: the rate-limit windows of its own limit, by partition-key prefix.
    const writes = statementsOf('Public').filter((s) =>
      list(s.Action).some((a) => /^(dynamodb:(Put|Update|Delete|BatchWrite)|s3:(Put|Delete))/.test(a)),
    );
    expect(writes.map((s) => ({ Action: s.Action, Condition: s.Condition }))).toEqual([
      {
        Action: 'dynamodb:UpdateItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RATELIMIT#*'] } },
      },
    ]);
    expect(of('Auth').filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(of('Batches')).toContain('secretsmanager:GetSecretValue');
    expect(of('Auth')).not.toContain('secretsmanager:GetSecretValue');
  });

  it('Scheduler: every app.schedule is an EventBridge Scheduler schedule in the service group, invoking its function, with a DLQ', () => {
    const t = prod().scheduler;
    expect(service.app.schedules.map((s) => s.name)).toEqual(['due-reminders']);
    t.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'bubble-batch-prod' });
    t.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'due-reminders',
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: Match.anyValue(),
        RoleArn: Match.anyValue(),
        Input: service.app.schedules[0]?.input,
        DeadLetterConfig: { Arn: Match.anyValue() },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
      }),
    });
  });

  it('Monitoring: alarms to the topic in prod only, a dashboard of Lift’s metrics, every saved query', () => {
    const alarms = Object.values(prod().monitoring.findResources('AWS::CloudWatch::Alarm')).map(
      (a) =>
        (a as { Properties: { AlarmDescription: string; Threshold: number; AlarmActions: unknown[] } })
          .Properties,
    );
    // Per function (8): errors > 10/min, rate > 5%, p99 > 3 s; API 5xx; table throttling; the DLQ.
    expect(alarms).toHaveLength(8 * 3 + 3);
    expect(alarms.every((a) => a.AlarmActions.length === 1)).toBe(true);
    expect(alarms.filter((a) => a.AlarmDescription.endsWith('more than 10 errors in a minute'))).toHaveLength(
      8,
    );
    expect(alarms.filter((a) => a.AlarmDescription.includes('p99') && a.Threshold === 3000)).toHaveLength(8);
    expect(alarms.filter((a) => a.AlarmDescription.includes('5%') && a.Threshold === 5)).toHaveLength(8);
    expect(dev().monitoring.findResources('AWS::CloudWatch::Alarm')).toEqual({});
    const dashboard = flat(prod().monitoring.findResources('AWS::CloudWatch::Dashboard'));
    for (const metric of ['requests', 'latency', 'records', 'record_failures'])
      expect(dashboard).toContain(`MetricName=\\\\\\"${metric}\\\\\\" service=\\\\\\"bubble-batch\\\\\\"`);
    const queries = readdirSync(fileURLToPath(new URL('../../../ops/logs-insights', import.meta.url))).filter(
      (f) => f.endsWith('.query'),
    );
    expect(Object.keys(prod().monitoring.findResources('AWS::Logs::QueryDefinition'))).toHaveLength(
      queries.length,
    );
  });

  it('tags every stack (and so every resource) with service and stage for cost allocation', () => {
    for (const t of all(prod())) {
      const fns = Object.values(t.findResources('AWS::Lambda::Function'));
      for (const fn of fns)
        expect((fn as { Properties: { Tags: unknown } }).Properties.Tags).toEqual(
          expect.arrayContaining([
            { Key: 'service', Value: 'bubble-batch' },
            { Key: 'stage', Value: 'prod' },
          ]),
        );
    }
    prod().data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ Tags: Match.arrayWith([{ Key: 'stage', Value: 'prod' }]) })],
    });
  });

  it('matches the committed templates (asset hashes aside)', async () => {
    for (const [name, t] of Object.entries(prod()))
      await expect(normalised(t.toJSON())).toMatchFileSnapshot(
        `__snapshots__/bubble-batch-prod-${name}.json`,
      );
  });
});

/** A template with the bundle's content hash replaced: the snapshot is of the infrastructure, not the code. */
function normalised(template: unknown): string {
  return `${JSON.stringify(template, null, 1).replace(/[0-9a-f]{64}(\.zip|\.json)/g, '<asset>$1')}\n`;
}
