/**
 * EventBridge's cron expressions (six fields: minutes hours day-of-month month day-of-week year),
 * evaluated in an IANA time zone as EventBridge Scheduler does: a time that daylight saving skips
 * does not fire, a time it repeats fires once (the first time).
 */

/** A cron expression that cannot be read, with what is wrong. */
export class CronError extends Error {
  /** @param message what is wrong with the expression */
  constructor(message: string) {
    super(message);
    this.name = 'CronError';
  }
}

type DayRule =
  | { readonly kind: 'any' }
  | { readonly kind: 'days'; readonly days: ReadonlySet<number> }
  | { readonly kind: 'last'; readonly offset: number }
  | { readonly kind: 'lastWeekday' }
  | { readonly kind: 'nearestWeekday'; readonly day: number };

type WeekRule =
  | { readonly kind: 'any' }
  | { readonly kind: 'days'; readonly days: ReadonlySet<number> }
  | { readonly kind: 'lastOf'; readonly day: number }
  | { readonly kind: 'nth'; readonly day: number; readonly n: number };

/** A parsed cron expression. */
export interface Cron {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: ReadonlySet<number>;
  readonly years: ReadonlySet<number>;
  readonly dayOfMonth: DayRule;
  readonly dayOfWeek: WeekRule;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** EventBridge's last year. */
export const LAST_YEAR = 2199;

interface FieldSpec {
  readonly what: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { what: 'minutes', min: 0, max: 59 },
  { what: 'hours', min: 0, max: 23 },
  { what: 'day-of-month', min: 1, max: 31 },
  { what: 'month', min: 1, max: 12, names: MONTHS },
  { what: 'day-of-week', min: 1, max: 7, names: DAYS },
  { what: 'year', min: 1970, max: LAST_YEAR },
];

function value(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text) ?? -1;
  const n = named >= 0 ? named + 1 : /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= spec.min && n <= spec.max))
    throw new CronError(
      `${spec.what} takes ${spec.min}-${spec.max}${spec.names ? ` or ${spec.names[0]}-${spec.names.at(-1)}` : ''}, got "${text}"`,
    );
  return n;
}

/** The values of a field of numbers, names, `*`, ranges, steps and lists. */
function values(field: string, spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (range === undefined || range === '' || extra !== undefined)
      throw new CronError(`${spec.what}: cannot read "${part}"`);
    const step = stepText === undefined ? 1 : /^\d{1,4}$/.test(stepText) ? Number(stepText) : 0;
    if (step < 1) throw new CronError(`${spec.what}: the step of "${part}" must be a whole number from 1`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [spec.min, spec.max];
    else {
      const dash = range.indexOf('-');
      from = value(dash === -1 ? range : range.slice(0, dash), spec);
      // `5/10` runs from 5 to the end of the field; `5` alone is just 5.
      to = dash === -1 ? (stepText === undefined ? from : spec.max) : value(range.slice(dash + 1), spec);
      if (to < from)
        throw new CronError(`${spec.what}: the range "${range}" runs backwards; write it as two ranges`);
    }
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return out;
}

function dayOfMonthRule(field: string, spec: FieldSpec): DayRule {
  if (field === '?') return { kind: 'any' };
  if (field === 'L') return { kind: 'last', offset: 0 };
  if (field === 'LW') return { kind: 'lastWeekday' };
  const last = /^L-(\d{1,2})$/.exec(field);
  if (last !== null) {
    const offset = Number(last[1]);
    if (offset > 30) throw new CronError(`day-of-month: "${field}" reaches before the first of the month`);
    return { kind: 'last', offset };
  }
  const weekday = /^(\d{1,2})W$/.exec(field);
  if (weekday !== null) return { kind: 'nearestWeekday', day: value(weekday[1] as string, spec) };
  if (/[LW#]/.test(field))
    throw new CronError(`day-of-month: L and W stand alone ("L", "L-3", "LW", "15W"), got "${field}"`);
  return { kind: 'days', days: values(field, spec) };
}

function dayOfWeekRule(field: string, spec: FieldSpec): WeekRule {
  if (field === '?') return { kind: 'any' };
  // `L` alone is the last day of the week, Saturday.
  if (field === 'L') return { kind: 'days', days: new Set([7]) };
  const last = /^([A-Z0-9]+)L$/.exec(field);
  if (last !== null) return { kind: 'lastOf', day: value(last[1] as string, spec) };
  const nth = /^([A-Z0-9]+)#(\d)$/.exec(field);
  if (nth !== null) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new CronError(`day-of-week: "${field}" asks for week ${n} of a month (1-5)`);
    return { kind: 'nth', day: value(nth[1] as string, spec), n };
  }
  if (/[L#]/.test(field))
    throw new CronError(`day-of-week: L and # stand alone ("6L", "2#1": one expression), got "${field}"`);
  return { kind: 'days', days: values(field, spec) };
}

const sorted = (set: ReadonlySet<number>): number[] => [...set].sort((a, b) => a - b);

/** Reads an EventBridge cron expression (the six fields, with or without `cron(...)`). */
export function parseCron(expression: string): Cron {
  const inner = /^cron\((.*)\)$/s.exec(expression.trim())?.[1] ?? expression;
  const fields = inner.trim().toUpperCase().split(/\s+/);
  if (fields.length !== 6)
    throw new CronError(
      `takes six fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?'))
    throw new CronError('needs "?" in exactly one of day-of-month and day-of-week');
  for (const [field, spec] of [
    [minutes, FIELDS[0]],
    [hours, FIELDS[1]],
    [month, FIELDS[3]],
    [year, FIELDS[5]],
  ] as const) {
    if (/[?LW#]/.test(field)) throw new CronError(`${spec?.what} takes numbers, "*", "-", "/" and ","`);
  }
  return {
    minutes: sorted(values(minutes, FIELDS[0] as FieldSpec)),
    hours: sorted(values(hours, FIELDS[1] as FieldSpec)),
    dayOfMonth: dayOfMonthRule(dom, FIELDS[2] as FieldSpec),
    months: values(month, FIELDS[3] as FieldSpec),
    dayOfWeek: dayOfWeekRule(dow, FIELDS[4] as FieldSpec),
    years: values(year, FIELDS[5] as FieldSpec),
  };
}

const DAY_MS = 86_400_000;
const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 (Sunday) to 7 (Saturday), as EventBridge numbers them. */
const weekdayOf = (year: number, month: number, day: number): number =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

function nearestWeekday(year: number, month: number, day: number): number | undefined {
  const last = daysIn(year, month);
  if (day > last) return undefined;
  const weekday = weekdayOf(year, month, day);
  // Never into another month: the 1st on a Saturday moves to Monday the 3rd, the last on a Sunday to Friday.
  if (weekday === 7) return day === 1 ? 3 : day - 1;
  if (weekday === 1) return day === last ? day - 2 : day + 1;
  return day;
}

function dayMatches(cron: Cron, year: number, month: number, day: number): boolean {
  const dom = cron.dayOfMonth;
  const last = daysIn(year, month);
  switch (dom.kind) {
    case 'days':
      if (!dom.days.has(day)) return false;
      break;
    case 'last':
      if (day !== last - dom.offset) return false;
      break;
    case 'lastWeekday': {
      const weekday = weekdayOf(year, month, last);
      if (day !== last - (weekday === 7 ? 1 : weekday === 1 ? 2 : 0)) return false;
      break;
    }
    case 'nearestWeekday':
      if (day !== nearestWeekday(year, month, dom.day)) return false;
      break;
  }
  const dow = cron.dayOfWeek;
  const weekday = weekdayOf(year, month, day);
  switch (dow.kind) {
    case 'days':
      return dow.days.has(weekday);
    case 'lastOf':
      return weekday === dow.day && day + 7 > last;
    case 'nth':
      return weekday === dow.day && Math.ceil(day / 7) === dow.n;
    default:
      return true;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in a zone at an instant, as if it were UTC (minutes precision). */
function wallClock(instant: number, timeZone: string): number {
  if (timeZone === 'UTC') return instant - (((instant % 60_000) + 60_000) % 60_000);
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
  );
}

/**
 * The first instant a wall-clock time happens in a zone, or undefined when daylight saving skips it.
 * The offsets in force 14 hours either side cover both sides of any one transition.
 */
function instantOf(wall: number, timeZone: string): number | undefined {
  if (timeZone === 'UTC') return wall;
  let best: number | undefined;
  for (const probe of [wall - 14 * 3_600_000, wall + 14 * 3_600_000]) {
    const offset = wallClock(probe, timeZone) - probe;
    const instant = wall - offset;
    if (wallClock(instant, timeZone) === wall && (best === undefined || instant < best)) best = instant;
  }
  return best;
}

/**
 * The first firing of a cron expression strictly after an instant (epoch ms), read in an IANA time
 * zone (default UTC); undefined when it never fires again (EventBridge's years end at 2199).
 */
export function nextCronTime(cron: Cron, after: number, timeZone = 'UTC'): number | undefined {
  const start = new Date(wallClock(after, timeZone) - DAY_MS);
  let year = start.getUTCFullYear();
  let month = start.getUTCMonth() + 1;
  let day = start.getUTCDate();
  // Candidates whose wall-clock time is hours before `after` need no time-zone arithmetic.
  const roughOffset = wallClock(after, timeZone) - (after - (((after % 60_000) + 60_000) % 60_000));
  while (year <= LAST_YEAR) {
    if (!cron.years.has(year)) {
      [year, month, day] = [year + 1, 1, 1];
      continue;
    }
    if (!cron.months.has(month) || day > daysIn(year, month)) {
      [year, month, day] = month === 12 ? [year + 1, 1, 1] : [year, month + 1, 1];
      continue;
    }
    if (dayMatches(cron, year, month, day)) {
      for (const hour of cron.hours) {
        for (const minute of cron.minutes) {
          const wall = Date.UTC(year, month - 1, day, hour, minute);
          if (wall - roughOffset < after - 3 * 3_600_000) continue;
          const instant = instantOf(wall, timeZone);
          if (instant !== undefined && instant > after) return instant;
        }
      }
    }
    day += 1;
  }
  return undefined;
}
