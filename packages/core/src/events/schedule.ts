import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import type { ScheduleFiring } from './types.js';

/** When a schedule fires: a rate (`'5 minutes'`) or an EventBridge cron expression (six fields). */
export type ScheduleTiming =
  | { readonly rate: string; readonly cron?: never }
  | { readonly cron: string; readonly rate?: never };

/** A schedule as declared with `app.schedule(name, declaration, handler)`. */
export type ScheduleDeclaration = ScheduleTiming & {
  /** IANA time zone a cron expression is read in (default UTC). */
  readonly timezone?: string;
  readonly description?: string;
  /** `false` declares the schedule but deploys it disabled and `lift dev` does not run it. */
  readonly enabled?: boolean;
};

/** A declared schedule, as `app.schedules()` lists it for `lift dev` and deployment. */
export interface ScheduleInfo {
  readonly name: string;
  /** The EventBridge expression: `rate(5 minutes)` or `cron(0 9 * * ? *)`. */
  readonly expression: string;
  readonly rate: { readonly value: number; readonly unit: 'minute' | 'hour' | 'day' } | undefined;
  readonly cron: string | undefined;
  readonly timezone: string | undefined;
  readonly description: string | undefined;
  readonly enabled: boolean;
  /** The JSON the schedule's target sends: Lift's payload with EventBridge Scheduler's placeholders. */
  readonly input: string;
}

const RATE = /^([1-9]\d{0,5}) (minute|minutes|hour|hours|day|days)$/;
const CRON_FIELD = /^[0-9A-Za-z*?,/#LW-]+$/;
const NAME = /^[0-9A-Za-z_.-]{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a schedule declaration and describes it; a ConfigurationError names what is wrong. */
export function scheduleInfo(name: string, declaration: ScheduleDeclaration): ScheduleInfo {
  const where = `schedule(${JSON.stringify(name)})`;
  if (typeof name !== 'string' || !NAME.test(name))
    throw new ConfigurationError(`${where}: the name must be 1-64 letters, digits, "_", "." or "-"`);
  if (!isObject(declaration)) throw new ConfigurationError(`${where}: give { rate } or { cron }`);
  refuseUnknownOptions(declaration, ['rate', 'cron', 'timezone', 'description', 'enabled'], where);
  const { rate, cron, timezone, description, enabled } = declaration as {
    rate?: unknown;
    cron?: unknown;
    timezone?: unknown;
    description?: unknown;
    enabled?: unknown;
  };
  if ((rate === undefined) === (cron === undefined))
    throw new ConfigurationError(
      `${where}: give exactly one of "rate" ('5 minutes') and "cron" ('0 9 * * ? *')`,
    );
  let parsedRate: ScheduleInfo['rate'];
  let expression: string;
  if (rate !== undefined) {
    const m = typeof rate === 'string' ? RATE.exec(rate.trim()) : null;
    if (m === null)
      throw new ConfigurationError(
        `${where}: rate must read like '1 minute' or '5 minutes', got ${JSON.stringify(rate)}`,
      );
    const value = Number(m[1]);
    const unit = (m[2] as string).replace(/s$/, '') as 'minute' | 'hour' | 'day';
    // EventBridge refuses "1 minutes" and "5 minute".
    if ((value === 1) !== !(m[2] as string).endsWith('s'))
      throw new ConfigurationError(`${where}: write '1 ${unit}' and '${value === 1 ? 2 : value} ${unit}s'`);
    parsedRate = { value, unit };
    expression = `rate(${value} ${m[2]})`;
  } else {
    const fields = typeof cron === 'string' ? cron.trim().split(/\s+/) : [];
    if (fields.length !== 6 || !fields.every((f) => CRON_FIELD.test(f)))
      throw new ConfigurationError(
        `${where}: cron takes EventBridge's six fields (minutes hours day-of-month month day-of-week year), e.g. '0 9 * * ? *'`,
      );
    // EventBridge requires "?" in one of day-of-month and day-of-week.
    if ((fields[2] === '?') === (fields[4] === '?'))
      throw new ConfigurationError(`${where}: cron needs "?" in exactly one of day-of-month and day-of-week`);
    expression = `cron(${fields.join(' ')})`;
  }
  if (timezone !== undefined && (typeof timezone !== 'string' || !validTimeZone(timezone)))
    throw new ConfigurationError(`${where}: timezone must be an IANA zone such as 'Europe/Paris'`);
  if (description !== undefined && typeof description !== 'string')
    throw new ConfigurationError(`${where}: description must be a string`);
  if (enabled !== undefined && typeof enabled !== 'boolean')
    throw new ConfigurationError(`${where}: enabled must be true or false`);
  return {
    name,
    expression,
    rate: parsedRate,
    cron: cron === undefined ? undefined : (cron as string).trim().split(/\s+/).join(' '),
    timezone: timezone as string | undefined,
    description: description as string | undefined,
    enabled: enabled !== false,
    input: scheduleInput(name),
  };
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The key of Lift's schedule payload. */
export const SCHEDULE_KEY = 'lift.schedule';

/**
 * The input an EventBridge Scheduler target sends for a schedule: Lift's payload naming it, with the
 * scheduler's context placeholders, which it fills in at each firing.
 */
export function scheduleInput(name: string): string {
  return JSON.stringify({
    [SCHEDULE_KEY]: name,
    time: '<aws.scheduler.scheduled-time>',
    executionId: '<aws.scheduler.execution-id>',
    attempt: '<aws.scheduler.attempt-number>',
  });
}

/** Whether an event is Lift's schedule payload. */
export function isSchedulePayload(event: unknown): event is Record<string, unknown> {
  return isObject(event) && typeof event[SCHEDULE_KEY] === 'string';
}

/** The firing a schedule payload describes. */
export function firingOf(event: Record<string, unknown>, now: number): ScheduleFiring {
  const time = typeof event.time === 'string' ? new Date(event.time) : new Date(now);
  const raw = event.attempt;
  // EventBridge Scheduler sends the attempt as a string; anything else is no attempt.
  const attempt = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : Number.NaN;
  return {
    kind: 'schedule',
    name: event[SCHEDULE_KEY] as string,
    time: Number.isNaN(time.getTime()) ? new Date(now) : time,
    executionId: typeof event.executionId === 'string' ? event.executionId : undefined,
    attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : undefined,
    origin: event.local === true ? 'local' : 'scheduler',
  };
}
