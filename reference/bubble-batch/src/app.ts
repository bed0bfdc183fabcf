/**
 * The Bubble Batch app, built from its dependencies: `handler.ts` passes the real ones, tests local
 * ones (dynalite, their own token keys, a fake sign-in, a stand-in for Expo).
 */
import { createApp } from '@lift/core';
import { createAccessControl, jwtAuthenticator } from '@lift/core/auth';
import { records } from '@lift/core/events';
import { dynamoRateLimitStore, rateLimits } from '@lift/core/ratelimit';
import type { BubbleBatchDeps, Deps } from './deps.js';
import { processDueReminders } from './push/processor.js';
import { checkReceipts } from './push/receipts.js';
import { authRoutes } from './routes/auth.js';
import { batchRoutes } from './routes/batches.js';
import { deviceRoutes } from './routes/devices.js';
import { eventRoutes } from './routes/events.js';
import { exportRoutes } from './routes/export.js';
import { publicRoutes } from './routes/public.js';
import { reminderRoutes } from './routes/reminders.js';

export type { BubbleBatchDeps } from './deps.js';

/**
 * Every route (see README.md) and the `due-reminders` schedule. The route functions return the app
 * with their routes in its type, so `typeof app` types a client (`createClient<typeof app>`).
 */
export function createBubbleBatchApp(given: BubbleBatchDeps) {
  const deps: Deps = {
    ...given,
    now: given.now ?? Date.now,
    exportInlineBytes: given.exportInlineBytes ?? 1024 * 1024,
  };
  const app = createApp({
    service: 'bubble-batch',
    // The reminder schedule and push-receipt check run on the same function as the API.
    records: records(),
    // Every route declares who may call it; all but sign-in and public pages need a user pool id token.
    access: createAccessControl({ authenticators: [jwtAuthenticator({ issuers: [deps.issuer] })] }),
    rateLimits: rateLimits({ store: deps.rateLimitStore ?? dynamoRateLimitStore({ table: deps.table }) }),
  });
  // `with` keeps each module's routes in the app's type, for `createClient<typeof app>`.
  const routed = app
    .with((a) => authRoutes(a, deps))
    .with((a) => batchRoutes(a, deps))
    .with((a) => eventRoutes(a, deps))
    .with((a) => reminderRoutes(a, deps))
    .with((a) => deviceRoutes(a, deps))
    .with((a) => exportRoutes(a, deps))
    .with((a) => publicRoutes(a, deps));

  app.schedule('due-reminders', { rate: '1 minute' }, async (ctx) => {
    const run = {
      data: deps.data,
      push: deps.push,
      now: deps.now,
      log: ctx.log,
      signal: ctx.signal,
      remainingMs: () => ctx.remainingMs() - 2000,
      ...(deps.pushRetry === undefined ? {} : { retry: deps.pushRetry }),
      ...(deps.leaseMs === undefined ? {} : { leaseMs: deps.leaseMs }),
    };
    const sent = await processDueReminders(run);
    const receipts = await checkReceipts(run);
    ctx.log.info('reminders processed', {
      ...sent,
      receipts: receipts.receipts,
      receiptsRemoved: receipts.devicesRemoved,
    });
  });
  return routed;
}
