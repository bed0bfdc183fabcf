import type { AccessControl, Permission } from '../app/access.js';
import type { Context, RequestInput } from '../context/context.js';
import type { Principal } from '../context/principal.js';
import {
  ConfigurationError,
  ForbiddenError,
  InternalServerError,
  refuseUnknownOptions,
} from '../errors/errors.js';
import { safeText } from '../errors/report.js';
import { type AuditSink, auditLogSink } from '../observability/audit.js';
import type { Authenticator } from './api-gateway.js';
import type { FieldLists, RequestPart } from './request-fields.js';
import { DEFAULT_ROLE_HIERARCHY, type RoleHierarchy, roleExpander } from './roles.js';
import { type Policy, routeAccess } from './route-access.js';
import { schemeOf } from './scheme.js';

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

const PARTS: readonly RequestPart[] = ['params', 'query', 'headers', 'body'];

function tenantFieldLists(given: TenantFields | undefined): FieldLists {
  if (given !== undefined && (typeof given !== 'object' || given === null))
    throw new ConfigurationError('createAccessControl: "tenantFields" must be an object');
  for (const key of Object.keys(given ?? {})) {
    if (!(PARTS as readonly string[]).includes(key))
      throw new ConfigurationError(`createAccessControl: tenantFields has unknown part "${key}"`);
  }
  const lists = { ...DEFAULT_TENANT_FIELDS, ...given };
  for (const part of PARTS) {
    const list: unknown = lists[part];
    if (!Array.isArray(list) || !list.every((name) => typeof name === 'string' && name !== ''))
      throw new ConfigurationError(`createAccessControl: tenantFields.${part} must list field names`);
  }
  return { ...lists, headers: lists.headers.map((name) => name.toLowerCase()) };
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
  refuseUnknownOptions(options, OPTION_KEYS, 'createAccessControl');
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
  const tenant = tenantFieldLists(options.tenantFields);
  const audit = options.audit ?? auditLogSink();
  const authenticators = options.authenticators;

  const record = (
    ctx: Ctx,
    principal: Principal | undefined,
    outcome: 'allow' | 'deny',
    reason: string,
    resource?: string,
  ) => {
    let written: unknown;
    try {
      written = audit({
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
    } catch (error) {
      // A denial stands whether or not it could be written down. An access that must be audited
      // (cross-tenant, sensitive) and cannot be does not happen: a 500, reported with the cause.
      if (outcome === 'allow') throw new InternalServerError({ cause: error });
      return;
    }
    // A sink that returns a promise is not awaited; its failure must not become an unhandled rejection.
    if (typeof (written as { then?: unknown } | undefined)?.then === 'function') {
      (written as Promise<unknown>).then(undefined, (error: unknown) =>
        console.error(
          JSON.stringify({ level: 'ERROR', message: 'Audit sink failed', error: safeText(error) }),
        ),
      );
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

  const holds = (principal: Principal, field: string, value: string): boolean => {
    for (const claim of options.contextClaims?.[field] ?? [field, `${field}s`]) {
      const held = principal.claims[claim];
      if (Array.isArray(held)) {
        for (const v of held) if (textValue(v) === value) return true;
      } else if (textValue(held) === value) return true;
    }
    return false;
  };

  const policy: Policy = {
    authenticate: (ctx) => authenticate(ctx),
    expand,
    knownRole,
    hasPermission: (effective, wanted) =>
      [...effective].some((role) => (granted.get(role) ?? []).some((g) => grants(g, wanted))),
    tenantFields: tenant,
    holds,
    crossTenantRoles: crossTenant,
    record,
    deny,
  };
  return {
    prepare: (route, declaration) => routeAccess(policy, route, declaration),
    audit,
    schemes: authenticators.map(schemeOf),
  };
}
