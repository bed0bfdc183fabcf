/**
 * `@lift/core/client`: a typed client built from an app's type (`createClient<typeof app>(url)`),
 * with no code generation. It imports nothing from Node and nothing from the app at run time, so a
 * frontend bundle carries only the client.
 */
export type { JoinPaths, ResponseSchemaMap, RouteSpec, RoutesIn, RoutesOf } from '../app/group.js';
export { type ClientOptions, createClient, type FetchLike, type ParsingClientOptions } from './client.js';
export { ClientError } from './error.js';
export type {
  ArgsOf,
  Client,
  ClientErrorBody,
  ClientMethod,
  DataMode,
  DataOf,
  Failure,
  Json,
  PathsOf,
  QueryValue,
  RequestOf,
  ResultOf,
  SpecOf,
  Success,
} from './types.js';
