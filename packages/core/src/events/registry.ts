import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { isStandardSchema, type StandardSchemaV1 } from '../schema/validate.js';
import { nameMatcher } from './names.js';
import { type ScheduleDeclaration, type ScheduleInfo, scheduleInfo } from './schedule.js';
import type { AnyRecord, RecordContext, RecordSource } from './types.js';

/** Continues with the rest of the record's chain. */
export type RecordNext = () => Promise<void>;

/**
 * Record middleware: runs around each record's handler, as HTTP middleware runs around a route
 * (code before `await next()` on the way in, after it on the way out; a throw fails the record).
 */
export type RecordMiddleware<S extends object = Record<string, unknown>> = (
  record: AnyRecord,
  ctx: RecordContext<S>,
  next: RecordNext,
) => unknown;

/** Jittered visibility backoff for failed SQS messages, from their receive count. */
export interface BackoffOptions {
  /** Visibility timeout after the first failure, in seconds (default 10). */
  readonly baseSeconds?: number;
  /** Largest visibility timeout, in seconds (default 900; SQS allows up to 43,200). */
  readonly maxSeconds?: number;
}

/** What every record registration accepts. */
export interface RecordOptions<S extends object = Record<string, unknown>> {
  /** Middleware for this registration's records, after the app's `useRecords` middleware. */
  readonly middleware?: readonly RecordMiddleware<S>[];
}

/** Options of the batch sources (SQS, DynamoDB Streams, Kinesis). */
export interface BatchOptions {
  /**
   * When every record of a batch fails, throw instead of reporting every id (default false: a throw
   * counts as a function error in metrics and alarms, while the report already retries them all).
   */
  readonly throwOnFullBatchFailure?: boolean;
}

/** Options of `app.sqs`. */
export interface SqsOptions<S extends object = Record<string, unknown>>
  extends RecordOptions<S>,
    BatchOptions {
  /** The body's schema; the body is parsed as JSON first. */
  readonly body?: StandardSchemaV1;
  /** Messages of a standard queue processed at once (default 1). FIFO queues keep order per message group. */
  readonly concurrency?: number;
  /** Make failed messages visible again later, growing with their receive count (needs `@aws-sdk/client-sqs`). */
  readonly backoff?: BackoffOptions | false;
}

/** Options of `app.sns`. */
export interface SnsOptions<S extends object = Record<string, unknown>> extends RecordOptions<S> {
  /** The message's schema; the message is parsed as JSON first. */
  readonly message?: StandardSchemaV1;
}

/** Options of `app.s3`. */
export interface S3Options<S extends object = Record<string, unknown>> extends RecordOptions<S> {
  /** Event names, `*` allowed after the colon: `['ObjectCreated:*', 'ObjectRemoved:Delete']` (default all). */
  readonly events?: readonly string[];
  /** Only keys starting with this. */
  readonly prefix?: string;
  /** Only keys ending with this. */
  readonly suffix?: string;
}

/** Which EventBridge events `app.eventBridge` takes. */
export interface EventBridgePattern {
  /** The event's `source` (exact, or a glob such as `kefir.*`), or several. */
  readonly source: string | readonly string[];
  /** The event's `detail-type`, or several (default any). */
  readonly detailType?: string | readonly string[];
}

/** Options of `app.eventBridge`. */
export interface EventBridgeOptions<S extends object = Record<string, unknown>> extends RecordOptions<S> {
  /** The detail's schema. */
  readonly detail?: StandardSchemaV1;
}

/** DynamoDB Streams event names. */
export type ChangeName = 'INSERT' | 'MODIFY' | 'REMOVE';

/** Options of `app.dynamodbStream`. */
export interface DynamoDBStreamOptions<S extends object = Record<string, unknown>>
  extends RecordOptions<S>,
    BatchOptions {
  /** Schema of the unmarshalled new image. */
  readonly newImage?: StandardSchemaV1;
  /** Schema of the unmarshalled old image. */
  readonly oldImage?: StandardSchemaV1;
  /** Only these changes reach the handler; the others are acknowledged (default all). */
  readonly events?: readonly ChangeName[];
}

/** Options of `app.kinesis`. */
export interface KinesisOptions<S extends object = Record<string, unknown>>
  extends RecordOptions<S>,
    BatchOptions {
  /** The data's schema; the data is parsed as JSON first. */
  readonly data?: StandardSchemaV1;
}

/** @internal One registration, as the dispatcher uses it. */
export interface Registration {
  readonly source: RecordSource;
  /** What the registration names, for logs and metrics (never a per-message value). */
  readonly label: string;
  readonly exact: boolean;
  readonly matches: (name: string) => boolean;
  readonly options: Readonly<Record<string, unknown>>;
  readonly handler: (record: never, ctx: never) => unknown;
  readonly middleware: readonly RecordMiddleware<object>[];
  /** An EventBridge registration's pattern, for deployment tools. */
  readonly pattern?: { readonly source: readonly string[]; readonly detailType?: readonly string[] };
}

const COMMON = ['middleware'];
const KNOWN: Readonly<Record<RecordSource, readonly string[]>> = {
  sqs: [...COMMON, 'body', 'concurrency', 'backoff', 'throwOnFullBatchFailure'],
  sns: [...COMMON, 'message'],
  s3: [...COMMON, 'events', 'prefix', 'suffix'],
  eventbridge: [...COMMON, 'detail'],
  schedule: COMMON,
  dynamodb: [...COMMON, 'newImage', 'oldImage', 'events', 'throwOnFullBatchFailure'],
  kinesis: [...COMMON, 'data', 'throwOnFullBatchFailure'],
};
const SCHEMAS = ['body', 'message', 'detail', 'newImage', 'oldImage', 'data'];
const S3_EVENT = /^[A-Za-z]+(:(\*|[A-Za-z]+))?$/;
const CHANGES = new Set(['INSERT', 'MODIFY', 'REMOVE']);

function checkOptions(
  source: RecordSource,
  where: string,
  options: unknown,
): Readonly<Record<string, unknown>> {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new ConfigurationError(`${where}: options must be an object`);
  refuseUnknownOptions(options, KNOWN[source], where);
  const o = options as Record<string, unknown>;
  for (const key of SCHEMAS) {
    if (o[key] !== undefined && !isStandardSchema(o[key]))
      throw new ConfigurationError(
        `${where}: "${key}" must be a Standard Schema (zod, valibot, arktype, ...)`,
      );
  }
  if (
    o.middleware !== undefined &&
    (!Array.isArray(o.middleware) || !o.middleware.every((m) => typeof m === 'function'))
  )
    throw new ConfigurationError(`${where}: "middleware" must be a list of record middleware functions`);
  if (
    o.concurrency !== undefined &&
    (!Number.isInteger(o.concurrency) || (o.concurrency as number) < 1 || (o.concurrency as number) > 100)
  )
    throw new ConfigurationError(`${where}: "concurrency" must be a whole number from 1 to 100`);
  if (o.throwOnFullBatchFailure !== undefined && typeof o.throwOnFullBatchFailure !== 'boolean')
    throw new ConfigurationError(`${where}: "throwOnFullBatchFailure" must be true or false`);
  if (o.backoff !== undefined && o.backoff !== false) {
    refuseUnknownOptions(o.backoff, ['baseSeconds', 'maxSeconds'], `${where} backoff`);
    const { baseSeconds = 10, maxSeconds = 900 } = o.backoff as BackoffOptions;
    if (
      !Number.isInteger(baseSeconds) ||
      baseSeconds < 1 ||
      !Number.isInteger(maxSeconds) ||
      maxSeconds < baseSeconds ||
      maxSeconds > 43_200
    )
      throw new ConfigurationError(
        `${where}: backoff needs whole seconds, 1 <= baseSeconds <= maxSeconds <= 43200`,
      );
  }
  if (source === 's3') {
    if (
      o.events !== undefined &&
      (!Array.isArray(o.events) ||
        o.events.length === 0 ||
        !o.events.every((e) => typeof e === 'string' && S3_EVENT.test(e)))
    )
      throw new ConfigurationError(
        `${where}: "events" lists S3 event names such as 'ObjectCreated:*' or 'ObjectRemoved:Delete'`,
      );
    for (const key of ['prefix', 'suffix']) {
      if (o[key] !== undefined && (typeof o[key] !== 'string' || o[key] === ''))
        throw new ConfigurationError(`${where}: "${key}" must be a non-empty string`);
    }
  }
  if (
    source === 'dynamodb' &&
    o.events !== undefined &&
    (!Array.isArray(o.events) || o.events.length === 0 || !o.events.every((e) => CHANGES.has(e)))
  )
    throw new ConfigurationError(`${where}: "events" lists 'INSERT', 'MODIFY' and 'REMOVE'`);
  return o;
}

function list(value: string | readonly string[] | undefined): readonly string[] | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? [value] : value;
}

const SOURCES: ReadonlySet<string> = new Set(['sqs', 'sns', 's3', 'dynamodb', 'kinesis']);
let aliasSource: string | undefined;
let aliases: ReadonlyMap<string, string> = new Map();
let aliasError: ConfigurationError | undefined;

/**
 * Deployed names and the declared names they stand for. A deployment names resources as it must (a
 * stage suffix, a generated bucket name) and tells the function the deployed name of each declared
 * one in `LIFT_RESOURCE_NAMES`, a JSON object of `"<source>:<declared name>": "<deployed name>"` (the
 * CDK constructs set it), so registrations keep the names the code declares. Read once per value; a
 * value that cannot be read fails every lookup, never silently maps nothing.
 */
function resourceAliases(): ReadonlyMap<string, string> {
  const raw = process.env.LIFT_RESOURCE_NAMES;
  if (raw !== aliasSource) {
    aliasSource = raw;
    aliasError = undefined;
    aliases = new Map();
    if (raw !== undefined && raw !== '') {
      try {
        aliases = parseAliases(raw);
      } catch (error) {
        aliasError =
          error instanceof ConfigurationError
            ? error
            : new ConfigurationError('LIFT_RESOURCE_NAMES is not JSON: it must be an object of names');
      }
    }
  }
  if (aliasError !== undefined) throw aliasError;
  return aliases;
}

function parseAliases(raw: string): Map<string, string> {
  const parsed: unknown = JSON.parse(raw);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigurationError('LIFT_RESOURCE_NAMES must be a JSON object of names');
  const byDeployed = new Map<string, string>();
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    const cut = key.indexOf(':');
    const source = key.slice(0, cut);
    if (
      cut <= 0 ||
      !SOURCES.has(source) ||
      key.length === cut + 1 ||
      typeof value !== 'string' ||
      value === ''
    )
      throw new ConfigurationError(
        `LIFT_RESOURCE_NAMES: "${key}" must be "<sqs|sns|s3|dynamodb|kinesis>:<declared name>" with a deployed name`,
      );
    const deployedKey = `${source}:${value}`;
    if (byDeployed.has(deployedKey))
      throw new ConfigurationError(`LIFT_RESOURCE_NAMES: two declared names stand for ${deployedKey}`);
    byDeployed.set(deployedKey, key.slice(cut + 1));
  }
  return byDeployed;
}

/** @internal The app's record registrations and schedules, and the lookups the dispatcher makes. */
export class EventRegistry {
  private readonly bySource = new Map<RecordSource, Registration[]>();
  private readonly scheduleList: ScheduleInfo[] = [];
  /** The app's record middleware, before each registration's own. */
  readonly middleware: RecordMiddleware<object>[] = [];

  /** Whether anything but HTTP is registered. */
  get empty(): boolean {
    return this.bySource.size === 0;
  }

  /** Adds a registration for a named resource (queue, topic, bucket, table, stream) or a schedule. */
  add(source: RecordSource, name: string, options: unknown, handler: unknown, what: string): void {
    const where = `${what}(${JSON.stringify(name)})`;
    if (typeof handler !== 'function')
      throw new ConfigurationError(`${where}: the handler must be a function`);
    const checked = checkOptions(source, where, options ?? {});
    const matches = nameMatcher(name, `${what} ${JSON.stringify(name)}`);
    const registrations = this.bySource.get(source) ?? [];
    // Several registrations of one bucket may split it by prefix or event; any other repeat is a mistake.
    if (source !== 's3' && registrations.some((r) => r.label === name))
      throw new ConfigurationError(`${where} is registered twice`);
    registrations.push({
      source,
      label: name,
      exact: !name.includes('*'),
      matches,
      options: checked,
      handler: handler as Registration['handler'],
      middleware: (checked.middleware as RecordMiddleware<object>[] | undefined) ?? [],
    });
    this.bySource.set(source, registrations);
  }

  /** Adds an EventBridge registration for a pattern. */
  addEventBridge(pattern: EventBridgePattern, options: unknown, handler: unknown): void {
    if (typeof pattern !== 'object' || pattern === null)
      throw new ConfigurationError(
        'eventBridge(): the first argument is a pattern such as { source: "kefir.batches" }',
      );
    refuseUnknownOptions(pattern, ['source', 'detailType'], 'eventBridge() pattern');
    const sources = list(pattern.source);
    const types = list(pattern.detailType);
    if (sources === undefined || sources.length === 0)
      throw new ConfigurationError('eventBridge(): the pattern needs a "source"');
    const sourceMatchers = sources.map((s) => nameMatcher(s, `eventBridge source ${JSON.stringify(s)}`));
    if (types !== undefined && (types.length === 0 || !types.every((t) => typeof t === 'string' && t !== '')))
      throw new ConfigurationError('eventBridge(): "detailType" must be a non-empty string or list of them');
    const label = `${sources.join('|')}${types === undefined ? '' : `/${types.join('|')}`}`;
    if (typeof handler !== 'function')
      throw new ConfigurationError(`eventBridge(${label}): the handler must be a function`);
    const checked = checkOptions('eventbridge', `eventBridge(${label})`, options ?? {});
    const registrations = this.bySource.get('eventbridge') ?? [];
    if (registrations.some((r) => r.label === label))
      throw new ConfigurationError(`eventBridge(${label}) is registered twice`);
    registrations.push({
      source: 'eventbridge',
      label,
      exact: false,
      pattern: types === undefined ? { source: sources } : { source: sources, detailType: types },
      // The "name" of an EventBridge event is `<source>\n<detail-type>`.
      matches: (key) => {
        const cut = key.indexOf('\n');
        const source = key.slice(0, cut);
        const type = key.slice(cut + 1);
        return sourceMatchers.some((m) => m(source)) && (types === undefined || types.includes(type));
      },
      options: checked,
      handler: handler as Registration['handler'],
      middleware: (checked.middleware as RecordMiddleware<object>[] | undefined) ?? [],
    });
    this.bySource.set('eventbridge', registrations);
  }

  /** Declares a schedule and registers its handler. */
  addSchedule(name: string, declaration: ScheduleDeclaration, handler: unknown, options: unknown): void {
    const info = scheduleInfo(name, declaration);
    this.add('schedule', name, options, handler, 'schedule');
    this.scheduleList.push(info);
  }

  /** The declared schedules, in declaration order. */
  schedules(): ScheduleInfo[] {
    return [...this.scheduleList];
  }

  /** The registrations of a source, for deployment tools (in registration order). */
  list(source: RecordSource): readonly Registration[] {
    return this.bySource.get(source) ?? [];
  }

  /**
   * The registration for a resource name: an exact name first, then globs in registration order;
   * `accept` narrows further (S3 prefixes and event names).
   */
  find(
    source: RecordSource,
    deployed: string,
    accept?: (r: Registration) => boolean,
  ): Registration | undefined {
    const registrations = this.bySource.get(source);
    if (registrations === undefined) return undefined;
    // A deployed name the deployment mapped is looked up by its declared name. Only when no
    // registration is for that declared name at all (an app that registered the deployed name it read
    // from the environment at import) is the deployed name tried, so a record refused by the declared
    // name's registration (an S3 prefix) never falls through to another one.
    const declared = resourceAliases().get(`${source}:${deployed}`);
    if (declared !== undefined) {
      const found = pick(registrations, declared, accept);
      if (found !== undefined || registrations.some((r) => r.matches(declared))) return found;
    }
    return pick(registrations, deployed, accept);
  }
}

function pick(
  registrations: readonly Registration[],
  name: string,
  accept: ((r: Registration) => boolean) | undefined,
): Registration | undefined {
  for (const exact of [true, false]) {
    for (const r of registrations) {
      if (r.exact === exact && r.matches(name) && (accept === undefined || accept(r))) return r;
    }
  }
  return undefined;
}

/** Whether an S3 event passes a registration's `events`, `prefix` and `suffix`. */
export function s3Accepts(options: S3Options<object>, eventName: string, key: string): boolean {
  if (options.prefix !== undefined && !key.startsWith(options.prefix)) return false;
  if (options.suffix !== undefined && !key.endsWith(options.suffix)) return false;
  if (options.events === undefined) return true;
  return options.events.some((pattern) => {
    if (pattern.endsWith(':*')) return eventName.startsWith(pattern.slice(0, -1));
    return pattern.includes(':') ? eventName === pattern : eventName.split(':')[0] === pattern;
  });
}
