import type { Context, RequestInput } from '../context/context.js';
import { loggableError, safeRead } from '../errors/report.js';
import type { Logger } from './logger.js';
import { createMasker, type MaskOptions } from './masking.js';

/** The context sent with an error, in the shape error trackers (Sentry and alike) take. */
export interface ErrorReport {
  readonly level: 'error';
  readonly tags: Readonly<Record<string, string>>;
  readonly user: { readonly id?: string; readonly tenant?: string };
  readonly request: {
    readonly method: string;
    readonly route: string;
    readonly requestId: string;
    readonly headers: Record<string, unknown>;
  };
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Options of {@link createErrorReporter}. */
export interface ErrorReporterOptions {
  /** Sends the error (unmasked: the tracker needs the real stack) and the masked context. */
  readonly report: (error: unknown, context: ErrorReport) => void | Promise<void>;
  /** Also log the failure here (at ERROR, masked). */
  readonly logger?: Logger;
  readonly mask?: MaskOptions;
}

/**
 * An `onError` for `createApp`: the app calls it for every 5xx and every unhandled exception. The
 * tracker gets the error itself and a masked context (headers, user, route pattern, request id); a
 * failing tracker never affects the answer.
 */
export function createErrorReporter(
  options: ErrorReporterOptions,
): (error: unknown, ctx: Context<RequestInput, object>) => void {
  const mask = createMasker(options.mask);
  return (error, ctx) => {
    const route = ctx.route ?? 'unmatched';
    const report: ErrorReport = {
      level: 'error',
      tags: { service: ctx.service, route, method: ctx.method, source: ctx.source },
      user: {
        ...(ctx.principal?.userId === undefined ? {} : { id: ctx.principal.userId }),
        ...(ctx.principal?.tenantId === undefined ? {} : { tenant: ctx.principal.tenantId }),
      },
      request: {
        method: ctx.method,
        route,
        requestId: ctx.requestId,
        headers: mask({ ...(ctx.headers as object) }) as Record<string, unknown>,
      },
      extra: { status: ctx.res?.status ?? 500, remainingMs: ctx.remainingMs() },
    };
    try {
      options.logger?.error('request failed', loggableError(error), {
        request_id: ctx.requestId,
        route,
      });
    } catch {
      // The logger's failure must not keep the error from the tracker.
    }
    try {
      const sent = options.report(error, report);
      const then = safeRead(() => (sent as { then?: unknown } | null | undefined)?.then);
      if (typeof then === 'function') (then as Promise<unknown>['then']).call(sent, undefined, () => {});
    } catch {
      // The tracker is best effort.
    }
  };
}
