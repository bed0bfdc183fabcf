/**
 * `@lift/core`: app, router, context, middleware engine, errors and schema types. HTTP protections
 * live in `@lift/core/http`, the test kit in `@lift/core/testing`.
 */

export type { HttpSource } from './adapters/types.js';
export type { AccessControl, AccessStep, AccessSteps, Permission, RouteAuth } from './app/access.js';
export { App, createApp, Group, type Handler, type InputOf, type RouteOptions } from './app/app.js';
export type { AppManifest, EventBridgeManifest, RecordManifest, RouteManifest } from './app/manifest.js';
export type { AppOptions } from './app/options.js';
export type { RouteSchemas } from './app/route-step.js';
export {
  HTTP_INTEGRATION_CONTENT_TYPE,
  type HttpPrelude,
  type LambdaResponseStream,
  STREAMING_HANDLER,
  type StreamingHandler,
  streamify,
} from './app/streaming.js';
export { Context, type DefaultInput, type JsonResponse, type RequestInput } from './context/context.js';
export type { CookieOptions } from './context/cookies.js';
export type { LambdaContext } from './context/lambda.js';
export type { LoggerLike } from './context/logger-like.js';
export type { AuthMethod, Principal } from './context/principal.js';
export type { RequestView } from './context/request-view.js';
export { LiftResponse } from './context/response.js';
export {
  BUFFERED_RESPONSE_LIMIT,
  type StreamBody,
  type StreamChunk,
  type StreamInit,
  StreamingResponse,
  type StreamWriter,
} from './context/stream.js';
export * from './errors/errors.js';
export type { Records } from './events/feature.js';
export type {
  DynamoDBChange,
  EventBridgeEvent,
  KinesisRecord,
  RecordContext,
  S3ObjectEvent,
  ScheduleFiring,
  SnsMessage,
  SqsMessage,
} from './events/index.js';
export type { ScheduleContext } from './events/methods.js';
export type { RecordMiddleware } from './events/registry.js';
export type {
  Idempotency,
  IdempotencyOptions,
  RecordIdempotency,
  RouteIdempotency,
} from './idempotency/routes.js';
export type {
  CorsDeclaration,
  Middleware,
  MiddlewareFunction,
  MiddlewareHooks,
  Next,
} from './middleware/compose.js';
export type {
  RateLimitKey,
  RateLimits,
  RateLimitsOptions,
  RouteRateLimit,
  RouteRateLimitOption,
} from './ratelimit/limits.js';
export type { ParamsOf } from './router/pattern.js';
export type { Infer, StandardSchemaV1 } from './schema/validate.js';
