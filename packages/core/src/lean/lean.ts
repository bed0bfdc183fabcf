import { App } from '../app/app.js';
import type { AppOptions } from '../app/options.js';
import { ConfigurationError } from '../errors/errors.js';

/** The options of `createApp` that configure observability: in a lean app, each may only be `false`. */
type ObservabilityKey = 'logger' | 'metrics' | 'tracing' | 'accessLog' | 'tenantMetrics';

const OBSERVABILITY_KEYS: readonly ObservabilityKey[] = [
  'logger',
  'metrics',
  'tracing',
  'accessLog',
  'tenantMetrics',
];

/**
 * Options of the lean {@link createApp}: those of `createApp` from `@lift/core`, with the
 * observability ones allowed only as `false` (which they already are), so an app can switch
 * between the two by its import alone.
 */
export type LeanAppOptions = Omit<AppOptions, ObservabilityKey> & {
  readonly [K in ObservabilityKey]?: false;
};

/**
 * Creates an app that observes nothing: no access-log line, no EMF metrics, no spans, and none of
 * their code in the bundle (about 20 KB minified, and the milliseconds of cold start that compiling
 * it costs), which `createApp({ logger: false, metrics: false, tracing: false })` from `@lift/core`
 * cannot leave out, since an option's value is only known when the app runs. Everything else is the
 * same app: routes, groups, records, the request id, security headers, deadline, body limit and error
 * envelope; 5xx details still go to `onError` (stderr by default), and failed or dropped records to
 * stderr. As with `logger: false`, a route's `ctx.log` throws and a record handler's writes nothing.
 */
export function createApp<S extends object = Record<string, unknown>>(options: LeanAppOptions = {}): App<S> {
  if (typeof options === 'object' && options !== null) {
    for (const key of OBSERVABILITY_KEYS) {
      const value = (options as Record<string, unknown>)[key];
      if (value !== undefined && value !== false)
        throw new ConfigurationError(
          `createApp from '@lift/core/lean' has no observability: "${key}" may only be false. Import createApp from '@lift/core' for logs, metrics and spans`,
        );
    }
  }
  return new App<S>(options);
}
