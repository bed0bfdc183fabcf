import type { CorsDeclaration } from '@lift/core';
import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  Cors,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { type FunctionUrl, FunctionUrlAuthType, HttpMethod, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { gatewayPath, type ServedRoute } from './api.js';
import type { LiftUserPool } from './auth.js';
import type { LiftFunction } from './function.js';
import { PROTECTED_ROUTE } from './guards.js';
import type { StageSettings } from './stage.js';

/** Options of {@link LiftRestApi}. */
export interface LiftRestApiProps {
  readonly service: string;
  readonly stage: StageSettings;
  /** Every route of the app, each with its function: one method per declared route, no catch-all. */
  readonly routes: readonly ServedRoute[];
  readonly cors?: CorsDeclaration | undefined;
  /**
   * Who checks callers before protected routes reach a function: the user pool (a REST API has no
   * JWT authorizer for other issuers), or nobody at the gateway, saying why (`inFunction`).
   */
  readonly authorizer?: { readonly userPool: LiftUserPool } | { readonly inFunction: string };
}

/**
 * The REST API variant of {@link LiftHttpApi}, for teams that need what only REST APIs have (usage
 * plans, WAF, request validation, private endpoints): one method per declared route, the Cognito
 * authorizer on protected ones, CORS from the app, the stage's throttling, JSON access logs, tracing.
 */
export class LiftRestApi extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: LiftRestApiProps) {
    super(scope, id);
    const { stage } = props;
    const cors = props.cors;
    if (cors !== undefined && cors.origins === undefined)
      throw new Error(
        'LiftRestApi: the app decides CORS origins with a function; list them in cors({ origins })',
      );
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: `${props.service}-${stage.name}`,
      // Execution logging needs an account-wide role; access logs and Lift's own logs cover requests.
      cloudWatchRole: false,
      deployOptions: {
        stageName: stage.name,
        throttlingRateLimit: stage.throttle.rateLimit,
        throttlingBurstLimit: stage.throttle.burstLimit,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.OFF,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      },
      ...(cors === undefined
        ? {}
        : {
            defaultCorsPreflightOptions: {
              allowOrigins: cors.origins?.[0] === '*' ? Cors.ALL_ORIGINS : [...(cors.origins ?? [])],
              allowMethods: [...cors.methods],
              allowHeaders: [...cors.allowHeaders],
              allowCredentials: cors.credentials,
              maxAge: Duration.seconds(cors.maxAge),
            },
          }),
    });
    const pool =
      props.authorizer !== undefined && 'userPool' in props.authorizer
        ? props.authorizer.userPool
        : undefined;
    const inFunction =
      props.authorizer !== undefined && 'inFunction' in props.authorizer
        ? props.authorizer.inFunction
        : undefined;
    const authorizer =
      pool === undefined
        ? undefined
        : new CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [pool.userPool] });
    const integrations = new Map<LiftFunction, LambdaIntegration>();
    const checks = Validations.of(this);
    for (const { route, fn } of props.routes) {
      let integration = integrations.get(fn);
      if (integration === undefined) {
        integration = new LambdaIntegration(fn.function);
        integrations.set(fn, integration);
      }
      const resource = this.api.root.resourceForPath(gatewayPath(route.pattern));
      if (route.access === 'protected' && authorizer === undefined && inFunction === undefined)
        throw new Error(
          `LiftRestApi: ${route.method} ${route.pattern} is protected but the API has no authorizer; pass authorizer: { userPool } or { inFunction }`,
        );
      const gated = route.access === 'protected' && authorizer !== undefined;
      const method = resource.addMethod(
        route.method,
        integration,
        gated ? { authorizer, authorizationType: AuthorizationType.COGNITO } : {},
      );
      if (gated) method.node.defaultChild?.node.addMetadata(PROTECTED_ROUTE, true);
      else {
        const reason =
          route.access === 'public'
            ? `${route.method} ${route.pattern} is public in the app (auth: 'public')`
            : `${route.method} ${route.pattern} is authenticated by the function: ${inFunction ?? 'the app has no access control'}`;
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
      }
    }
    checks.acknowledge({
      id: 'AwsSolutions-APIG2',
      reason: "Each route's schemas validate its request in the function, with Lift's error envelope.",
    });
    checks.acknowledge({
      id: 'AwsSolutions-APIG3',
      reason: 'A web ACL is the account’s choice (associate one with the stage); the stage throttles.',
    });
    checks.acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        'Execution logs need an account-wide CloudWatch role; access logs and Lift’s own request logs cover every call.',
    });
    new CfnOutput(this, 'Url', { value: this.api.url });
  }
}

/** Options of {@link LiftFunctionUrl}. */
export interface LiftFunctionUrlProps {
  readonly fn: LiftFunction;
  /**
   * `iam` (default): only SigV4-signed callers with `lambda:InvokeFunctionUrl`. `{ public: why }`: anyone
   * may call; the function's own access control is then the only check.
   */
  readonly auth?: 'iam' | { readonly public: string };
  readonly cors?: CorsDeclaration | undefined;
  /**
   * `true`: the URL streams responses (invoke mode `RESPONSE_STREAM`), so a route's `ctx.stream` body
   * reaches the client as it is produced and past the 6 MB buffered limit. The function must then
   * run a `streamify(app)` export (`LiftFunction`'s `handlerExport`). Default false (buffered).
   */
  readonly streaming?: boolean;
}

/** A function URL for one function: the simplest way in, with no gateway and no per-route authorizer. */
export class LiftFunctionUrl extends Construct {
  readonly url: FunctionUrl;

  constructor(scope: Construct, id: string, props: LiftFunctionUrlProps) {
    super(scope, id);
    const auth = props.auth ?? 'iam';
    if (auth !== 'iam' && auth.public.trim() === '')
      throw new Error('LiftFunctionUrl: auth.public says why anyone may call the URL; it cannot be empty');
    const cors = props.cors;
    if (cors !== undefined && cors.origins === undefined)
      throw new Error(
        'LiftFunctionUrl: the app decides CORS origins with a function; list them in cors({ origins })',
      );
    this.url = props.fn.function.addFunctionUrl({
      authType: auth === 'iam' ? FunctionUrlAuthType.AWS_IAM : FunctionUrlAuthType.NONE,
      ...(props.streaming === true ? { invokeMode: InvokeMode.RESPONSE_STREAM } : {}),
      ...(cors === undefined
        ? {}
        : {
            cors: {
              allowedOrigins: [...(cors.origins ?? [])],
              allowedMethods: cors.methods.map(
                (m) => HttpMethod[m as keyof typeof HttpMethod] ?? HttpMethod.ALL,
              ),
              allowedHeaders: [...cors.allowHeaders],
              exposedHeaders: [...cors.exposeHeaders],
              allowCredentials: cors.credentials,
              maxAge: Duration.seconds(cors.maxAge),
            },
          }),
    });
    new CfnOutput(this, 'Url', { value: this.url.url });
  }
}
