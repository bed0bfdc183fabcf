import { PermanentError } from '../errors/errors.js';
import { isInstance } from '../errors/instance.js';
import { decodeRecord, SKIP, validateRecord } from './prepare.js';
import { type Invocation, RecordCtx } from './record-context.js';
import type { RecordMiddleware } from './registry.js';
import type { Item, Mode, Target } from './resolve.js';
import type { AnyRecord } from './types.js';

/** How one item ended. */
export type Outcome =
  | { readonly status: 'ok' }
  | { readonly status: 'dropped'; readonly error: unknown }
  | { readonly status: 'failed'; readonly error: unknown; readonly ran: boolean };

const OK: Outcome = { status: 'ok' };

/** The reason given for a record that was never started. */
export class NotStartedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotStartedError';
  }
}

/** What a step answers: a promise only when something in it is asynchronous (the handler or a layer). */
type StepResult = Promise<unknown> | undefined;

function settled(value: unknown): StepResult {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
    ? Promise.resolve(value)
    : undefined;
}

function chain(
  middleware: readonly RecordMiddleware<object>[],
  target: Target,
): (record: AnyRecord, ctx: RecordCtx<object>) => StepResult {
  const handler = target.registration.handler as unknown as (
    record: AnyRecord,
    ctx: RecordCtx<object>,
  ) => unknown;
  // The handler's step is synchronous when the handler is, so a synchronous consumer costs no
  // promise a record (middleware layers are async: `next()` always answers a promise).
  let step = (record: AnyRecord, ctx: RecordCtx<object>): StepResult => {
    if (ctx.invalid !== undefined) throw ctx.invalid;
    return settled(handler(record, ctx));
  };
  for (let i = middleware.length - 1; i >= 0; i--) {
    const layer = middleware[i] as RecordMiddleware<object>;
    const inner = step;
    step = async (record, ctx) => {
      let called = false;
      await layer(record, ctx, () => {
        if (called) return Promise.reject(new Error('next() called more than once in one record middleware'));
        called = true;
        // A throw of a synchronous step becomes the promise's rejection.
        return new Promise<void>((resolve) => resolve(inner(record, ctx) as Promise<void> | undefined));
      });
    };
  }
  return step;
}

/** Runs items as their source requires and reports how each ended. */
export class Runner {
  private readonly chains = new WeakMap<Target['registration'], ReturnType<typeof chain>>();

  constructor(private readonly appMiddleware: readonly RecordMiddleware<object>[]) {}

  private async runTarget(target: Target, invocation: Invocation): Promise<void> {
    const ctx = new RecordCtx<object>(
      invocation,
      target.registration.source,
      target.name,
      target.recordId,
      target.trace,
    );
    let decoded = decodeRecord(target);
    if (decoded instanceof Promise) decoded = await decoded;
    if (decoded === SKIP) return;
    // Middleware sees the validated record; one that fails validation still passes through it (as
    // delivered), and its handler step throws the validation error, so timing and logging
    // middleware see every record, as HTTP middleware sees a 422.
    let record: AnyRecord;
    let invalid: unknown;
    try {
      const validated = validateRecord(target.registration.source, target.registration.options, decoded);
      record = validated instanceof Promise ? await validated : validated;
    } catch (error) {
      record = decoded;
      invalid = error;
    }
    let run = this.chains.get(target.registration);
    if (run === undefined) {
      run = chain([...this.appMiddleware, ...target.registration.middleware], target);
      this.chains.set(target.registration, run);
    }
    ctx.invalid = invalid;
    const ran = run(record, ctx);
    if (ran !== undefined) await ran;
  }

  /** Runs one item: every target in order; a permanent error drops it, any other fails it. */
  async runItem(item: Item, invocation: Invocation): Promise<Outcome> {
    if (item.unclaimed !== undefined)
      return {
        status: 'failed',
        error: new NotStartedError(`no registration claims ${item.unclaimed}`),
        ran: false,
      };
    if (invocation.budgetMs() <= 0)
      return {
        status: 'failed',
        error: new NotStartedError('not started: the invocation is at its deadline'),
        ran: false,
      };
    try {
      for (const target of item.targets) await this.runTarget(target, invocation);
      return OK;
    } catch (error) {
      return isInstance(error, PermanentError)
        ? { status: 'dropped', error }
        : { status: 'failed', error, ran: true };
    }
  }

  /**
   * Runs an invocation's items. Streams: in order, and nothing after a failure runs (Lambda resumes
   * the shard from the first reported record). FIFO queues: in order within a message group; after a
   * failure the rest of that group is reported without running, other groups go on. Standard queues:
   * up to `concurrency` at once.
   */
  async run(
    mode: Mode,
    items: readonly Item[],
    invocation: Invocation,
    concurrency: number,
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(items.length);
    if (mode === 'stream') {
      let stopped: Outcome | undefined;
      for (let i = 0; i < items.length; i++) {
        if (stopped !== undefined) {
          outcomes[i] = {
            status: 'failed',
            error: new NotStartedError('not started: an earlier record of the shard failed'),
            ran: false,
          };
          continue;
        }
        const outcome = await this.runItem(items[i] as Item, invocation);
        outcomes[i] = outcome;
        if (outcome.status === 'failed') stopped = outcome;
      }
      return outcomes;
    }
    const fifo = mode === 'sqs' && items.some((item) => item.group !== undefined);
    if (!fifo && (mode === 'async' || concurrency <= 1)) {
      for (let i = 0; i < items.length; i++) outcomes[i] = await this.runItem(items[i] as Item, invocation);
      return outcomes;
    }
    // Lanes: one per message group (FIFO), or one per record (standard); run `concurrency` at once.
    const lanes = new Map<string, number[]>();
    items.forEach((item, i) => {
      const key = fifo ? (item.group ?? '') : String(i);
      const lane = lanes.get(key);
      if (lane === undefined) lanes.set(key, [i]);
      else lane.push(i);
    });
    const queue = [...lanes.values()];
    const worker = async () => {
      for (let lane = queue.shift(); lane !== undefined; lane = queue.shift()) {
        let failed = false;
        for (const i of lane) {
          if (failed) {
            outcomes[i] = {
              status: 'failed',
              error: new NotStartedError('not started: an earlier message of its group failed'),
              ran: false,
            };
            continue;
          }
          const outcome = await this.runItem(items[i] as Item, invocation);
          outcomes[i] = outcome;
          failed = outcome.status === 'failed';
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
    return outcomes;
  }
}
