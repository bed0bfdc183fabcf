import type { AccessSteps, Permission, RouteAuth, RouteInfo } from '../app/access.js';
import type { Context, RequestInput } from '../context/context.js';
import type { Principal } from '../context/principal.js';
import { ConfigurationError, HttpError, UnauthorizedError } from '../errors/errors.js';
import { isInstance } from '../errors/instance.js';
import { safeRead } from '../errors/report.js';
import {
  describePlace,
  type FieldLists,
  type FieldNames,
  type FoundValue,
  fieldNames,
  type RequestPart,
  visitRawValues,
  visitValidatedValues,
} from './request-fields.js';

type Ctx = Context<RequestInput, object>;

/** The app-wide decisions a route's access steps rely on, built once by `createAccessControl`. */
export interface Policy {
  /** Runs the authenticators in order; the first principal wins. */
  readonly authenticate: (ctx: Ctx) => Principal | undefined | Promise<Principal | undefined>;
  /** Every role a principal holds through the hierarchy. */
  readonly expand: (roles: readonly string[]) => ReadonlySet<string>;
  /** Whether the hierarchy defines a role. */
  readonly knownRole: (role: string) => boolean;
  /** Whether one of the effective roles is granted a permission. */
  readonly hasPermission: (effective: ReadonlySet<string>, wanted: Permission) => boolean;
  /** Where requests may name a tenant. */
  readonly tenantFields: FieldLists;
  /** Whether the principal holds a value of a permission's context field. */
  readonly holds: (principal: Principal, field: string, value: string) => boolean;
  /** Roles that may act on another tenant's data (each such access audited). */
  readonly crossTenantRoles: ReadonlySet<string>;
  /** Writes an audit event. */
  readonly record: (
    ctx: Ctx,
    principal: Principal | undefined,
    outcome: 'allow' | 'deny',
    reason: string,
    resource?: string,
  ) => void;
  /** Audits a denial and throws the generic 403. */
  readonly deny: (ctx: Ctx, principal: Principal, reason: string, resource?: string) => never;
}

const DECLARATION_KEYS = new Set(['roles', 'scopes', 'permissions', 'sensitive']);

function checkDeclaration(policy: Policy, route: RouteInfo, declaration: Exclude<RouteAuth, 'public'>): void {
  const name = `${route.method} ${route.pattern}`;
  if (typeof declaration !== 'object' || declaration === null)
    throw new ConfigurationError(`${name}: auth must be 'public' or an object`);
  for (const key of Object.keys(declaration)) {
    if (!DECLARATION_KEYS.has(key)) throw new ConfigurationError(`${name}: unknown auth option "${key}"`);
  }
  for (const role of declaration.roles ?? []) {
    if (!policy.knownRole(role)) throw new ConfigurationError(`${name}: unknown role "${role}"`);
  }
  for (const p of declaration.permissions ?? []) {
    if (typeof p?.resource !== 'string' || typeof p.action !== 'string')
      throw new ConfigurationError(`${name}: a permission needs a resource and an action`);
  }
}

/** The fields a route checks: the tenant fields, and its permissions' context fields (never headers). */
function routeFields(
  tenant: FieldLists,
  context: readonly string[],
): { names: FieldNames; tenant: Readonly<Record<RequestPart, ReadonlySet<string>>> } {
  const union = (list: readonly string[]) => [...new Set([...list, ...context])];
  return {
    names: fieldNames({
      params: union(tenant.params),
      query: union(tenant.query),
      headers: tenant.headers,
      body: union(tenant.body),
    }),
    tenant: {
      params: new Set(tenant.params),
      query: new Set(tenant.query),
      headers: new Set(tenant.headers),
      body: new Set(tenant.body),
    },
  };
}

/**
 * The steps that enforce one route's `auth` declaration. Before validation: authenticate (401),
 * roles, scopes, permissions (403), then every tenant and permission-context value the raw request
 * carries (400 when ambiguous, 403 when not the principal's). Once the schemas ran: the same fields
 * in the validated values the handler will receive, and the audit of a sensitive route.
 */
export function routeAccess(policy: Policy, route: RouteInfo, declaration: RouteAuth): AccessSteps {
  if (declaration === 'public') return {};
  checkDeclaration(policy, route, declaration);
  const { deny, record, expand } = policy;
  const roles = declaration.roles ?? [];
  const scopes = declaration.scopes ?? [];
  const permissions = declaration.permissions ?? [];
  const contextFields = [...new Set(permissions.flatMap((p) => p.context ?? []))];
  const sensitive = declaration.sensitive === true;
  const fields = routeFields(policy.tenantFields, contextFields);
  const contextSet = new Set(contextFields);
  // Parts whose schemas run before the handler: their output is checked again once validated.
  const validated = route.validates.filter((part) => fields.names.sets[part].size > 0);
  // A context field the raw request does not name may still come from a schema (never a header one).
  const contextMayComeLater = route.validates.some((part) => part !== 'headers');
  // Context fields the raw request did not name, for the few requests a schema may still supply them to.
  const unnamedAfterRaw = new WeakMap<Ctx, Set<string>>();
  // Cross-tenant tenants already audited in a request: one line per tenant, however often it is named.
  const auditedTenants = new WeakMap<Ctx, Set<string>>();

  const crossTenant = (principal: Principal, effective: ReadonlySet<string>, value: string): boolean => {
    // A cross-tenant role reaches only tenants the principal's issuer may speak for.
    if (principal.tenantScope !== undefined && !principal.tenantScope(value)) return false;
    for (const role of effective) if (policy.crossTenantRoles.has(role)) return true;
    return false;
  };

  // Checks one value the request names, wherever it was found; `unnamed` loses each context field seen.
  const checker =
    (ctx: Ctx, principal: Principal, effective: ReadonlySet<string>, unnamed?: Set<string>): FoundValue =>
    (part, field, value, afterSchemas, frame) => {
      if (fields.tenant[part].has(field) && value !== principal.tenantId) {
        const where = describePlace(part, field, afterSchemas, frame);
        if (!crossTenant(principal, effective, value))
          deny(ctx, principal, `tenant in ${where} is not the principal's`);
        let audited = auditedTenants.get(ctx);
        if (audited === undefined) auditedTenants.set(ctx, (audited = new Set()));
        if (!audited.has(value)) {
          audited.add(value);
          record(ctx, principal, 'allow', `cross-tenant access to tenant ${value} through ${where}`);
        }
      }
      if (part !== 'headers' && contextSet.has(field)) {
        unnamed?.delete(field);
        if (!policy.holds(principal, field, value)) deny(ctx, principal, `does not hold ${field} ${value}`);
      }
    };

  const check = (ctx: Ctx, principal: Principal | undefined): undefined => {
    if (principal === undefined) {
      record(ctx, undefined, 'deny', 'no valid credentials');
      throw new UnauthorizedError('Authentication required', { headers: { 'www-authenticate': 'Bearer' } });
    }
    ctx.principal = principal;
    const effective = expand(principal.roles);
    if (roles.length > 0 && !roles.some((r) => effective.has(r)))
      deny(ctx, principal, `needs one of the roles ${roles.join(', ')}`);
    for (const scope of scopes)
      if (!principal.scopes.includes(scope)) deny(ctx, principal, `needs the scope ${scope}`);
    for (const wanted of permissions) {
      if (!policy.hasPermission(effective, wanted))
        deny(ctx, principal, `needs the permission ${wanted.action} on ${wanted.resource}`, wanted.resource);
    }
    const unnamed = contextFields.length === 0 ? undefined : new Set(contextFields);
    visitRawValues(ctx, fields.names, checker(ctx, principal, effective, unnamed));
    if (unnamed !== undefined && unnamed.size > 0) {
      // A permission tied to a field the request does not name cannot be checked: refuse, unless
      // a schema may still supply the field (checked once validated).
      if (!contextMayComeLater) deny(ctx, principal, `request names no ${[...unnamed].join(', ')}`);
      unnamedAfterRaw.set(ctx, unnamed);
    }
    return undefined;
  };

  return {
    beforeValidation(ctx) {
      if (ctx.principal !== undefined) return check(ctx, ctx.principal);
      // Bad credentials (an invalid token) are audited like missing ones; credentials that could not
      // be checked (an authenticator's 5xx: keys or a store unreachable) are audited as such.
      const failed = (error: unknown): never => {
        const unchecked = isInstance(error, HttpError) && safeRead(() => error.status >= 500) === true;
        record(
          ctx,
          undefined,
          'deny',
          unchecked ? 'credentials could not be checked' : 'invalid credentials',
        );
        throw error;
      };
      let found: ReturnType<Policy['authenticate']>;
      try {
        found = policy.authenticate(ctx);
      } catch (error) {
        return failed(error);
      }
      return found instanceof Promise ? found.then((p) => check(ctx, p), failed) : check(ctx, found);
    },
    afterValidation(ctx) {
      const principal = ctx.principal as Principal;
      if (validated.length > 0) {
        const unnamed = unnamedAfterRaw.get(ctx);
        unnamedAfterRaw.delete(ctx);
        const effective = expand(principal.roles);
        visitValidatedValues(ctx, fields.names, validated, checker(ctx, principal, effective, unnamed));
        if (unnamed !== undefined && unnamed.size > 0)
          deny(ctx, principal, `request names no ${[...unnamed].join(', ')}`);
      }
      if (sensitive) record(ctx, principal, 'allow', 'sensitive route');
      return undefined;
    },
  };
}
