import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lazyPeer, PEER_VERSIONS, startDuringInit } from './peer.js';

const missing = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /app/handler.mjs`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

describe('lazyPeer', () => {
  it('a missing package is one error with the exact npm install line, and is not remembered', async () => {
    let installed = false;
    const load = lazyPeer(
      '@aws-sdk/client-ssm',
      async () => {
        if (!installed) throw missing('@aws-sdk/client-ssm');
        return { ok: true };
      },
      'parameterStoreSource',
    );
    await expect(load()).rejects.toThrow(
      'parameterStoreSource needs the package @aws-sdk/client-ssm, which is not installed: npm install @aws-sdk/client-ssm@^3.1162.0',
    );
    installed = true; // npm install, while the dev server keeps running
    await expect(load()).resolves.toEqual({ ok: true });
  });

  it('loads once, and passes other failures through as they are', async () => {
    let loads = 0;
    const load = lazyPeer('dynalite', async () => ({ n: ++loads }), 'startDynalite');
    await load();
    expect(await load()).toEqual({ n: 1 });
    // A dependency of an installed peer is missing: the message names the peer's own path, and the
    // peer must not be blamed.
    const broken = lazyPeer(
      'dynalite',
      async () => {
        throw Object.assign(
          new Error("Cannot find package 'leveldown' imported from /app/node_modules/dynalite/db/index.js"),
          { code: 'ERR_MODULE_NOT_FOUND' },
        );
      },
      'startDynalite',
    );
    await expect(broken()).rejects.toThrow(/^Cannot find package 'leveldown'/);
  });

  it('names the ranges @lift/core declares as peer dependencies', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      peerDependencies: Record<string, string>;
    };
    for (const [name, range] of Object.entries(PEER_VERSIONS))
      expect(manifest.peerDependencies[name], name).toBe(range);
  });
});

describe('startDuringInit', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('starts inside the Lambda runtime only', () => {
    let started = 0;
    const start = async () => {
      started++;
    };
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', undefined);
    startDuringInit(start);
    expect(started).toBe(0);
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001');
    startDuringInit(start);
    expect(started).toBe(1);
  });

  it('leaves a failed start to the first use, with no unhandled rejection', async () => {
    vi.stubEnv('AWS_LAMBDA_RUNTIME_API', '127.0.0.1:9001');
    const unhandled: unknown[] = [];
    const listen = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listen);
    try {
      startDuringInit(() => Promise.reject(new Error('no SDK')));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', listen);
    }
  });
});
