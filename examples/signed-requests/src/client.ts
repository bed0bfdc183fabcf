import { signedFetch } from '@lift/core/signing';

/**
 * How the orders service calls billing: every request signed with its key. The content type and the
 * idempotency key are signed by default, so neither can be changed in transit.
 */
export function billingClient(baseUrl: string, secret: string) {
  const send = signedFetch({ keyId: 'orders-service', secret });
  return {
    charge: (orderId: string, amountCents: number) =>
      send(`${baseUrl}/charges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `charge-${orderId}` },
        body: JSON.stringify({ orderId, amountCents }),
      }),
  };
}
