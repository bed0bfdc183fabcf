/** Where lift keeps its own files: out of the sources, and removed when the process ends. */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { devIssuerFile } from './dev-issuer.js';
import { startDevServer } from './dev-server.js';
import { lift, startLift } from './fixtures/harness.js';
import { createBuildDir, liftCacheDir, projectRoot, removeBuildDir } from './paths.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project in a scratch folder: package.json at the root, a service without imports in src/. */
function project(): { root: string; entry: string } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'lift-project-')));
  dirs.push(root);
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'package.json'), '{"name":"scratch","type":"module"}');
  const entry = join(root, 'src', 'handler.ts');
  writeFileSync(entry, "export const handler = async () => ({ statusCode: 200, body: 'ok' });\n");
  return { root, entry };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

const buildsOf = (entry: string, pid: number) => {
  const base = join(liftCacheDir(entry), 'builds');
  return existsSync(base) ? readdirSync(base).filter((name) => name.startsWith(`${pid}-`)) : [];
};

describe('lift files', () => {
  it('keeps build output and the private key in node_modules/.cache/lift, never in the sources', async () => {
    const { root, entry } = project();
    const before = listFiles(join(root, 'src'));
    const server = await startDevServer({ entry, port: 0, watch: false, log: () => {} });
    try {
      expect(await (await fetch(server.url)).text()).toBe('ok');
      expect(liftCacheDir(entry)).toBe(join(root, 'node_modules', '.cache', 'lift'));
      expect(relative(root, devIssuerFile(entry))).toMatch(
        /^node_modules\/\.cache\/lift\/dev-issuers\/src-handler\.ts-[0-9a-f]+\.json$/,
      );
      expect(statSync(devIssuerFile(entry)).mode & 0o077).toBe(0);
      const builds = buildsOf(entry, process.pid);
      expect(builds).toHaveLength(1);
      expect(readdirSync(join(liftCacheDir(entry), 'builds', builds[0] as string))).toEqual([
        expect.stringMatching(/^handler\.\d+\.\d+\.mjs$/),
      ]);
      expect(listFiles(join(root, 'src'))).toEqual(before);
    } finally {
      await server.close();
    }
    expect(buildsOf(entry, process.pid)).toEqual([]);
    expect(listFiles(join(root, 'src'))).toEqual(before);
  }, 60_000);

  it('uses a per-user cache for an entry with no package.json above it', () => {
    const loose = realpathSync(mkdtempSync(join(tmpdir(), 'lift-loose-')));
    dirs.push(loose);
    const entry = join(loose, 'handler.ts');
    if (projectRoot(entry) !== undefined) return; // a package.json above the temp folder: nothing to check here
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(loose, 'cache');
    try {
      expect(liftCacheDir(entry)).toMatch(
        new RegExp(`^${join(loose, 'cache', 'lift', 'project-')}[0-9a-f]+$`),
      );
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it('removes build folders left by processes that are gone, and keeps those of running ones', () => {
    const { entry } = project();
    const base = join(liftCacheDir(entry), 'builds');
    const gone = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    mkdirSync(join(base, `${gone}-deadbeef`), { recursive: true });
    mkdirSync(join(base, `${process.ppid}-cafe0000`), { recursive: true });
    const mine = createBuildDir(entry);
    expect(readdirSync(base).sort()).toEqual([`${process.ppid}-cafe0000`, relative(base, mine)].sort());
    removeBuildDir(mine);
    expect(existsSync(mine)).toBe(false);
  });

  it('says that a .lift folder beside the entry, from an earlier lift, can go', async () => {
    const { root, entry } = project();
    mkdirSync(join(root, 'src', '.lift'));
    const logs: string[] = [];
    const server = await startDevServer({ entry, port: 0, watch: false, log: (l) => logs.push(l) });
    await server.close();
    expect(logs[0]).toBe(
      `note: ${join(root, 'src', '.lift')} was left by an earlier lift (build output and a private development key); delete it, lift now keeps these in ${liftCacheDir(entry)}`,
    );
  }, 60_000);
});

describe('lift processes clean up after themselves', () => {
  it('lift invoke removes its build files when it exits', async () => {
    const { entry } = project();
    const result = await lift(['invoke', entry]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ statusCode: 200, body: 'ok' });
    expect(buildsOf(entry, result.pid)).toEqual([]);
  }, 30_000);

  it('lift dev removes its build files on Ctrl-C', async () => {
    const { entry } = project();
    const dev = startLift(['dev', entry, '--port', '0', '--no-watch']);
    await dev.waitFor(/Ctrl-C stops/);
    expect(buildsOf(entry, dev.pid)).toHaveLength(1);
    dev.child.kill('SIGINT');
    const { code } = await dev.exited;
    expect(code).toBe(0);
    expect(buildsOf(entry, dev.pid)).toEqual([]);
  }, 60_000);

  it('a failed start removes them too', async () => {
    const { root, entry } = project();
    writeFileSync(join(root, 'src', 'broken.ts'), 'export const handler = ;\n');
    const result = await lift(['dev', join(root, 'src', 'broken.ts'), '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('does not build');
    expect(buildsOf(entry, result.pid)).toEqual([]);
  }, 30_000);
});
