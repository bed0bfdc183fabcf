/** The HTTP event sources Lift answers. */
export type HttpSource = 'apigw-rest' | 'apigw-http' | 'function-url' | 'alb';

/** A response as the app produced it, before it is shaped for the event source. */
export interface OutgoingResponse {
  readonly status: number;
  /** Lower-case header names, single values. */
  readonly headers: Readonly<Record<string, string>>;
  /** Text is sent as is; bytes are base64-encoded. `null` sends no body. */
  readonly body: string | Uint8Array | null;
}

/** What the app needs to know about path handling, fixed at start-up. */
export interface PathOptions {
  /** Prefixes to strip (API Gateway custom-domain base path mappings), without trailing slash. */
  readonly basePaths: readonly string[];
  /** Strip `/{stage}` from HTTP API paths served on the execute-api domain with a named stage. */
  readonly stripStage: boolean;
}

/**
 * Reads one kind of HTTP event and writes its result shape. Adapters are stateless singletons that
 * work on the raw event, so a request costs no intermediate request object.
 */
export interface HttpAdapter {
  readonly source: HttpSource;
  /** The HTTP method as sent (methods are case-sensitive: `GET`, not `get`). */
  method(event: RawEvent): string;
  /** The routing path: base path and stage removed, still encoded when {@link pathEncoded} says so. */
  path(event: RawEvent, options: PathOptions): string;
  /** The path exactly as the event carries it, before base path and stage removal. */
  sentPath(event: RawEvent): string;
  /** Whether the path still carries percent-encoding (REST, Function URL, ALB) or arrives decoded (HTTP API). */
  pathEncoded(event: RawEvent): boolean;
  /** Headers with lower-case names; repeated values joined by `, ` (cookies by `; `). */
  headers(event: RawEvent): Record<string, string>;
  /**
   * One header by lower-case name, read straight from the event, for sources whose header names
   * AWS already lower-cases (HTTP API, Function URL); the others build {@link headers} once instead.
   */
  header?(event: RawEvent, lowerCaseName: string): string | undefined;
  /** Every query value, decoded, in arrival order. */
  query(event: RawEvent): Record<string, string[]>;
  /** The cookies as one `Cookie` header, for sources that carry them apart from the headers (HTTP API v2). */
  cookieHeader?(event: RawEvent): string | undefined;
  /** The raw body and whether it is base64. */
  body(event: RawEvent): { readonly text: string | undefined; readonly base64: boolean };
  /** The caller's IP as AWS saw it; never a client-controlled header. */
  sourceIp(event: RawEvent): string | undefined;
  /** The request id AWS assigned (API Gateway / Function URL), if any. */
  awsRequestId(event: RawEvent): string | undefined;
  /** The result object the source expects; `cookies` are serialized `Set-Cookie` values, never joined. */
  toResult(response: OutgoingResponse, cookies: readonly string[], event: RawEvent, method: string): unknown;
}

/** A Lambda payload seen as a plain record; adapters check shapes before reading. */
export type RawEvent = Record<string, unknown>;
