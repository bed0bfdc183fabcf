import type { ScheduleInfo } from '@lift/core/events';
import { type Cron, CronError, nextCronTime, parseCron } from './cron.js';

/**
 * The clock `lift dev` runs schedules on: the system clock by default; tests give one they move by hand,
 * so a schedule due in a minute fires without waiting a minute.
 */
export interface ScheduleClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The system clock. Its timers do not keep the process alive. */
export const systemClock: ScheduleClock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A declared schedule as `lift dev` runs it. */
export interface ScheduleStatus {
  readonly name: string;
  /** `rate(5 minutes)`, `cron(0 9 * * ? *)`. */
  readonly expression: string;
  readonly timezone: string;
  readonly enabled: boolean;
  /** When it fires next; undefined when disabled, never again, or unreadable (see `problem`). */
  readonly next: Date | undefined;
  /** Why it does not run, when it does not. */
  readonly problem: string | undefined;
}

/** What {@link runSchedules} needs. */
export interface RunSchedulesOptions {
  readonly clock: ScheduleClock;
  /** Rates count from here (epoch ms): `lift dev`'s start, so a reload does not restart them. */
  readonly anchor: number;
  /** Fires one schedule due at `due`; never rejects. */
  readonly fire: (name: string, due: Date) => Promise<unknown>;
}

/** Running schedules. */
export interface ScheduleRunner {
  /** Each declared schedule and when it fires next, in declaration order. */
  list(): ScheduleStatus[];
  /** Stops every timer; firings under way finish. */
  stop(): void;
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
/** Timers are re-armed at least this often, so a machine that slept or a clock that moved is noticed. */
const MAX_WAIT_MS = 60_000;

interface Entry {
  readonly info: ScheduleInfo;
  readonly timezone: string;
  readonly after: (instant: number) => number | undefined;
  next: number | undefined;
  problem: string | undefined;
}

function entryOf(info: ScheduleInfo, anchor: number): Entry {
  const timezone = info.timezone ?? 'UTC';
  const base = { info, timezone, next: undefined, problem: undefined };
  if (info.rate !== undefined) {
    const every = info.rate.value * UNIT_MS[info.rate.unit];
    return { ...base, after: (t) => anchor + (Math.floor((t - anchor) / every) + 1) * every };
  }
  let cron: Cron;
  try {
    cron = parseCron(info.cron ?? '');
  } catch (error) {
    const problem = error instanceof CronError ? `the cron expression ${error.message}` : String(error);
    return { ...base, after: () => undefined, problem };
  }
  return { ...base, after: (t) => nextCronTime(cron, t, timezone) };
}

/**
 * Runs declared schedules on a clock: each enabled one fires at the times its declaration says
 * (rates every interval from `anchor`, cron expressions as EventBridge reads them in their time zone).
 * A firing that comes late (the machine slept) fires once, then the schedule continues from now.
 */
export function runSchedules(
  schedules: readonly ScheduleInfo[],
  options: RunSchedulesOptions,
): ScheduleRunner {
  const { clock } = options;
  const entries = schedules.map((info) => entryOf(info, options.anchor));
  const start = clock.now();
  for (const entry of entries) {
    if (!entry.info.enabled || entry.problem !== undefined) continue;
    entry.next = entry.after(start);
    if (entry.next === undefined) entry.problem = 'it never fires again';
  }
  let timer: unknown;
  let stopped = false;

  const arm = () => {
    if (stopped) return;
    const due = entries.map((e) => e.next).filter((n): n is number => n !== undefined);
    if (due.length === 0) return;
    const wait = Math.min(Math.max(0, Math.min(...due) - clock.now()), MAX_WAIT_MS);
    timer = clock.setTimer(tick, wait);
  };
  const tick = () => {
    timer = undefined;
    if (stopped) return;
    const now = clock.now();
    for (const entry of entries) {
      if (entry.next === undefined || entry.next > now) continue;
      void options.fire(entry.info.name, new Date(entry.next));
      entry.next = entry.after(now);
      if (entry.next === undefined) entry.problem = 'it never fires again';
    }
    arm();
  };
  arm();

  return {
    list: () =>
      entries.map((e) => ({
        name: e.info.name,
        expression: e.info.expression,
        timezone: e.timezone,
        enabled: e.info.enabled,
        next: e.next === undefined ? undefined : new Date(e.next),
        problem: e.problem,
      })),
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimer(timer);
      timer = undefined;
    },
  };
}

/** One line about a schedule for the terminal: when it fires next, or why it does not. */
export function describeSchedule(status: ScheduleStatus): string {
  const zone = status.timezone === 'UTC' ? '' : ` ${status.timezone}`;
  const what = `schedule ${status.name} (${status.expression}${zone})`;
  if (!status.enabled) return `${what}: disabled (enabled: false), not run`;
  if (status.problem !== undefined) return `${what}: not run, ${status.problem}`;
  return `${what}: next at ${status.next?.toISOString()}`;
}
