import type { CorsDeclaration, RouteManifest } from '@lift/core';
import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LiftUserPool } from './auth.js';
import type { LiftFunction } from './function.js';
import { PROTECTED_ROUTE } from './guards.js';
import type { StageSettings } from './stage.js';

/**
 * Who checks callers at the gateway before protected routes reach a function: a user pool's or an
 * issuer's JWTs, or, for credentials no gateway can check (signed requests, API keys), nobody at the
 * gateway, saying why (`inFunction`): the function's own authentication is then the only check.
 */
export type GatewayAuthorizer =
  | { readonly userPool: LiftUserPool }
  | { readonly issuer: string; readonly audience: readonly string[] }
  | { readonly inFunction: string };

/** One route of the app and the function that serves it. */
export interface ServedRoute {
  readonly route: RouteManifest;
  readonly fn: LiftFunction;
}

/** Options of {@link LiftHttpApi}. */
export interface LiftHttpApiProps {
  readonly service: string;
  readonly stage: StageSettings;
  /** Every route of the app, each with its function: one API route per declared route, no catch-all. */
  readonly routes: readonly ServedRoute[];
  /** The app's CORS rules (`app.manifest().cors`); API Gateway answers preflights from them. */
  readonly cors?: CorsDeclaration | undefined;
  /** Required when any route is protected. */
  readonly authorizer?: GatewayAuthorizer;
  /**
   * Why it is right that every route is open, for an app with no access control at all (its routes
   * are neither `public` nor protected): without it such an app does not deploy.
   */
  readonly allowOpenRoutes?: string;
}

const METHODS: Readonly<Record<string, HttpMethod>> = {
  GET: HttpMethod.GET,
  POST: HttpMethod.POST,
  PUT: HttpMethod.PUT,
  PATCH: HttpMethod.PATCH,
  DELETE: HttpMethod.DELETE,
  HEAD: HttpMethod.HEAD,
  OPTIONS: HttpMethod.OPTIONS,
};

/** A Lift pattern as an API Gateway path: `:id` → `{id}`, a trailing `*` → `{proxy+}`. */
export function gatewayPath(pattern: string): string {
  if (pattern === '/') return '/';
  const trimmed = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  return trimmed
    .split('/')
    .map((part) => (part === '*' ? '{proxy+}' : part.startsWith(':') ? `{${part.slice(1)}}` : part))
    .join('/');
}

/** The gateway's CORS settings from the app's; a predicate origin cannot be expressed there. */
function corsPreflight(cors: CorsDeclaration) {
  if (cors.origins === undefined)
    throw new Error(
      'LiftHttpApi: the app decides CORS origins with a function, which API Gateway cannot express; list the origins in cors({ origins: [...] })',
    );
  return {
    allowOrigins: [...cors.origins],
    allowMethods: cors.methods.map((m) => CorsHttpMethod[m as keyof typeof CorsHttpMethod]),
    allowHeaders: [...cors.allowHeaders],
    exposeHeaders: [...cors.exposeHeaders],
    allowCredentials: cors.credentials,
    maxAge: Duration.seconds(cors.maxAge),
  };
}

/**
 * API Gateway answers preflights and sets the CORS headers of every response itself (a function's own
 * are replaced), so one rule holds for the whole API: a route covered by other rules than the app's
 * (a group's `cors()`) would get looser or stricter CORS than the app declares.
 */
function checkCors(props: LiftHttpApiProps): void {
  const rule = JSON.stringify(props.cors ?? null);
  const differ = props.routes.filter(({ route }) => JSON.stringify(route.cors ?? null) !== rule);
  if (differ.length > 0)
    throw new Error(
      `LiftHttpApi: ${differ.map(({ route }) => `${route.method} ${route.pattern}`).join(', ')} ${differ.length === 1 ? 'has' : 'have'} CORS rules other than the app's; an HTTP API applies one CORS rule to every route, so declare cors() once, on the app`,
    );
}

/**
 * An HTTP API built from the app's route table: one route per declared route (so the gateway's
 * authorizer cannot be bypassed through a catch-all), the gateway authorizer on every protected route
 * and none on public ones, CORS from the app's rules, the stage's throttling, JSON access logs, and
 * the stage's custom domain.
 */
export class LiftHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: LiftHttpApiProps) {
    super(scope, id);
    const { stage } = props;
    checkCors(props);
    const open = props.routes.filter(({ route }) => route.access === 'open');
    if (open.length > 0 && (props.allowOpenRoutes === undefined || props.allowOpenRoutes.trim() === ''))
      throw new Error(
        `LiftHttpApi: the app declares no access control, so ${open.map(({ route }) => `${route.method} ${route.pattern}`).join(', ')} would be open to anyone; give the app access control (auth: 'public' where meant), or say why with allowOpenRoutes: '...'`,
      );
    this.api = new HttpApi(this, 'Api', {
      apiName: `${props.service}-${stage.name}`,
      createDefaultStage: false,
      // With a custom domain, the domain is the only way in (no second, default endpoint to forget).
      ...(stage.domain === undefined ? {} : { disableExecuteApiEndpoint: true }),
      ...(props.cors === undefined ? {} : { corsPreflight: corsPreflight(props.cors) }),
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    const domain =
      stage.domain === undefined
        ? undefined
        : new DomainName(this, 'Domain', {
            domainName: stage.domain.name,
            certificate: Certificate.fromCertificateArn(this, 'Certificate', stage.domain.certificateArn),
          });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: stage.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            route: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
      ...(domain === undefined ? {} : { domainMapping: { domainName: domain } }),
    });

    const authorizer = this.authorizer(props);
    const none = new HttpNoneAuthorizer();
    const integrations = new Map<LiftFunction, HttpLambdaIntegration>();
    for (const { route, fn } of props.routes) {
      const method = METHODS[route.method];
      if (method === undefined)
        throw new Error(`LiftHttpApi: ${route.method} ${route.pattern}: unsupported method`);
      let integration = integrations.get(fn);
      if (integration === undefined) {
        integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn.function);
        integrations.set(fn, integration);
      }
      if (route.access === 'protected' && authorizer === undefined)
        throw new Error(
          `LiftHttpApi: ${route.method} ${route.pattern} is protected but the API has no authorizer; pass authorizer: { userPool } or { issuer, audience }`,
        );
      // Lift answers HEAD with a GET route (headers only): the gateway routes it too, with the same
      // authorizer, unless the app declares its own HEAD route for the path.
      const withHead =
        route.method === 'GET' &&
        !props.routes.some((r) => r.route.method === 'HEAD' && r.route.pattern === route.pattern);
      const added = this.api.addRoutes({
        path: gatewayPath(route.pattern),
        methods: withHead ? [method, HttpMethod.HEAD] : [method],
        integration,
        authorizer:
          route.access === 'protected' && authorizer !== 'function'
            ? (authorizer as IHttpRouteAuthorizer)
            : none,
      });
      const inFunction =
        props.authorizer !== undefined && 'inFunction' in props.authorizer
          ? props.authorizer.inFunction
          : undefined;
      for (const cfn of added.map((a) => a.node.defaultChild)) {
        if (cfn === undefined) continue;
        if (route.access === 'protected' && inFunction !== undefined)
          Validations.of(cfn).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.pattern} is authenticated by the function: ${inFunction}`,
          });
        else if (route.access === 'protected') cfn.node.addMetadata(PROTECTED_ROUTE, true);
        else
          Validations.of(cfn).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason:
              route.access === 'public'
                ? `${route.method} ${route.pattern} is public in the app (auth: 'public'): anyone may call it, so no gateway authorizer; the route's own rate limits and validation apply.`
                : `${route.method} ${route.pattern}: the app declares no access control; open on purpose: ${props.allowOpenRoutes}`,
          });
      }
    }
    new CfnOutput(this, 'Url', {
      value: domain === undefined ? (this.stage.url ?? '') : `https://${stage.domain?.name}/`,
    });
  }

  private authorizer(props: LiftHttpApiProps): IHttpRouteAuthorizer | 'function' | undefined {
    const given = props.authorizer;
    if (given === undefined) return undefined;
    if ('inFunction' in given) {
      if (given.inFunction.trim() === '')
        throw new Error(
          'LiftHttpApi: authorizer.inFunction says why the gateway checks nobody; it cannot be empty',
        );
      return 'function';
    }
    if ('userPool' in given)
      return new HttpUserPoolAuthorizer('UserPoolAuthorizer', given.userPool.userPool, {
        userPoolClients: [given.userPool.client],
      });
    return new HttpJwtAuthorizer('JwtAuthorizer', given.issuer, { jwtAudience: [...given.audience] });
  }
}
