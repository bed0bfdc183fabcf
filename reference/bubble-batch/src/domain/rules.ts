/**
 * Reminder suggestions, from a batch's type and its latest events. The rules are data: README.md
 * shows them as a table (a test checks that the two agree).
 */
import type { BatchType, EventType } from './model.js';

/** One rule: after the latest `after` event, suggest `action` in `delayHours`, unless `unless` happened since. */
export interface ReminderRule {
  readonly id: string;
  readonly batchType: BatchType;
  /** The trigger: the latest event of one of these types. */
  readonly after: readonly EventType[];
  readonly delayHours: number;
  /** No suggestion once one of these happened at or after the trigger. */
  readonly unless: readonly EventType[];
  readonly action: 'strain' | 'refrigerate' | 'bottle' | 'burp';
  /** The push notification's title and body; `{name}` is the batch's name. */
  readonly title: string;
  readonly body: string;
}

export const REMINDER_RULES: readonly ReminderRule[] = [
  {
    id: 'milk-strain',
    batchType: 'milk-kefir',
    after: ['started', 'fed'],
    delayHours: 24,
    unless: ['strained', 'refrigerated'],
    action: 'strain',
    title: 'Time to strain',
    body: '{name} has fermented for 24 hours: strain the grains and give them fresh milk.',
  },
  {
    id: 'milk-second-ferment',
    batchType: 'milk-kefir',
    after: ['strained'],
    delayHours: 12,
    unless: ['refrigerated'],
    action: 'refrigerate',
    title: 'Second ferment done',
    body: '{name} has had 12 hours of second ferment: put it in the fridge.',
  },
  {
    id: 'water-bottle',
    batchType: 'water-kefir',
    after: ['started', 'fed'],
    delayHours: 48,
    unless: ['bottled', 'strained', 'refrigerated'],
    action: 'bottle',
    title: 'Time to bottle',
    body: '{name} has fermented for 48 hours: strain the grains and bottle it for the second ferment.',
  },
  {
    id: 'water-burp',
    batchType: 'water-kefir',
    after: ['bottled', 'burped'],
    delayHours: 24,
    unless: ['refrigerated'],
    action: 'burp',
    title: 'Burp your bottles',
    body: '{name}: open the bottles briefly to let the pressure out.',
  },
  {
    id: 'water-refrigerate',
    batchType: 'water-kefir',
    after: ['bottled'],
    delayHours: 48,
    unless: ['refrigerated'],
    action: 'refrigerate',
    title: 'Second ferment done',
    body: '{name} has had 48 hours in the bottle: put it in the fridge.',
  },
];

/** The events the rules read: type and time, newest or oldest first. */
export interface RuleEvent {
  readonly id: string;
  readonly eventType: EventType;
  readonly at: string;
}

/** A reminder the app offers for a batch; confirming it stores a reminder. */
export interface Suggestion {
  /** `<rule>.<trigger event id>`: stable while the trigger is the latest. */
  readonly id: string;
  readonly rule: string;
  readonly action: ReminderRule['action'];
  readonly title: string;
  readonly body: string;
  readonly dueAt: string;
  /** The due time has passed: a confirmed reminder goes out at the next run. */
  readonly overdue: boolean;
  readonly basedOn: { readonly eventId: string; readonly type: EventType; readonly at: string };
}

/**
 * The suggestions for a batch of `batchType` named `name`, from its events (any order), at `now`.
 * For each rule of the type: the trigger is the latest event of an `after` type; no suggestion
 * without one, or when an `unless` event happened at or after it.
 */
export function suggestReminders(
  batch: { readonly batchType: BatchType; readonly name: string },
  events: readonly RuleEvent[],
  now: number,
  rules: readonly ReminderRule[] = REMINDER_RULES,
): Suggestion[] {
  const ordered = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const suggestions: Suggestion[] = [];
  for (const rule of rules) {
    if (rule.batchType !== batch.batchType) continue;
    const trigger = ordered.findLast((e) => rule.after.includes(e.eventType));
    if (trigger === undefined) continue;
    if (ordered.some((e) => e !== trigger && e.at >= trigger.at && rule.unless.includes(e.eventType)))
      continue;
    const due = Date.parse(trigger.at) + rule.delayHours * 3_600_000;
    suggestions.push({
      id: `${rule.id}.${trigger.id}`,
      rule: rule.id,
      action: rule.action,
      title: rule.title,
      body: rule.body.replaceAll('{name}', batch.name),
      dueAt: new Date(due).toISOString(),
      overdue: due <= now,
      basedOn: { eventId: trigger.id, type: trigger.eventType, at: trigger.at },
    });
  }
  return suggestions.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : 0));
}
