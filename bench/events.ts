/**
 * The events of every workload, built once with Lift's test kit (its factories are checked against
 * real AWS samples), and the RS256 tokens P2 and P6 send.
 */
import { createPrivateKey } from 'node:crypto';
import { httpApiEvent, sqsEvent } from '@lift/core/testing';
import { SignJWT } from 'jose';
import privateJwk from './apps/bench-private-jwk.json' with { type: 'json' };
import { AUDIENCE, ISSUER, ORIGIN, ROLE, ROUTES } from './apps/common.js';
import { P7_QUEUE } from './apps/p7-common.js';

const signingKey = createPrivateKey({ key: privateJwk, format: 'jwk' });

/** Valid tokens for tenant t1 with the route's role, each for a different user. */
export function mintTokens(count: number, claims: Record<string, unknown> = {}): Promise<string[]> {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      new SignJWT({ sub: `user-${i}`, 'custom:tenant_id': 't1', 'cognito:groups': [ROLE], ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(exp)
        .sign(signingKey),
    ),
  );
}

/** P1: GETs spread over the routes, from the allowed origin. */
export function p1Events(): unknown[] {
  return Array.from({ length: ROUTES }, (_, i) =>
    httpApiEvent({
      path: `/r${(i * 7) % ROUTES}/${1000 + i}/items/item-${i}`,
      headers: { origin: ORIGIN },
      requestId: `req-${i}`,
    }),
  );
}

/** P2: one order per token, for the token's tenant. */
export function p2Events(
  tokens: readonly string[],
  body: unknown = { sku: 'sku-42', quantity: 2 },
): unknown[] {
  return tokens.map((token, i) =>
    httpApiEvent({
      method: 'POST',
      path: '/tenants/t1/orders',
      headers: { origin: ORIGIN, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      requestId: `req-${i}`,
    }),
  );
}

/** P6: paths no route serves (404). */
export function notFoundEvents(): unknown[] {
  return Array.from({ length: 40 }, (_, i) =>
    httpApiEvent({ path: `/wp-admin/${i}/setup.php`, headers: { origin: ORIGIN }, requestId: `req-${i}` }),
  );
}

/** P6: orders with a token whose signature does not verify (401). */
export function badTokenEvents(tokens: readonly string[]): unknown[] {
  // The signature of one token on the claims of another: well-formed, correctly signed by nobody.
  const forged = tokens.map((token, i) => {
    const [header, payload] = token.split('.');
    const other = (tokens[(i + 1) % tokens.length] as string).split('.')[2];
    return `${header}.${payload}.${other}`;
  });
  return p2Events(forged);
}

/** P6: orders that fail validation (422): a valid token, a quantity of zero. */
export function invalidBodyEvents(tokens: readonly string[]): unknown[] {
  return p2Events(tokens, { sku: 'sku-42', quantity: 0 });
}

/** One P7 batch and the message ids every contender must report failed. */
export interface P7Batch {
  readonly event: unknown;
  readonly failed: readonly string[];
}

function order(i: number): Record<string, unknown> {
  return {
    orderId: `order-${i}`,
    tenantId: `t${i % 3}`,
    lines: [
      { sku: `sku-${i}`, qty: 1 + (i % 4), price: 9.5 },
      { sku: 'sku-common', qty: 2, price: 1.25 },
    ],
    currency: 'EUR',
    note: i % 2 === 0 ? 'leave at the door' : undefined,
  };
}

/**
 * P7: SQS batches of 10 JSON order messages (Lambda's default batch size). `valid`: every message
 * passes the schema. `oneInvalid`: message 4 has a negative quantity. `mixed`: message 2 is not
 * JSON, message 7 lacks its lines.
 */
export function p7Batches(): { valid: P7Batch; oneInvalid: P7Batch; mixed: P7Batch } {
  const sentAt = new Date('2026-11-23T10:00:00Z');
  const batch = (bodies: unknown[]) =>
    sqsEvent(
      bodies.map((body, i) => ({
        body,
        messageId: `5f0c${String(i).padStart(4, '0')}-9a7e-4d2b-8f1e-0c6a1b2c3d4e`,
        sentAt,
        messageAttributes: { tenant: `t${i % 3}` },
      })),
      { queue: P7_QUEUE, region: 'eu-west-1', account: '123456789012' },
    );
  const id = (i: number) => `5f0c${String(i).padStart(4, '0')}-9a7e-4d2b-8f1e-0c6a1b2c3d4e`;
  const bodies = Array.from({ length: 10 }, (_, i) => order(i));
  const invalid = bodies.map((b, i) =>
    i === 4 ? { ...b, lines: [{ sku: 'sku-4', qty: -1, price: 9.5 }] } : b,
  );
  const mixed: unknown[] = bodies.map((b, i) =>
    i === 2 ? '{"orderId": "order-2", ' : i === 7 ? { ...b, lines: undefined } : b,
  );
  return {
    valid: { event: batch(bodies), failed: [] },
    oneInvalid: { event: batch(invalid), failed: [id(4)] },
    mixed: { event: batch(mixed), failed: [id(2), id(7)] },
  };
}
