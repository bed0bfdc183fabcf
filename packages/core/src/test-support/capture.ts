import { vi } from 'vitest';

function startCapture(): { stop(): Record<string, unknown>[] } {
  const lines: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    lines.push(
      ...String(chunk)
        .split('\n')
        .filter((l) => l.trim().startsWith('{')),
    );
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(record);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(record);
  return {
    stop() {
      out.mockRestore();
      err.mockRestore();
      return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    },
  };
}

/**
 * Runs `run` with stdout and stderr captured and returns the JSON lines written to either, parsed.
 * Powertools writes WARN and above to stderr and the rest to stdout; both reach CloudWatch.
 */
export function captureJsonLines(run: () => void): Record<string, unknown>[] {
  const capture = startCapture();
  let lines: Record<string, unknown>[] = [];
  try {
    run();
  } finally {
    lines = capture.stop();
  }
  return lines;
}

/** {@link captureJsonLines} for asynchronous work, such as requests through `app.request`. */
export async function captureJsonLinesAsync(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const capture = startCapture();
  let lines: Record<string, unknown>[] = [];
  try {
    await run();
  } finally {
    lines = capture.stop();
  }
  return lines;
}
