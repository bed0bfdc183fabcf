import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from './acknowledge.js';
import { bundleEntry } from './bundle.js';
import type { StageSettings } from './stage.js';

/** Memory presets: `standard` 512 MB for API routes, `large` 1024 MB for exports and batch work. */
export type MemoryPreset = 'standard' | 'large';

/** Options of {@link LiftFunction}. */
export interface LiftFunctionProps {
  /** The service name (`POWERTOOLS_SERVICE_NAME`, metrics namespace, resource names). */
  readonly service: string;
  readonly stage: StageSettings;
  /** The handler module (TypeScript or JavaScript), bundled with esbuild in this process. */
  readonly entry: string;
  /** The export Lambda calls (default `handler`). */
  readonly handlerExport?: string;
  /** `nodejs24.x` (default, the latest Lambda runs) or `nodejs22.x`; always arm64. */
  readonly runtime?: 'nodejs22.x' | 'nodejs24.x';
  /** A preset or a size in MB (default `standard`, 512 MB). */
  readonly memory?: MemoryPreset | number;
  /** Default 10 seconds; queue visibility timeouts are derived from it. */
  readonly timeout?: Duration;
  readonly environment?: Readonly<Record<string, string>>;
  /** Caps the function's concurrency (default unreserved). */
  readonly reservedConcurrency?: number;
  /** Export conditions esbuild resolves with (a monorepo passes its source condition). */
  readonly conditions?: readonly string[];
  /** See `BundleOptions.splitLazyPackages` (default false). */
  readonly splitLazyPackages?: boolean;
  readonly description?: string;
}

/**
 * One Lambda function of a service: its bundle, an arm64 Node.js runtime, its own log group with the
 * stage's retention, active tracing, and a role that starts with nothing but writing its own logs;
 * the service constructs add what its declarations need, resource by resource.
 */
export class LiftFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  private readonly justified = new Map<string, string>();
  private resourceNames: Record<string, string> | undefined;

  constructor(scope: Construct, id: string, props: LiftFunctionProps) {
    super(scope, id);
    const { stage } = props;
    const memory =
      props.memory === undefined || props.memory === 'standard'
        ? 512
        : props.memory === 'large'
          ? 1024
          : props.memory;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.service} ${id} (${stage.name})`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(
        bundleEntry(props.entry, {
          ...(props.conditions === undefined ? {} : { conditions: props.conditions }),
          ...(props.splitLazyPackages === undefined ? {} : { splitLazyPackages: props.splitLazyPackages }),
        }),
      ),
      handler: `index.${props.handlerExport ?? 'handler'}`,
      runtime: props.runtime === 'nodejs22.x' ? Runtime.NODEJS_22_X : Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: memory,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      ...(props.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrency }),
      ...(props.description === undefined ? {} : { description: props.description }),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_METRICS_NAMESPACE: props.service,
        LIFT_STAGE: stage.name,
        ...props.environment,
      },
    });
    const xray = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
    acknowledgeWildcards(this.role, (statement) => {
      if (statement.Sid !== undefined && this.justified.has(statement.Sid))
        return this.justified.get(statement.Sid);
      const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
      // Only the statement active tracing adds: X-Ray's two write actions on Resource *, nothing else.
      return statement.Resource === '*' && actions.every((a) => a !== undefined && xray.has(a))
        ? 'Active tracing: X-Ray accepts no resource-level permissions, so PutTraceSegments and PutTelemetryRecords need Resource *.'
        : undefined;
    });
  }

  /**
   * Adds one statement to the function's role: explicit actions only. A resource with a wildcard (the
   * objects of a bucket, say) needs `wildcardReason`, recorded as the justification of that statement
   * alone; `conditions` narrow it (a KMS key used only through DynamoDB).
   */
  allow(
    actions: readonly string[],
    resources: readonly string[],
    options: {
      readonly wildcardReason?: string;
      readonly conditions?: Record<string, Record<string, unknown>>;
    } = {},
  ): void {
    for (const action of actions)
      if (action.includes('*')) throw new Error(`LiftFunction.allow: "${action}" is a wildcard action`);
    const reason = options.wildcardReason;
    const sid = reason === undefined ? undefined : `LiftJustified${this.justified.size}`;
    if (sid !== undefined && reason !== undefined) this.justified.set(sid, reason);
    this.role.addToPolicy(
      new PolicyStatement({
        actions: [...actions],
        resources: [...resources],
        ...(sid === undefined ? {} : { sid }),
        ...(options.conditions === undefined ? {} : { conditions: options.conditions }),
      }),
    );
  }

  /**
   * Tells the function the deployed name of a resource it consumes (`LIFT_RESOURCE_NAMES`), so its
   * registration keeps the declared name; every construct wiring this function adds to the one map.
   */
  addResourceName(source: string, declared: string, deployed: string): void {
    if (this.resourceNames === undefined) {
      const names: Record<string, string> = {};
      this.resourceNames = names;
      this.function.addEnvironment(
        'LIFT_RESOURCE_NAMES',
        Lazy.string({ produce: () => Stack.of(this).toJsonString(names) }),
      );
    }
    this.resourceNames[`${source}:${declared}`] = deployed;
  }
}
