import type { AccessControl, AccessSteps, Permission, RouteAuth } from '../app/access.js';
import { mediaType } from '../body/body.js';
import type { Context, RequestInput } from '../context/context.js';
import type { Principal } from '../context/principal.js';
import { ConfigurationError, ForbiddenError, UnauthorizedError } from '../errors/errors.js';
import type { Authenticator } from './api-gateway.js';
import { type AuditSink, auditLogSink } from './audit.js';
import { DEFAULT_ROLE_HIERARCHY, type RoleHierarchy, roleExpander } from './roles.js';

type Ctx = Context<RequestInput, object>;

/** Where a request may name a tenant; each named field must equal the principal's tenant. */
export interface TenantFields {
  readonly params?: readonly string[];
  readonly query?: readonly string[];
  readonly headers?: readonly string[];
  readonly body?: readonly string[];
}

/** Options of {@link createAccessControl}. */
export interface AccessControlOptions {
  /** Tried in order; the first that finds a principal wins. */
  readonly authenticators: readonly Authenticator[];
  /** Default: super_admin > client_admin > integration_admin, company_admin > user. */
  readonly roleHierarchy?: RoleHierarchy;
  /** The permissions each role grants (a role also has those of the roles below it). */
  readonly permissions?: Readonly<Record<string, readonly Permission[]>>;
  /** Default: `tenantId` in params, query and body, `x-tenant-id` in headers. */
  readonly tenantFields?: TenantFields;
  /** Roles allowed to act on another tenant's data; every such access is audited. */
  readonly crossTenantRoles?: readonly string[];
  /** For a permission's `context` field, the claims holding the values a principal may use (default: the field and its plural). */
  readonly contextClaims?: Readonly<Record<string, readonly string[]>>;
  /** Default: one JSON line per event on stdout. */
  readonly audit?: AuditSink;
}

const DEFAULT_TENANT_FIELDS: Required<TenantFields> = {
  params: ['tenantId'],
  query: ['tenantId'],
  headers: ['x-tenant-id'],
  body: ['tenantId'],
};
const DECLARATION_KEYS = new Set(['roles', 'scopes', 'permissions', 'sensitive']);
const OPTION_KEYS = new Set([
  'authenticators',
  'roleHierarchy',
  'permissions',
  'tenantFields',
  'crossTenantRoles',
  'contextClaims',
  'audit',
]);

function grants(granted: Permission, wanted: Permission): boolean {
  return (
    (granted.resource === '*' || granted.resource === wanted.resource) &&
    (granted.action === '*' || granted.action === wanted.action) &&
    (wanted.scope === undefined || granted.scope === '*' || granted.scope === wanted.scope)
  );
}

function textValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

// The body is inspected only when it is structured data; an upload must not be parsed (or refused) here.
function structuredBody(ctx: Ctx): Record<string, unknown> | undefined {
  const type = mediaType(ctx.header('content-type'));
  if (type !== 'application/json' && !type.endsWith('+json') && type !== 'application/x-www-form-urlencoded')
    return undefined;
  const body = ctx.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

/**
 * Access control for an app: `createApp({ service, access: createAccessControl({ authenticators }) })`.
 * Every route must then declare `auth`. For a protected route it authenticates the caller (401 if
 * none), checks roles through the hierarchy, scopes and permissions (403), and refuses a request that
 * names another tenant than the principal's in its path, query, headers or body (403), except for
 * cross-tenant roles. Denials are audited, as are allowed calls to routes marked `sensitive`; the
 * caller only ever sees a generic message.
 */
export function createAccessControl(options: AccessControlOptions): AccessControl {
  for (const key of Object.keys(options ?? {})) {
    if (!OPTION_KEYS.has(key)) throw new ConfigurationError(`createAccessControl: unknown option "${key}"`);
  }
  if (
    !Array.isArray(options?.authenticators) ||
    options.authenticators.length === 0 ||
    !options.authenticators.every((a) => typeof a === 'function')
  ) {
    throw new ConfigurationError(
      'createAccessControl: "authenticators" must list at least one authenticator',
    );
  }
  const hierarchy = options.roleHierarchy ?? DEFAULT_ROLE_HIERARCHY;
  const expand = roleExpander(hierarchy);
  const knownRole = (role: string) => Object.hasOwn(hierarchy, role);
  const granted = new Map<string, readonly Permission[]>();
  for (const [role, list] of Object.entries(options.permissions ?? {})) {
    if (!knownRole(role))
      throw new ConfigurationError(`createAccessControl: permissions name unknown role "${role}"`);
    granted.set(role, list);
  }
  for (const role of options.crossTenantRoles ?? []) {
    if (!knownRole(role))
      throw new ConfigurationError(`createAccessControl: crossTenantRoles names unknown role "${role}"`);
  }
  const crossTenant = new Set(options.crossTenantRoles ?? []);
  const tenant = { ...DEFAULT_TENANT_FIELDS, ...options.tenantFields };
  const audit = options.audit ?? auditLogSink();
  const authenticators = options.authenticators;

  const record = (
    ctx: Ctx,
    principal: Principal | undefined,
    outcome: 'allow' | 'deny',
    reason: string,
    resource?: string,
  ) => {
    try {
      audit({
        type: 'audit',
        time: new Date().toISOString(),
        requestId: ctx.requestId,
        service: ctx.service,
        userId: principal?.userId,
        tenantId: principal?.tenantId,
        authMethod: principal?.authMethod,
        action: `${ctx.method} ${ctx.route ?? ctx.path}`,
        resource: resource ?? ctx.route ?? ctx.path,
        outcome,
        reason,
      });
    } catch {
      // A failing sink must not turn a decision into a crash.
    }
  };
  const deny = (ctx: Ctx, principal: Principal, reason: string, resource?: string): never => {
    record(ctx, principal, 'deny', reason, resource);
    throw new ForbiddenError();
  };

  const authenticate = (ctx: Ctx, index = 0): Principal | undefined | Promise<Principal | undefined> => {
    for (let i = index; i < authenticators.length; i++) {
      const found = (authenticators[i] as Authenticator)(ctx);
      if (found instanceof Promise) return found.then((p) => p ?? authenticate(ctx, i + 1));
      if (found !== undefined) return found;
    }
    return undefined;
  };

  const holds = (principal: Principal, field: string): Set<string> => {
    const values = new Set<string>();
    for (const claim of options.contextClaims?.[field] ?? [field, `${field}s`]) {
      const value = principal.claims[claim];
      for (const v of Array.isArray(value) ? value : [value]) {
        const text = textValue(v);
        if (text !== undefined) values.add(text);
      }
    }
    return values;
  };

  const checkTenant = (
    ctx: Ctx,
    principal: Principal,
    where: string,
    named: string | undefined,
    effective: ReadonlySet<string>,
  ) => {
    if (named === undefined || named === principal.tenantId) return;
    if ([...effective].some((r) => crossTenant.has(r))) {
      record(ctx, principal, 'allow', `cross-tenant access to tenant ${named} through ${where}`);
      return;
    }
    deny(ctx, principal, `tenant in ${where} differs from the principal's`);
  };

  return {
    prepare(route, declaration: RouteAuth): AccessSteps {
      if (declaration === 'public') return {};
      if (typeof declaration !== 'object' || declaration === null) {
        throw new ConfigurationError(`${route.method} ${route.pattern}: auth must be 'public' or an object`);
      }
      for (const key of Object.keys(declaration)) {
        if (!DECLARATION_KEYS.has(key))
          throw new ConfigurationError(`${route.method} ${route.pattern}: unknown auth option "${key}"`);
      }
      for (const role of declaration.roles ?? []) {
        if (!knownRole(role))
          throw new ConfigurationError(`${route.method} ${route.pattern}: unknown role "${role}"`);
      }
      const permissions = declaration.permissions ?? [];
      for (const p of permissions) {
        if (typeof p?.resource !== 'string' || typeof p.action !== 'string') {
          throw new ConfigurationError(
            `${route.method} ${route.pattern}: a permission needs a resource and an action`,
          );
        }
      }
      const roles = declaration.roles ?? [];
      const scopes = declaration.scopes ?? [];
      const contextFields = [...new Set(permissions.flatMap((p) => p.context ?? []))];
      const sensitive = declaration.sensitive === true;

      const check = (ctx: Ctx, principal: Principal | undefined): undefined => {
        if (principal === undefined) {
          record(ctx, undefined, 'deny', 'no valid credentials');
          throw new UnauthorizedError('Authentication required', {
            headers: { 'www-authenticate': 'Bearer' },
          });
        }
        ctx.principal = principal;
        const effective = expand(principal.roles);
        if (roles.length > 0 && !roles.some((r) => effective.has(r)))
          deny(ctx, principal, `needs one of the roles ${roles.join(', ')}`);
        for (const scope of scopes)
          if (!principal.scopes.includes(scope)) deny(ctx, principal, `needs the scope ${scope}`);
        for (const wanted of permissions) {
          const ok = [...effective].some((role) => (granted.get(role) ?? []).some((g) => grants(g, wanted)));
          if (!ok)
            deny(
              ctx,
              principal,
              `needs the permission ${wanted.action} on ${wanted.resource}`,
              wanted.resource,
            );
        }
        const params = ctx.params as Record<string, string>;
        const query = ctx.query as Record<string, string>;
        for (const f of tenant.params)
          checkTenant(ctx, principal, `path parameter ${f}`, params[f], effective);
        for (const f of tenant.query)
          checkTenant(ctx, principal, `query parameter ${f}`, query[f], effective);
        for (const f of tenant.headers) checkTenant(ctx, principal, `header ${f}`, ctx.header(f), effective);
        for (const field of contextFields) {
          const value = params[field] ?? query[field];
          if (value !== undefined && !holds(principal, field).has(value))
            deny(ctx, principal, `does not hold ${field} ${value}`);
        }
        return undefined;
      };

      return {
        beforeValidation(ctx) {
          if (ctx.principal !== undefined) return check(ctx, ctx.principal);
          // Bad credentials (an invalid token) are audited like missing ones.
          const failed = (error: unknown): never => {
            record(ctx, undefined, 'deny', 'invalid credentials');
            throw error;
          };
          let found: ReturnType<typeof authenticate>;
          try {
            found = authenticate(ctx);
          } catch (error) {
            return failed(error);
          }
          return found instanceof Promise ? found.then((p) => check(ctx, p), failed) : check(ctx, found);
        },
        afterValidation(ctx) {
          const principal = ctx.principal as Principal;
          const effective = expand(principal.roles);
          const body = tenant.body.length > 0 || contextFields.length > 0 ? structuredBody(ctx) : undefined;
          for (const f of tenant.body)
            checkTenant(ctx, principal, `body field ${f}`, textValue(body?.[f]), effective);
          const params = ctx.params as Record<string, string>;
          const query = ctx.query as Record<string, string>;
          for (const field of contextFields) {
            if (params[field] !== undefined || query[field] !== undefined) continue;
            const value = textValue(body?.[field]);
            // A permission tied to a field the request does not name cannot be checked: refuse.
            if (value === undefined) deny(ctx, principal, `request names no ${field}`);
            else if (!holds(principal, field).has(value))
              deny(ctx, principal, `does not hold ${field} ${value}`);
          }
          if (sensitive) record(ctx, principal, 'allow', 'sensitive route');
          return undefined;
        },
      };
    },
  };
}
