/**
 * What every P7 contender shares: the queue, the message schema (one zod schema for all) and the
 * work done with a valid message. Kept free of framework imports, so a P7 bundle carries only its
 * contender's code besides zod.
 */
import * as z from 'zod';

/** The queue P7's batches come from. */
export const P7_QUEUE = 'orders';

/** An order message, as producers send it. */
export const OrderMessage = z.object({
  orderId: z.string().min(1),
  tenantId: z.string().min(1),
  lines: z
    .array(
      z.object({ sku: z.string().min(1), qty: z.number().int().positive(), price: z.number().nonnegative() }),
    )
    .min(1),
  currency: z.enum(['EUR', 'USD', 'GBP']),
  note: z.string().max(500).optional(),
});

/** A validated order message. */
export type OrderMessage = z.infer<typeof OrderMessage>;

let total = 0;

/** The work every contender does with a valid message: it adds the order's amount to a running total. */
export function handleOrder(order: OrderMessage): void {
  for (const line of order.lines) total += line.qty * line.price;
}

/** The running total, so the work cannot be optimised away. */
export function ordersTotal(): number {
  return total;
}
