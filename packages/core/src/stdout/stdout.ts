import { fstatSync, writeSync } from 'node:fs';

// The most a write may carry straight to the descriptor: PIPE_BUF on Linux, the size up to which a
// pipe write is never interleaved with another writer's (another thread's, another process's).
const ATOMIC_BYTES = 4096;

// Node builds `process.stdout` on first use; on a pipe, as a Lambda function's stdout is, that is a
// `net.Socket`, whose first line loads `net` and the stream machinery: about 4 ms of a Lambda-like
// cold start that logs (docs/benchmarks.md). The Lambda runtime interface client never builds it (it
// writes its own lines to its telemetry descriptor), so inside the runtime Lift writes to descriptor 1
// itself, for as long as nothing else in the process uses `process.stdout`.
let direct = directAtLoad();

/**
 * Whether lines may go straight to descriptor 1: inside the Lambda runtime (which sets
 * AWS_LAMBDA_RUNTIME_API, as its emulator does), one invocation at a time (with
 * AWS_LAMBDA_MAX_CONCURRENCY the runtime runs handlers in worker threads), on the main thread,
 * descriptor 1 a pipe or socket (a file is written synchronously anyway, and is where a shell puts
 * what `lift openapi` or `lift dev` print), and with no stdio stream built yet. Whoever builds
 * `process.stdout` later (a logger of their own, a test's or `lift dev`'s tap, `lift invoke`'s
 * redirect) turns it off for good, so from then on every line queues behind theirs in the one stream
 * instead of overtaking what the stream still holds. Not seen: a stdio handle someone unref'd, and a
 * `process.stdout` replaced by a plain value.
 */
function directAtLoad(): boolean {
  const env = process.env;
  if (env.AWS_LAMBDA_RUNTIME_API === undefined || env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined) return false;
  // In a worker thread Node marks the process-wide calls it disables; importing worker_threads to ask
  // would load the stream machinery this module exists to avoid. A worker's stdout goes through the
  // main thread, whose queue a direct write would overtake.
  if ((process.chdir as { disabled?: boolean }).disabled === true) return false;
  try {
    const stat = fstatSync(1);
    if (!stat.isFIFO() && !stat.isSocket()) return false;
  } catch {
    return false;
  }
  // A stdio stream built before this module loaded shows as a pipe or terminal handle.
  if (/PipeWrap|TTYWrap/.test(process.getActiveResourcesInfo().join())) return false;
  const own = Object.getOwnPropertyDescriptor(process, 'stdout');
  const build = own?.get;
  if (build === undefined || !own?.configurable) return false;
  const watch = {
    ...own,
    get() {
      direct = false;
      // Put the original back, unless someone has since laid their own getter over this one.
      if (Object.getOwnPropertyDescriptor(process, 'stdout')?.get === watch.get)
        Object.defineProperty(process, 'stdout', own);
      return build.call(process);
    },
  };
  Object.defineProperty(process, 'stdout', watch);
  return true;
}

/**
 * Writes `line` and a newline to standard output: the default destination of Lift's JSON lines (logs,
 * EMF metrics, audit events, circuit-breaker transitions), which Lambda hands to CloudWatch Logs.
 *
 * Inside the Lambda runtime, while nothing else uses `process.stdout`, a line of up to 4 KB
 * is written synchronously to descriptor 1 (waiting, as the runtime's own log writes do, while the
 * pipe is full). A longer line, or one whose write fails or stops part way (a descriptor made
 * non-blocking by another process, EPIPE), goes, or has its rest go, through `process.stdout.write`,
 * and so does every line after it. Elsewhere every line goes through `process.stdout.write`.
 */
export function writeStdoutLine(line: string): void {
  let text: string | Uint8Array = `${line}\n`;
  if (direct) {
    const bytes = Buffer.byteLength(text);
    if (bytes <= ATOMIC_BYTES) {
      try {
        const written = writeSync(1, text);
        if (written === bytes) return;
        text = Buffer.from(text).subarray(written);
      } catch {
        // EAGAIN (a full pipe in non-blocking mode takes nothing of a write this short) or a descriptor
        // that is gone: the stream takes the whole line, and reports what it cannot do as it would.
      }
    }
  }
  // Building the stream here, if nobody has, turns direct writing off for good (see directAtLoad).
  process.stdout.write(text);
}
