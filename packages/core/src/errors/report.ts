import { HttpError } from './errors.js';
import { isInstance } from './instance.js';

/** What {@link safeText} says of a value nothing can turn into text (a revoked proxy). */
const UNPRINTABLE = '[unprintable value]';

/**
 * @internal `String(value)`, except that it never throws: a null-prototype object has no `toString`,
 * a proxy's traps may throw, and whatever a handler threw must still be reported, never turn the
 * report itself into a failure.
 */
export function safeText(value: unknown): string {
  try {
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return UNPRINTABLE;
    }
  }
}

/** @internal `read()`, or `undefined` when it throws (a getter that throws, a proxy's trap). */
export function safeRead<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * @internal The message of whatever was thrown, as text, never throwing: an `Error`'s `message`
 * (empty when it cannot be read), anything else as {@link safeText} writes it.
 */
export function errorMessage(error: unknown): string {
  if (!isInstance(error, Error)) return safeText(error);
  const message = safeRead(() => error.message);
  return message === undefined ? '' : safeText(message);
}

/** @internal How many causes deep a logged error goes: a chain that goes on, or loops, is cut. */
export const CAUSES_KEPT = 8;

/** @internal What a logger writes for a value JSON cannot hold or that cannot even be read. */
export const UNSERIALIZABLE = '[unserializable value]';

/** @internal What stands for the causes past {@link CAUSES_KEPT}. */
export const CAUSE_CHAIN_CUT = '[cause chain cut]';

/**
 * @internal `write`, made unable to throw: a line it fails to write (a full disk, a closed pipe, a
 * bug in a custom sink) goes to stderr instead, as it is, which Lambda sends to the same log stream
 * (so an EMF blob there is still read as one), and the
 * first such failure says, once, that `what` lines are going there and why. The caller goes on:
 * logging and measuring never change an answer, and never lose what they were given.
 */
export function writerThatNeverThrows(
  write: (line: string) => void,
  what: string,
  service: string,
): (line: string) => void {
  let told = false;
  return (line) => {
    try {
      write(line);
    } catch (error) {
      if (!told) {
        told = true;
        reportOnStderr(`${what} write failed: its lines go to stderr`, service, {}, error);
      }
      try {
        // As it is (inside Lambda not through `console`, which prefixes each line): a log line or an
        // EMF blob must reach CloudWatch as the JSON it is.
        stderrLine(line);
      } catch {}
    }
  };
}

/**
 * @internal What a logger is given for a thrown value: the `Error` itself (the logger writes its name,
 * message, stack and cause), or `{ error: text }` for anything else that was thrown.
 */
export function loggableError(error: unknown): Error | { readonly error: string } {
  return isInstance(error, Error) ? error : { error: safeText(error) };
}

// Each part of the error on its own, so one that cannot be read or serialised drops only itself.
function errorDetail(error: unknown): Record<string, unknown> {
  if (!isInstance(error, Error)) return { message: safeText(error) };
  const detail: Record<string, unknown> = {};
  const name = safeRead(() => error.name);
  detail.name = typeof name === 'string' ? name : UNPRINTABLE;
  detail.message = safeText(safeRead(() => error.message));
  const stack = safeRead(() => error.stack);
  if (typeof stack === 'string') detail.stack = stack;
  const details = isInstance(error, HttpError) ? safeRead(() => error.details) : undefined;
  if (details !== undefined && safeRead(() => JSON.stringify(details)) !== undefined)
    detail.details = details;
  const cause = safeRead(() => error.cause);
  if (cause !== undefined) detail.cause = safeText(cause);
  return detail;
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
  // An RFC 3339 timestamp: without one, Lambda's log-level filtering (JSON log format) takes the
  // line for INFO, and an application log level of WARN or ERROR would drop it.
  const timestamp = new Date().toISOString();
  try {
    stderrLine(
      JSON.stringify({ level: 'ERROR', message, timestamp, service, ...fields, error: errorDetail(error) }),
    );
  } catch {
    // Whatever is left (a stderr that throws) must not fail the batch or the response around it.
    try {
      stderrLine(JSON.stringify({ level: 'ERROR', message, timestamp, service, ...fields }));
    } catch {}
  }
}

/**
 * Writes `line` to stderr as it is. Inside the Lambda runtime not through `console`, which the runtime
 * replaces: it puts a timestamp, request id and level before each line (or, in JSON log format, wraps
 * the line in a message string of its own), and the line would no longer be JSON to CloudWatch Logs
 * Insights. Elsewhere `console.error` writes the same bytes, and is what test runners capture.
 */
function stderrLine(line: string): void {
  if (process.env.AWS_LAMBDA_RUNTIME_API === undefined) console.error(line);
  else process.stderr.write(`${line}\n`);
}
