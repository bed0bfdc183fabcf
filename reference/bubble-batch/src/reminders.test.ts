/** Suggestions and confirmed reminders through the routes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness.js';

const clock = Date.parse('2026-11-23T10:00:00.000Z');
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ now: () => clock });
}, 60_000);
afterAll(() => h?.close());

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
type Json = Record<string, any>;

describe('reminder suggestions and confirmation', () => {
  it('suggests from the batch type and its latest events, and confirms once', async () => {
    const user = h.as('rita');
    const batch = (
      await user('POST', '/batches', {
        name: 'Fizzy',
        type: 'water-kefir',
        startedAt: '2026-11-21T10:00:00Z',
      })
    ).json<Json>();
    await user('POST', `/batches/${batch.id}/events`, { type: 'bottled', at: '2026-11-23T09:00:00Z' });
    const { suggestions } = (await user('GET', `/batches/${batch.id}/reminders/suggestions`)).json<Json>();
    expect(suggestions.map((s: Json) => [s.rule, s.dueAt, s.overdue])).toEqual([
      ['water-burp', '2026-11-24T09:00:00.000Z', false],
      ['water-refrigerate', '2026-11-25T09:00:00.000Z', false],
    ]);
    const burp = suggestions[0];
    expect(burp.body).toBe('Fizzy: open the bottles briefly to let the pressure out.');

    const confirmed = await user('POST', `/batches/${batch.id}/reminders/confirm`, {
      suggestionIds: [burp.id],
    });
    expect(confirmed.status).toBe(201);
    const [reminder] = confirmed.json<Json>().reminders;
    expect(reminder).toMatchObject({
      batchId: batch.id,
      rule: 'water-burp',
      dueAt: burp.dueAt,
      status: 'pending',
    });
    const again = await user('POST', `/batches/${batch.id}/reminders/confirm`, {
      suggestionIds: [burp.id, burp.id],
    });
    expect(again.json<Json>().reminders).toEqual([reminder]);

    const mine = (await user('GET', '/me/reminders')).json<Json>().reminders;
    expect(mine).toEqual([reminder]);
    expect(JSON.stringify(mine)).not.toMatch(/GSI1|userId|PK/);
    expect((await h.as('someone')('GET', '/me/reminders')).json<Json>().reminders).toEqual([]);
    // Stored where the processor looks: GSI1, a due shard, sorted by due time.
    const stored = await h.data.query({ partition: 'USER#rita', sortBeginsWith: 'REMINDER#' });
    expect(stored.items[0]).toMatchObject({
      GSI1PK: expect.stringMatching(/^DUE#[0-3]$/),
      GSI1SK: `${burp.dueAt}#${reminder.id}`,
    });
  });

  it('an overdue suggestion becomes a reminder due now; a stale or made-up id is a 422', async () => {
    const user = h.as('otto');
    const batch = (
      await user('POST', '/batches', { name: 'Milk', type: 'milk-kefir', startedAt: '2026-11-22T08:00:00Z' })
    ).json<Json>();
    const [strain] = (await user('GET', `/batches/${batch.id}/reminders/suggestions`)).json<Json>()
      .suggestions;
    expect(strain).toMatchObject({ rule: 'milk-strain', overdue: true });
    const res = await user('POST', `/batches/${batch.id}/reminders/confirm`, { suggestionIds: [strain.id] });
    expect(res.json<Json>().reminders[0].dueAt).toBe(new Date(clock).toISOString());
    await user('POST', `/batches/${batch.id}/events`, { type: 'strained' });
    const stale = await user('POST', `/batches/${batch.id}/reminders/confirm`, {
      suggestionIds: [strain.id],
    });
    expect(stale.status).toBe(422);
    expect(stale.json<Json>().error.details.issues[0].path).toBe('body.suggestionIds.0');
  });

  it('suggests nothing for an archived batch', async () => {
    const user = h.as('otto');
    const batch = (await user('POST', '/batches', { name: 'Old', type: 'milk-kefir' })).json<Json>();
    await user('PATCH', `/batches/${batch.id}`, { status: 'archived', version: 1 });
    expect(
      (await user('GET', `/batches/${batch.id}/reminders/suggestions`)).json<Json>().suggestions,
    ).toEqual([]);
  });
});
