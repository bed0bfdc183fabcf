/** Reminder suggestions for a batch, confirming them, and the user's reminders. */
import { type App, UnprocessableError } from '@lift/core';
import { ConditionFailedError, type Item } from '@lift/core/dynamodb';
import * as z from 'zod';
import { type Deps, userOf } from '../deps.js';
import type { BatchType } from '../domain/model.js';
import { type RuleEvent, type Suggestion, suggestReminders } from '../domain/rules.js';
import {
  derivedId,
  eventPrefix,
  gsi,
  REMINDER_PREFIX,
  reminderKey,
  shardOf,
  timeKey,
  userPk,
} from '../keys.js';
import { Reminders, RemindersConfirmed, Suggestions } from './responses.js';
import { iso, ownBatch } from './shared.js';

/** The rules look at this many of a batch's latest events. */
const EVENTS_READ = 100;

async function suggestionsFor(deps: Deps, userId: string, batch: Item): Promise<Suggestion[]> {
  if (batch.status !== 'active') return [];
  const page = await deps.data.query({
    partition: userPk(userId),
    sortBeginsWith: eventPrefix(batch.id as string),
    ascending: false,
    limit: EVENTS_READ,
  });
  return suggestReminders(
    { batchType: batch.batchType as BatchType, name: batch.name as string },
    page.items as unknown as RuleEvent[],
    deps.now(),
  );
}

/** A reminder as its owner sees it. */
function reminderView(item: Item) {
  const { id, batchId, rule, action, title, body, dueAt, status, sentAt } = item;
  return {
    id,
    batchId,
    rule,
    action,
    title,
    body,
    dueAt,
    status,
    ...(sentAt === undefined ? {} : { sentAt }),
  };
}

export function reminderRoutes(app: App, deps: Deps) {
  return app
    .get('/batches/:id/reminders/suggestions', { auth: {}, responses: { 200: Suggestions } }, async (ctx) => {
      const userId = userOf(ctx);
      const batch = await ownBatch(deps, userId, ctx.params.id);
      return { suggestions: await suggestionsFor(deps, userId, batch) };
    })
    .post(
      '/batches/:id/reminders/confirm',
      {
        auth: {},
        body: z.strictObject({ suggestionIds: z.array(z.string().max(100)).min(1).max(10) }),
        responses: { 201: RemindersConfirmed },
      },
      async (ctx) => {
        const userId = userOf(ctx);
        const batch = await ownBatch(deps, userId, ctx.params.id);
        const current = new Map((await suggestionsFor(deps, userId, batch)).map((s) => [s.id, s]));
        const chosen = ctx.body.suggestionIds.map((id, i) => {
          const suggestion = current.get(id);
          if (suggestion === undefined)
            throw new UnprocessableError([
              { path: `body.suggestionIds.${i}`, message: 'no such suggestion now (its step may be done)' },
            ]);
          return suggestion;
        });
        const now = deps.now();
        const reminders = [];
        for (const suggestion of new Set(chosen)) {
          // One reminder per suggestion, however often it is confirmed: the id is derived from it.
          const id = derivedId(userId, batch.id as string, suggestion.id);
          const dueAt = suggestion.overdue ? iso(now) : suggestion.dueAt;
          const item = {
            ...reminderKey(userId, id),
            kind: 'reminder',
            id,
            userId,
            batchId: batch.id,
            rule: suggestion.rule,
            action: suggestion.action,
            title: suggestion.title,
            body: suggestion.body,
            dueAt,
            status: 'pending',
            attempts: 0,
            version: 1,
            createdAt: iso(now),
            GSI1PK: gsi.due(shardOf(id)),
            GSI1SK: timeKey(dueAt, id),
          };
          try {
            await deps.data.put(item, { ifNotExists: true });
            reminders.push(reminderView(item));
          } catch (error) {
            if (!(error instanceof ConditionFailedError)) throw error;
            const stored = await deps.data.get(reminderKey(userId, id));
            if (stored !== undefined) reminders.push(reminderView(stored));
          }
        }
        return ctx.json(201, { reminders });
      },
    )
    .get(
      '/me/reminders',
      {
        auth: {},
        query: z.object({ status: z.enum(['pending', 'sent', 'all']).default('all') }),
        responses: { 200: Reminders },
      },
      async (ctx) => {
        // Sent reminders expire after 30 days, so a user has few: read them all, newest due first.
        const reminders: ReturnType<typeof reminderView>[] = [];
        for await (const item of deps.data.queryAll({
          partition: userPk(userOf(ctx)),
          sortBeginsWith: REMINDER_PREFIX,
          maxItems: 500,
        })) {
          const status = item.status === 'sending' ? 'pending' : item.status;
          if (ctx.query.status === 'all' || ctx.query.status === status)
            reminders.push({ ...reminderView(item), status });
        }
        reminders.sort((a, b) => String(b.dueAt).localeCompare(String(a.dueAt)));
        return { reminders };
      },
    );
}
