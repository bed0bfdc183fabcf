import { DeadlineAbort } from '../context/deadline.js';
import type { LambdaContext } from '../context/lambda.js';
import type { LoggerLike } from '../context/logger-like.js';
import type { TraceContext } from '../observability/tracing.js';
import type { RecordContext, RecordSource } from './types.js';

const SILENT: LoggerLike = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  critical() {},
  child() {
    return SILENT;
  },
};

/** What every record of one invocation shares: the Lambda context, the deadline, the logger. */
export class Invocation {
  private deadlineAbort: DeadlineAbort | undefined;

  constructor(
    readonly service: string,
    readonly lambda: LambdaContext | undefined,
    readonly requestId: string,
    readonly trace: TraceContext,
    readonly logger: LoggerLike | undefined,
    private readonly marginMs: number,
  ) {}

  /** Milliseconds until Lambda stops the invocation. */
  remainingMs(): number {
    return this.lambda?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
  }

  /** Milliseconds left for work: the remaining time minus the app's safety margin. */
  budgetMs(): number {
    return this.remainingMs() - this.marginMs;
  }

  /** One abort signal for every record, fired at the deadline minus the margin; created on first read. */
  get signal(): AbortSignal {
    if (this.deadlineAbort === undefined) this.deadlineAbort = new DeadlineAbort(this.budgetMs());
    return this.deadlineAbort.signal;
  }

  /** Releases the deadline timer at the end of the invocation. */
  dispose(): void {
    this.deadlineAbort?.clear();
  }
}

/** @internal The context of one record. */
export class RecordCtx<S extends object = Record<string, unknown>> implements RecordContext<S> {
  private logValue: LoggerLike | undefined;
  private stateValue: S | undefined;
  /** @internal Why the record failed validation; its handler step throws it. */
  invalid: unknown;

  constructor(
    private readonly invocation: Invocation,
    readonly source: RecordSource,
    readonly name: string,
    readonly recordId: string,
    private readonly recordTrace: TraceContext | undefined,
  ) {}

  get requestId(): string {
    return this.invocation.requestId;
  }

  get service(): string {
    return this.invocation.service;
  }

  get lambda(): LambdaContext | undefined {
    return this.invocation.lambda;
  }

  get trace(): TraceContext {
    return this.recordTrace ?? this.invocation.trace;
  }

  get log(): LoggerLike {
    if (this.logValue === undefined) {
      const base = this.invocation.logger;
      this.logValue =
        base === undefined
          ? SILENT
          : base.child({
              event_source: this.source,
              event_name: this.name,
              record_id: this.recordId,
              ...(this.recordTrace === undefined ? {} : { record_trace_id: this.recordTrace.traceId }),
            });
    }
    return this.logValue;
  }

  get signal(): AbortSignal {
    return this.invocation.signal;
  }

  remainingMs(): number {
    return this.invocation.remainingMs();
  }

  get state(): S {
    this.stateValue ??= Object.create(null) as S;
    return this.stateValue;
  }
}
