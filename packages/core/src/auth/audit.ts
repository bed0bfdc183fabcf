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

/** Where audit events go (the observability layer provides a richer default). */
export type AuditSink = (event: AuditEvent) => void;

/** Writes each event as one JSON line on stdout, which CloudWatch keeps apart from nothing else but is never sampled. */
export const consoleAuditSink: AuditSink = (event) => {
  console.log(JSON.stringify(event));
};
