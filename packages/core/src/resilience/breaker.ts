/**
 * Circuit breakers, one per dependency name in each Lambda instance (state is not shared between
 * instances), built on cockatiel's. After `failureThreshold` failures in a row the circuit opens and
 * calls fail at once with a 503 and `Retry-After`; after `halfOpenAfterMs` one trial call goes
 * through (half-open): its success closes the circuit, its failure opens it again. Every transition
 * writes a log line and an EMF metric.
 */
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker as cockatielBreaker,
  handleWhen,
  IsolatedCircuitError,
} from 'cockatiel';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { writeStdoutLine } from '../stdout/stdout.js';
import { DependencyUnavailableError, faultOf } from './faults.js';

/** The state of a circuit. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Where transition lines go: a Lift `Logger` fits. */
export interface TransitionLogger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

/** Options of {@link circuitBreaker}. */
export interface BreakerOptions {
  /** Failed calls in a row that open the circuit (default 5). */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before a trial call, in ms (default 10 000). */
  readonly halfOpenAfterMs?: number;
  /**
   * Where transitions are logged (WARN on opening, INFO otherwise). Default: a JSON line on stdout
   * with Powertools' keys, at the level `AWS_LAMBDA_LOG_LEVEL`, `POWERTOOLS_LOG_LEVEL` or
   * `LOG_LEVEL` sets (INFO when none does); `false` for none.
   */
  readonly logger?: TransitionLogger | false;
  /**
   * Writes each transition as an EMF metric `circuit_transitions` (Count) with the dimensions
   * `service`, `dependency` and `state`. Default: a line on stdout in namespace
   * `POWERTOOLS_METRICS_NAMESPACE` (else the service name, else `lift`), not written when
   * `POWERTOOLS_METRICS_DISABLED` (else `POWERTOOLS_DEV`) says metrics are off; `false` for none.
   */
  readonly metrics?: { readonly namespace?: string; readonly write?: (line: string) => void } | false;
}

/** A circuit breaker for one dependency. */
export interface CircuitBreaker {
  /** The dependency's name. */
  readonly name: string;
  /** The circuit's state now. */
  readonly state: BreakerState;
  /** Milliseconds until an open circuit lets a trial call through (0 unless open). */
  retryAfterMs(): number;
  /**
   * Runs `call` unless the circuit is open, or half-open with its one trial call already running:
   * then it throws a {@link DependencyUnavailableError} (reason `circuit-open`, with `Retry-After`)
   * without calling. A thrown fault (5xx, network error, timeout; not throttling, not a 4xx, not an
   * abort) or a result that `failed` marks counts as a failure; anything else as a success.
   */
  execute<T>(
    call: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
    failed?: (result: T) => boolean,
  ): Promise<T>;
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

const MESSAGES: Record<BreakerState, string> = {
  open: 'Circuit opened',
  'half-open': 'Circuit half-open: trying one call',
  closed: 'Circuit closed',
};

/** A result the breaker must count as a failure, carried through cockatiel and unwrapped after. */
class FailedResult {
  constructor(readonly value: unknown) {}
}

function serviceName(): string {
  return process.env.POWERTOOLS_SERVICE_NAME ?? 'service_undefined';
}

const RANK: Record<string, number> = {
  TRACE: 0,
  DEBUG: 1,
  INFO: 2,
  WARN: 3,
  ERROR: 4,
  CRITICAL: 5,
  FATAL: 5,
  SILENT: 6,
};

/** Whether a line at `level` is written, as Lift's logger and Powertools read the environment. */
function logs(level: 'INFO' | 'WARN'): boolean {
  const env = process.env;
  for (const candidate of [env.AWS_LAMBDA_LOG_LEVEL, env.POWERTOOLS_LOG_LEVEL, env.LOG_LEVEL]) {
    const rank = RANK[candidate?.trim().toUpperCase() ?? ''];
    if (rank !== undefined) return (RANK[level] as number) >= rank;
  }
  return true;
}

const TRUE = new Set(['1', 'true', 'on', 'yes', 'y']);
const FALSE = new Set(['0', 'false', 'off', 'no', 'n']);

/** Whether EMF is off, as Powertools decides it: `POWERTOOLS_METRICS_DISABLED`, else `POWERTOOLS_DEV`. */
function metricsDisabled(): boolean {
  const flag = process.env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase() ?? '';
  if (TRUE.has(flag)) return true;
  if (FALSE.has(flag)) return false;
  return TRUE.has(process.env.POWERTOOLS_DEV?.trim().toLowerCase() ?? '');
}

/** The default logger: Powertools' keys on stdout (as Lift's logger writes), at the configured level. */
function stdoutLogger(): TransitionLogger {
  const line = (level: 'INFO' | 'WARN') => (message: string, fields: Record<string, unknown>) => {
    // Read per line: the level can change between invocations (tests, Lambda's log-level setting).
    if (!logs(level)) return;
    writeStdoutLine(
      JSON.stringify({
        level,
        message,
        timestamp: new Date().toISOString(),
        service: serviceName(),
        ...fields,
      }),
    );
  };
  return { info: line('INFO'), warn: line('WARN') };
}

function emfWriter(options: { readonly namespace?: string; readonly write?: (line: string) => void }) {
  // A `write` given is always used; the default stdout writer stays quiet where Powertools' would.
  const write =
    options.write ??
    ((line: string) => {
      if (!metricsDisabled()) writeStdoutLine(line);
    });
  return (dependency: string, state: BreakerState) => {
    const service = serviceName();
    const namespace =
      options.namespace ??
      process.env.POWERTOOLS_METRICS_NAMESPACE ??
      process.env.POWERTOOLS_SERVICE_NAME ??
      'lift';
    write(
      JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [['service', 'dependency', 'state']],
              Metrics: [{ Name: 'circuit_transitions', Unit: 'Count' }],
            },
          ],
        },
        service,
        dependency,
        state,
        circuit_transitions: 1,
      }),
    );
  };
}

const registry = new Map<string, { breaker: CircuitBreaker; key: string }>();
const NAME = /^[A-Za-z0-9_.:/@-]{1,64}$/;
const KNOWN = ['failureThreshold', 'halfOpenAfterMs', 'logger', 'metrics'];

/**
 * The circuit breaker of dependency `name` in this instance, created on first use. Asking again
 * for the same name returns the same breaker (so every caller of a dependency shares its state);
 * asking with another `failureThreshold` or `halfOpenAfterMs` is a configuration error. The name is
 * a metric dimension and a log field: keep it a fixed, short identifier (`payments`, `dynamodb`).
 */
export function circuitBreaker(name: string, options: BreakerOptions = {}): CircuitBreaker {
  refuseUnknownOptions(options, KNOWN, `circuitBreaker(${JSON.stringify(name)})`);
  if (typeof name !== 'string' || !NAME.test(name))
    throw new ConfigurationError('circuitBreaker: the name must be 1-64 of A-Z a-z 0-9 _ . : / @ -');
  const threshold = options.failureThreshold ?? 5;
  const halfOpenAfterMs = options.halfOpenAfterMs ?? 10_000;
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new ConfigurationError(`circuitBreaker(${name}): failureThreshold must be a positive integer`);
  if (!Number.isFinite(halfOpenAfterMs) || halfOpenAfterMs <= 0)
    throw new ConfigurationError(`circuitBreaker(${name}): halfOpenAfterMs must be a positive number`);
  const key = `${threshold}/${halfOpenAfterMs}`;
  const known = registry.get(name);
  if (known !== undefined) {
    if (known.key !== key)
      throw new ConfigurationError(
        `circuitBreaker(${name}): already created with other settings (failureThreshold/halfOpenAfterMs ${known.key})`,
      );
    return known.breaker;
  }
  const breaker = createBreaker(name, threshold, halfOpenAfterMs, options);
  registry.set(name, { breaker, key });
  return breaker;
}

function createBreaker(
  name: string,
  threshold: number,
  halfOpenAfterMs: number,
  options: BreakerOptions,
): CircuitBreaker {
  const counter = new ConsecutiveBreaker(threshold);
  const policy: CircuitBreakerPolicy = cockatielBreaker(
    handleWhen((error) => {
      const fault = faultOf(error);
      return fault === 'unavailable' || fault === 'timeout';
    }).orWhenResult((result) => result instanceof FailedResult),
    { halfOpenAfter: halfOpenAfterMs, breaker: counter },
  );
  const logger = options.logger === false ? undefined : (options.logger ?? stdoutLogger());
  const metric = options.metrics === false ? undefined : emfWriter(options.metrics ?? {});
  let openedAt = 0;
  let previous: BreakerState = 'closed';
  policy.onStateChange((raw) => {
    const state = STATES[raw];
    // cockatiel closes a half-open circuit whose trial ends in an error it does not count (throttled,
    // a 4xx) without resetting the count of failures, so the next single failure would reopen it.
    if (state === 'closed') counter.state = 0;
    if (state === 'open') openedAt = Date.now();
    const fields = { dependency: name, state, previous_state: previous };
    previous = state;
    try {
      if (state === 'open') logger?.warn(MESSAGES[state], fields);
      else logger?.info(MESSAGES[state], fields);
      metric?.(name, state);
    } catch {
      // Reporting a transition must never fail the call that caused it.
    }
  });
  const retryAfterMs = () =>
    policy.state === CircuitState.Open ? Math.max(0, openedAt + halfOpenAfterMs - Date.now()) : 0;
  return {
    name,
    get state() {
      return STATES[policy.state];
    },
    retryAfterMs,
    async execute<T>(
      call: (signal: AbortSignal) => Promise<T>,
      signal?: AbortSignal,
      failed?: (result: T) => boolean,
    ) {
      // cockatiel 3 makes every call that arrives while the trial runs wait for the trial's outcome
      // (and then runs it without its signal): a request with less time left than the trial would
      // wait past its deadline. Half-open lets the one trial through and refuses the rest at once.
      if (policy.state === CircuitState.HalfOpen) {
        throw new DependencyUnavailableError(name, 1, { reason: 'circuit-open' });
      }
      try {
        const result = await policy.execute(async ({ signal: inner }) => {
          const value = await call(inner);
          return failed?.(value) === true ? new FailedResult(value) : value;
        }, signal);
        return (result instanceof FailedResult ? result.value : result) as T;
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          throw new DependencyUnavailableError(name, Math.max(1, retryAfterMs() / 1000), {
            reason: 'circuit-open',
            cause: error,
          });
        }
        throw error;
      }
    },
  };
}

/** What {@link withCircuitBreaker} needs of an AWS SDK v3 client: its middleware stack. */
interface AwsClientStack {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { __smithy_context?: { abortSignal?: AbortSignal } },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/**
 * Puts every command an AWS SDK v3 client sends behind `breaker`, outside the SDK's retries: a
 * command whose attempts all failed (5xx, network errors, timeouts) counts once, and an open circuit
 * refuses commands with a 503 `DEPENDENCY_UNAVAILABLE` without sending them. Throttling and client
 * errors do not count. Returns the client.
 */
export function withCircuitBreaker<C>(client: C, breaker: CircuitBreaker): C {
  (client as unknown as AwsClientStack).middlewareStack.add(
    (next, context) => (args) => breaker.execute(() => next(args), context.__smithy_context?.abortSignal),
    { step: 'initialize', name: 'liftCircuitBreaker', override: true },
  );
  return client;
}
