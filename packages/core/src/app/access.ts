import type { Context, RequestInput } from '../context/context.js';
import type { AuditSink } from '../observability/audit.js';

/** A permission: an action on a resource, optionally within a scope and tied to request fields. */
export interface Permission {
  readonly resource: string;
  readonly action: string;
  /** Breadth of the grant (`own`, `company`, `tenant`, `all`...); `*` in a grant matches any. */
  readonly scope?: string;
  /**
   * Request fields (path params, query, body) the principal must hold the value of, such as
   * `companyId`: the request's `companyId` must be one the principal's claims carry.
   */
  readonly context?: readonly string[];
}

/** What a route declares about who may call it. An empty object means any authenticated caller. */
export type RouteAuth =
  | 'public'
  | {
      /** Any of these roles (a role also holds every role below it in the hierarchy). */
      readonly roles?: readonly string[];
      /** All of these scopes. */
      readonly scopes?: readonly string[];
      /** All of these permissions. */
      readonly permissions?: readonly Permission[];
      /** Audit allowed calls too, not only denials. */
      readonly sensitive?: boolean;
    };

/** A step of a request; returns a promise only when it waits. */
export type AccessStep = (ctx: Context<RequestInput, object>) => Promise<void> | undefined;

/** The steps access control adds to a route: before validation, and once the body is validated. */
export interface AccessSteps {
  readonly beforeValidation?: AccessStep;
  readonly afterValidation?: AccessStep;
}

/**
 * The access control an app enforces, provided by `@lift/core/auth` (`createAccessControl`). The app
 * asks it, once per route at start-up, for the steps that enforce that route's declaration; it may
 * refuse a declaration by throwing a ConfigurationError.
 */
export interface AccessControl {
  prepare(route: RouteInfo, declaration: RouteAuth): AccessSteps;
  /** Where the app's own audit events go too (a tripped `sensitive` rate limit): the same sink. */
  readonly audit?: AuditSink;
  /** @internal How callers prove who they are, one entry per authenticator in order: for API descriptions. */
  readonly schemes?: readonly AuthenticationScheme[];
}

/**
 * @internal How an authenticator reads a caller, as an API description (OpenAPI) states it: bearer
 * JWTs of the named issuers, an API key header, signature headers, or what API Gateway verified.
 * `custom` is an authenticator Lift did not build and cannot describe.
 */
export type AuthenticationScheme =
  | {
      readonly type: 'jwt';
      readonly issuers: readonly string[];
      /** Per issuer, in the order of `issuers`: the audiences it accepts (`null`: any) and Cognito's token use. */
      readonly trusts?: readonly TrustedJwtIssuer[];
    }
  | { readonly type: 'api-key'; readonly header: string; readonly authorizationScheme: string }
  | { readonly type: 'signature'; readonly header: string; readonly headers: readonly string[] }
  | { readonly type: 'gateway'; readonly via: 'jwt' | 'lambda' | 'iam' }
  | { readonly type: 'custom' };

/** @internal One issuer a JWT authenticator trusts, as `lift dev` reads it to mint tokens the app accepts. */
export interface TrustedJwtIssuer {
  readonly issuer: string;
  /** The `aud` values it accepts; `null` when any is. */
  readonly audience: readonly string[] | null;
  /** For a Cognito user pool: which of its tokens (`id` or `access`). */
  readonly tokenUse?: 'id' | 'access';
  /** `given` when its keys are the ones in its options (`jwks`), never fetched: no stand-in signs for it. */
  readonly keys?: 'given';
}

/** What access control learns about a route when it prepares the route's steps. */
export interface RouteInfo {
  readonly method: string;
  readonly pattern: string;
  /** The parts of the request the route's schemas validate (and may transform) before the handler. */
  readonly validates: readonly ('params' | 'query' | 'headers' | 'body')[];
}
