/**
 * P2's shared parts: the key its tokens are verified with, the request body every contender
 * validates with the same zod schema, and the answer they all give.
 */
import * as z from 'zod';
import publicJwk from './bench-public-jwk.json' with { type: 'json' };

/**
 * The public half of a fixed RSA key made for the benchmarks only (the private half, in
 * bench-private-jwk.json, signs the bench's tokens and is never bundled): fixed, so a bundled
 * handler starts without generating a key.
 */
export const PUBLIC_JWK = publicJwk;

/** The order a P2 request places. */
export const orderBody = z.object({
  sku: z.string().min(1).max(64),
  quantity: z.number().int().min(1).max(100),
});

/** The P2 answer: the order as accepted, identical across contenders (the id comes from the request id). */
export function acceptedOrder(
  requestId: string,
  tenantId: string,
  userId: string,
  body: z.infer<typeof orderBody>,
) {
  return { orderId: `o-${requestId}`, tenantId, userId, sku: body.sku, quantity: body.quantity };
}
