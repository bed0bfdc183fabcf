// Letters, digits and a few separators: nothing that can break a header, a log line or a query.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:@=+/-]{1,128}$/;
// RFC 9110 field names are tokens; lower case, as Lift keeps them.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// CR or LF would split a header (or a signed line); NUL is never legitimate.
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** Whether a request id is short and of a safe charset, so it can be echoed in headers and logs. */
export function isSafeRequestId(id: string | undefined): id is string {
  return id !== undefined && SAFE_REQUEST_ID.test(id);
}

/** Whether a lower-case name is an RFC 9110 header name a plain record may hold (never `__proto__`). */
export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name) && name !== '__proto__';
}

/** Whether a header value holds no CR, LF or NUL. */
export function isHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}
