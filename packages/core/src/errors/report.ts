import { HttpError } from './errors.js';

/**
 * @internal `String(value)`, except that it never throws: a null-prototype object has no `toString`,
 * and whatever a handler threw must still be reported, never turn the report itself into a failure.
 */
export function safeText(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * @internal What a logger is given for a thrown value: the `Error` itself (the logger writes its name,
 * message, stack and cause), or `{ error: text }` for anything else that was thrown.
 */
export function loggableError(error: unknown): Error | { readonly error: string } {
  return error instanceof Error ? error : { error: safeText(error) };
}

/**
 * @internal What is reported when there is no logger to report through: one JSON line on stderr, with
 * the error's name, message, stack, cause and, for an {@link HttpError}, its client-safe `details` (a
 * validation failure's field issues), so a failure is never lost without a trace: an HTTP 5xx (the
 * default `onError`) or a failed or dropped record (the record engine) of an app without a logger.
 * It never throws: whatever a handler threw, the batch or response around it must still be answered.
 */
export function reportOnStderr(
  message: string,
  service: string,
  fields: Readonly<Record<string, string | undefined>>,
  error: unknown,
): void {
  try {
    const detail =
      error instanceof Error
        ? {
            name: error.name,
            message: safeText(error.message),
            stack: error.stack,
            ...(error instanceof HttpError && error.details !== undefined ? { details: error.details } : {}),
            ...(error.cause === undefined ? {} : { cause: safeText(error.cause) }),
          }
        : { message: safeText(error) };
    console.error(JSON.stringify({ level: 'ERROR', message, service, ...fields, error: detail }));
  } catch {
    // A detail that cannot be serialised (a getter that throws, a cyclic `details`) still leaves a line.
    console.error(JSON.stringify({ level: 'ERROR', message, service, ...fields }));
  }
}
