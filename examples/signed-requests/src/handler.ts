import { ConfigurationError, createApp } from '@lift/core';
import { createAccessControl, securityTable } from '@lift/core/auth';
import { tableClient } from '@lift/core/dynamodb';
import { dynamoNonceStore, type SigningKey, signatureAuthenticator } from '@lift/core/signing';
import * as z from 'zod';

// Exported so `lift dev` creates it; deployed, the nonces of every instance meet in this table.
export { securityTable } from '@lift/core/auth';

/** The services allowed to call, by key id. Deployed, the secrets come from Secrets Manager. */
function callers(): Record<string, SigningKey> {
  const secret =
    process.env.ORDERS_SERVICE_SECRET ??
    (process.env.LIFT_DEV === '1' ? 'dev-only-orders-service-secret-32chars' : undefined);
  if (secret === undefined) throw new ConfigurationError('ORDERS_SERVICE_SECRET must be set');
  return { 'orders-service': { secrets: [secret], name: 'orders-service', roles: ['integration_admin'] } };
}
const keys = callers();

// The route is chained so the exported app's type carries it, for a typed client.
export const app = createApp({
  service: 'billing',
  access: createAccessControl({
    authenticators: [
      signatureAuthenticator({
        // A plain lookup is safe: ids like `__proto__` resolve to no signing key and are refused.
        keys: (id) => keys[id],
        nonces: dynamoNonceStore(tableClient(securityTable)),
      }),
    ],
  }),
}).post(
  '/charges',
  {
    auth: { roles: ['integration_admin'] },
    body: z.strictObject({ orderId: z.string().min(1), amountCents: z.number().int().positive() }),
  },
  (ctx) =>
    ctx.json(201, { charged: ctx.body.amountCents, orderId: ctx.body.orderId, by: ctx.principal?.userId }),
);

/** The Lambda entry point. */
export const handler = app.handler;
