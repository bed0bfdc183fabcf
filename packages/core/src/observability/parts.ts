import { ConfigurationError } from '../errors/errors.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { isPowertoolsLogger, type PowertoolsLoggerLike, powertoolsLogger } from './powertools.js';

/** The logger and metrics options every Lift entry point takes (`createApp`, `createWorker`). */
export interface LoggerMetricsOptions {
  /**
   * The logger, behind an app's access log and `ctx.log` and the record handlers' logs (default
   * `createLogger({ service })`); a Powertools `Logger` instance is accepted as is (see
   * `powertoolsLogger`); `false` for none (for an app, the access log too).
   */
  readonly logger?: Logger | PowertoolsLoggerLike | false;
  /**
   * EMF metrics (default `createMetrics` with namespace `POWERTOOLS_METRICS_NAMESPACE`, else the
   * service name); `false` for none.
   */
  readonly metrics?: Metrics | false;
}

/**
 * @internal The service name an entry point runs as: the given one, else `POWERTOOLS_SERVICE_NAME`,
 * else `AWS_LAMBDA_FUNCTION_NAME`, else `service_undefined`, as Powertools names it.
 */
export function serviceName(given: unknown, factory: string): string {
  // An empty variable names nothing: it falls through like an unset one.
  const service =
    given === undefined
      ? process.env.POWERTOOLS_SERVICE_NAME || process.env.AWS_LAMBDA_FUNCTION_NAME || 'service_undefined'
      : given;
  if (typeof service !== 'string' || service.trim() === '')
    throw new ConfigurationError(`${factory} option "service" must be a non-empty string`);
  return service;
}

/**
 * @internal The logger and metrics an entry point runs with, from its options and defaults; `factory`
 * names the entry point in the errors a wrong option gets.
 */
export function loggerAndMetrics(
  service: string,
  options: LoggerMetricsOptions,
  factory: string,
): { logger: Logger | undefined; metrics: Metrics | undefined } {
  const given = options.logger;
  if (given !== undefined && given !== false && typeof given?.addContext !== 'function')
    throw new ConfigurationError(
      `${factory} option "logger" must come from createLogger(), be a Powertools Logger, or be false`,
    );
  if (
    options.metrics !== undefined &&
    options.metrics !== false &&
    typeof options.metrics?.flush !== 'function'
  )
    throw new ConfigurationError(`${factory} option "metrics" must come from createMetrics() or be false`);
  const logger =
    given === false
      ? undefined
      : given === undefined
        ? createLogger({ service })
        : isPowertoolsLogger(given)
          ? powertoolsLogger(given)
          : given;
  const metrics =
    options.metrics === false
      ? undefined
      : (options.metrics ??
        createMetrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? service, service }));
  return { logger, metrics };
}
