/**
 * The client's view of an app's type: what each route takes and answers, computed from the phantom
 * route table (`RoutesOf`) only for the routes a caller names, so a large app stays quick to check.
 */
import type { RouteSpec, RoutesOf } from '../app/group.js';
import type { JsonResponse } from '../context/context.js';
import type { LiftResponse } from '../context/response.js';
import type { ErrorEnvelope } from '../errors/errors.js';
import type { ParamsOf } from '../router/pattern.js';
import type { StandardSchemaV1 } from '../schema/validate.js';

/** The HTTP methods the client sends. */
export type ClientMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

/** One query value: sent as text (a `Date` as ISO 8601); an array repeats the key. */
export type QueryValue = string | number | boolean | bigint | Date;

/** The route table of an app type. */
type Table<A> = A extends RoutesOf<unknown> ? A['~routes'] : Record<never, never>;

type PathOfKey<K, M extends ClientMethod> = K extends `${M} ${infer P}`
  ? P
  : K extends `* ${infer P}`
    ? P
    : M extends 'HEAD'
      ? K extends `GET ${infer P}`
        ? P
        : never
      : never;

/**
 * The patterns an app answers for `method` (GET routes also answer HEAD; `all` routes any method).
 * Read from the table's keys alone (a distributive conditional, not a mapped type over the table),
 * so its cost grows with the number of routes, not with its square.
 */
export type PathsOf<A, M extends ClientMethod> = PathOfKey<keyof Table<A>, M>;

/** The spec of the route `method path` in an app type. */
// Looked up by inference, not by indexing: an indexed access with a key still generic would be
// distributed over every route of the table's intersection, once per instantiation of the call.
export type SpecOf<A, M extends ClientMethod, P extends string> =
  Table<A> extends {
    readonly [K in `${M} ${P}`]: infer Spec;
  }
    ? Spec
    : Table<A> extends { readonly [K in `* ${P}`]: infer Spec }
      ? Spec
      : Table<A> extends { readonly [K in `GET ${P}`]: infer Spec }
        ? Spec
        : never;

type OptionsOf<Spec> = Spec extends RouteSpec<infer O, unknown> ? O : never;
type ReturnsOf<Spec> = Spec extends RouteSpec<unknown, infer R> ? Awaited<R> : never;
type SchemaInput<X> = X extends StandardSchemaV1 ? StandardSchemaV1.InferInput<X> : never;

/**
 * What a query or params schema takes, field by field: its input type, except where that is
 * `unknown` (a coercing field such as `z.coerce.number()` takes anything): there, its output type,
 * what the server will read.
 */
type FieldsInput<X> = X extends StandardSchemaV1
  ? {
      [K in keyof StandardSchemaV1.InferInput<X>]: unknown extends StandardSchemaV1.InferInput<X>[K]
        ? K extends keyof StandardSchemaV1.InferOutput<X>
          ? StandardSchemaV1.InferOutput<X>[K]
          : StandardSchemaV1.InferInput<X>[K]
        : StandardSchemaV1.InferInput<X>[K];
    }
  : never;

/**
 * How the client hands answers over: `'json'` as JSON parsed them (a `Date` the route's schema
 * outputs arrives as its ISO string), `'parsed'` through the route's response schemas (given to
 * {@link createClient} as `schemas`), so the data is the schema's output.
 */
export type DataMode = 'json' | 'parsed';

/** A declared answer's data: `null` (declared without a body) is `undefined`. */
type SchemaData<X, Mode extends DataMode> = X extends null
  ? undefined
  : X extends StandardSchemaV1
    ? Mode extends 'parsed'
      ? StandardSchemaV1.InferOutput<X>
      : Json<StandardSchemaV1.InferOutput<X>>
    : never;

/** A field of the request init: optional when every value it could hold is optional. */
type Field<Name extends string, T> =
  Record<never, never> extends T
    ? { [K in Name]?: T | undefined }
    : undefined extends T
      ? { [K in Name]?: T }
      : { [K in Name]: T };

type ParamsInput<O, P extends string> = O extends { params: infer X }
  ? FieldsInput<X>
  : { [K in keyof ParamsOf<P>]: string | number };

type QueryInput<O> = O extends { query: infer X }
  ? FieldsInput<X>
  : Record<string, QueryValue | readonly QueryValue[] | undefined>;

type HeadersInput<O> = O extends { headers: infer X } ? SchemaInput<X> : Record<string, string>;

type BodyInput<O> = O extends { body: infer X } ? SchemaInput<X> : unknown;

/**
 * What a call sends: `params` (required when the pattern has any), `query`, `headers` and `body` as
 * the route's schemas take them (their input types), and an abort `signal`.
 */
export type RequestOf<Spec, P extends string> = Field<'params', ParamsInput<OptionsOf<Spec>, P>> &
  Field<'query', QueryInput<OptionsOf<Spec>>> &
  Field<'headers', HeadersInput<OptionsOf<Spec>>> &
  Field<'body', BodyInput<OptionsOf<Spec>>> & {
    /** Aborts the request (a timeout: `AbortSignal.timeout(ms)`). */
    signal?: AbortSignal | undefined;
  };

/** The call's arguments: the init may be left out when nothing in it is required. */
export type ArgsOf<Spec, P extends string> =
  Record<never, never> extends RequestOf<Spec, P> ? [init?: RequestOf<Spec, P>] : [init: RequestOf<Spec, P>];

/**
 * What a value becomes once sent as JSON and parsed again: `toJSON` applied (a `Date` is a string),
 * functions, symbols and `undefined` properties dropped.
 */
export type Json<T> = T extends { toJSON(): infer J }
  ? Json<J>
  : T extends string | number | boolean | null
    ? T
    : T extends undefined | symbol | ((...args: never[]) => unknown)
      ? never
      : T extends readonly (infer U)[]
        ? Json<U>[]
        : T extends object
          ? {
              [K in keyof T as K extends string ? (Json<T[K]> extends never ? never : K) : never]: Json<T[K]>;
            }
          : unknown;

type IsError<St> = `${St & number}` extends `4${string}` | `5${string}` ? true : false;

/** One successful answer: its status and its data. */
export interface Success<St extends number, D> {
  readonly ok: true;
  readonly status: St;
  readonly data: D;
  /** The response headers. */
  readonly headers: Headers;
}

/** The body of every Lift error answer: `code`, a safe `message`, the `requestId`, maybe `details`. */
export type ClientErrorBody = ErrorEnvelope['error'];

/** A 4xx or 5xx answer, its body read as Lift's error envelope. */
export interface Failure {
  readonly ok: false;
  readonly status: number;
  readonly error: ClientErrorBody;
  /** The response headers. */
  readonly headers: Headers;
}

/** The successes a handler's return type says it answers with (plain value → 200, nothing → 204). */
type FromReturns<R> =
  R extends JsonResponse<infer St, infer B>
    ? IsError<St> extends true
      ? never
      : Success<St, Json<B>>
    : R extends LiftResponse
      ? Success<number, unknown>
      : // biome-ignore lint/suspicious/noConfusingVoidType: a handler without a return statement returns void.
        R extends undefined | void
        ? Success<204, undefined>
        : Success<200, Json<R>>;

/** The successes a route's `responses` schemas declare, each typed by {@link SchemaData}. */
type FromSchemas<Responses, Mode extends DataMode> = {
  [K in keyof Responses & number]: IsError<K> extends true
    ? never
    : Success<K, SchemaData<Responses[K], Mode>>;
}[keyof Responses & number];

/** Every answer a route may give: its successes by status, or a {@link Failure}. */
export type ResultOf<Spec, Mode extends DataMode = 'json'> =
  | (OptionsOf<Spec> extends { responses: infer Responses }
      ? FromSchemas<Responses, Mode>
      : FromReturns<ReturnsOf<Spec>>)
  | Failure;

/** The data of a route's successful answer with a given status. */
export type DataOf<Spec, St extends number, Mode extends DataMode = 'json'> = Extract<
  ResultOf<Spec, Mode>,
  { ok: true; status: St }
>['data'];

type Call<A, M extends ClientMethod, Mode extends DataMode> = <P extends PathsOf<A, M>>(
  path: P,
  ...args: ArgsOf<SpecOf<A, M, P>, P>
) => Promise<ResultOf<SpecOf<A, M, P>, Mode>>;

/**
 * A client for the app type `A`: one method per HTTP method, each taking a route's pattern as the
 * app declares it (`'/items/:id'`) and the request's parts; `Mode` says how answers are typed.
 */
export interface Client<A, Mode extends DataMode = 'json'> {
  /** Sends a GET to a route of the app. */
  readonly get: Call<A, 'GET', Mode>;
  /** Sends a POST to a route of the app. */
  readonly post: Call<A, 'POST', Mode>;
  /** Sends a PUT to a route of the app. */
  readonly put: Call<A, 'PUT', Mode>;
  /** Sends a PATCH to a route of the app. */
  readonly patch: Call<A, 'PATCH', Mode>;
  /** Sends a DELETE to a route of the app. */
  readonly delete: Call<A, 'DELETE', Mode>;
  /** Sends a HEAD to a route of the app (GET routes answer HEAD). */
  readonly head: Call<A, 'HEAD', Mode>;
}
