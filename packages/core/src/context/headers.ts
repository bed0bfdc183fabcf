// RFC 9110 field names are tokens; lower case, as Lift keeps them.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
// CR or LF would split a header (or a signed line); NUL is never legitimate.
const HEADER_VALUE = /^[^\r\n\0]*$/;

/**
 * Whether a request id is short and of a safe charset, so it can be echoed in headers and logs:
 * 1 to 128 of `[A-Za-z0-9._:@=+/-]`, nothing that can break a header, a log line or a query.
 */
export function isSafeRequestId(id: string | undefined): id is string {
  // Checked on every request (AWS's id, before it is echoed): a scan of char codes costs a few
  // nanoseconds where the regular expression costs tens.
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (
      !(
        (
          (c >= 97 && c <= 122) || // a-z
          (c >= 65 && c <= 90) || // A-Z
          (c >= 45 && c <= 58) || // - . / 0-9 :
          c === 95 || // _
          c === 64 || // @
          c === 61 || // =
          c === 43
        ) // +
      )
    )
      return false;
  }
  return true;
}

/** Whether a lower-case name is an RFC 9110 header name a plain record may hold (never `__proto__`). */
export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name) && name !== '__proto__';
}

/** Whether a header value holds no CR, LF or NUL. */
export function isHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}
