/**
 * What never settles cannot hang lift dev or lift invoke: a handler is ended at the function's
 * timeout, as Lambda ends the invocation, and a module's top level at Lambda's init limit. Before, a
 * handler that never answered hung `lift invoke` and held a `lift dev` request open, and a reload
 * whose top level never settled blocked every later reload.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleWithin } from './deadline.js';
import { type DevServer, startDevServer } from './dev-server.js';
import { fixture } from './fixtures/harness.js';
import { invoke } from './invoke.js';
import { loadService } from './service.js';

describe('a handler that never answers', () => {
  it('fails lift invoke at the function timeout, saying so', async () => {
    await expect(
      invoke({ entry: fixture('hangs.ts'), path: '/never', timeoutMs: 300, log: () => {} }),
    ).rejects.toThrow(
      'the handler did not answer within 300 ms, the function\'s timeout (on Lambda: "Task timed out after 0.30 seconds")',
    );
  });

  describe('under lift dev', () => {
    const logs: string[] = [];
    let server: DevServer;
    beforeAll(async () => {
      server = await startDevServer({
        entry: fixture('hangs.ts'),
        port: 0,
        watch: false,
        timeoutMs: 300,
        log: (l) => logs.push(l),
      });
    }, 60_000);
    afterAll(() => server?.close());

    it('answers a generic 500 at the timeout and keeps serving', async () => {
      const res = await fetch(`${server.url}/never`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: 'Internal Server Error' });
      expect(logs).toContain(
        'handler failed: HandlerTimeoutError: the handler did not answer within 300 ms, the function\'s timeout (on Lambda: "Task timed out after 0.30 seconds")',
      );
      expect((await fetch(`${server.url}/ok`)).status).toBe(200);
    });
  });
});

describe('a module whose top level never settles', () => {
  it('fails to load at the init limit, saying why', async () => {
    await expect(loadService(fixture('hangs-at-load.ts'), { initTimeoutMs: 300 })).rejects.toThrow(
      /hangs-at-load\.ts had not finished loading after 300 ms, as long as Lambda waits for an init: its top level may wait on something that never settles$/,
    );
  });
});

describe('settleWithin', () => {
  it('sets no bound when the time is not a finite number', async () => {
    const slow = new Promise((resolve) => setTimeout(() => resolve('done'), 50));
    await expect(settleWithin(slow, Number.POSITIVE_INFINITY, () => new Error('late'))).resolves.toBe('done');
  });

  it('rejects with what late() throws, rather than never settling', async () => {
    const never = new Promise(() => {});
    await expect(
      settleWithin(never, 10, () => {
        throw new Error('abort failed');
      }),
    ).rejects.toThrow('abort failed');
  });
});

describe('a reload whose top level never settles', () => {
  // Under fixtures/ (its watch-* folders are ignored by git), as the watch tests do.
  const dir = mkdtempSync(join(fileURLToPath(new URL('./fixtures/', import.meta.url)), 'watch-'));
  const entry = join(dir, 'handler.ts');
  const version = (n: number) => `export const handler = async () => ({ statusCode: 200, body: 'v${n}' });\n`;
  const logs: string[] = [];
  let server: DevServer | undefined;
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const answer = async () => (await fetch(`${server?.url}/`)).text();

  it('fails at the init bound, keeps the previous version serving, and lets a later edit load', async () => {
    writeFileSync(entry, version(1));
    server = await startDevServer({ entry, port: 0, timeoutMs: 200, log: (l) => logs.push(l) });
    expect(await answer()).toBe('v1');

    writeFileSync(entry, `await new Promise(() => {});\n${version(2)}`);
    for (let waited = 0; !logs.some((l) => l.startsWith('reload failed')) && waited < 30_000; waited += 100)
      await settle(100);
    expect(logs.find((l) => l.startsWith('reload failed'))).toMatch(
      /had not finished loading after 10200 ms, as long as Lambda waits for an init/,
    );
    expect(await answer()).toBe('v1');

    // Before, the hung reload blocked every later one: this edit never loaded.
    writeFileSync(entry, version(3));
    for (let waited = 0; (await answer()) !== 'v3' && waited < 15_000; waited += 100) await settle(100);
    expect(await answer()).toBe('v3');
  }, 60_000);
});
