/**
 * @internal What is reported when there is no logger to report through: one JSON line on stderr, with
 * the error's name, message, stack and cause, so a failure is never lost without a trace: an HTTP 5xx
 * (the default `onError`) or a failed or dropped record (the record engine) of an app without a logger.
 */
export function reportOnStderr(
  message: string,
  service: string,
  fields: Readonly<Record<string, string | undefined>>,
  error: unknown,
): void {
  const detail =
    error instanceof Error
      ? {
          name: error.name,
          message: error.message,
          stack: error.stack,
          ...(error.cause === undefined ? {} : { cause: String(error.cause) }),
        }
      : { message: String(error) };
  console.error(JSON.stringify({ level: 'ERROR', message, service, ...fields, error: detail }));
}
