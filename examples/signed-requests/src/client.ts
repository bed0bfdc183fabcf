import { signedFetch } from '@lift/core/signing';

/** How the orders service calls billing: every request signed with its key. */
export function billingClient(baseUrl: string, secret: string) {
  const send = signedFetch({ keyId: 'orders-service', secret });
  return {
    charge: (orderId: string, amountCents: number) =>
      send(`${baseUrl}/charges`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ orderId, amountCents }),
      }),
  };
}
