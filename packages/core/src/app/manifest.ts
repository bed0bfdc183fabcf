import type { EventBridgeManifest, RecordManifest } from '../events/feature.js';
import type { ScheduleInfo } from '../events/schedule.js';
import { type CorsDeclaration, corsDeclarationOf } from '../middleware/compose.js';
import type { RouteDefinition } from './group.js';

export type { EventBridgeManifest, RecordManifest } from '../events/feature.js';

/** What a deployment needs of one route: where it is and who may call it. */
export interface RouteManifest {
  readonly method: string;
  readonly pattern: string;
  /**
   * `public`: anyone (`auth: 'public'`); `protected`: only an authenticated principal (a gateway may
   * check the token before the function does); `open`: the app has no access control at all.
   */
  readonly access: 'public' | 'protected' | 'open';
  /** The roles the route requires (any of them), when it names some. */
  readonly roles?: readonly string[];
  /** The scopes the route requires (all of them), when it names some. */
  readonly scopes?: readonly string[];
  /** The CORS rules that answer this route's preflights, when a `cors()` middleware covers it. */
  readonly cors?: CorsDeclaration;
  /** The route is rate limited: serving it writes to the rate-limit store. */
  readonly rateLimited?: true;
  /** The route is idempotent: serving it writes to the idempotency store. */
  readonly idempotent?: true;
}

/**
 * Everything an app declares that a deployment creates or wires: its routes with their access,
 * CORS, record registrations, EventBridge patterns and schedules. `@lift/cdk` builds a stack from it,
 * so nothing the app already says is described a second time.
 */
export interface AppManifest {
  readonly service: string;
  readonly routes: readonly RouteManifest[];
  /** The app-wide CORS rules (a `cors()` in `app.use`), if any. */
  readonly cors: CorsDeclaration | undefined;
  readonly records: readonly RecordManifest[];
  readonly eventBridge: readonly EventBridgeManifest[];
  readonly schedules: readonly ScheduleInfo[];
}

/** @internal The manifest of one route. */
export function routeManifest(def: RouteDefinition, hasAccessControl: boolean): RouteManifest {
  const auth = def.options.auth;
  let cors: CorsDeclaration | undefined;
  for (const group of def.groups) for (const mw of group.middleware) cors = corsDeclarationOf(mw) ?? cors;
  for (const mw of def.options.middleware ?? []) cors = corsDeclarationOf(mw) ?? cors;
  const base = {
    method: def.method,
    pattern: def.pattern,
    access: !hasAccessControl
      ? ('open' as const)
      : auth === 'public'
        ? ('public' as const)
        : ('protected' as const),
  };
  const roles = typeof auth === 'object' && auth.roles !== undefined ? { roles: [...auth.roles] } : {};
  const scopes = typeof auth === 'object' && auth.scopes !== undefined ? { scopes: [...auth.scopes] } : {};
  return {
    ...base,
    ...roles,
    ...scopes,
    ...(cors === undefined ? {} : { cors }),
    ...(def.options.rateLimit === undefined ? {} : { rateLimited: true as const }),
    ...(def.options.idempotency === undefined ? {} : { idempotent: true as const }),
  };
}
