import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from './dev-server.js';
import { fixture } from './fixtures/harness.js';

// A copy of a fixture in its own folder under fixtures/, so `@lift/core` still resolves from it.
const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
let dir: string | undefined;
let server: DevServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('lift dev watches the service folder', () => {
  it('reloads on a source change, and not on its own table writes in a data dir inside that folder', async () => {
    dir = mkdtempSync(join(fixturesDir, 'watch-'));
    const entry = join(dir, 'notes.ts');
    cpSync(fixture('notes.ts'), entry);
    const logs: string[] = [];
    server = await startDevServer({ entry, port: 0, dataDir: join(dir, 'data'), log: (l) => logs.push(l) });
    const url = server.url;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/notes/n${i}`, {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: `note ${i}`,
      });
      expect(res.status).toBe(204);
    }
    await settle(600);
    expect(server.generation).toBe(1);
    expect(logs.filter((l) => l.startsWith('reloaded'))).toEqual([]);

    writeFileSync(entry, `${readFileSync(entry, 'utf8')}\n// edited\n`);
    for (let waited = 0; server.generation === 1 && waited < 10_000; waited += 100) await settle(100);
    expect(server.generation).toBe(2);
  }, 60_000);
});
