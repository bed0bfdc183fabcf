/**
 * The Bubble Batch app, built from its dependencies: `handler.ts` passes the real ones, tests local
 * ones (dynalite, their own token keys, a fake sign-in, a stand-in for Expo).
 */
import { type App, createApp } from '@lift/core';
import { createAccessControl, jwtAuthenticator } from '@lift/core/auth';
import { dynamoRateLimitStore } from '@lift/core/ratelimit';
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

/** Every route (see README.md) and the `due-reminders` schedule. */
export function createBubbleBatchApp(given: BubbleBatchDeps): App {
  const deps: Deps = {
    ...given,
    now: given.now ?? Date.now,
    exportInlineBytes: given.exportInlineBytes ?? 1024 * 1024,
  };
  const app = createApp({
    service: 'bubble-batch',
    // Every route declares who may call it; all but sign-in and public pages need a user pool id token.
    access: createAccessControl({ authenticators: [jwtAuthenticator({ issuers: [deps.issuer] })] }),
    rateLimits: { store: deps.rateLimitStore ?? dynamoRateLimitStore({ table: deps.table }) },
  });
  authRoutes(app, deps);
  batchRoutes(app, deps);
  eventRoutes(app, deps);
  reminderRoutes(app, deps);
  deviceRoutes(app, deps);
  exportRoutes(app, deps);
  publicRoutes(app, deps);

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
  return app;
}
