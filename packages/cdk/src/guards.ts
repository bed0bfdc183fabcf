import { CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { StageSettings } from './stage.js';

/** @internal Metadata a LiftHttpApi puts on each route the app protects. */
export const PROTECTED_ROUTE = 'lift:protected-route';

interface Rendered {
  readonly construct: CfnResource;
  readonly type: string;
  readonly props: Record<string, unknown>;
}

// A resource as it will be deployed: its properties with every escape-hatch override applied.
function render(stack: Stack, c: CfnResource): Rendered | undefined {
  const template = stack.resolve((c as unknown as { _toCloudFormation(): unknown })._toCloudFormation()) as {
    Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
  const [entry] = Object.values(template.Resources ?? {});
  return entry === undefined ? undefined : { construct: c, type: entry.Type, props: entry.Properties ?? {} };
}

function logicalIdOf(value: unknown): string | undefined {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
}

/**
 * Guard rails checked when the stack synthesises, on each resource as it will be deployed (overrides
 * included, so they also catch resources added or changed by hand): synthesis fails, naming each
 * resource, when an event source mapping lacks `ReportBatchItemFailures` (a partial failure would be
 * taken as success), when a queue's visibility timeout is under six times its consumer's timeout
 * (AWS's advice: a message could reappear while still being processed) or cannot be checked (the
 * queue is in another stack or imported), when a route the app protects has no gateway authorizer,
 * when a catch-all route (`$default`, `ANY`) has none, or when a table lacks point-in-time recovery in
 * production.
 */
export function addGuardRails(stack: Stack, stage: StageSettings): void {
  stack.node.addValidation({ validate: () => check(stack, stage) });
}

function check(stack: Stack, stage: StageSettings): string[] {
  const errors: string[] = [];
  const rendered = stack.node
    .findAll()
    .filter((c: IConstruct): c is CfnResource => c instanceof CfnResource && Stack.of(c) === stack)
    .map((c) => render(stack, c))
    .filter((r): r is Rendered => r !== undefined);
  const byLogicalId = new Map(rendered.map((r) => [stack.resolve(r.construct.logicalId) as string, r]));

  for (const { construct, type, props } of rendered) {
    const path = construct.node.path;
    if (type === 'AWS::Lambda::EventSourceMapping') {
      const types = (props.FunctionResponseTypes as string[] | undefined) ?? [];
      if (!types.includes('ReportBatchItemFailures'))
        errors.push(
          `${path}: the event source mapping lacks ReportBatchItemFailures; Lift answers with the failed records only, so without it a partial failure would be taken as success`,
        );
      // Streams need a starting position; a mapping without one reads a queue.
      if (props.StartingPosition === undefined) {
        const queue = byLogicalId.get(logicalIdOf(props.EventSourceArn) ?? '');
        const fn = byLogicalId.get(logicalIdOf(props.FunctionName) ?? '');
        if (queue?.type !== 'AWS::SQS::Queue' || fn?.type !== 'AWS::Lambda::Function')
          errors.push(
            `${path}: the queue's visibility timeout cannot be checked against its consumer's timeout (the queue or the function is in another stack, or imported); keep a queue in its consumer's stack`,
          );
        else {
          const visibility = (queue.props.VisibilityTimeout as number | undefined) ?? 30;
          const timeout = (fn.props.Timeout as number | undefined) ?? 3;
          if (visibility < 6 * timeout)
            errors.push(
              `${queue.construct.node.path}: visibility timeout ${visibility}s is under six times its consumer's timeout (${timeout}s → at least ${6 * timeout}s)`,
            );
        }
      }
    }
    if (type === 'AWS::ApiGatewayV2::Route') {
      const open =
        props.AuthorizationType === undefined ||
        props.AuthorizationType === 'NONE' ||
        props.AuthorizerId === undefined;
      const key = String(props.RouteKey);
      if (open && construct.node.metadata.some((m) => m.type === PROTECTED_ROUTE))
        errors.push(`${path}: route ${key} is protected in the app but has no authorizer at the gateway`);
      else if (open && (key === '$default' || key.startsWith('ANY ')))
        errors.push(
          `${path}: catch-all route ${key} has no authorizer: it would reach the functions for paths and methods the app never declared`,
        );
    }
    if (
      type === 'AWS::ApiGateway::Method' &&
      construct.node.metadata.some((m) => m.type === PROTECTED_ROUTE)
    ) {
      const kind = props.AuthorizationType;
      if (kind === undefined || kind === 'NONE')
        errors.push(
          `${path}: ${String(props.HttpMethod)} is protected in the app but has no authorizer at the gateway`,
        );
    }
    if (stage.production && type === 'AWS::DynamoDB::GlobalTable') {
      const replicas =
        (props.Replicas as {
          PointInTimeRecoverySpecification?: { PointInTimeRecoveryEnabled?: boolean };
        }[]) ?? [];
      if (!replicas.every((r) => r.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true))
        errors.push(`${path}: a production table needs point-in-time recovery`);
    }
    if (stage.production && type === 'AWS::DynamoDB::Table') {
      const pitr = props.PointInTimeRecoverySpecification as
        | { PointInTimeRecoveryEnabled?: boolean }
        | undefined;
      if (pitr?.PointInTimeRecoveryEnabled !== true)
        errors.push(`${path}: a production table needs point-in-time recovery`);
    }
  }
  return errors;
}
