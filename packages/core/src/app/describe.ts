import type { RateLimitDescription, RouteRateLimitOption } from '../ratelimit/limits.js';
import type { AccessControl } from './access.js';
import type { RouteDefinition } from './group.js';

/**
 * @internal What an app says about itself to API descriptions (`@lift/core/openapi`): the routes as
 * registered, and what the app resolved for them that a route's options alone do not say.
 */
export interface AppDescription {
  readonly service: string;
  /** The largest request body the app reads, in bytes. */
  readonly bodyLimit: number;
  readonly access: AccessControl | undefined;
  readonly routes: readonly RouteDefinition[];
  /** The limits a route's `rateLimit` resolves to, through the app's named policies. */
  rateLimits(route: string, option: RouteRateLimitOption | undefined): RateLimitDescription[];
}

/** A JSON value, as a generated document holds it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** The `info` of an OpenAPI document. */
export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly summary?: string;
  readonly description?: string;
}

/** A server of an OpenAPI document. */
export interface OpenApiServer {
  readonly url: string;
  readonly description?: string;
}

/** Something the generator could not state exactly; the document holds a permissive stand-in for it. */
export interface OpenApiWarning {
  /** The route (`POST /items`), or `app` for the access control. */
  readonly route: string;
  /** Where in it: `body`, `query`, `responses.200`, `access`... */
  readonly where: string;
  readonly message: string;
}

/** Options of `openApiDocument` and `app.openapi()`. */
export interface OpenApiOptions {
  /** Default `{ title: <service>, version: '0.0.0' }`; a given field replaces its default. */
  readonly info?: Partial<OpenApiInfo>;
  /** Where the API is served: URLs, or server objects. */
  readonly servers?: readonly (string | OpenApiServer)[];
  /**
   * Called for each schema or authenticator the document cannot state exactly (a `z.date()` in a
   * request, a transform in a response, a hand-written authenticator). Default: `console.warn`.
   */
  readonly onWarning?: (warning: OpenApiWarning) => void;
}

/** An OpenAPI 3.1 document: plain JSON, its keys in a stable order. */
export interface OpenApiDocument {
  readonly openapi: '3.1.1';
  readonly info: JsonObject;
  readonly servers?: JsonObject[];
  readonly paths: { [path: string]: JsonObject };
  readonly components: JsonObject;
  readonly [extension: `x-${string}`]: JsonValue;
}
