import { writeStdoutLine } from '../stdout/stdout.js';
import { createMasker } from './masking.js';

/** One access decision worth keeping. */
export interface AuditEvent {
  readonly type: 'audit';
  readonly time: string;
  readonly requestId: string;
  readonly service: string;
  readonly userId: string | undefined;
  readonly tenantId: string | undefined;
  readonly authMethod: string | undefined;
  /** `METHOD /route/pattern`. */
  readonly action: string;
  /** The resource the route acts on: its pattern, or the permission's resource. */
  readonly resource: string;
  readonly outcome: 'allow' | 'deny';
  readonly reason: string;
}

/**
 * Where audit events go. Synchronous: an allowed access that must be audited (cross-tenant, a
 * `sensitive` route) is refused with a 500 when the sink throws. A sink that sends events elsewhere
 * asynchronously owns its delivery; a rejected promise it returns is only reported on stderr.
 */
export type AuditSink = (event: AuditEvent) => void;

/**
 * The default audit sink: each event as its own JSON line (`type: "audit"`, so a Logs Insights query
 * or subscription filter picks the stream out), written whatever the log level and never sampled,
 * with values masked as log lines are (JWTs, API keys and card numbers in a reason, emails partly).
 */
export function auditLogSink(write: (line: string) => void = writeStdoutLine): AuditSink {
  const mask = createMasker();
  return (event) => write(JSON.stringify(mask(event)));
}
