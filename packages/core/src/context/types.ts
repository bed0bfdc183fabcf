import type { Context } from './context.js';
import type { LoggerLike } from './logger-like.js';

/** What a route's handler receives about the request, after validation. */
export interface RequestInput {
  params: object;
  query: object;
  headers: object;
  body: unknown;
}

/** The request input of a route without schemas. */
export interface DefaultInput {
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

/** App-wide settings a context reads; shared by every request, fixed at start-up. */
export interface ContextRuntime {
  readonly service: string;
  readonly bodyLimit: number;
  readonly deadlineMarginMs: number;
  readonly generateId: () => string;
  readonly now: () => number;
  readonly reportError: (error: unknown, ctx: Context<RequestInput, object>) => void;
  readonly logger?: LoggerLike | undefined;
}
