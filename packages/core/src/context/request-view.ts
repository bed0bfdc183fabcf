import { collapseValues, encodedPath } from '../adapters/shared.js';
import type { HttpAdapter, HttpSource, RawEvent } from '../adapters/types.js';
import { parseBody, readBody } from '../body/body.js';
import { ConfigurationError } from '../errors/errors.js';
import { parseCookieHeader } from './cookies.js';
import { DeadlineAbort } from './deadline.js';
import { isSafeRequestId } from './headers.js';
import type { LambdaContext } from './lambda.js';
import type { LoggerLike } from './logger-like.js';
import type { Principal } from './principal.js';
import type { ContextRuntime, DefaultInput, RequestInput } from './types.js';

const EMPTY_PARAMS: object = Object.freeze(Object.create(null));

/**
 * What a request says, read lazily: headers are lower-cased, query, cookies and body parsed, the abort
 * signal created, only when a handler or middleware asks. {@link Context} adds the response draft.
 *
 * @typeParam I - params, query, headers and body as the route's schemas (or path) define them
 * @typeParam S - the per-request state middleware shares with handlers
 */
export class RequestView<I extends RequestInput = DefaultInput, S extends object = Record<string, unknown>> {
  /** The raw Lambda event. */
  readonly event: unknown;
  /** The Lambda context, when invoked by Lambda (or the test kit). */
  readonly lambda: LambdaContext | undefined;
  /** Which HTTP event source delivered the request. */
  readonly source: HttpSource;
  /** The HTTP method as sent (methods are case-sensitive: `GET`, not `get`). */
  readonly method: string;
  /** The routing path: base path and stage removed; percent-encoded as the source delivered it. */
  readonly path: string;
  /** The matched route pattern (`/items/:id`), or `undefined` when no route matched. Use it in logs and metrics. */
  route: string | undefined;
  /** The time the request started, from the app's clock (ms). */
  readonly startedAt: number;
  /** Per-route body limit in bytes (a body-limit middleware may change it before the body is read). */
  bodyLimit: number;
  /** The verified caller, once access control has authenticated the request. */
  principal: Principal | undefined;

  /** @internal */
  protected readonly adapter: HttpAdapter;
  /** @internal */
  protected readonly runtime: ContextRuntime;
  private paramValues: object;
  private queryValues: object | undefined;
  private queryLists: Record<string, string[]> | undefined;
  private rawHeaders: Record<string, string> | undefined;
  private headerValues: object | undefined;
  private cookieValues: Record<string, string> | undefined;
  private bodyBytes: Buffer | undefined;
  private bodyValue: unknown;
  private bodyParsed: boolean;
  private requestIdValue: string | undefined;
  private stateValue: S | undefined;
  private deadlineAbort: DeadlineAbort | undefined;
  private requestLog: LoggerLike | undefined;
  private notes: Record<string, string> | undefined;

  /** Created by the app for each request. */
  constructor(
    event: RawEvent,
    lambda: LambdaContext | undefined,
    adapter: HttpAdapter,
    runtime: ContextRuntime,
    method: string,
    path: string,
  ) {
    this.event = event;
    this.lambda = lambda;
    this.adapter = adapter;
    this.runtime = runtime;
    this.source = adapter.source;
    this.method = method;
    this.path = path;
    this.route = undefined;
    this.startedAt = runtime.now();
    this.bodyLimit = runtime.bodyLimit;
    this.principal = undefined;
    this.paramValues = EMPTY_PARAMS;
    this.queryValues = undefined;
    this.queryLists = undefined;
    this.rawHeaders = undefined;
    this.headerValues = undefined;
    this.cookieValues = undefined;
    this.bodyBytes = undefined;
    this.bodyValue = undefined;
    this.bodyParsed = false;
    this.requestIdValue = undefined;
    this.stateValue = undefined;
    this.deadlineAbort = undefined;
    this.requestLog = undefined;
    this.notes = undefined;
  }

  /** Path params, decoded (validated when the route has a `params` schema). */
  get params(): I['params'] {
    return this.paramValues as I['params'];
  }

  /** Query parameters, first value of each (validated when the route has a `query` schema). */
  get query(): I['query'] {
    if (this.queryValues === undefined) {
      const first: Record<string, string> = Object.create(null);
      const lists = this.queryAllValues();
      for (const key in lists) first[key] = (lists[key] as string[])[0] as string;
      this.queryValues = first;
    }
    return this.queryValues as I['query'];
  }

  /** Every value of a repeated query parameter (`?tag=a&tag=b` → `['a', 'b']`). */
  queryAll(name: string): string[] {
    return this.queryAllValues()[name] ?? [];
  }

  /** Query parameters with all their values: single ones as strings, repeated ones as arrays. */
  queryMulti(): Record<string, string | string[]> {
    return collapseValues(this.queryAllValues());
  }

  private queryAllValues(): Record<string, string[]> {
    this.queryLists ??= this.adapter.query(this.event as RawEvent);
    return this.queryLists;
  }

  /** Request headers with lower-case names (validated when the route has a `headers` schema). */
  get headers(): I['headers'] {
    return (this.headerValues ?? this.lowerCaseHeaders()) as I['headers'];
  }

  private lowerCaseHeaders(): Record<string, string> {
    this.rawHeaders ??= this.adapter.headers(this.event as RawEvent);
    return this.rawHeaders;
  }

  /**
   * @internal One request header by its lower-case name, as `header(name)` reads it but without
   * lower-casing the name (about 200 instructions a call): for Lift's own reads of fixed names on
   * every request (trace, correlation id, origin). Also without building the header map when the
   * source can.
   */
  readHeader(key: string): string | undefined {
    const read = this.rawHeaders === undefined ? this.adapter.header : undefined;
    return read === undefined ? this.lowerCaseHeaders()[key] : read(this.event as RawEvent, key);
  }

  /**
   * The path as the source delivered it, before Lift strips a stage or base path (REST APIs deliver
   * it without the stage), percent-encoded: what request signatures cover. Sources that keep the
   * encoding (REST, Function URL, ALB) give it exactly as delivered, unchecked, so `/a%2Fb` and
   * `/a/b` stay apart. HTTP APIs deliver it decoded, so each segment is encoded again (a literal `%`
   * becomes `%25`, never an escape); there a client's `%2F` has already become `/`.
   */
  sentPath(): string {
    return encodedPath(this.adapter, this.event as RawEvent);
  }

  /** Request cookies by name. */
  get cookies(): Record<string, string> {
    if (this.cookieValues === undefined) {
      const header = this.adapter.cookieHeader?.(this.event as RawEvent) ?? this.readHeader('cookie');
      this.cookieValues = parseCookieHeader(header);
    }
    return this.cookieValues;
  }

  /** The decoded request body bytes (size-checked against the body limit). */
  get rawBody(): Uint8Array {
    if (this.bodyBytes === undefined) {
      const { text, base64 } = this.adapter.body(this.event as RawEvent);
      this.bodyBytes = readBody(text, base64, this.bodyLimit);
    }
    return this.bodyBytes;
  }

  /** The parsed body by content type (validated when the route has a `body` schema). */
  get body(): I['body'] {
    if (!this.bodyParsed) {
      this.bodyValue = parseBody(this.rawBody as Buffer, this.readHeader('content-type'));
      this.bodyParsed = true;
    }
    return this.bodyValue as I['body'];
  }

  /** The caller's IP from the AWS request context (never from `X-Forwarded-For` a client could set). */
  get sourceIp(): string | undefined {
    return this.adapter.sourceIp(this.event as RawEvent);
  }

  /** The request id used in error envelopes and logs: a request-id middleware's, AWS's, or a generated one. */
  get requestId(): string {
    if (this.requestIdValue === undefined) {
      const fromEvent = this.adapter.awsRequestId(this.event as RawEvent);
      const fromLambda = this.lambda?.awsRequestId;
      this.requestIdValue = isSafeRequestId(fromEvent)
        ? fromEvent
        : isSafeRequestId(fromLambda)
          ? fromLambda
          : this.generatedId();
    }
    return this.requestIdValue;
  }

  // An app's own generator is trusted no more than a client: the id is echoed in headers and logs.
  private generatedId(): string {
    const id = this.runtime.generateId();
    return isSafeRequestId(id) ? id : globalThis.crypto.randomUUID();
  }

  /** Sets the request id; it must pass {@link isSafeRequestId}, since it is echoed in headers and logs. */
  set requestId(value: string) {
    if (!isSafeRequestId(value))
      throw new TypeError('A request id must be 1-128 letters, digits or ._:@=+/-');
    this.requestIdValue = value;
  }

  /**
   * The request-scoped logger: the app's logger (`createLogger({ service })` unless
   * `createApp({ logger })` says otherwise) with the request id, route pattern, method, trace id and,
   * once authenticated, user and tenant ids on every line. Created on first use.
   */
  get log(): LoggerLike {
    if (this.requestLog === undefined) {
      const logger = this.runtime.logger;
      if (logger === undefined)
        throw new ConfigurationError(
          "ctx.log needs a logger: the app serving this request has none (created with { logger: false }, or with createApp from '@lift/core/lean')",
        );
      this.requestLog = logger.child({
        request_id: this.requestId,
        route: this.route,
        method: this.method,
        tenant_id: this.principal?.tenantId,
        user_id: this.principal?.userId,
      });
    }
    return this.requestLog;
  }

  /** Whether the app has a logger, so `ctx.log` can be used. */
  get hasLogger(): boolean {
    return this.runtime.logger !== undefined;
  }

  /** The service name the app was created with. */
  get service(): string {
    return this.runtime.service;
  }

  /** Per-request state shared between middleware and handlers. */
  get state(): S {
    this.stateValue ??= Object.create(null) as S;
    return this.stateValue;
  }

  /** Milliseconds until Lambda stops this invocation (`Infinity` outside Lambda). */
  remainingMs(): number {
    return this.lambda?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
  }

  /** Milliseconds left for work: the Lambda's remaining time minus the app's safety margin. */
  budgetMs(): number {
    return this.remainingMs() - this.runtime.deadlineMarginMs;
  }

  /** When work must be finished (epoch ms): the Lambda deadline minus the app's safety margin. */
  get deadline(): number {
    return this.runtime.now() + this.budgetMs();
  }

  /** Aborts shortly before the Lambda deadline; pass it to outbound calls. Created on first read. */
  get signal(): AbortSignal {
    if (this.deadlineAbort === undefined) this.deadlineAbort = new DeadlineAbort(this.budgetMs());
    return this.deadlineAbort.signal;
  }

  /**
   * Aborts `ctx.signal` now with `reason` (the timeout middleware does this at the deadline), and
   * returns the reason the signal carries: `reason`, or the earlier one if it was already aborted.
   */
  abortWith(reason: unknown): unknown {
    const signal = this.signal;
    if (!signal.aborted) this.deadlineAbort?.controller.abort(reason);
    return signal.reason;
  }

  /**
   * Adds a field to this request's access-log line (framework use: the rate-limit policy that
   * refused it). Names are snake_case like the line's own.
   */
  annotate(key: string, value: string): void {
    (this.notes ??= {})[key] = value;
  }

  /** The fields added by {@link annotate}, if any. */
  get annotations(): Readonly<Record<string, string>> | undefined {
    return this.notes;
  }

  /** Replaces params after validation or routing (framework use). */
  setInput(part: 'params' | 'query' | 'headers' | 'body', value: unknown): void {
    if (part === 'params') this.paramValues = value as object;
    else if (part === 'query') this.queryValues = value as object;
    else if (part === 'headers') this.headerValues = value as object;
    else {
      this.bodyValue = value;
      this.bodyParsed = true;
    }
  }

  /** Releases the deadline timer (framework use, at the end of the request). */
  dispose(): void {
    this.deadlineAbort?.clear();
  }
}
