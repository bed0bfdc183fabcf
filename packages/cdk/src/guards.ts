import type { Stack } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { CfnGlobalTable, CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnEventSourceMapping, CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import type { StageSettings } from './stage.js';

/** Metadata a LiftHttpApi puts on each route the app protects. */
export const PROTECTED_ROUTE = 'lift:protected-route';

/**
 * Guard rails checked when the stack synthesises, on the CloudFormation it will deploy (so they also
 * catch resources added by hand): synthesis fails, naming each resource, when an event source mapping
 * lacks `ReportBatchItemFailures` (failed records would be retried with the whole batch, or
 * acknowledged), when a queue's visibility timeout is under six times its consumer's timeout (AWS's
 * advice: a message could reappear while still being processed), when a route the app protects has
 * no gateway authorizer, or when a table lacks point-in-time recovery in production.
 */
export function addGuardRails(stack: Stack, stage: StageSettings): void {
  stack.node.addValidation({ validate: () => check(stack, stage) });
}

function logicalIdOf(stack: Stack, value: unknown): string | undefined {
  const resolved = stack.resolve(value) as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return resolved?.Ref ?? resolved?.['Fn::GetAtt']?.[0];
}

function check(stack: Stack, stage: StageSettings): string[] {
  const errors: string[] = [];
  const all: IConstruct[] = stack.node.findAll();
  const byLogicalId = new Map<string, IConstruct>();
  for (const c of all)
    if (c instanceof CfnQueue || c instanceof CfnFunction)
      byLogicalId.set(stack.resolve(c.logicalId) as string, c);

  for (const c of all) {
    if (c instanceof CfnEventSourceMapping) {
      const types = (stack.resolve(c.functionResponseTypes) as string[] | undefined) ?? [];
      const source = byLogicalId.get(logicalIdOf(stack, c.eventSourceArn) ?? '');
      const fn = byLogicalId.get(logicalIdOf(stack, c.functionName) ?? '');
      if (!types.includes('ReportBatchItemFailures'))
        errors.push(
          `${c.node.path}: the event source mapping lacks ReportBatchItemFailures; Lift answers with the failed records only, so without it a partial failure would be taken as success`,
        );
      if (source instanceof CfnQueue && fn instanceof CfnFunction) {
        const visibility = (stack.resolve(source.visibilityTimeout) as number | undefined) ?? 30;
        const timeout = (stack.resolve(fn.timeout) as number | undefined) ?? 3;
        if (visibility < 6 * timeout)
          errors.push(
            `${source.node.path}: visibility timeout ${visibility}s is under six times its consumer's timeout (${timeout}s → at least ${6 * timeout}s)`,
          );
      }
    }
    if (c instanceof CfnRoute && c.node.metadata.some((m) => m.type === PROTECTED_ROUTE)) {
      const type = stack.resolve(c.authorizationType) as string | undefined;
      if (type === undefined || type === 'NONE' || c.authorizerId === undefined)
        errors.push(
          `${c.node.path}: route ${String(stack.resolve(c.routeKey))} is protected in the app but has no authorizer at the gateway`,
        );
    }
    if (stage.production && (c instanceof CfnGlobalTable || c instanceof CfnTable)) {
      const replicas =
        c instanceof CfnGlobalTable
          ? ((stack.resolve(c.replicas) as {
              pointInTimeRecoverySpecification?: { pointInTimeRecoveryEnabled?: boolean };
            }[]) ?? [])
          : [
              {
                pointInTimeRecoverySpecification: stack.resolve(c.pointInTimeRecoverySpecification) as
                  | { pointInTimeRecoveryEnabled?: boolean }
                  | undefined,
              },
            ];
      if (!replicas.every((r) => r.pointInTimeRecoverySpecification?.pointInTimeRecoveryEnabled === true))
        errors.push(`${c.node.path}: a production table needs point-in-time recovery`);
    }
  }
  return errors;
}
