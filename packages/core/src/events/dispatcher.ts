import type { LambdaContext } from '../context/lambda.js';
import type { LoggerLike } from '../context/logger-like.js';
import { InvalidEventError, RecordsFailedError } from '../errors/errors.js';
import { loggableError, reportOnStderr } from '../errors/report.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { recordColdStart } from '../observability/request-metrics.js';
import { parseXRayHeader, type TraceContext } from '../observability/tracing.js';
import { withRequestScope } from '../resilience/scope.js';
import { applyBackoff } from './backoff.js';
import { Invocation } from './record-context.js';
import type { BackoffOptions, EventRegistry, Registration } from './registry.js';
import { describeEvent, type Item, resolveEvent } from './resolve.js';
import { type Outcome, Runner } from './run.js';
import type { SqsMessage } from './types.js';

/** What the dispatcher needs from the app. */
export interface DispatcherRuntime {
  readonly service: string;
  readonly deadlineMarginMs: number;
  readonly generateId: () => string;
  readonly now: () => number;
  readonly logger: Logger | undefined;
  readonly metrics: Metrics | undefined;
}

/** The answer Lambda reads from SQS, Kinesis and DynamoDB Streams invocations. */
export interface BatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

interface Tally {
  source: string;
  name: string;
  received: number;
  failed: number;
  dropped: number;
}

function invocationTrace(): TraceContext {
  return (
    parseXRayHeader(process.env._X_AMZN_TRACE_ID) ?? {
      traceId: globalThis.crypto.randomUUID().replace(/-/g, ''),
      parentId: undefined,
      sampled: false,
    }
  );
}

/** @internal Serves every invocation that is not an HTTP request. */
export class EventDispatcher {
  private readonly runner: Runner;

  constructor(
    private readonly registry: EventRegistry,
    private readonly runtime: DispatcherRuntime,
  ) {
    this.runner = new Runner(registry.middleware);
  }

  /** Handles a non-HTTP event; an event nothing claims is an {@link InvalidEventError} naming what arrived. */
  async dispatch(event: unknown, lambda: LambdaContext | undefined): Promise<BatchResponse | undefined> {
    const started = this.runtime.now();
    const resolved = resolveEvent(this.registry, event, started);
    if (resolved === undefined)
      throw new InvalidEventError(
        `Unsupported event: not an HTTP request nor a record of a source Lift serves (${describeEvent(event)})`,
      );
    const { mode, items } = resolved;
    if (items.length > 0 && items.every((item) => item.unclaimed !== undefined))
      throw new InvalidEventError(
        `No registration claims ${(items[0] as Item).unclaimed}${items.length > 1 ? ` (and ${items.length - 1} more records)` : ''}`,
      );
    const { logger, metrics } = this.runtime;
    const trace = invocationTrace();
    if (logger !== undefined)
      this.observe('Logger context', () => logger.addContext(lambda, { traceId: trace.traceId }));
    if (metrics !== undefined) this.observe('ColdStart metric', () => recordColdStart(metrics, lambda));
    const invocation = new Invocation(
      this.runtime.service,
      lambda,
      lambda?.awsRequestId ?? this.runtime.generateId(),
      trace,
      logger,
      this.runtime.deadlineMarginMs,
    );
    let outcomes: Outcome[];
    try {
      // Outbound calls of every record find the invocation's deadline through the scope.
      outcomes = await withRequestScope(invocation, () =>
        this.runner.run(mode, items, invocation, this.concurrency(items)),
      );
    } finally {
      invocation.dispose();
    }
    const tallies = this.report(items, outcomes, logger);
    this.measure(tallies, started);
    if (mode === 'async') {
      const failed = outcomes.filter((o) => o.status === 'failed');
      if (failed.length === 0) return undefined;
      const first = failed[0] as Extract<Outcome, { status: 'failed' }>;
      throw new RecordsFailedError(
        `${failed.length} of ${items.length} records failed; Lambda retries the event`,
        { cause: first.error },
      );
    }
    const failures: { itemIdentifier: string }[] = [];
    const backoff: { message: SqsMessage<string>; options: BackoffOptions }[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.status !== 'failed') return;
      const item = items[i] as Item;
      failures.push({ itemIdentifier: item.id });
      const reg = item.targets[0]?.registration;
      const options =
        reg?.source === 'sqs' ? (reg.options.backoff as BackoffOptions | false | undefined) : undefined;
      if (item.sqs !== undefined && options !== undefined && options !== false)
        backoff.push({ message: item.sqs, options });
    });
    if (failures.length > 0 && failures.length === items.length && this.throwsOnFullFailure(items))
      throw new RecordsFailedError(`Every record of the batch failed (${items.length})`);
    await applyBackoff(backoff, Math.min(2_000, invocation.budgetMs()), logger);
    return { batchItemFailures: failures };
  }

  private concurrency(items: readonly Item[]): number {
    let n = 1;
    for (const item of items) {
      const reg = item.targets[0]?.registration;
      const c = reg?.source === 'sqs' ? (reg.options.concurrency as number | undefined) : undefined;
      if (c !== undefined && c > n) n = c;
    }
    return n;
  }

  private throwsOnFullFailure(items: readonly Item[]): boolean {
    const regs = new Set<Registration>();
    for (const item of items) for (const t of item.targets) regs.add(t.registration);
    return regs.size > 0 && [...regs].every((r) => r.options.throwOnFullBatchFailure === true);
  }

  // Each failure with its record's ids and error (masked by the logger), and one summary line per
  // registration: source, name, received, failed, dropped.
  private report(
    items: readonly Item[],
    outcomes: readonly Outcome[],
    logger: LoggerLike | undefined,
  ): Tally[] {
    const tallies = new Map<string, Tally>();
    // A batch is mostly one registration's: its tally is looked up again only when that changes.
    let last: Registration | undefined;
    let tally: Tally | undefined;
    outcomes.forEach((outcome, i) => {
      const item = items[i] as Item;
      const registration = item.targets[0]?.registration;
      const source = registration?.source ?? item.source;
      const name = registration?.label ?? 'unclaimed';
      if (tally === undefined || registration === undefined || registration !== last) {
        // Keyed by source and name, so S3 registrations that split one bucket share a line.
        const key = `${source}\n${name}`;
        tally = tallies.get(key);
        if (tally === undefined) {
          tally = { source, name, received: 0, failed: 0, dropped: 0 };
          tallies.set(key, tally);
        }
        last = registration;
      }
      tally.received += 1;
      if (outcome.status === 'ok') return;
      const fields = { event_source: source, event_name: name, record_id: item.id };
      if (outcome.status === 'dropped') {
        tally.dropped += 1;
        this.fail(logger, 'Record dropped: permanent failure, not retried', fields, outcome.error);
      } else {
        tally.failed += 1;
        if (outcome.ran || item.unclaimed !== undefined)
          this.fail(logger, 'Record failed', fields, outcome.error);
      }
    });
    if (logger !== undefined)
      for (const t of tallies.values()) {
        this.observe('Records processed', () =>
          logger.info('Records processed', {
            event_source: t.source,
            event_name: t.name,
            received: t.received,
            failed: t.failed,
            dropped: t.dropped,
          }),
        );
      }
    return [...tallies.values()];
  }

  // Without a logger (`logger: false`, a lean app) a failure still leaves a line, on stderr as an
  // HTTP 5xx does: a poison message must not vanish without a trace.
  private fail(
    logger: LoggerLike | undefined,
    message: string,
    fields: Readonly<Record<string, string>>,
    error: unknown,
  ): void {
    if (logger === undefined) reportOnStderr(message, this.runtime.service, fields, error);
    else {
      try {
        logger.error(message, fields, loggableError(error));
      } catch {
        // The logger could not write this one (a cause it cannot serialise, a `write` that throws):
        // the failure still leaves its line, and the batch is still answered.
        reportOnStderr(message, this.runtime.service, fields, error);
      }
    }
  }

  // The summary lines and metrics report a batch; whatever they throw (a logger's or metrics' own
  // `write`) must not change the batch's answer, so it is reported on stderr instead.
  private observe(what: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      reportOnStderr(`${what}: could not be written`, this.runtime.service, {}, error);
    }
  }

  // Dimensioned by source and registration name only: never by a message or record id.
  private measure(tallies: readonly Tally[], started: number): void {
    const metrics = this.runtime.metrics;
    if (metrics === undefined) return;
    const duration = this.runtime.now() - started;
    for (const t of tallies) {
      this.observe('Batch metrics', () => {
        metrics.addDimension('event_source', t.source);
        metrics.addDimension('event_name', t.name);
        metrics.addMetric('records', 'Count', t.received);
        metrics.addMetric('record_failures', 'Count', t.failed);
        metrics.addMetric('records_dropped', 'Count', t.dropped);
        metrics.addMetric('batch_duration', 'Milliseconds', duration);
        metrics.flush();
      });
    }
  }
}
