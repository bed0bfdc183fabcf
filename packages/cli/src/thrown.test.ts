/**
 * What a handler throws cannot stop lift dev or lift invoke, nor hide what failed: regression tests
 * for a schedule or handler throwing an object with no prototype (`String()` throws) or a revoked
 * proxy (every read and `instanceof` throw), which made lift dev's schedule firing an unhandled
 * rejection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from './dev-server.js';
import { fixture } from './fixtures/harness.js';
import { invoke } from './invoke.js';
import { isThrownInstance, thrownMessage, thrownProperty, thrownStack, thrownText } from './thrown.js';

/** What fixtures/hostile.ts throws, by the name of its schedule and path, and how the terminal shows it. */
const SHOWN = [
  ['null-prototype', '[Object: null prototype] {}'],
  ['revoked-proxy', '<Revoked Proxy>'],
] as const;

const revokedProxy = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};

describe('reading a thrown value', () => {
  it('never throws, whatever was thrown', () => {
    const unreadableStack = new Error('kept');
    Object.defineProperty(unreadableStack, 'stack', {
      get() {
        throw new Error('no stack');
      },
    });
    const hostile = [Object.create(null), revokedProxy(), unreadableStack, 1n, Symbol('s'), undefined];
    for (const value of hostile) {
      expect(typeof thrownText(value)).toBe('string');
      expect(typeof thrownMessage(value)).toBe('string');
      expect(typeof thrownStack(value, (s) => s)).toBe('string');
      expect(thrownProperty(value, 'name')).toBe(value === unreadableStack ? 'Error' : undefined);
      expect(isThrownInstance(value, Error)).toBe(value === unreadableStack);
    }
    expect(thrownText(Object.create(null))).toBe('[Object: null prototype] {}');
    expect(thrownText(revokedProxy())).toBe('<Revoked Proxy>');
    expect(thrownMessage(unreadableStack)).toBe('kept');
    expect(thrownStack(unreadableStack, (s) => s)).toMatch(/kept/);
  });

  it('maps a readable stack, and keeps it when the mapping fails', () => {
    const error = new Error('boom');
    expect(thrownStack(error, () => 'mapped')).toBe('mapped');
    expect(
      thrownStack(error, () => {
        throw new Error('bad map');
      }),
    ).toBe(error.stack);
  });
});

describe('lift dev, when a handler throws a hostile value', () => {
  const logs: string[] = [];
  let server: DevServer;

  beforeAll(async () => {
    server = await startDevServer({
      entry: fixture('hostile.ts'),
      port: 0,
      watch: false,
      log: (l) => logs.push(l),
    });
  }, 60_000);
  afterAll(() => server?.close());

  it.each(SHOWN)('a schedule throwing a %s says so and the server keeps serving', async (name, shown) => {
    const fired = await fetch(`${server.url}/_lift/schedules/${name}`, { method: 'POST' });
    expect(fired.status).toBe(500);
    expect(logs).toContainEqual(
      expect.stringMatching(
        new RegExp(`^schedule ${name} fired: failed in \\d+ ms: .*${shown.replace(/[[\]{}]/g, '\\$&')}`),
      ),
    );
    expect((await fetch(`${server.url}/ok`)).status).toBe(200);
  });

  it.each(SHOWN)(
    'a handler throwing a %s answers a generic 500 and logs what it threw',
    async (name, shown) => {
      const res = await fetch(`${server.url}/throws/${name}`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: 'Internal Server Error' });
      expect(logs).toContain(`handler failed: ${shown}`);
      expect((await fetch(`${server.url}/ok`)).status).toBe(200);
    },
  );
});

describe('lift invoke, when a handler throws a hostile value', () => {
  it.each(SHOWN.map(([name]) => name))(
    'a schedule throwing a %s fails as a failed record, not a crash',
    async (name) => {
      const lines: string[] = [];
      // The record engine reports the value itself (on stderr, with no logger); invoke says the batch failed.
      await expect(
        invoke({ entry: fixture('hostile.ts'), schedule: name, log: (l) => lines.push(l) }),
      ).rejects.toThrow(/^the handler threw: 1 of 1 records failed; Lambda retries the event$/);
      expect(lines).toContainEqual(
        expect.stringMatching(/^handler failed: RecordsFailedError: 1 of 1 records failed/),
      );
    },
  );

  it.each(SHOWN)('a handler throwing a %s fails with what it threw', async (name, shown) => {
    const lines: string[] = [];
    await expect(
      invoke({ entry: fixture('hostile.ts'), path: `/throws/${name}`, log: (l) => lines.push(l) }),
    ).rejects.toThrow(`the handler threw: ${shown}`);
    expect(lines).toContain(`handler failed: ${shown}`);
  });
});
