/**
 * A response produced by a handler or middleware: status, lower-case headers and a body.
 * Create it through the context helpers (`ctx.json`, `ctx.text`, ...), which merge headers set with
 * `ctx.header` and keep `Set-Cookie` apart.
 */
export class LiftResponse {
  /** HTTP status. */
  status: number;
  /** Lower-case header names. Middleware may replace the object; always read it from the response. */
  headers: Record<string, string>;
  /** Text (sent as is) or bytes (sent base64-encoded); `null` for none. */
  body: string | Uint8Array | null;
  /** The value a JSON body was serialized from, kept for response validation. */
  readonly data: unknown;

  /** Use the context helpers instead unless building a response outside a request. */
  constructor(
    status: number,
    headers: Record<string, string>,
    body: string | Uint8Array | null,
    data?: unknown,
  ) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.data = data;
  }
}
