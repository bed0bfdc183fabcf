import type { EventBridgeManifest } from '@lift/core';
import type { ScheduleInfo } from '@lift/core/events';
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Schedule, ScheduleExpression, ScheduleGroup, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledgeWildcards, flattenReference, type ResolvedStatement } from './acknowledge.js';
import type { LiftFunction } from './function.js';
import type { StageSettings } from './stage.js';

/**
 * A rule on the default bus per `app.eventBridge` pattern, invoking the function that registered it
 * (eight retries): `kefir.*` becomes a prefix match, other globs a wildcard match.
 */
export function wireRules(
  scope: Construct,
  service: string,
  rules: readonly { readonly pattern: EventBridgeManifest; readonly fn: LiftFunction }[],
): Rule[] {
  const match = (value: string) =>
    !value.includes('*')
      ? [value]
      : /^[^*]+\*$/.test(value)
        ? Match.prefix(value.slice(0, -1))
        : Match.wildcard(value);
  return rules.map(
    ({ pattern, fn }, i) =>
      new Rule(scope, `rule-${i}`, {
        description: `${service}: ${pattern.source.join(', ')}${pattern.detailType === undefined ? '' : ` / ${pattern.detailType.join(', ')}`}`,
        eventPattern: {
          source: pattern.source.flatMap(match),
          ...(pattern.detailType === undefined ? {} : { detailType: [...pattern.detailType] }),
        },
        targets: [new LambdaTarget(fn.function, { retryAttempts: 8 })],
      }),
  );
}

/** What {@link wireSchedules} needs. */
export interface ScheduleWiring {
  readonly service: string;
  readonly stage: StageSettings;
  readonly schedules: readonly { readonly schedule: ScheduleInfo; readonly fn: LiftFunction }[];
  /** Makes the dead-letter queue of a schedule's failed invocations. */
  readonly deadLetterQueue: (scheduleName: string) => Queue;
}

/**
 * An EventBridge Scheduler schedule per `app.schedule`, in the service's group, with its timezone and
 * Lift's payload, invoking the function that registered it: two retries within five minutes, then the
 * schedule's dead-letter queue. One role per function, which only this account's Scheduler may assume
 * and which may invoke that function (and its versions) only.
 */
export function wireSchedules(
  scope: Construct,
  wiring: ScheduleWiring,
): { group: ScheduleGroup | undefined; schedules: Schedule[] } {
  if (wiring.schedules.length === 0) return { group: undefined, schedules: [] };
  const group = new ScheduleGroup(scope, 'Group', {
    scheduleGroupName: `${wiring.service}-${wiring.stage.name}`,
  });
  const roles = new Map<LiftFunction, Role>();
  const roleFor = (fn: LiftFunction): Role => {
    let role = roles.get(fn);
    if (role === undefined) {
      role = new Role(scope, `SchedulerRole-${fn.node.id}`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
        }),
      });
      acknowledgeWildcards(role, invokeGrantReason);
      roles.set(fn, role);
    }
    return role;
  };
  const schedules = wiring.schedules.map(
    ({ schedule, fn }) =>
      new Schedule(scope, `schedule-${schedule.name}`, {
        scheduleName: schedule.name,
        scheduleGroup: group,
        schedule: ScheduleExpression.expression(
          schedule.expression,
          schedule.timezone === undefined ? undefined : TimeZone.of(schedule.timezone),
        ),
        enabled: schedule.enabled,
        ...(schedule.description === undefined ? {} : { description: schedule.description }),
        target: new LambdaInvoke(fn.function, {
          role: roleFor(fn),
          input: ScheduleTargetInput.fromText(schedule.input),
          deadLetterQueue: wiring.deadLetterQueue(schedule.name),
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
        }),
      }),
  );
  return { group, schedules };
}

/**
 * The reason for the one wildcard a Scheduler role holds: `grantInvoke`'s statement, exactly one
 * function ARN and the same ARN with `:*` (its versions and aliases); any other statement gets none.
 */
function invokeGrantReason(statement: ResolvedStatement): string | undefined {
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  if (actions.length !== 1 || actions[0] !== 'lambda:InvokeFunction') return undefined;
  const resources = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(
    flattenReference,
  );
  const [arn, versions] = resources;
  if (resources.length !== 2 || arn === undefined || arn.includes('*') || versions !== `${arn}:*`)
    return undefined;
  return 'Scheduler invokes the function that registered the schedule: the grant names that function and its versions (function:*), nothing else.';
}
