import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronError, nextCronTime, parseCron } from './cron.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z');
/** The next `count` firings after `from`. */
function firings(expression: string, from: string, count: number, zone = 'UTC'): (string | undefined)[] {
  const cron = parseCron(expression);
  const out: (string | undefined)[] = [];
  let after = at(from);
  for (let i = 0; i < count; i++) {
    const next = nextCronTime(cron, after, zone);
    out.push(iso(next));
    if (next === undefined) break;
    after = next;
  }
  return out;
}

describe('EventBridge cron expressions', () => {
  it("runs AWS's documented examples", () => {
    expect(firings('0 10 * * ? *', '2026-01-01T09:59:30Z', 2)).toEqual([
      '2026-01-01T10:00:00Z',
      '2026-01-02T10:00:00Z',
    ]);
    expect(firings('15 12 * * ? *', '2026-01-01T12:15:00Z', 1)).toEqual(['2026-01-02T12:15:00Z']);
    // 18:00 Monday to Friday: Friday 2 January 2026, then Monday the 5th.
    expect(firings('0 18 ? * MON-FRI *', '2026-01-02T00:00:00Z', 2)).toEqual([
      '2026-01-02T18:00:00Z',
      '2026-01-05T18:00:00Z',
    ]);
    expect(firings('0 8 1 * ? *', '2026-01-15T00:00:00Z', 2)).toEqual([
      '2026-02-01T08:00:00Z',
      '2026-03-01T08:00:00Z',
    ]);
    expect(firings('0/15 * * * ? *', '2026-01-01T00:07:00Z', 3)).toEqual([
      '2026-01-01T00:15:00Z',
      '2026-01-01T00:30:00Z',
      '2026-01-01T00:45:00Z',
    ]);
    expect(firings('1/10 * * * ? *', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T00:01:00Z',
      '2026-01-01T00:11:00Z',
      '2026-01-01T00:21:00Z',
    ]);
    // Every 5 minutes from 08:00 to 17:55, Monday to Friday: after Friday 17:55 comes Monday 08:00.
    expect(firings('0/5 8-17 ? * MON-FRI *', '2026-01-02T17:52:00Z', 2)).toEqual([
      '2026-01-02T17:55:00Z',
      '2026-01-05T08:00:00Z',
    ]);
    // The first Monday of the month (June 2026 starts on one).
    expect(firings('0 9 ? * 2#1 *', '2026-05-15T00:00:00Z', 2)).toEqual([
      '2026-06-01T09:00:00Z',
      '2026-07-06T09:00:00Z',
    ]);
  });

  it('reads lists, ranges, steps, names in any case, and the year', () => {
    expect(firings('0 0 1 JAN,mar-APR ? *', '2026-01-02T00:00:00Z', 3)).toEqual([
      '2026-03-01T00:00:00Z',
      '2026-04-01T00:00:00Z',
      '2027-01-01T00:00:00Z',
    ]);
    expect(firings('5,10-12 */6 * * ? *', '2026-01-01T00:06:00Z', 4)).toEqual([
      '2026-01-01T00:10:00Z',
      '2026-01-01T00:11:00Z',
      '2026-01-01T00:12:00Z',
      '2026-01-01T06:05:00Z',
    ]);
    expect(firings('0 0 ? * 1,7 *', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-03T00:00:00Z',
      '2026-01-04T00:00:00Z',
    ]);
    expect(firings('0 12 29 2 ? *', '2026-01-01T00:00:00Z', 1)).toEqual(['2028-02-29T12:00:00Z']);
    expect(firings('0 0 1 1 ? 2030-2031', '2026-06-01T00:00:00Z', 3)).toEqual([
      '2030-01-01T00:00:00Z',
      '2031-01-01T00:00:00Z',
      undefined,
    ]);
    expect(firings('0 0 1 1 ? 2020', '2026-06-01T00:00:00Z', 1)).toEqual([undefined]);
    expect(firings('0 0 31 2 ? *', '2026-06-01T00:00:00Z', 1)).toEqual([undefined]);
    expect(firings('cron(0 7 * * ? *)', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-01T07:00:00Z']);
  });

  it('reads L, W and # as EventBridge does', () => {
    // The last day of the month, and three days before it.
    expect(firings('0 0 L * ? *', '2026-01-31T12:00:00Z', 2)).toEqual([
      '2026-02-28T00:00:00Z',
      '2026-03-31T00:00:00Z',
    ]);
    expect(firings('0 0 L-2 * ? *', '2026-02-01T00:00:00Z', 1)).toEqual(['2026-02-26T00:00:00Z']);
    // The last weekday: 28 February 2026 is a Saturday, 31 May a Sunday.
    expect(firings('0 0 LW 2,5 ? *', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-02-27T00:00:00Z',
      '2026-05-29T00:00:00Z',
    ]);
    // The weekday nearest the 1st of August 2026 (a Saturday) is Monday the 3rd, not July 31st;
    // nearest the 31st of May (a Sunday) is Friday the 29th; a weekday stays itself.
    expect(firings('0 0 1W 8 ? 2026', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-08-03T00:00:00Z']);
    expect(firings('0 0 31W 5 ? 2026', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-05-29T00:00:00Z']);
    expect(firings('0 0 15W 1 ? 2026', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-15T00:00:00Z']);
    // The last Friday (6L) of November 2026 is the 27th; L alone is Saturday.
    expect(firings('0 0 ? 11 6L 2026', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-11-27T00:00:00Z']);
    expect(firings('0 0 ? * L *', '2026-01-01T00:00:00Z', 1)).toEqual(['2026-01-03T00:00:00Z']);
    // The fifth Thursday exists only in some months: January 2026 has one (the 29th), February none.
    expect(firings('0 0 ? * THU#5 *', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-29T00:00:00Z',
      '2026-04-30T00:00:00Z',
    ]);
  });

  it('reads the expression in the declared time zone, daylight saving included', () => {
    // 09:00 in Paris is 08:00 UTC in winter, 07:00 in summer.
    expect(firings('0 9 * * ? *', '2026-03-27T12:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-28T08:00:00Z',
      '2026-03-29T07:00:00Z',
      '2026-03-30T07:00:00Z',
    ]);
    // 02:30 does not exist in New York on 8 March 2026: that day's firing is skipped.
    expect(firings('30 2 * * ? *', '2026-03-07T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-03-09T06:30:00Z',
      '2026-03-10T06:30:00Z',
    ]);
    // 01:30 happens twice on 1 November 2026: it fires once, the first time.
    expect(firings('30 1 * * ? *', '2026-10-31T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2026-11-01T05:30:00Z',
      '2026-11-02T06:30:00Z',
    ]);
    expect(firings('0/30 * * * ? *', '2026-11-01T04:45:00Z', 4, 'America/New_York')).toEqual([
      '2026-11-01T05:00:00Z',
      '2026-11-01T05:30:00Z',
      '2026-11-01T07:00:00Z',
      '2026-11-01T07:30:00Z',
    ]);
    // Days are the zone's days: Monday in Tokyo starts on Sunday in UTC.
    expect(firings('0 8 ? * MON *', '2026-01-01T00:00:00Z', 1, 'Asia/Tokyo')).toEqual([
      '2026-01-04T23:00:00Z',
    ]);
    // A half-hour zone.
    expect(firings('0 0 * * ? *', '2026-01-01T00:00:00Z', 1, 'Asia/Kolkata')).toEqual([
      '2026-01-01T18:30:00Z',
    ]);
  });

  it('refuses what EventBridge refuses, or reads differently, with one line', () => {
    const cases: [string, RegExp][] = [
      ['0 10 * * ?', /six fields/],
      ['0 10 * * * *', /"\?" in exactly one/],
      ['0 10 ? * ? *', /"\?" in exactly one/],
      ['60 * * * ? *', /minutes takes 0-59, got "60"/],
      ['0 24 * * ? *', /hours takes 0-23/],
      ['0 0 0 * ? *', /day-of-month takes 1-31/],
      ['0 0 ? * 8 *', /day-of-week takes 1-7 or SUN-SAT/],
      ['0 0 1 13 ? *', /month takes 1-12 or JAN-DEC/],
      ['0 0 1 1 ? 1969', /year takes 1970-2199/],
      ['0 0 ? * FRI-MON *', /runs backwards/],
      ['0/0 * * * ? *', /step .* must be a whole number/],
      ['0 L * * ? *', /hours takes numbers/],
      ['0 0 ? * 3#1,6#3 *', /stand alone/],
      ['0 0 1,L * ? *', /stand alone/],
      ['0 0 ? * 2#6 *', /week 6/],
      ['a b c d ? f', /minutes takes 0-59, got "A"/],
    ];
    for (const [expression, message] of cases) {
      expect(() => parseCron(expression), expression).toThrow(CronError);
      expect(() => parseCron(expression), expression).toThrow(message);
    }
  });

  it('agrees with a minute-by-minute reading of simple expressions, in UTC and across DST changes', () => {
    const set = (max: number, min = 0) =>
      fc.uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 4 });
    // Around both 2026 changes in New York (8 March, 1 November) and London (29 March, 25 October),
    // and anywhere in the year.
    const bases = ['2026-03-07', '2026-10-31', '2026-03-28', '2026-10-24', '2026-01-01'].map((d) =>
      at(`${d}T00:00:00Z`),
    );
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    fc.assert(
      fc.property(
        set(59),
        set(23),
        fc.option(set(7, 1), { nil: undefined }),
        fc.option(set(31, 1), { nil: undefined }),
        fc.constantFrom(...bases),
        fc.integer({ min: 0, max: 3 * 86_400_000 }),
        fc.constantFrom('UTC', 'America/New_York', 'Europe/London'),
        (minutes, hours, weekdays, monthDays, base, offset, zone) => {
          const dom = weekdays !== undefined ? '?' : monthDays === undefined ? '*' : monthDays.join(',');
          const dow = weekdays === undefined ? '?' : weekdays.join(',');
          const expression = `${minutes.join(',')} ${hours.join(',')} ${dom} * ${dow} *`;
          const after = base + (base === bases[4] ? offset * 100 : offset);
          const local = new Intl.DateTimeFormat('en-US', {
            timeZone: zone,
            hourCycle: 'h23',
            weekday: 'short',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
          });
          // The first minute after `after` whose wall clock matches, unless that wall-clock time
          // already happened (a repeated hour fires once).
          const seen = new Set<string>();
          let expected: number | undefined;
          const first = Math.floor(after / 60_000) * 60_000 - 3 * 3_600_000;
          for (let t = first; t < after + 65 * 86_400_000; t += 60_000) {
            const p = Object.fromEntries(local.formatToParts(t).map((x) => [x.type, x.value]));
            const wall = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
            const matches =
              minutes.includes(Number(p.minute)) &&
              hours.includes(Number(p.hour)) &&
              (weekdays === undefined || weekdays.includes(days.indexOf(p.weekday as string) + 1)) &&
              (weekdays !== undefined || monthDays === undefined || monthDays.includes(Number(p.day)));
            if (matches && t > after && !seen.has(wall)) {
              expected = t;
              break;
            }
            seen.add(wall);
          }
          expect(iso(nextCronTime(parseCron(expression), after, zone)), expression).toBe(iso(expected));
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
