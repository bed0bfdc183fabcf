/** Where a failure report goes: one JSON line on stderr, unprefixed inside the Lambda runtime. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportOnStderr, writerThatNeverThrows } from './report.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** What reached `console.error` and the raw stream, each. */
function capture() {
  const consoled: string[] = [];
  const raw: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
    consoled.push(String(line));
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    raw.push(String(chunk));
    return true;
  });
  return { consoled, raw };
}

describe('reportOnStderr', () => {
  it('inside the Lambda runtime, writes the JSON line to stderr itself, not through its console', () => {
    // The runtime replaces `console`: its lines get a timestamp, request id and level in front (or are
    // wrapped in a JSON message of the runtime's), and Logs Insights no longer reads them as JSON.
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001');
    const { consoled, raw } = capture();
    reportOnStderr('Request failed', 'orders', { request_id: 'r-1' }, new Error('boom'));
    expect(consoled).toEqual([]);
    expect(raw).toHaveLength(1);
    expect(raw[0]).toMatch(/^\{.*\}\n$/);
    const line = JSON.parse(raw[0] as string);
    // Lambda's log-level filtering reads a line's level only with a valid RFC 3339 timestamp.
    expect(new Date(line.timestamp).toISOString()).toBe(line.timestamp);
    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'Request failed',
      service: 'orders',
      request_id: 'r-1',
      error: { name: 'Error', message: 'boom' },
    });
  });

  it('when the full line cannot be written, writes the short one, timestamped too', () => {
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', undefined);
    const lines: string[] = [];
    let calls = 0;
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      calls += 1;
      if (calls === 1) throw new Error('stderr refused the first line');
      lines.push(String(line));
    });
    reportOnStderr('Request failed', 'orders', { request_id: 'r-1' }, new Error('boom'));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string);
    expect(new Date(line.timestamp).toISOString()).toBe(line.timestamp);
    expect(line).toEqual({
      level: 'ERROR',
      message: 'Request failed',
      timestamp: line.timestamp,
      service: 'orders',
      request_id: 'r-1',
    });
  });

  it('elsewhere, writes the same line through console.error, which test runners capture', () => {
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', undefined);
    const { consoled, raw } = capture();
    reportOnStderr('Request failed', 'orders', {}, new Error('boom'));
    expect(raw).toEqual([]);
    expect(consoled).toHaveLength(1);
    expect(JSON.parse(consoled[0] as string)).toMatchObject({ message: 'Request failed', service: 'orders' });
  });

  it("inside the Lambda runtime, a failed writer's lines go to stderr as they are", () => {
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001');
    const { consoled, raw } = capture();
    const write = writerThatNeverThrows(
      () => {
        throw new Error('closed');
      },
      'Log',
      'orders',
    );
    write('{"level":"INFO","message":"kept"}');
    expect(consoled).toEqual([]);
    expect(raw.map((line) => JSON.parse(line).message)).toEqual([
      'Log write failed: its lines go to stderr',
      'kept',
    ]);
  });
});
