/** `lift dev` with a streaming handler: the Function URL protocol, chunk by chunk, to a real client. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from './dev-server.js';
import { fixture } from './fixtures/harness.js';

let server: DevServer;
const logs: string[] = [];

beforeAll(async () => {
  server = await startDevServer({
    entry: fixture('streaming.ts'),
    port: 0,
    watch: false,
    log: (l) => logs.push(l),
  });
}, 60_000);
afterAll(() => server?.close());

interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  chunks: { text: string; at: number }[];
  endedAt: number;
  aborted: boolean;
}

/** GETs a path with a plain HTTP client, noting when each chunk arrives. */
function get(path: string): Promise<Received> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(`${server.url}${path}`, (res) => {
      const chunks: Received['chunks'] = [];
      let aborted = false;
      res.on('data', (c: Buffer) => chunks.push({ text: c.toString(), at: performance.now() - started }));
      res.on('aborted', () => {
        aborted = true;
      });
      res.on('error', () => {
        aborted = true;
      });
      res.on('close', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          chunks,
          endedAt: performance.now() - started,
          aborted: aborted || !res.complete,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('lift dev with streamify(app)', () => {
  it('sends the prelude as status and headers, then each chunk as it is produced (chunked)', async () => {
    const res = await get('/rows');
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.headers['set-cookie']).toEqual([expect.stringMatching(/^seen=1;/)]);
    expect(res.chunks.map((c) => c.text).join('')).toBe('id,name\n1,ada\n');
    const first = res.chunks[0];
    expect(first?.text).toBe('id,name\n');
    // The first row arrived while the producer was still waiting to produce the second.
    expect(res.endedAt - (first?.at ?? 0)).toBeGreaterThan(250);
    expect(res.aborted).toBe(false);
  });

  it('answers a failure before the first byte with the error envelope', async () => {
    const res = await get('/fails-early');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.chunks.map((c) => c.text).join(''))).toMatchObject({
      error: { code: 'INTERNAL_ERROR' },
    });
  });

  it('breaks the transfer off when the producer fails after the first byte', async () => {
    const res = await get('/fails-late');
    expect(res.status).toBe(200);
    expect(res.chunks.map((c) => c.text).join('')).toBe('partial\n');
    expect(res.aborted).toBe(true);
  });

  it('stops the producer when the client disconnects, instead of waiting for it forever', async () => {
    const produced = () => (globalThis as { liftEndless?: { count: number } }).liftEndless?.count ?? 0;
    const before = logs.length;
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.url}/endless`, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      req.on('close', () => resolve());
      req.end();
      setTimeout(() => reject(new Error('no first chunk')), 10_000);
    });
    await new Promise((r) => setTimeout(r, 500));
    const settled = produced();
    await new Promise((r) => setTimeout(r, 500));
    expect(produced()).toBe(settled);
    // The producer was stopped (its write failed and was reported), not left waiting on a 'drain'.
    const failures = (globalThis as { liftStreamingFailures?: string[] }).liftStreamingFailures ?? [];
    expect(failures).toContain('/endless');
    expect(logs.slice(before).some((l) => l.startsWith('handler failed'))).toBe(false);
  });

  it('sends ordinary answers whole', async () => {
    const res = await get('/json');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.chunks.map((c) => c.text).join(''))).toEqual({ whole: true });
    expect(logs.some((l) => /^GET \/json 200 /.test(l))).toBe(true);
  });
});
