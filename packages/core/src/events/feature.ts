import type { LambdaContext } from '../context/lambda.js';
import { ConfigurationError } from '../errors/errors.js';
import { markFeature } from '../errors/features.js';
import type { IdempotencyEngine } from '../idempotency/routes.js';
import type { DispatcherRuntime, EventDispatcher } from './dispatcher.js';
import type { ScheduleContext, ScheduleHandler } from './methods.js';
import {
  type EventBridgePattern,
  EventRegistry,
  type RecordMiddleware,
  type Registration,
} from './registry.js';
import type { ScheduleDeclaration, ScheduleInfo } from './schedule.js';
import type { RecordContext, RecordSource, ScheduleFiring, SqsMessage } from './types.js';

/** What a deployment needs of one record registration: which resource feeds it. */
export interface RecordManifest {
  readonly source: Exclude<RecordSource, 'schedule' | 'eventbridge'>;
  /** The queue, topic, bucket, table or stream name (a glob when `exact` is false). */
  readonly name: string;
  readonly exact: boolean;
  /** S3: the event names taken (`ObjectCreated:*`...); DynamoDB Streams: INSERT/MODIFY/REMOVE. */
  readonly events?: readonly string[];
  /** S3: only keys under this prefix / ending with this suffix. */
  readonly prefix?: string;
  readonly suffix?: string;
}

/** An `app.eventBridge` registration's pattern. */
export interface EventBridgeManifest {
  readonly source: readonly string[];
  readonly detailType?: readonly string[];
}

/** What an app or a worker lends its record engine: service name, clock, ids, logger, metrics, idempotency. @internal */
export interface RecordsEnv extends DispatcherRuntime {
  readonly idempotency: IdempotencyEngine | undefined;
  /** Who owns the engine (`createApp`, `createWorker`), for the errors that say what to change. */
  readonly factory: string;
}

/**
 * The record engine of an app (queues, topics, buckets, buses, schedules, streams), as
 * `createApp({ records: records() })` takes it. A value from this module, so an HTTP-only app never
 * carries the engine: it enters a bundle only with the import. A worker (`createWorker` from
 * `@lift/core/worker`) makes its own.
 */
export class Records {
  // Nominal: only this module makes one, so a plain object is refused by the type checker too.
  readonly #records = true;

  /** @internal Use {@link records}. */
  constructor() {
    // What createApp checks at run time: a copy or a look-alike is not the engine.
    markFeature(this, 'records');
  }

  /** @internal The engine of one app. */
  forApp(env: RecordsEnv): RecordEngine {
    return new RecordEngine(env);
  }
}

/**
 * The record engine for `createApp({ records })`: with it, `app.sqs`, `app.sns`, `app.s3`,
 * `app.eventBridge`, `app.schedule`, `app.dynamodbStream`, `app.kinesis` and `app.useRecords` register
 * record handlers, and `app.handler` serves their events beside HTTP requests.
 */
export function records(): Records {
  return new Records();
}

/** @internal One app's or worker's registrations and the dispatcher serving them. */
export class RecordEngine {
  readonly registry = new EventRegistry();
  private dispatcher: Promise<EventDispatcher> | undefined;

  constructor(private readonly env: RecordsEnv) {}

  /** Registers a queue, topic, bucket, table or stream handler; `what` names the method for errors. */
  add(source: RecordSource, what: string, name: string, a: unknown, b: unknown): void {
    let options = (b === undefined ? {} : a) as {
      idempotency?: Parameters<IdempotencyEngine['recordHandler']>[1];
    };
    let handler = (b ?? a) as (record: SqsMessage<unknown>, ctx: RecordContext) => unknown;
    if (source === 'sqs' && typeof options === 'object' && options?.idempotency !== undefined) {
      const { idempotency, ...rest } = options;
      options = rest;
      if (typeof handler === 'function')
        handler = this.idempotencyFor(`sqs:${name}`).recordHandler(
          `sqs:${name}`,
          idempotency,
          (m: SqsMessage<unknown>) => m.body,
          handler,
        );
    }
    this.registry.add(source, name, options, handler, what);
  }

  /** Registers an EventBridge handler for a pattern. */
  addEventBridge(pattern: EventBridgePattern, a: unknown, b: unknown): void {
    this.registry.addEventBridge(pattern, b === undefined ? {} : a, b ?? a);
  }

  /** Declares a schedule; a handler written as `(ctx) => ...` finds the firing on `ctx.schedule`. */
  addSchedule(name: string, declaration: ScheduleDeclaration, a: unknown, b: unknown): void {
    const handler = (b ?? a) as ScheduleHandler<object>;
    const run =
      typeof handler === 'function'
        ? (firing: ScheduleFiring, ctx: ScheduleContext<object>) => {
            (ctx as { schedule?: ScheduleFiring }).schedule = firing;
            return handler(ctx);
          }
        : handler;
    this.registry.addSchedule(name, declaration, run, b === undefined ? {} : a);
  }

  /** Adds record middleware, around every registration's own. */
  use(middleware: RecordMiddleware<object>): void {
    this.registry.middleware.push(middleware);
  }

  /** Whether anything is registered: a queue, topic, bucket, bus, stream or schedule. */
  hasRegistrations(): boolean {
    return (
      (['sqs', 'sns', 's3', 'dynamodb', 'kinesis', 'eventbridge'] as const).some(
        (source) => this.registry.list(source).length > 0,
      ) || this.registry.schedules().length > 0
    );
  }

  /** The declared schedules. */
  schedules(): ScheduleInfo[] {
    return this.registry.schedules();
  }

  /** The record part of the app's manifest. */
  manifest(): { records: RecordManifest[]; eventBridge: EventBridgeManifest[]; schedules: ScheduleInfo[] } {
    const records: RecordManifest[] = [];
    for (const source of ['sqs', 'sns', 's3', 'dynamodb', 'kinesis'] as const)
      for (const r of this.registry.list(source)) records.push(recordManifest(r));
    return {
      records,
      eventBridge: this.registry
        .list('eventbridge')
        .flatMap((r) => (r.pattern === undefined ? [] : [r.pattern])),
      schedules: this.registry.schedules(),
    };
  }

  /** Serves one event that is not an HTTP request. */
  async dispatch(event: unknown, lambdaContext: LambdaContext | undefined): Promise<unknown> {
    // Loaded on the first record event: an HTTP request to a function that also consumes records never
    // evaluates it, and a bundle split into chunks keeps it out of the HTTP path altogether.
    this.dispatcher ??= import('./dispatcher.js').then(
      ({ EventDispatcher }) => new EventDispatcher(this.registry, this.env),
    );
    return (await this.dispatcher).dispatch(event, lambdaContext);
  }

  private idempotencyFor(where: string): IdempotencyEngine {
    if (this.env.idempotency === undefined)
      throw new ConfigurationError(
        `${where} declares idempotency but the ${this.env.factory === 'createApp' ? 'app' : 'worker'} has none: ${this.env.factory}({ idempotency: idempotency({ store }) }) with idempotency from '@lift/core/idempotency'`,
      );
    return this.env.idempotency;
  }
}

/** @internal The manifest of a record registration (not a schedule or EventBridge pattern). */
export function recordManifest(r: Registration): RecordManifest {
  const o = r.options as { events?: readonly string[]; prefix?: string; suffix?: string };
  return {
    source: r.source as RecordManifest['source'],
    name: r.label,
    exact: r.exact,
    ...(o.events === undefined ? {} : { events: [...o.events] }),
    ...(o.prefix === undefined ? {} : { prefix: o.prefix }),
    ...(o.suffix === undefined ? {} : { suffix: o.suffix }),
  };
}
