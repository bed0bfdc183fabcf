import type { AuthMethod, Principal } from '../context/principal.js';
import { ConfigurationError } from '../errors/errors.js';

export type { AuthMethod, Principal } from '../context/principal.js';

/**
 * Which claims hold what. Each field lists claims that mean the same thing; a token may carry any of
 * them, but when it carries several that disagree, it makes no principal.
 */
export interface ClaimMapping {
  /** Claims holding the user id: a non-empty string. */
  readonly userId?: readonly string[];
  /** Claims holding the tenant id: a non-empty string (a number, array or object is refused). */
  readonly tenantId?: readonly string[];
  /** Claims holding the account id: a non-empty string (a number, array or object is refused). */
  readonly accountId?: readonly string[];
  /** Claims holding roles: an array of strings, or one string that is one role (see `roleSeparator`). */
  readonly roles?: readonly string[];
  /** Claims holding scopes: an array of strings, or one string of space-separated scopes (RFC 6749 §3.3). */
  readonly scopes?: readonly string[];
  /**
   * Splits a roles claim that arrives as one string, e.g. `','` for an issuer that joins groups with
   * commas. Default: none, so `"admin,user"` is one role, never two grants.
   */
  readonly roleSeparator?: string;
}

type ClaimField = 'userId' | 'tenantId' | 'accountId' | 'roles' | 'scopes';
const FIELDS: readonly ClaimField[] = ['userId', 'tenantId', 'accountId', 'roles', 'scopes'];
const MAPPING_KEYS = new Set<string>([...FIELDS, 'roleSeparator']);

/**
 * Defaults covering Cognito (`custom:tenant_id`, `cognito:groups`) and common OIDC claims. Azure AD's
 * `tid` is not one of them: it names a directory, not an application tenant; map it on purpose.
 */
export const DEFAULT_CLAIM_MAPPING: Readonly<Required<Omit<ClaimMapping, 'roleSeparator'>>> = Object.freeze({
  userId: Object.freeze(['sub']),
  tenantId: Object.freeze(['custom:tenant_id', 'tenant_id']),
  accountId: Object.freeze(['custom:account_id', 'account_id']),
  roles: Object.freeze(['cognito:groups', 'roles']),
  scopes: Object.freeze(['scope', 'scp']),
});

/** What an authenticator found out about a caller, for {@link createPrincipal} to check and freeze. */
export interface PrincipalFields {
  readonly userId: unknown;
  readonly tenantId?: unknown;
  readonly accountId?: unknown;
  readonly roles?: unknown;
  readonly scopes?: unknown;
  readonly authMethod: AuthMethod;
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly tenantScope?: ((tenantId: string) => boolean) | undefined;
}

// Shared by every principal without roles or scopes: frozen, so sharing it is safe.
const NONE: readonly string[] = Object.freeze([]);
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isTextList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.every(isText);

/**
 * The one way every authenticator makes a principal (custom ones too): the user id a non-empty
 * string, tenant and account ids non-empty strings or absent, roles and scopes lists of non-empty
 * strings (absent: none). Returns the principal frozen, lists and claims copied, or `undefined` when
 * the fields make none, so no source can hand access control a tenant of `""` or a role that is not
 * a string.
 */
export function createPrincipal(fields: PrincipalFields): Principal | undefined {
  const { userId, tenantId, accountId, roles = NONE, scopes = NONE } = fields;
  if (!isText(userId) || !isTextList(roles) || !isTextList(scopes)) return undefined;
  if ((tenantId !== undefined && !isText(tenantId)) || (accountId !== undefined && !isText(accountId)))
    return undefined;
  return Object.freeze({
    userId,
    tenantId,
    accountId,
    roles: roles.length === 0 ? NONE : Object.freeze([...roles]),
    scopes: scopes.length === 0 ? NONE : Object.freeze([...scopes]),
    authMethod: fields.authMethod,
    claims: Object.freeze({ ...fields.claims }),
    ...(fields.tenantScope === undefined ? {} : { tenantScope: fields.tenantScope }),
  });
}

/** Turns verified claims into a principal, or `undefined` when they make none. */
export type ClaimReader = (
  claims: Readonly<Record<string, unknown>>,
  authMethod: AuthMethod,
) => Principal | undefined;

// Marks a field whose claims are malformed or disagree: the whole principal is refused.
const REFUSED = Symbol('refused');

// null is how some issuers say "not set"; it names nothing, so it is read as absent.
function present(claims: Readonly<Record<string, unknown>>, name: string): boolean {
  return Object.hasOwn(claims, name) && claims[name] !== undefined && claims[name] !== null;
}

// Numbers are refused too: 1, 1.0 and "1" would name one tenant once turned into text, and large
// numbers lose digits in JSON parsers.
function identity(
  claims: Readonly<Record<string, unknown>>,
  names: readonly string[],
): string | undefined | typeof REFUSED {
  let found: string | undefined;
  for (const name of names) {
    if (!present(claims, name)) continue;
    const value = claims[name];
    if (typeof value !== 'string' || value === '') return REFUSED;
    if (found !== undefined && found !== value) return REFUSED;
    found = value;
  }
  return found;
}

function strings(values: readonly unknown[]): string[] {
  return values.filter(isText);
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((v) => right.has(v));
}

function members(
  claims: Readonly<Record<string, unknown>>,
  names: readonly string[],
  split: (text: string) => string[],
): readonly string[] | typeof REFUSED {
  let found: string[] | undefined;
  for (const name of names) {
    if (!present(claims, name)) continue;
    const value = claims[name];
    const list = Array.isArray(value) ? strings(value) : typeof value === 'string' ? split(value) : [];
    if (found !== undefined && !sameMembers(found, list)) return REFUSED;
    found ??= list;
  }
  // createPrincipal copies and freezes the list; here it only loses its repeats.
  if (found === undefined) return NONE;
  return found.length < 2 ? found : [...new Set(found)];
}

// RFC 6749 §3.3: scope tokens are delimited by spaces; a comma is part of a token.
const splitScopes = (text: string): string[] => text.split(' ').filter((v) => v !== '');

function checkMapping(mapping: ClaimMapping, where: string): void {
  if (typeof mapping !== 'object' || mapping === null)
    throw new ConfigurationError(`${where}: "mapping" must be an object`);
  for (const key of Object.keys(mapping)) {
    if (!MAPPING_KEYS.has(key)) throw new ConfigurationError(`${where}: unknown mapping option "${key}"`);
  }
  for (const field of FIELDS) {
    const names = mapping[field];
    if (names === undefined) continue;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string' && n !== ''))
      throw new ConfigurationError(`${where}: mapping.${field} must list claim names`);
  }
  if (mapping.userId?.length === 0) throw new ConfigurationError(`${where}: mapping.userId lists no claim`);
  const separator = mapping.roleSeparator;
  if (separator !== undefined && (typeof separator !== 'string' || separator === ''))
    throw new ConfigurationError(`${where}: mapping.roleSeparator must be a non-empty string`);
}

/**
 * Checks a mapping once (a `ConfigurationError` naming `where` for unknown options or bad claim
 * lists) and returns the function that reads principals with it, so requests pay for no checks.
 */
export function claimReader(mapping: ClaimMapping = {}, where = 'mapping'): ClaimReader {
  checkMapping(mapping, where);
  const m = { ...DEFAULT_CLAIM_MAPPING, ...mapping };
  const separator = m.roleSeparator;
  const splitRoles =
    separator === undefined
      ? (text: string): string[] => (text === '' ? [] : [text])
      : (text: string): string[] =>
          text
            .split(separator)
            .map((v) => v.trim())
            .filter((v) => v !== '');
  return (claims, authMethod) => {
    const userId = identity(claims, m.userId);
    if (userId === undefined || userId === REFUSED) return undefined;
    const tenantId = identity(claims, m.tenantId);
    const accountId = identity(claims, m.accountId);
    const roles = members(claims, m.roles, splitRoles);
    const scopes = members(claims, m.scopes, splitScopes);
    if (tenantId === REFUSED || accountId === REFUSED || roles === REFUSED || scopes === REFUSED)
      return undefined;
    return createPrincipal({ userId, tenantId, accountId, roles, scopes, authMethod, claims });
  };
}

/**
 * Builds a principal from verified claims. Only the claims the mapping names are read, so a token
 * carrying an unexpected `role: "super_admin"` claim grants nothing unless the mapping says so.
 * Returns `undefined` (no principal: a 401) when there is no user id, when a user, tenant or account
 * claim is not a non-empty string, or when two claims listed for one field disagree. Authenticators
 * check their mapping once with {@link claimReader}; this checks it on every call.
 */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  authMethod: AuthMethod,
  mapping: ClaimMapping = {},
): Principal | undefined {
  return claimReader(mapping, 'principalFromClaims')(claims, authMethod);
}
