import { AsyncLocalStorage } from 'node:async_hooks';

/** Receives what the code running inside {@link OutputCapture.run} writes to stdout or stderr. */
export type OutputSink = (text: string, stream: 'stdout' | 'stderr') => void;

/** Attributes the process's output to the request that wrote it. */
export interface OutputCapture {
  /** Runs `fn`; whatever it (and everything it awaits) writes to stdout/stderr also goes to `sink`. */
  run<T>(sink: OutputSink, fn: () => T): T;
  /** Stops this capture; the streams are put back when the last capture closes. */
  close(): void;
}

// One scope for the whole process: a handler's logger writes with `process.stdout.write`, and the
// async context is the only thing that says which request a line belongs to when several run at once.
const scope = new AsyncLocalStorage<OutputSink>();
let open = 0;
let restore: (() => void) | undefined;

function tap(stream: NodeJS.WriteStream, name: 'stdout' | 'stderr'): () => void {
  const original = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    const sink = scope.getStore();
    if (sink !== undefined) {
      try {
        sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'), name);
      } catch {
        // The dashboard watching must never break the service's own output.
      }
    }
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stream.write;
  return () => {
    stream.write = original;
  };
}

/**
 * Starts capturing: `process.stdout.write` and `process.stderr.write` still write as before, and also
 * hand each chunk to the sink of the {@link OutputCapture.run} call it was written under, if any.
 */
export function openCapture(): OutputCapture {
  if (open === 0) {
    const undo = [tap(process.stdout, 'stdout'), tap(process.stderr, 'stderr')];
    restore = () => {
      for (const fn of undo) fn();
    };
  }
  open += 1;
  let closed = false;
  return {
    run: (sink, fn) => scope.run(sink, fn),
    close() {
      if (closed) return;
      closed = true;
      open -= 1;
      if (open === 0) {
        restore?.();
        restore = undefined;
      }
    },
  };
}
