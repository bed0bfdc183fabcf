/**
 * A call the client refuses to send (a missing or unknown path param, a query value it cannot write)
 * or an answer that breaks the route's contract (a body its response schema rejects). HTTP error
 * answers are not thrown: they come back as `{ ok: false, status, error }`.
 */
export class ClientError extends Error {
  /** The response schema's issues, when an answer did not match it. */
  readonly issues: readonly { readonly message: string; readonly path?: readonly unknown[] | undefined }[];

  /** @param message what was wrong, naming the param, query key or route */
  constructor(message: string, issues: ClientError['issues'] = []) {
    super(message);
    this.name = 'ClientError';
    this.issues = issues;
  }
}
