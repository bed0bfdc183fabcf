/** The REST API and function URL variants, on the fixture service: what they create, and refuse. */
import { fileURLToPath } from 'node:url';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { LiftUserPool } from './auth.js';
import { LiftTable } from './data.js';
import { loadService, type ServiceDeclarations } from './declarations.js';
import * as fixture from './fixtures/service.js';
import { LiftFunctions } from './functions.js';
import { addGuardRails } from './guards.js';
import { stageSettings } from './stage.js';
import { LiftFunctionUrl, LiftRestApi } from './variants.js';

const ENTRY = fileURLToPath(new URL('./fixtures/service.ts', import.meta.url));
let service: ServiceDeclarations;
beforeAll(async () => {
  service = await loadService(ENTRY, fixture);
}, 60_000);

function build(nag = false) {
  const app = new App();
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Rest', { env: { region: 'us-east-1' } });
  const stage = stageSettings('prod');
  const tables = service.tables.map(
    (definition) => new LiftTable(stack, `T-${definition.name}`, { definition, stage }),
  );
  const pool = new LiftUserPool(stack, 'Pool', {
    definition: { name: 'shop-users', idFromEnv: 'USER_POOL_ID', clientIdFromEnv: 'USER_POOL_CLIENT_ID' },
    stage,
  });
  const fns = new LiftFunctions(stack, 'Fns', {
    service,
    stage,
    entry: ENTRY,
    tables,
    covers: ['routes'],
    conditions: ['@lift/source'],
  });
  addGuardRails(stack, stage);
  return { app, stack, stage, pool, fns };
}

describe('LiftRestApi', () => {
  it('one method per route, Cognito on the protected ones, CORS and throttling from the app and stage; cdk-nag clean', () => {
    const { app, stack, stage, pool, fns } = build(true);
    new LiftRestApi(stack, 'Api', {
      service: 'shop',
      stage,
      routes: fns.routes,
      cors: service.app.cors,
      authorizer: { userPool: pool },
    });
    const assembly = app.synth();
    const t = Template.fromJSON(assembly.getStackByName('Rest').template as Record<string, unknown>);
    const methods = Object.values(t.findResources('AWS::ApiGateway::Method')).map(
      (m) => (m as { Properties: { HttpMethod: string; AuthorizationType: string } }).Properties,
    );
    const declared = methods.filter((m) => m.HttpMethod !== 'OPTIONS');
    expect(declared.map((m) => `${m.HttpMethod} ${m.AuthorizationType}`).sort()).toEqual([
      'GET COGNITO_USER_POOLS',
      'GET COGNITO_USER_POOLS',
      'GET NONE',
      'POST COGNITO_USER_POOLS',
    ]);
    expect(methods.some((m) => m.HttpMethod === 'ANY')).toBe(false);
    t.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    t.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 })],
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  }, 60_000);

  it('refuses a protected route without an authorizer; the guard rail catches one removed by override', () => {
    const a = build();
    expect(
      () => new LiftRestApi(a.stack, 'Api', { service: 'shop', stage: a.stage, routes: a.fns.routes }),
    ).toThrow(/POST \/orders is protected but the API has no authorizer/);
    const { app, stack, stage, pool, fns } = build();
    new LiftRestApi(stack, 'Api', {
      service: 'shop',
      stage,
      routes: fns.routes,
      cors: service.app.cors,
      authorizer: { userPool: pool },
    });
    const post = stack.node
      .findAll()
      .find(
        (c) =>
          c instanceof CfnResource &&
          c.cfnResourceType === 'AWS::ApiGateway::Method' &&
          c.node.path.includes('orders/POST'),
      );
    (post as CfnResource).addPropertyOverride('AuthorizationType', 'NONE');
    expect(() => app.synth()).toThrow(/POST is protected in the app but has no authorizer/);
  });
});

describe('LiftFunctionUrl', () => {
  it('IAM auth by default; public only with a reason; CORS from the app', () => {
    const { stack, fns } = build();
    const fn = fns.all[0];
    if (fn === undefined) throw new Error('no function');
    new LiftFunctionUrl(stack, 'Url', { fn, cors: service.app.cors });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      Cors: Match.objectLike({ AllowOrigins: ['https://shop.example.com'], AllowCredentials: true }),
    });
    const other = build();
    const fn2 = other.fns.all[0];
    if (fn2 === undefined) throw new Error('no function');
    expect(() => new LiftFunctionUrl(other.stack, 'Url', { fn: fn2, auth: { public: ' ' } })).toThrow(
      /cannot be empty/,
    );
    new LiftFunctionUrl(other.stack, 'Url2', {
      fn: fn2,
      auth: { public: 'a webhook receiver that checks signatures' },
    });
    Template.fromStack(other.stack).hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
  });

  it('buffers by default and streams responses when asked', () => {
    const modes = [undefined, true].map((streaming) => {
      const { stack, fns } = build();
      const fn = fns.all[0];
      if (fn === undefined) throw new Error('no function');
      new LiftFunctionUrl(stack, 'Url', { fn, ...(streaming === undefined ? {} : { streaming }) });
      const [url] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Url'));
      return (url as { Properties: { InvokeMode?: string } }).Properties.InvokeMode;
    });
    expect(modes).toEqual([undefined, 'RESPONSE_STREAM']);
  });
});
