import { writeSync } from 'node:fs';

// Inside the Lambda runtime (which sets AWS_LAMBDA_RUNTIME_API, as its emulator does), lines go
// straight to file descriptor 1, as the runtime writes its own log lines. `process.stdout` on a pipe
// is a `net.Socket`: building it on the first line loads `net` and the stream machinery, a cost every
// cold start would pay for nothing. Anywhere else (tests, `lift dev`, `lift invoke`, a script), lines go
// through `process.stdout.write`, which those tap. Read once: the runtime sets it before any code runs.
let direct = process.env.AWS_LAMBDA_RUNTIME_API !== undefined;

/**
 * Writes `line` and a newline to standard output: the default destination of Lift's JSON lines (logs,
 * EMF metrics, audit events), which Lambda hands to CloudWatch Logs.
 *
 * In the Lambda runtime it writes synchronously to descriptor 1. The first time that cannot finish
 * (the pipe was made non-blocking by someone's `process.stdout` and is full, or the write is partial or
 * fails), the rest of the line and every line after it go through `process.stdout.write`, which queues
 * what the pipe cannot take yet, so no line is lost, cut or reordered among Lift's own. Elsewhere it is
 * `process.stdout.write`.
 */
export function writeStdoutLine(line: string): void {
  let text: string | Uint8Array = `${line}\n`;
  if (direct) {
    try {
      const written = writeSync(1, text);
      if (written === Buffer.byteLength(text)) return;
      text = Buffer.from(text).subarray(written);
    } catch {
      // EAGAIN from a full non-blocking pipe (nothing of the line was written: a pipe write up to
      // PIPE_BUF is all or nothing, a longer one returns a count instead), or a descriptor that is
      // gone: Node's stream takes over, and reports what it cannot do as it always would.
    }
    direct = false;
  }
  process.stdout.write(text);
}
