import type { Principal } from '../context/principal.js';
import { ConfigurationError } from '../errors/errors.js';

/** The authorizer `context`: strings only, which REST and HTTP APIs both pass on unchanged. */
export type AuthorizerContext = Readonly<Record<string, string>>;

/**
 * The context keys a principal is written to. They are names `trustApiGatewayLambdaAuthorizer`
 * reads with its default mapping, so the principal comes back as it left.
 */
export const AUTHORIZER_CONTEXT_KEYS = Object.freeze({
  /** The user id (also the policy's `principalId`). */
  userId: 'userId',
  tenantId: 'tenant_id',
  accountId: 'account_id',
  /** Roles joined by the role separator (`,` by default). */
  roles: 'roles',
  /** Scopes joined by spaces, as in an OAuth `scope` claim. */
  scopes: 'scope',
  /** How the authorizer authenticated the caller (`jwt`, `api-key`, `signature`...). */
  authMethod: 'authMethod',
} as const);

// Every name the default mapping reads: a copied claim of one of these names would speak for a field.
const MAPPED = [
  'principalId',
  'sub',
  'userId',
  'custom:tenant_id',
  'tenant_id',
  'custom:account_id',
  'account_id',
  'cognito:groups',
  'roles',
  'scope',
  'scp',
  'authMethod',
];

/** Checks the `claims` option: names of claims to copy, none of them a name the principal is written to. */
export function checkCopiedClaims(claims: unknown, where: string): readonly string[] {
  if (claims === undefined) return [];
  if (!Array.isArray(claims) || !claims.every((c) => typeof c === 'string' && c !== ''))
    throw new ConfigurationError(`${where}: "claims" must list claim names`);
  for (const name of claims) {
    if (name === '__proto__') throw new ConfigurationError(`${where}: "claims" cannot copy "__proto__"`);
    if (MAPPED.includes(name))
      throw new ConfigurationError(
        `${where}: "claims" cannot copy "${name}": the principal's own fields are written under that name`,
      );
  }
  return [...new Set(claims as string[])];
}

/** Why a principal cannot be written to a context, for the log; `undefined` when it can. */
export function unrepresentable(principal: Principal, separator: string): string | undefined {
  if (principal.tenantScope !== undefined)
    return 'the principal is limited to some tenants (an issuer with "tenants"), which an authorizer context cannot carry';
  for (const role of principal.roles) {
    if (role.includes(separator) || role.trim() !== role)
      return `a role holds the role separator "${separator}" or surrounding spaces, so it would not read back as one role`;
  }
  if (principal.scopes.some((scope) => /\s/.test(scope)))
    return 'a scope holds a space, so it would not read back as one scope';
  return undefined;
}

/**
 * Writes a principal as flat strings (REST contexts hold no arrays or objects): the user, tenant and
 * account ids as they are, roles joined by `separator`, scopes by spaces, and the listed claims that
 * are strings, numbers or booleans, as strings (other claims are left out). Call
 * {@link unrepresentable} first.
 */
export function principalContext(
  principal: Principal,
  separator: string,
  claims: readonly string[],
): AuthorizerContext {
  const keys = AUTHORIZER_CONTEXT_KEYS;
  const out: Record<string, string> = {};
  for (const name of claims) {
    if (!Object.hasOwn(principal.claims, name)) continue;
    const value = principal.claims[name];
    if (typeof value === 'string' || typeof value === 'boolean' || Number.isFinite(value))
      out[name] = String(value);
  }
  out[keys.userId] = principal.userId;
  if (principal.tenantId !== undefined) out[keys.tenantId] = principal.tenantId;
  if (principal.accountId !== undefined) out[keys.accountId] = principal.accountId;
  if (principal.roles.length > 0) out[keys.roles] = principal.roles.join(separator);
  if (principal.scopes.length > 0) out[keys.scopes] = principal.scopes.join(' ');
  out[keys.authMethod] = principal.authMethod;
  return Object.freeze(out);
}
