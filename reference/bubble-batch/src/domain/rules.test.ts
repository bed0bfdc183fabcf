/** The reminder rules: what each batch type suggests after which events, and when. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventType } from './model.js';
import { REMINDER_RULES, type RuleEvent, suggestReminders } from './rules.js';

const T0 = Date.parse('2026-11-20T08:00:00.000Z');
const at = (hours: number) => new Date(T0 + hours * 3_600_000).toISOString();
let n = 0;
const ev = (eventType: EventType, hours: number): RuleEvent => ({ id: `e${++n}`, eventType, at: at(hours) });
const milk = { batchType: 'milk-kefir' as const, name: 'Morning milk' };
const water = { batchType: 'water-kefir' as const, name: 'Ginger water' };
const rulesOf = (s: { rule: string }[]) => s.map((x) => x.rule);

describe('milk kefir', () => {
  it('suggests straining 24 h after it was started or fed', () => {
    const started = ev('started', 0);
    const [strain, ...rest] = suggestReminders(milk, [started], T0 + 3_600_000);
    expect(rest).toEqual([]);
    expect(strain).toEqual({
      id: `milk-strain.${started.id}`,
      rule: 'milk-strain',
      action: 'strain',
      title: 'Time to strain',
      body: 'Morning milk has fermented for 24 hours: strain the grains and give them fresh milk.',
      dueAt: at(24),
      overdue: false,
      basedOn: { eventId: started.id, type: 'started', at: at(0) },
    });
    const fed = ev('fed', 30);
    const again = suggestReminders(milk, [started, ev('strained', 24), fed], T0);
    expect(again.find((s) => s.rule === 'milk-strain')).toMatchObject({
      dueAt: at(54),
      basedOn: { eventId: fed.id },
    });
  });

  it('after straining: no strain reminder, a second-ferment one 12 h later, none once refrigerated', () => {
    const events = [ev('started', 0), ev('strained', 24)];
    expect(rulesOf(suggestReminders(milk, events, T0))).toEqual(['milk-second-ferment']);
    expect(suggestReminders(milk, events, T0)[0]?.dueAt).toBe(at(36));
    expect(suggestReminders(milk, [...events, ev('refrigerated', 30)], T0)).toEqual([]);
  });

  it('marks a suggestion whose time has passed as overdue', () => {
    expect(suggestReminders(milk, [ev('started', 0)], T0 + 25 * 3_600_000)[0]?.overdue).toBe(true);
  });

  it('ignores notes and photos, and the order events come in', () => {
    const events = [ev('photo', 5), ev('note', 2), ev('started', 0)];
    expect(rulesOf(suggestReminders(milk, events, T0))).toEqual(['milk-strain']);
  });
});

describe('water kefir', () => {
  it('suggests bottling 48 h after it was started', () => {
    const [bottle] = suggestReminders(water, [ev('started', 0)], T0);
    expect(bottle).toMatchObject({ rule: 'water-bottle', action: 'bottle', dueAt: at(48) });
  });

  it('once bottled: burp after 24 h and refrigerate after 48 h; each burp moves the next', () => {
    const bottled = [ev('started', 0), ev('bottled', 48)];
    const s = suggestReminders(water, bottled, T0);
    expect(s.map((x) => [x.rule, x.dueAt])).toEqual([
      ['water-burp', at(72)],
      ['water-refrigerate', at(96)],
    ]);
    const burped = suggestReminders(water, [...bottled, ev('burped', 70)], T0);
    expect(burped.find((x) => x.rule === 'water-burp')?.dueAt).toBe(at(94));
    expect(suggestReminders(water, [...bottled, ev('refrigerated', 90)], T0)).toEqual([]);
  });

  it('a new first ferment (fed) after bottling brings the bottle reminder back', () => {
    const events = [ev('started', 0), ev('bottled', 48), ev('fed', 48.5)];
    expect(rulesOf(suggestReminders(water, events, T0))).toEqual([
      'water-burp',
      'water-refrigerate',
      'water-bottle',
    ]);
  });

  it('suggests nothing for a batch without events', () => {
    expect(suggestReminders(water, [], T0)).toEqual([]);
  });
});

describe('the rules and their documentation', () => {
  it('README.md lists every rule as the data says', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const rule of REMINDER_RULES) {
      const row = `| \`${rule.id}\` | ${rule.batchType} | ${rule.after.join(', ')} | ${rule.delayHours} h | ${rule.unless.join(', ')} | ${rule.action} |`;
      expect(readme).toContain(row);
    }
  });
});
