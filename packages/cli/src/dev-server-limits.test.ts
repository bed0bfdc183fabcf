/** What the dev server does with clients that misbehave: early disconnects, huge bodies, slow headers. */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, HEADERS_TIMEOUT_MS, startDevServer } from './dev-server.js';
import { fixture } from './fixtures/harness.js';
import { MAX_BODY_BYTES } from './http-bridge.js';

let server: DevServer;
const logs: string[] = [];
const linesFor = (path: string) =>
  logs.filter((l) => l.startsWith('GET ') || l.startsWith('POST ')).filter((l) => l.split(' ')[1] === path);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  server = await startDevServer({
    entry: fixture('echo.ts'),
    port: 0,
    watch: false,
    log: (l) => logs.push(l),
  });
}, 60_000);
afterAll(() => server?.close());

/** Opens a raw connection and collects everything the server sends until it closes. */
function raw(): { socket: Socket; received: () => string; closed: Promise<number> } {
  const socket = connect(server.port, '127.0.0.1');
  let data = '';
  socket.on('data', (chunk) => {
    data += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - opened)));
  return { socket, received: () => data, closed };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out; logs:\n${logs.join('\n')}`);
    await sleep(20);
  }
}

describe('request log', () => {
  it('logs each request once, a crash as its stack and one request line', async () => {
    await fetch(`${server.url}/echo?once=1`);
    await fetch(`${server.url}/crash`);
    await until(() => linesFor('/crash').length > 0);
    await sleep(100);
    expect(linesFor('/echo?once=1')).toEqual([expect.stringMatching(/^GET \/echo\?once=1 200 \d+\.\d ms$/)]);
    expect(linesFor('/crash')).toHaveLength(1);
    expect(logs.filter((l) => l.startsWith('handler failed:') && l.includes('kaboom'))).toHaveLength(1);
  });

  it('logs a client that disconnects while sending its body as one line, not a handler failure', async () => {
    const failures = logs.filter((l) => l.startsWith('handler failed')).length;
    const { socket, closed } = raw();
    socket.write('POST /gone-mid-body HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789');
    await sleep(100);
    socket.destroy();
    await closed;
    await until(() => linesFor('/gone-mid-body').length > 0);
    await sleep(100);
    expect(linesFor('/gone-mid-body')).toEqual([
      expect.stringMatching(/^POST \/gone-mid-body client disconnected after \d+\.\d ms$/),
    ]);
    expect(logs.filter((l) => l.startsWith('handler failed')).length).toBe(failures);
    expect(logs.some((l) => /^\s+at /m.test(l) && l.includes('aborted'))).toBe(false);
  });

  it('logs a client that leaves before the answer as one line', async () => {
    const controller = new AbortController();
    const pending = fetch(`${server.url}/slow`, { signal: controller.signal }).catch(() => undefined);
    await sleep(100);
    controller.abort();
    await pending;
    await sleep(700);
    expect(linesFor('/slow')).toEqual([
      expect.stringMatching(/^GET \/slow client disconnected after \d+\.\d ms$/),
    ]);
  });
});

describe('body limit', () => {
  it('answers 413 to a Content-Length over 10 MB before any of the body is sent', async () => {
    const { socket, received, closed } = raw();
    const started = Date.now();
    socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`);
    await until(() => received().includes('Too Large'), 2_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(received().endsWith('{"message":"Request Entity Too Large"}')).toBe(true);
    // The body that will never come is not waited for: the connection is cut shortly after.
    expect(await closed).toBeLessThan(4_000);
    expect(linesFor('/echo').filter((l) => / 413 /.test(l))).toHaveLength(1);
  });

  it('tells a client waiting for 100 Continue 413 instead', async () => {
    const { socket, received, closed } = raw();
    socket.write(
      `POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`,
    );
    await until(() => received().includes('Too Large'), 2_000);
    expect(received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(received()).not.toContain('100 Continue');
    socket.destroy();
    await closed;
  });

  it('refuses a chunked body as soon as it passes 10 MB, without reading the rest', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 97);
    let sent = 0;
    const status = await new Promise<{ status: number; sentWhenAnswered: number }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: '/size',
          headers: { 'transfer-encoding': 'chunked' },
        },
        (res) => {
          resolve({ status: res.statusCode ?? 0, sentWhenAnswered: sent });
          res.resume();
          req.destroy();
        },
      );
      req.on('error', () => {});
      const pump = () => {
        // Up to 100 MB unless the server answers first.
        while (sent < 100 * chunk.length && !req.destroyed) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        if (!req.destroyed) reject(new Error('sent 100 MB without an answer'));
      };
      pump();
    });
    expect(status.status).toBe(413);
    // What the socket buffers hold on top of the limit, not the 100 MB.
    expect(status.sentWhenAnswered).toBeLessThan(MAX_BODY_BYTES + 20 * chunk.length);
  });

  it('lets a client that sends the whole oversized body read the 413', async () => {
    const res = await fetch(`${server.url}/size`, {
      method: 'POST',
      body: new Uint8Array(MAX_BODY_BYTES + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toBe('{"message":"Request Entity Too Large"}');
  });

  it('passes a body of exactly 10 MB to the handler', async () => {
    const res = await fetch(`${server.url}/size`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(MAX_BODY_BYTES),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: MAX_BODY_BYTES });
  });
});

describe('slow clients', () => {
  it('drops a connection that trickles its headers (slowloris) after a few seconds, not 60', async () => {
    const { socket, received, closed } = raw();
    socket.write('GET /echo HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('X-Slow: 1\r\n');
    }, 250);
    try {
      const after = await closed;
      expect(after).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 500);
      expect(after).toBeLessThan(HEADERS_TIMEOUT_MS + 3_000);
      expect(received()).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(trickle);
    }
  }, 15_000);
});
