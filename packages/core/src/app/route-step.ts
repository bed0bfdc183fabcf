import type { Context, RequestInput } from '../context/context.js';
import { LiftResponse } from '../context/response.js';
import { type FieldIssue, InternalServerError, UnprocessableError } from '../errors/errors.js';
import { compose, type Middleware, type Step } from '../middleware/compose.js';
import { type PartResult, type StandardSchemaV1, validatePart } from '../schema/validate.js';
import type { AccessSteps } from './access.js';
import type { RouteDefinition } from './group.js';

type AnyContext = Context<RequestInput, object>;

/** Schemas a route may declare; each is any Standard Schema (zod v4, valibot, ...). */
export interface RouteSchemas {
  readonly params?: StandardSchemaV1;
  readonly query?: StandardSchemaV1;
  readonly headers?: StandardSchemaV1;
  readonly body?: StandardSchemaV1;
  /**
   * Response body schemas by status; a JSON response that does not match is a 500 (a server bug).
   * `null` declares a status answered with no body (`{ 204: null }`): a JSON body there is a 500 too.
   */
  readonly responses?: Readonly<Record<number, StandardSchemaV1 | null>>;
}

/** The app-level guards of a route: its rate limit, and the idempotency wrapper of the rest. */
export interface RouteGuards {
  readonly rateLimit?: ((ctx: AnyContext) => Promise<void>) | undefined;
  readonly idempotent?: ((ctx: AnyContext, rest: (ctx: AnyContext) => unknown) => Promise<void>) | undefined;
}

type Part = 'params' | 'query' | 'headers' | 'body';
const PARTS: readonly Part[] = ['params', 'query', 'headers', 'body'];

function readPart(ctx: AnyContext, part: Part): unknown {
  if (part === 'query') return ctx.queryMulti();
  return ctx[part];
}

/** Builds the validator for a route's request schemas, or `undefined` when it has none. */
function requestValidator(
  schemas: RouteSchemas,
): ((ctx: AnyContext) => Promise<void> | undefined) | undefined {
  const parts = PARTS.filter((part) => schemas[part] !== undefined);
  if (parts.length === 0) return undefined;
  return (ctx) => {
    const results: (PartResult | Promise<PartResult>)[] = [];
    for (const part of parts)
      results.push(validatePart(schemas[part] as StandardSchemaV1, part, readPart(ctx, part)));
    const apply = (settled: readonly PartResult[]): void => {
      const issues: FieldIssue[] = [];
      settled.forEach((result, i) => {
        if (result.ok) ctx.setInput(parts[i] as Part, result.value);
        else issues.push(...result.issues);
      });
      if (issues.length > 0) throw new UnprocessableError(issues);
    };
    if (results.some((r) => r instanceof Promise)) return Promise.all(results).then(apply);
    apply(results as PartResult[]);
    return undefined;
  };
}

/** Turns what a handler returned into the response: responses as they are, `undefined` → 204, anything else → JSON 200. */
function finish(ctx: AnyContext, value: unknown): void {
  if (value instanceof LiftResponse) ctx.respond(value);
  else if (value === undefined) ctx.res ??= ctx.empty(204);
  else ctx.res = ctx.json(200, value);
}

function responseChecker(
  responses: Readonly<Record<number, StandardSchemaV1 | null>>,
): (ctx: AnyContext) => Promise<void> | void {
  const check = (result: PartResult, status: number): void => {
    if (result.ok) return;
    const summary = result.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new InternalServerError({
      cause: new Error(`Response ${status} does not match its schema: ${summary}`),
    });
  };
  return (ctx) => {
    const res = ctx.res;
    if (res === undefined || res.data === undefined || ctx.error !== undefined) return;
    const schema = responses[res.status];
    if (schema === undefined) return;
    if (schema === null) {
      throw new InternalServerError({
        cause: new Error(`Response ${res.status} is declared without a body but has one`),
      });
    }
    const result = validatePart(schema, 'response', res.data);
    if (result instanceof Promise) return result.then((r) => check(r, res.status));
    check(result, res.status);
  };
}

/**
 * The innermost step of a route: validate the request against its schemas (one 422 listing every
 * field issue), call the handler, turn its return value into the response, check the response.
 * Nothing awaits unless a validator or the handler is actually asynchronous.
 */
export function routeStep(
  schemas: RouteSchemas,
  handler: (ctx: AnyContext) => unknown,
  access: AccessSteps = {},
  guards: RouteGuards = {},
): (ctx: AnyContext) => unknown {
  const validate = requestValidator(schemas);
  const checkResponse = schemas.responses === undefined ? undefined : responseChecker(schemas.responses);
  const callHandler = (ctx: AnyContext): unknown => {
    const out = handler(ctx);
    if (out instanceof Promise) {
      return out.then((value) => {
        finish(ctx, value);
        return checkResponse?.(ctx);
      });
    }
    finish(ctx, out);
    return checkResponse?.(ctx);
  };
  // Access control first (a 401/403 reveals nothing about the input), then the rate limit (which
  // may count by the authenticated user), then validation, then the checks that need the validated
  // body (tenant fields, permission context), then the handler. Idempotency wraps validation and
  // the handler: an invalid request releases its key rather than storing a refusal.
  const guarded = [access.beforeValidation, guards.rateLimit];
  const inner = [validate, access.afterValidation];
  const { idempotent } = guards;
  if (idempotent === undefined) return sequence([...guarded, ...inner], callHandler);
  const rest = sequence(inner, callHandler);
  return sequence(guarded, (ctx) => idempotent(ctx, rest));
}

type MaybeStep = ((ctx: AnyContext) => Promise<void> | undefined) | undefined;

/** Runs `steps` in order, then `last`; awaits only a step that returned a promise. */
function sequence(
  list: readonly MaybeStep[],
  last: (ctx: AnyContext) => unknown,
): (ctx: AnyContext) => unknown {
  const steps = list.filter((step): step is NonNullable<MaybeStep> => step !== undefined);
  if (steps.length === 0) return last;
  const run = (ctx: AnyContext, from: number): unknown => {
    for (let i = from; i < steps.length; i++) {
      const pending = (steps[i] as NonNullable<MaybeStep>)(ctx);
      if (pending instanceof Promise) return pending.then(() => run(ctx, i + 1));
    }
    return last(ctx);
  };
  return (ctx) => run(ctx, 0);
}

/**
 * @internal A route's whole chain (its groups' middleware, its own, then {@link routeStep}), composed
 * on the route's first request rather than when the app compiles: a cold start pays for the routes
 * it serves, not for every route registered. Nothing composed here can fail, so no configuration
 * check moves to request time; the guards, which can, are resolved by the app at compile.
 */
export class RouteChain {
  private step: Step | undefined;
  // The middleware as registered when the app compiled: later changes to the arrays it came from
  // (a mounted app's groups, a route's options) must not reach routes not yet requested.
  private readonly chain: Middleware<object>[];

  constructor(
    private readonly definition: RouteDefinition,
    private readonly guards: RouteGuards,
  ) {
    const { groups, options } = definition;
    this.chain = [];
    for (const group of groups) this.chain.push(...group.middleware);
    if (options.middleware !== undefined) this.chain.push(...options.middleware);
  }

  /** The composed chain, built on first use. */
  get run(): Step {
    return (this.step ??= this.build());
  }

  private build(): Step {
    const { options, handler, access } = this.definition;
    return compose(this.chain, routeStep(options, handler, access, this.guards));
  }
}
