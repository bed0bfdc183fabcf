import { httpEventKind } from '../adapters/kind.js';
import type { AppManifest } from '../app/manifest.js';
import { installRecordMethods } from '../app/record-methods.js';
import type { LambdaContext } from '../context/lambda.js';
import { ConfigurationError, InvalidEventError } from '../errors/errors.js';
import { refuseForeignFeature } from '../errors/features.js';
import { type RecordEngine, records } from '../events/feature.js';
import type { RecordHost } from '../events/methods.js';
import type { ScheduleInfo } from '../events/schedule.js';
import type { Idempotency } from '../idempotency/routes.js';
import { type LoggerMetricsOptions, loggerAndMetrics, serviceName } from '../observability/parts.js';

/** Options of {@link createWorker}. Unknown keys (createApp's HTTP options among them) are refused at start-up. */
export interface WorkerOptions extends LoggerMetricsOptions {
  /**
   * Service name, used in logs and metrics (default `POWERTOOLS_SERVICE_NAME`, else
   * `AWS_LAMBDA_FUNCTION_NAME`, else `service_undefined`, as Powertools names it).
   */
  readonly service?: string;
  /** How long before the Lambda deadline a record's `ctx.signal` aborts, in ms (default 500). */
  readonly deadlineMarginMs?: number;
  /** Id generator for invocations Lambda gives no request id (default `crypto.randomUUID`). */
  readonly generateId?: () => string;
  /** Clock in epoch milliseconds (default `Date.now`); inject a fake one in tests. */
  readonly now?: () => number;
  /**
   * Idempotency: `idempotency({ store: dynamoIdempotencyStore({ table }), ttl })` from
   * `@lift/core/idempotency`. Required once a queue declares `idempotency`.
   */
  readonly idempotency?: Idempotency;
}

const KNOWN = new Set([
  'service',
  'deadlineMarginMs',
  'generateId',
  'now',
  'idempotency',
  'logger',
  'metrics',
]);

/** The record methods ({@link RecordHost}), put on every worker by its constructor. */
export interface Worker<S extends object = Record<string, unknown>> extends RecordHost<S> {}

/**
 * A function that serves records only: queues, topics, buckets, EventBridge, schedules, DynamoDB
 * Streams and Kinesis, with the same registration methods as an app (`worker.sqs(...)`). It carries
 * none of the HTTP core (adapters, router, request context, protections), so its bundle and cold
 * start are those of the record engine and observability alone; a function that also serves HTTP is
 * a `createApp({ records: records() })`.
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor installs RecordHost's methods
export class Worker<S extends object = Record<string, unknown>> {
  private readonly service: string;
  private readonly engine: RecordEngine;
  private frozen = false;
  /** @internal Use {@link createWorker}. */
  constructor(options: WorkerOptions) {
    if (typeof options !== 'object' || options === null || Array.isArray(options))
      throw new ConfigurationError('createWorker: options must be an object');
    // An option of createApp's (securityHeaders, basePath, records...) is the likeliest unknown key.
    for (const key of Object.keys(options))
      if (!KNOWN.has(key))
        throw new ConfigurationError(
          `createWorker: unknown option "${key}"; a worker serves no HTTP, its options are ${[...KNOWN].join(', ')} (a function that also serves HTTP is createApp({ records: records() }))`,
        );
    this.service = serviceName(options.service, 'createWorker');
    const deadlineMarginMs = options.deadlineMarginMs ?? 500;
    if (!Number.isFinite(deadlineMarginMs) || deadlineMarginMs < 0)
      throw new ConfigurationError('deadlineMarginMs must be a non-negative number');
    for (const fn of ['generateId', 'now'] as const)
      if (options[fn] !== undefined && typeof options[fn] !== 'function')
        throw new ConfigurationError(`createWorker option "${fn}" must be a function`);
    refuseForeignFeature(
      options.idempotency,
      'idempotency',
      "idempotency({ store, ttl }) from '@lift/core/idempotency'",
      'createWorker',
    );
    const now = options.now ?? Date.now;
    const { logger, metrics } = loggerAndMetrics(this.service, options, 'createWorker');
    this.engine = records().forApp({
      service: this.service,
      deadlineMarginMs,
      generateId: options.generateId ?? (() => globalThis.crypto.randomUUID()),
      now,
      logger,
      metrics,
      idempotency: options.idempotency?.forApp(this.service, now),
      factory: 'createWorker',
    });
    installRecordMethods<S>(this, (action) => {
      if (this.frozen)
        throw new ConfigurationError(
          `Cannot ${action}: the worker is frozen once it has handled an event or been compiled`,
        );
      return this.engine;
    });
  }

  /** The declared schedules, for `lift dev` and deployment. */
  schedules(): ScheduleInfo[] {
    return this.engine.schedules();
  }

  /**
   * What the worker declares for a deployment, in the shape of an app's manifest (no routes), so
   * `lift dev` and `@lift/cdk` read both alike.
   */
  manifest(): AppManifest {
    return { service: this.service, routes: [], cors: undefined, ...this.engine.manifest() };
  }

  /** Freezes the registrations; runs on the first event by itself. */
  compile(): this {
    this.frozen = true;
    return this;
  }

  /** The Lambda entry point: `export const handler = worker.handler`. */
  readonly handler = async (event: unknown, lambdaContext?: LambdaContext): Promise<unknown> => {
    this.frozen = true;
    // The app's own rules (adapters/kind.ts), without the adapters themselves.
    if (httpEventKind(event) !== undefined)
      throw new InvalidEventError(
        'Unsupported event: an HTTP request, and a worker serves none (createApp serves HTTP)',
      );
    return this.engine.dispatch(event, lambdaContext);
  };
}

/**
 * Creates a worker: a Lambda function that consumes records and serves no HTTP. `S` types the state
 * record middleware fills (`ctx.state`). It logs and writes metrics as an app does; `logger` and
 * `metrics` replace or switch them off.
 */
export function createWorker<S extends object = Record<string, unknown>>(
  options: WorkerOptions = {},
): Worker<S> {
  return new Worker<S>(options);
}
