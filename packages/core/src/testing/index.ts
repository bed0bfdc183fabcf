/**
 * `@lift/core/testing`: event factories for every HTTP source, a fake Lambda context, and the
 * helpers behind `app.request`.
 */
export {
  type AlbEventOptions,
  albEvent,
  functionUrlEvent,
  type HttpEventInit,
  httpApiEvent,
  restApiEvent,
} from './events.js';
export { type FakeLambdaContextOptions, fakeLambdaContext } from './lambda-context.js';
export {
  readResult,
  requestThrough,
  type TestRequestInit,
  type TestResponse,
  type TestSource,
} from './request.js';
