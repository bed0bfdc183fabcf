import type { AuthMethod, Principal } from '../context/principal.js';

export type { AuthMethod, Principal } from '../context/principal.js';

/** Which claims hold what; the first claim present wins. */
export interface ClaimMapping {
  readonly userId?: readonly string[];
  readonly tenantId?: readonly string[];
  readonly accountId?: readonly string[];
  /** Claims holding roles: an array, or a space- or comma-separated string. */
  readonly roles?: readonly string[];
  /** Claims holding scopes: an array, or a space-separated string (`scope`, `scp`). */
  readonly scopes?: readonly string[];
}

/** Defaults covering Cognito (`custom:tenant_id`, `cognito:groups`) and common OIDC claims. */
export const DEFAULT_CLAIM_MAPPING: Required<ClaimMapping> = {
  userId: ['sub'],
  tenantId: ['custom:tenant_id', 'tenant_id', 'tid'],
  accountId: ['custom:account_id', 'account_id'],
  roles: ['cognito:groups', 'roles'],
  scopes: ['scope', 'scp'],
};

function first(claims: Readonly<Record<string, unknown>>, names: readonly string[]): unknown {
  for (const name of names)
    if (Object.hasOwn(claims, name) && claims[name] !== undefined) return claims[name];
  return undefined;
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((v) => v !== '');
  return [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;
}

/**
 * Builds a principal from verified claims. Only the claims the mapping names are read, so a token
 * carrying an unexpected `role: "super_admin"` claim grants nothing unless the mapping says so.
 * Returns `undefined` when there is no user id.
 */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  authMethod: AuthMethod,
  mapping: ClaimMapping = {},
): Principal | undefined {
  const m = { ...DEFAULT_CLAIM_MAPPING, ...mapping };
  const userId = text(first(claims, m.userId));
  if (userId === undefined) return undefined;
  return Object.freeze({
    userId,
    tenantId: text(first(claims, m.tenantId)),
    accountId: text(first(claims, m.accountId)),
    roles: Object.freeze(list(first(claims, m.roles))),
    scopes: Object.freeze(list(first(claims, m.scopes))),
    authMethod,
    claims: Object.freeze({ ...claims }),
  });
}
