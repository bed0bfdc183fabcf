import type { Context, RequestInput } from '../context/context.js';
import { StreamingResponse } from '../context/stream.js';
import { ConfigurationError } from '../errors/errors.js';
import { reportOnStderr } from '../errors/report.js';
import type { MiddlewareHooks } from '../middleware/compose.js';
import { writeAccessLine } from './access-log.js';
import { type Logger, xrayRoot } from './logger.js';
import type { Metrics } from './metrics.js';
import { type LoggerMetricsOptions, loggerAndMetrics } from './parts.js';
import { recordColdStart, recordRequestMetrics } from './request-metrics.js';
import { requestSpans, traceWith } from './tracing.js';

/** What `createApp` records for every request; each part can be replaced or switched off. */
export interface ObservabilityOptions extends LoggerMetricsOptions {
  /** One access-log line per request, 404/405/5xx included (default true). */
  readonly accessLog?: boolean;
  /** Add the principal's tenant as a metric dimension (default false: a series per tenant costs). */
  readonly tenantMetrics?: boolean;
  /** OpenTelemetry request spans when `@opentelemetry/api` is installed (default true). */
  readonly tracing?: boolean;
}

/** The observability an app runs with: its logger and the one hook that records each request. */
export interface RequestObservability {
  readonly logger: Logger | undefined;
  /** The app's metrics, which records also write to. */
  readonly metrics: Metrics | undefined;
  readonly hooks: MiddlewareHooks<object> | undefined;
}

/**
 * Builds the app's default observability: the logger (started per invocation with the Lambda keys
 * and the request's trace id), the access-log line, per-request metrics with the cold start, and
 * request spans, all in one pair of hooks that runs outside every other middleware, so it sees the
 * final status of every response, 404/405/5xx included.
 */
export function observeRequests(
  service: string,
  options: ObservabilityOptions,
  now: () => number,
): RequestObservability {
  for (const key of ['accessLog', 'tenantMetrics', 'tracing'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean')
      throw new ConfigurationError(`createApp option "${key}" must be true or false`);
  }
  const { logger, metrics } = loggerAndMetrics(service, options, 'createApp');
  const access = logger !== undefined && options.accessLog !== false ? logger : undefined;
  const spans = options.tracing === false ? undefined : requestSpans();
  const tenantMetrics = options.tenantMetrics === true;
  if (logger === undefined && metrics === undefined && spans === undefined)
    return { logger, metrics, hooks: undefined };
  return {
    logger,
    metrics,
    hooks: {
      before(ctx: Context<RequestInput, object>) {
        // Each part in its own try, without a closure a request: one failing must not skip the rest.
        if (logger !== undefined) {
          try {
            // Read once (the environment costs a few hundred ns a read): the trace and the logger's
            // xray_trace_id both come from it.
            const lambdaTrace = process.env._X_AMZN_TRACE_ID;
            logger.addContext(ctx.lambda, {
              traceId: traceWith(ctx, lambdaTrace).traceId,
              xrayTraceId: xrayRoot(lambdaTrace),
            });
          } catch (error) {
            unobserved(service, ctx, error);
          }
        }
        if (metrics !== undefined) {
          try {
            recordColdStart(metrics, ctx.lambda);
          } catch (error) {
            unobserved(service, ctx, error);
          }
        }
        if (spans !== undefined) {
          try {
            spans.start(ctx);
          } catch (error) {
            unobserved(service, ctx, error);
          }
        }
      },
      after(ctx: Context<RequestInput, object>) {
        const record = () => {
          const end = now();
          if (access !== undefined) {
            try {
              writeAccessLine(access, ctx, end);
            } catch (error) {
              unobserved(service, ctx, error);
            }
          }
          if (metrics !== undefined) {
            try {
              recordRequestMetrics(metrics, ctx, end, tenantMetrics);
            } catch (error) {
              unobserved(service, ctx, error);
            }
          }
          if (spans !== undefined) {
            try {
              spans.end(ctx);
            } catch (error) {
              unobserved(service, ctx, error);
            }
          }
        };
        // A streamed body is still to be sent: the request ends (status, duration) when it is.
        if (ctx.res instanceof StreamingResponse) ctx.res.onSettled(record);
        else record();
      },
    },
  };
}

// Observing a request never changes its answer: a logger's, metrics' or tracer's own failure (a
// `write` that throws, a custom logger's bug) is reported on stderr, and the other parts and the
// request go on.
function unobserved(service: string, ctx: Context<RequestInput, object>, error: unknown): void {
  reportOnStderr(
    'Request not observed: the logger, metrics or tracing failed',
    service,
    { request_id: ctx.requestId },
    error,
  );
}
