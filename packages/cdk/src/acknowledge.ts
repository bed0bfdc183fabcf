import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A CloudFormation value as one string, in the form cdk-nag names its findings in (`<Logical.Attr>`
 * for an attribute, `<Logical>` for a reference, an import's export name, joins joined): so an
 * acknowledgement can name the exact resource it is about.
 */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join'] !== undefined) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (node['Fn::Sub'] !== undefined) return flattenReference(node['Fn::Sub']);
  if (node['Fn::GetAtt'] !== undefined) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (node['Fn::ImportValue'] !== undefined) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(value);
}

/** One resolved IAM statement. */
export interface ResolvedStatement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
}

/**
 * Acknowledges the wildcard resources (`bucket/*`, `function:*`) of the statements `reasonFor` gives a
 * reason for, with that reason, once references are resolved (cross-stack ones become imports only
 * then): every wildcard is justified where it is granted, and a wildcard added by anything else still
 * fails the checks.
 */
export function acknowledgeWildcards(
  scope: IConstruct,
  reasonFor: (statement: ResolvedStatement) => string | undefined,
): void {
  scope.node.addValidation({
    validate: () => {
      for (const c of scope.node.findAll()) {
        if (!(c instanceof CfnResource) || c.cfnResourceType !== 'AWS::IAM::Policy') continue;
        const stack = Stack.of(c);
        const document = stack.resolve((c as unknown as { policyDocument: unknown }).policyDocument) as {
          Statement?: ResolvedStatement[];
        };
        // cdk-nag names a finding by the resource alone, not by the statement: acknowledge a wildcard
        // only when every statement granting on it has a reason, so one justified grant never covers
        // an unjustified one on the same resource.
        const reasons = new Map<string, string | undefined>();
        for (const statement of document.Statement ?? []) {
          if (statement.Effect !== 'Allow') continue;
          const reason = reasonFor(statement);
          const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
          for (const resource of resources.map(flattenReference).filter((r) => r.includes('*')))
            reasons.set(
              resource,
              reasons.has(resource) && reasons.get(resource) === undefined ? undefined : reason,
            );
        }
        for (const [resource, reason] of reasons)
          if (reason !== undefined)
            Validations.of(c).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
      }
      return [];
    },
  });
}
