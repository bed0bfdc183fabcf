/**
 * P1 with Middy and the observability Lift has on by default, done the Powertools way: Logger's
 * `injectLambdaContext` and Metrics' `logMetrics` (cold-start metric on) around the P1 stack, and one
 * middleware writing what Lift writes per request: an access-log line with the same keys and one EMF
 * blob with `latency` and `requests` on the route, method and status-class dimensions.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import { createMiddyP1 } from './p1-middy.js';

interface HttpEvent {
  readonly rawPath?: string;
  readonly routeKey?: string;
  readonly headers?: Record<string, string | undefined>;
  readonly requestContext?: { readonly requestId?: string; readonly http?: { readonly method?: string } };
}

/** The P1 Middy app with Powertools Logger and Metrics. */
export function createMiddyPowertoolsP1() {
  const logger = new Logger({ serviceName: 'bench' });
  const metrics = new Metrics({ namespace: 'bench', serviceName: 'bench' });
  const started = new WeakMap<object, number>();
  const record = (event: HttpEvent, status: number, key: object) => {
    const method = event.requestContext?.http?.method ?? 'OTHER';
    const route = event.routeKey ?? 'unmatched';
    const duration = performance.now() - (started.get(key) ?? performance.now());
    const fields = {
      request_id: event.requestContext?.requestId,
      correlation_id: event.headers?.['x-correlation-id'],
      tenant_id: undefined,
      user_id: undefined,
      route,
      method,
      status,
      duration_ms: duration,
    };
    if (status >= 500) logger.error('request', fields);
    else logger.info('request', fields);
    metrics.addDimension('route', route);
    metrics.addDimension('method', method);
    metrics.addDimension('status_class', `${Math.floor(status / 100)}xx`);
    metrics.addMetric('latency', MetricUnit.Milliseconds, duration);
    metrics.addMetric('requests', MetricUnit.Count, 1);
  };
  // The access line runs last on the way out (Middy runs `after` hooks in reverse), so it sees the
  // status the error handler set.
  const accessLog: MiddlewareObj<HttpEvent, { statusCode?: number }> = {
    before: (request) => {
      started.set(request, performance.now());
    },
    after: (request) => record(request.event, request.response?.statusCode ?? 500, request),
    onError: (request) => record(request.event, request.response?.statusCode ?? 500, request),
  };
  return createMiddyP1((stack) =>
    stack
      .use(injectLambdaContext(logger))
      .use(logMetrics(metrics, { captureColdStartMetric: true }))
      .use(accessLog as never),
  );
}

/** The Lambda entry point. */
export const handler = createMiddyPowertoolsP1();
