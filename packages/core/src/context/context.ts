import type { HttpAdapter, RawEvent } from '../adapters/types.js';
import { type ErrorEnvelope, errorEnvelope, errorStatus, HttpError } from '../errors/errors.js';
import { isInstance } from '../errors/instance.js';
import { errorMessage } from '../errors/report.js';
import { type CookieOptions, serializeCookie } from './cookies.js';
import { isHeaderName, isHeaderValue } from './headers.js';
import type { LambdaContext } from './lambda.js';
import { RequestView } from './request-view.js';
import { LiftResponse } from './response.js';
import { type StreamBody, type StreamInit, StreamingResponse } from './stream.js';
import type { ContextRuntime, DefaultInput, RequestInput } from './types.js';

export type { ContextRuntime, DefaultInput, RequestInput } from './types.js';

const EMPTY_COOKIES: readonly string[] = Object.freeze([]);

/**
 * A JSON response as `ctx.json` types it: a {@link LiftResponse} whose type also records its status
 * and body. The two extra properties are phantom (types only, never set at run time).
 */
export interface JsonResponse<St extends number = number, B = unknown> extends LiftResponse {
  /** Phantom: the status, for types only. */
  readonly '~status': St;
  /** Phantom: the body's type, for types only. */
  readonly '~body': B;
}

/**
 * One request: what it says ({@link RequestView}, read lazily) and the response being drafted
 * (headers and cookies set before the handler answers, the helpers that build the answer).
 *
 * @typeParam I - params, query, headers and body as the route's schemas (or path) define them
 * @typeParam S - the per-request state middleware shares with handlers
 */
export class Context<
  I extends RequestInput = DefaultInput,
  S extends object = Record<string, unknown>,
> extends RequestView<I, S> {
  /** The response, once the handler or a middleware produced one. */
  res: LiftResponse | undefined;
  /** The error that produced the current response, if any. */
  error: unknown;
  /**
   * Whether this invocation sends `ctx.stream` bodies as they are produced (a `streamify(app)`
   * handler on a Function URL); under `app.handler` they are collected into a buffered answer.
   */
  streaming: boolean;
  private pendingHeaders: Record<string, string> | undefined;
  private setCookies: string[] | undefined;

  /** Created by the app for each request. */
  constructor(
    event: RawEvent,
    lambda: LambdaContext | undefined,
    adapter: HttpAdapter,
    runtime: ContextRuntime,
    method: string,
    path: string,
  ) {
    super(event, lambda, adapter, runtime, method, path);
    this.res = undefined;
    this.error = undefined;
    this.pendingHeaders = undefined;
    this.setCookies = undefined;
    this.streaming = false;
  }

  /** One request header by name, in any case. */
  header(name: string): string | undefined;
  /** Sets a response header (name in any case); CR/LF in the value throw. */
  header(name: string, value: string): this;
  header(name: string, value?: string): string | undefined | this {
    const key = name.toLowerCase();
    if (value === undefined) return this.readHeader(key);
    if (!isHeaderName(key)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
    if (!isHeaderValue(value)) throw new TypeError(`Header ${name} value contains CR, LF or NUL`);
    if (this.res !== undefined) this.res.headers[key] = value;
    else (this.pendingHeaders ??= {})[key] = value;
    return this;
  }

  /** Sets a `Set-Cookie` with safe defaults (`HttpOnly; Secure; SameSite=Lax; Path=/`). */
  cookie(name: string, value: string, options?: CookieOptions): this {
    (this.setCookies ??= []).push(serializeCookie(name, value, options));
    return this;
  }

  /** Expires a cookie in the browser. */
  deleteCookie(name: string, options?: Omit<CookieOptions, 'maxAge' | 'expires'>): this {
    return this.cookie(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  /** The `Set-Cookie` values to send. */
  get responseCookies(): readonly string[] {
    return this.setCookies ?? EMPTY_COOKIES;
  }

  private takeHeaders(contentType: string | undefined): Record<string, string> {
    // A plain object keeps fast properties; `__proto__` can never be a key (header() refuses it).
    const headers = this.pendingHeaders;
    if (headers === undefined) return contentType === undefined ? {} : { 'content-type': contentType };
    this.pendingHeaders = undefined;
    if (contentType !== undefined && headers['content-type'] === undefined)
      headers['content-type'] = contentType;
    return headers;
  }

  /**
   * Makes `res` the response, with the headers set before it was built (`ctx.header`, a rate limit's
   * headers) added where it has none of its own: a handler returning a `LiftResponse` it built keeps them.
   */
  respond(res: LiftResponse): void {
    const pending = this.pendingHeaders;
    if (pending !== undefined) {
      this.pendingHeaders = undefined;
      for (const name in pending)
        if (res.headers[name] === undefined) res.headers[name] = pending[name] as string;
    }
    this.res = res;
  }

  /**
   * A JSON response: `ctx.json(value)` is 200, `ctx.json(201, value)` sets the status. The status and
   * body type stay in the result's type, so a typed client knows what each route answers.
   */
  json<B>(body: B): JsonResponse<200, B>;
  json<St extends number, B>(status: St, body: B): JsonResponse<St, B>;
  json(statusOrBody: unknown, body?: unknown): LiftResponse {
    // biome-ignore lint/complexity/noArguments: one or two arguments select the form without allocating.
    const twoArgs = arguments.length >= 2;
    const status = twoArgs ? (statusOrBody as number) : 200;
    const data = twoArgs ? body : statusOrBody;
    const text = data === undefined ? null : JSON.stringify(data);
    return new LiftResponse(status, this.takeHeaders('application/json; charset=utf-8'), text, data);
  }

  /** A `text/plain` response. */
  text(text: string, status = 200): LiftResponse {
    return new LiftResponse(status, this.takeHeaders('text/plain; charset=utf-8'), text);
  }

  /** A binary response; the adapter base64-encodes it for the event source. */
  binary(bytes: Uint8Array, contentType = 'application/octet-stream', status = 200): LiftResponse {
    return new LiftResponse(status, this.takeHeaders(contentType), bytes);
  }

  /** A redirect (302 by default). The location may not contain CR or LF. */
  redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 302): LiftResponse {
    this.header('location', location);
    return new LiftResponse(status, this.takeHeaders(undefined), null);
  }

  /**
   * A response whose body is produced while it is sent: an async iterable of chunks (strings or
   * bytes) or a function writing them with backpressure. Under a streaming handler each chunk goes
   * out as it comes; under `app.handler` the body is collected first (up to Lambda's 6 MB).
   */
  stream(body: StreamBody, init: StreamInit = {}): StreamingResponse {
    return new StreamingResponse(
      init.status ?? 200,
      this.takeHeaders(init.contentType ?? 'application/octet-stream'),
      body,
    );
  }

  /** A response with no body (204 by default). */
  empty(status = 204): LiftResponse {
    return new LiftResponse(status, this.takeHeaders(undefined), null);
  }

  /**
   * Turns an error into the current response (envelope, status, the error's headers). Errors that
   * are not 4xx go to the app's error reporter with full detail; the caller sees a safe message.
   */
  fail(error: unknown): void {
    // The same error again (a handler rejecting with the deadline's error after the 504 went out,
    // an error rethrown through several layers) is answered again but reported once.
    const repeat = error !== undefined && error === this.error;
    this.error = error;
    const headers = this.res?.headers ?? this.takeHeaders(undefined);
    let status: number;
    let reported: unknown = error;
    let own: Readonly<Record<string, string>> | undefined;
    let envelope: ErrorEnvelope;
    let body: string;
    try {
      status = errorStatus(error);
      own = errorHeaders(error, status);
      envelope = errorEnvelope(error, this.requestId);
      body = JSON.stringify(envelope);
    } catch (reason) {
      // An error whose own parts cannot be read, written or sent (a getter that throws, `details`
      // JSON cannot hold, a status that is not one, a header that is not one): a server fault like
      // any other, answered and reported as a 500, with none of its headers, and with why.
      reported = new Error(`The error could not be answered as it is: ${errorMessage(reason)}`, {
        cause: error,
      });
      status = 500;
      own = undefined;
      envelope = errorEnvelope(undefined, this.requestId);
      body = JSON.stringify(envelope);
    }
    if (own !== undefined) Object.assign(headers, own);
    headers['content-type'] = 'application/json; charset=utf-8';
    this.res = new LiftResponse(status, headers, body, envelope);
    if (status >= 500 && !repeat)
      this.runtime.reportError(reported, this as unknown as Context<RequestInput, object>);
  }
}

/**
 * The headers an {@link HttpError} brings, lower-cased and checked: a valid name and a string value
 * with no CR, LF or NUL. Throws, for `fail` to answer a 500, when one is not a header or the status
 * is not an HTTP status (an integer from 100 to 599).
 */
function errorHeaders(error: unknown, status: number): Record<string, string> | undefined {
  if (!Number.isInteger(status) || status < 100 || status > 599)
    throw new TypeError(`its status must be an integer from 100 to 599, not ${status}`);
  if (!isInstance(error, HttpError) || error.headers === undefined || error.headers === null)
    return undefined;
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(error.headers)) {
    const lower = name.toLowerCase();
    if (!isHeaderName(lower) || typeof value !== 'string' || !isHeaderValue(value))
      throw new TypeError(`its header ${JSON.stringify(name)} is not a valid header`);
    checked[lower] = value;
  }
  return checked;
}
