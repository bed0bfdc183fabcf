import type { Context, RequestInput } from '../context/context.js';
import type { LiftResponse } from '../context/response.js';
import { StreamingResponse } from '../context/stream.js';
import {
  BadRequestError,
  ConfigurationError,
  InternalServerError,
  refuseUnknownOptions,
} from '../errors/errors.js';
import { markFeature } from '../errors/features.js';
import { errorMessage } from '../errors/report.js';
import { replayResponse, runIdempotent, storedResultOf } from './engine.js';
import { idempotencyKey, parseTtl, payloadHash } from './keys.js';
import type { IdempotencyStore } from './store.js';

type AnyContext = Context<RequestInput, object>;

/** `idempotency({ store, ttl })`: the store every instance shares, and the default time to keep results. */
export interface IdempotencyOptions {
  /**
   * `dynamoIdempotencyStore({ table })` from `@lift/core/idempotency` in production;
   * `memoryIdempotencyStore()` holds keys per process, for tests and single-process servers.
   */
  readonly store: IdempotencyStore;
  /** How long a result is replayed: `'24h'` (the default), `'7d'`, or ms. */
  readonly ttl?: string | number;
}

/** A record source's `idempotency`: the key of a message, e.g. `(m) => m.body.orderId`. */
export interface RecordIdempotency<R> {
  /** The message's key, or `undefined` to process it without idempotency. */
  readonly key: (record: R) => string | undefined;
  /** How long a processed key is remembered (default the app's `idempotency.ttl`, 24 h). */
  readonly ttl?: string | number;
}

/** A route's `idempotency`: where the client's key is and how long its result is kept. */
export interface RouteIdempotency {
  /**
   * The client's key: `'header:<name>'` (default `'header:idempotency-key'`) or a function of the
   * request returning the key, or `undefined` when the request carries none.
   */
  readonly key?: `header:${string}` | ((ctx: AnyContext) => string | undefined);
  /** How long the result is replayed (default the app's `idempotency.ttl`). */
  readonly ttl?: string | number;
  /** Refuse a request without a key with a 400 (default `false`: it runs without idempotency). */
  readonly required?: boolean;
  /**
   * Request headers the handler acts on (`['x-currency']`): a repeat must send the same values, or
   * it is a 422 like another body. The body, path parameters, query and content type always count.
   */
  readonly headers?: readonly string[];
}

// Lambda runs 15 minutes at most: outside Lambda (no deadline) a lock still expires by then.
const MAX_LOCK_MS = 15 * 60_000;
const DEFAULT_TTL = '24h';

/**
 * An app's idempotency, as `createApp({ idempotency: idempotency({ store, ttl }) })` takes it. A value
 * from this module rather than a plain object, so an app without idempotent routes or queues never
 * carries the engine (nor its hashing): it enters a bundle only with the import.
 */
export class Idempotency {
  readonly #store: IdempotencyStore;
  readonly #defaultTtlMs: number;

  /** @internal Use {@link idempotency}. */
  constructor(options: IdempotencyOptions) {
    if (typeof options !== 'object' || options === null || typeof options.store?.begin !== 'function')
      throw new ConfigurationError(
        'idempotency() needs a store: idempotency({ store: dynamoIdempotencyStore({ table }) })',
      );
    refuseUnknownOptions(options, ['store', 'ttl'], 'idempotency()');
    // What createApp checks at run time: a copy or a look-alike is not the engine.
    markFeature(this, 'idempotency');
    this.#store = options.store;
    this.#defaultTtlMs = parseTtl(options.ttl ?? DEFAULT_TTL);
  }

  /**
   * @internal The engine of one app, on its clock. The service is part of every key, so services
   * sharing a store never replay each other's results.
   */
  forApp(service: string, now: () => number): IdempotencyEngine {
    return new IdempotencyEngine(this.#store, this.#defaultTtlMs, service, now);
  }
}

/**
 * Idempotency for `createApp({ idempotency })`: where keys and results are kept
 * (`dynamoIdempotencyStore({ table })`) and for how long by default (`'24h'`).
 */
export function idempotency(options: IdempotencyOptions): Idempotency {
  return new Idempotency(options);
}

/** The app's idempotency: it turns route and record declarations into the wrappers that enforce them. @internal */
export class IdempotencyEngine {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly defaultTtlMs: number,
    private readonly service: string,
    private readonly now: () => number,
  ) {}

  /**
   * The wrapper of a route's validation and handler, or `undefined` when it declares no idempotency.
   * Validation runs inside it, so a request refused as invalid releases the key instead of storing it.
   */
  routeWrapper(
    route: string,
    option: RouteIdempotency | true | undefined,
  ): ((ctx: AnyContext, rest: (ctx: AnyContext) => unknown) => Promise<void>) | undefined {
    if (option === undefined) return undefined;
    const store = this.store;
    const spec: RouteIdempotency = option === true ? {} : option;
    if (typeof spec !== 'object' || spec === null)
      throw new ConfigurationError(`${route}: idempotency must be true or { key, ttl, required }`);
    refuseUnknownOptions(spec, ['key', 'ttl', 'required', 'headers'], `${route} idempotency`);
    const headers = checkHeaders(route, spec.headers);
    const ttlMs = spec.ttl === undefined ? this.defaultTtlMs : parseTtl(spec.ttl);
    const readKey = keyReader(route, spec.key ?? 'header:idempotency-key');
    const header = typeof spec.key === 'string' ? spec.key.slice('header:'.length) : 'idempotency-key';
    return async (ctx, rest) => {
      const clientKey = readKey(ctx);
      if (clientKey === undefined) {
        if (spec.required === true) throw new BadRequestError(`This request needs an ${header} header`);
        await rest(ctx);
        return;
      }
      const key = idempotencyKey({
        tenant: callerOf(ctx),
        scope: `${this.service} ${ctx.method} ${ctx.route}`,
        key: clientKey,
      });
      const now = this.now();
      const outcome = await runIdempotent(
        store,
        key,
        requestHash(ctx, headers),
        {
          lockUntil: lockUntil(now, ctx.remainingMs()),
          expiresAt: now + ttlMs,
          now,
          signal: ctx.signal,
        },
        async () => {
          await rest(ctx);
          // A streamed body is produced after this returns: nothing could be stored to replay, and
          // "run once" would not cover the producer. A server bug, refused rather than replayed empty.
          if (ctx.res instanceof StreamingResponse)
            throw new InternalServerError({
              cause: new Error(`${route}: an idempotent route cannot answer with ctx.stream()`),
            });
          return ctx.res;
        },
        (res: LiftResponse | undefined) => (res === undefined ? undefined : storedResultOf(res)),
      );
      if (outcome.kind === 'replayed') {
        const replay = replayResponse(outcome.stored);
        // This request's own headers (its rate-limit state) replace the stored request's.
        Object.assign(replay.headers, ctx.empty(replay.status).headers);
        ctx.res = replay;
        ctx.annotate('idempotency', 'replayed');
      } else if ((outcome.saved === 'failed' || outcome.saved === 'fenced_out') && ctx.hasLogger) {
        // Logged only: the work ran and its answer stands, whatever happened to the copy.
        ctx.log.warn('Idempotent result not stored', {
          saved: outcome.saved,
          error: outcome.error === undefined ? undefined : errorMessage(outcome.error),
        });
      }
    };
  }

  /**
   * Wraps a record handler so each key is processed once: a repeat of a processed message is
   * acknowledged without running, one in flight elsewhere fails (and is retried), the same key with
   * another payload fails with a 422-coded error.
   */
  recordHandler<R, C extends RecordLike>(
    scope: string,
    option: RecordIdempotency<R>,
    payloadOf: (record: R) => unknown,
    handler: (record: R, ctx: C) => unknown,
  ): (record: R, ctx: C) => Promise<void> {
    const store = this.store;
    if (typeof option !== 'object' || option === null || typeof option.key !== 'function')
      throw new ConfigurationError(`${scope}: idempotency needs { key: (message) => string }`);
    refuseUnknownOptions(option, ['key', 'ttl'], `${scope} idempotency`);
    const ttlMs = option.ttl === undefined ? this.defaultTtlMs : parseTtl(option.ttl);
    return async (record, ctx) => {
      const clientKey = option.key(record);
      // Never coerced: String() would make every object "[object Object]" and 1 the same as "1".
      if (clientKey !== undefined && typeof clientKey !== 'string')
        throw new TypeError(`${scope}: the idempotency key function must return a string or undefined`);
      if (clientKey === undefined) {
        await handler(record, ctx);
        return;
      }
      const key = idempotencyKey({ scope: `${this.service} ${scope}`, key: clientKey });
      const now = this.now();
      const outcome = await runIdempotent(
        store,
        key,
        payloadHash(payloadOf(record)),
        {
          lockUntil: lockUntil(now, ctx.remainingMs()),
          expiresAt: now + ttlMs,
          now,
          signal: ctx.signal,
        },
        async () => {
          await handler(record, ctx);
        },
        () => ({ status: 200, headers: {}, body: null }),
      );
      if (outcome.kind === 'replayed') ctx.log.info('Duplicate skipped: this key was processed already');
    };
  }
}

/** What a record wrapper needs of the record's context. @internal */
export interface RecordLike {
  readonly signal: AbortSignal;
  remainingMs(): number;
  readonly log: { info(message: string): void };
}

// The lock lasts until Lambda ends the invocation (its hard deadline, not the app's margin before it);
// outside Lambda (no deadline) at most 15 minutes, and always a moment past now.
function lockUntil(now: number, remainingMs: number): number {
  return now + Math.max(1, Math.min(remainingMs, MAX_LOCK_MS));
}

// Whose key it is: the verified caller (tenant, authenticator and user), so neither another tenant
// nor another user of the same tenant can replay or squat it. Anonymous callers share one space.
function callerOf(ctx: AnyContext): string | undefined {
  const p = ctx.principal;
  if (p === undefined) return undefined;
  return [p.tenantId ?? '', p.authMethod, p.userId].map(encodeURIComponent).join(':');
}

// What a repeat must match: the request as sent (the body before validation transforms it), the
// path parameters, the query, the body's media type, and the headers the route names.
function requestHash(ctx: AnyContext, headers: readonly string[]): string {
  const named: Record<string, string | null> = {};
  for (const name of headers) named[name] = ctx.header(name) ?? null;
  return payloadHash({
    body: payloadHash(ctx.body),
    type: ctx.header('content-type')?.split(';')[0]?.trim().toLowerCase() ?? null,
    params: ctx.params,
    query: ctx.queryMulti(),
    headers: named,
  });
}

function checkHeaders(route: string, headers: RouteIdempotency['headers']): readonly string[] {
  if (headers === undefined) return [];
  if (
    !Array.isArray(headers) ||
    !headers.every((h) => typeof h === 'string' && /^[a-z0-9!#$%&'*+.^_`|~-]+$/i.test(h))
  )
    throw new ConfigurationError(`${route}: idempotency.headers must list header names`);
  return headers.map((h) => h.toLowerCase());
}

function keyReader(
  route: string,
  key: NonNullable<RouteIdempotency['key']>,
): (ctx: AnyContext) => string | undefined {
  if (typeof key === 'function')
    return (ctx) => {
      const value = key(ctx);
      if (value !== undefined && typeof value !== 'string')
        throw new TypeError('An idempotency key function must return a string or undefined');
      return value;
    };
  if (typeof key !== 'string' || !/^header:[a-z0-9!#$%&'*+.^_`|~-]+$/i.test(key))
    throw new ConfigurationError(`${route}: idempotency key must be 'header:<name>' or a function`);
  const name = key.slice('header:'.length).toLowerCase();
  return (ctx) => {
    const value = ctx.header(name);
    // Repeated headers arrive joined by ", ": two keys for one request are ambiguous, so refused.
    if (value?.includes(',')) throw new BadRequestError(`Send one ${name} header`);
    return value;
  };
}
