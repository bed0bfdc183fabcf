/**
 * Sign-in by emailed code. Both steps answer alike whether or not the email had an account (a new
 * one is signed up by `start`), and both are rate limited per IP and per email.
 */
import { createHash } from 'node:crypto';
import type { App, RouteRateLimit } from '@lift/core';
import * as z from 'zod';
import type { Deps } from '../deps.js';
import { LoginStarted, SignedIn } from './responses.js';

const email = z.string().trim().toLowerCase().pipe(z.email().max(254));

/**
 * The email a sign-in request names, for counting it: hashed (the rate-limit items never hold
 * addresses), trimmed and lower-cased as the schema and Cognito read them. Read before validation:
 * a body with no string email is `undefined`, counted by IP, then refused by validation.
 */
export function emailKey(ctx: { readonly body: unknown }): string | undefined {
  let body: unknown;
  try {
    body = ctx.body;
  } catch {
    return undefined;
  }
  const raw = (body as { email?: unknown } | null)?.email;
  if (typeof raw !== 'string') return undefined;
  // Exactly as the schema reads it (trimmed, lower-cased), and never dropped for its length:
  // padding an address must not turn its limit off (validation refuses what is too long after).
  return createHash('sha256').update(raw.trim().toLowerCase()).digest('base64url');
}

/** `auth` (5 per 5 minutes per IP, a preset) then the same per email. */
const perEmail: RouteRateLimit = { name: 'auth-email', limit: 5, window: '5m', by: emailKey };
/** Verifying: Cognito allows 3 tries per code; 10 per 5 minutes per IP and per email. */
const verifyPerIp: RouteRateLimit = { name: 'verify', limit: 10, window: '5m', by: 'ip' };
const verifyPerEmail: RouteRateLimit = { name: 'verify-email', limit: 10, window: '5m', by: emailKey };
/** And 30 a day per email: 10 per 5 minutes alone would still allow 2,880 guesses a day. */
const verifyPerEmailDaily: RouteRateLimit = {
  name: 'verify-email-day',
  limit: 30,
  window: '1d',
  by: emailKey,
};

export function authRoutes(app: App, deps: Deps) {
  return app
    .post(
      '/auth/login',
      {
        auth: 'public',
        rateLimit: ['auth', perEmail],
        body: z.strictObject({ email }),
        responses: { 202: LoginStarted },
      },
      async (ctx) => {
        const { session } = await deps.signIn.start(ctx.body.email);
        return ctx.json(202, {
          session,
          message: 'If this address can receive email, a code is on its way.',
        });
      },
    )
    .post(
      '/auth/verify',
      {
        auth: 'public',
        rateLimit: [verifyPerIp, verifyPerEmail, verifyPerEmailDaily],
        body: z.strictObject({
          email,
          session: z.string().min(1).max(4096),
          // Cognito's sign-in codes have 8 digits (its MFA codes 6): take both.
          code: z.string().regex(/^\d{6,8}$/),
        }),
        responses: { 200: SignedIn },
      },
      async (ctx) => {
        const tokens = await deps.signIn.verify(ctx.body.email, ctx.body.session, ctx.body.code);
        return {
          idToken: tokens.idToken,
          accessToken: tokens.accessToken,
          ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
          expiresIn: tokens.expiresIn,
        };
      },
    );
}
