import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { FieldIssue } from '../errors/errors.js';

export type { StandardSchemaV1 } from '@standard-schema/spec';

/** The output type of a Standard Schema, or `Fallback` when no schema is given. */
export type Infer<S, Fallback> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : Fallback;

/** Whether a value is a Standard Schema (zod v4, valibot, arktype, ...). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function'
  );
}

function formatPath(where: string, path: StandardSchemaV1.Issue['path']): string {
  let out = where;
  for (const step of path ?? []) {
    const key = typeof step === 'object' && step !== null ? step.key : step;
    out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  }
  return out;
}

/** Result of validating one part of a request. */
export type PartResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly issues: FieldIssue[] };

function toResult(where: string, result: StandardSchemaV1.Result<unknown>): PartResult {
  if (result.issues === undefined) return { ok: true, value: result.value };
  return {
    ok: false,
    issues: result.issues.map((i) => ({ path: formatPath(where, i.path), message: i.message })),
  };
}

/**
 * Validates `value` against a Standard Schema; `where` (`body`, `query`, ...) prefixes issue paths.
 * Returns synchronously when the schema does, so sync validators cost no promise.
 */
export function validatePart(
  schema: StandardSchemaV1,
  where: string,
  value: unknown,
): PartResult | Promise<PartResult> {
  const result = schema['~standard'].validate(value);
  return result instanceof Promise ? result.then((r) => toResult(where, r)) : toResult(where, result);
}
