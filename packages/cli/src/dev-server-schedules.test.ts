/** lift dev fires the schedules the app declares, on a clock the test moves: no real minute-long waits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from './dev-server.js';
import { fixture } from './fixtures/harness.js';
import type { ScheduleClock } from './schedules.js';

/** A clock that moves only when told, running the timers that fall due on the way. */
class ManualClock implements ScheduleClock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private ids = 0;
  constructor(private time: number) {}
  now = () => this.time;
  setTimer = (fn: () => void, ms: number) => {
    this.ids += 1;
    this.timers.push({ at: this.time + ms, fn, id: this.ids });
    return this.ids;
  };
  clearTimer = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };
  get pending(): number {
    return this.timers.length;
  }
  /** Moves the time without running timers, as a machine that slept. */
  jump(ms: number): void {
    this.time += ms;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fn();
    }
    this.time = end;
  }
}

const START = Date.parse('2026-12-01T08:00:00Z');

/** Waits (up to 10 s) until `logs` holds `count` lines matching `pattern`. */
async function waitForLine(logs: readonly string[], pattern: RegExp, count = 1): Promise<void> {
  for (let waited = 0; logs.filter((l) => pattern.test(l)).length < count; waited += 20) {
    if (waited > 10_000) throw new Error(`no ${pattern} in:\n${logs.join('\n')}`);
    await sleep(20);
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('lift dev runs the declared schedules', () => {
  const clock = new ManualClock(START);
  const logs: string[] = [];
  let server: DevServer;
  const seen = async () =>
    (
      (await (await fetch(`${server.url}/seen`)).json()) as {
        source: string;
        record: Record<string, unknown>;
      }[]
    )
      .filter((s) => s.source === 'schedule')
      .map((s) => s.record);
  const waitForLog = (pattern: RegExp, count = 1) => waitForLine(logs, pattern, count);

  beforeAll(async () => {
    server = await startDevServer({
      entry: fixture('worker.ts'),
      port: 0,
      watch: false,
      scheduleClock: clock,
      log: (l) => logs.push(l),
    });
  }, 60_000);
  afterAll(() => server?.close());

  it('says when each fires next, and which do not run', () => {
    expect(logs).toContain('schedule tick (rate(1 minute)): next at 2026-12-01T08:01:00.000Z');
    expect(logs).toContain('schedule flaky (rate(2 minutes)): next at 2026-12-01T08:02:00.000Z');
    // 02:00 in Paris is 01:00 UTC in December.
    expect(logs).toContain(
      'schedule nightly (cron(0 2 * * ? *) Europe/Paris): next at 2026-12-02T01:00:00.000Z',
    );
    expect(logs).toContain('schedule paused (rate(5 minutes)): disabled (enabled: false), not run');
    expect(server.schedules().map((s) => [s.name, s.next?.toISOString()])).toEqual([
      ['tick', '2026-12-01T08:01:00.000Z'],
      ['flaky', '2026-12-01T08:02:00.000Z'],
      ['nightly', '2026-12-02T01:00:00.000Z'],
      ['paused', undefined],
    ]);
  });

  it('fires a rate through the handler with Lift payload, one line per firing', async () => {
    expect(await seen()).toEqual([]);
    clock.advance(59_999);
    await sleep(50);
    expect(await seen()).toEqual([]);
    clock.advance(1);
    await waitForLog(/^schedule tick fired: ok in \d+ ms$/);
    expect(await seen()).toEqual([
      expect.objectContaining({
        name: 'tick',
        time: '2026-12-01T08:01:00.000Z',
        executionId: expect.any(String),
        attempt: 1,
        origin: 'local',
      }),
    ]);
    // The next minute: tick again, and flaky, whose failure is one line with its error.
    clock.advance(60_000);
    await waitForLog(/^schedule tick fired: ok/, 2);
    await waitForLog(/^schedule flaky fired: failed in \d+ ms: flaky failed$/);
    expect(logs.filter((l) => l.startsWith('schedule paused fired'))).toEqual([]);
  });

  it('fires a cron expression in its time zone', async () => {
    // The machine sleeps until one minute before 02:00 in Paris: on waking, tick and flaky fire once
    // each for what they missed (not once per missed minute), then go on from now.
    const count = (prefix: string) => logs.filter((l) => l.startsWith(prefix)).length;
    const [ticks, flakes] = [count('schedule tick fired'), count('schedule flaky fired')];
    clock.jump(Date.parse('2026-12-02T00:59:00Z') - clock.now());
    clock.advance(0);
    await waitForLog(/^schedule tick fired: ok/, ticks + 1);
    await waitForLog(/^schedule flaky fired: failed/, flakes + 1);
    await sleep(100);
    expect([count('schedule tick fired'), count('schedule flaky fired')]).toEqual([ticks + 1, flakes + 1]);
    expect(
      server
        .schedules()
        .find((s) => s.name === 'tick')
        ?.next?.toISOString(),
    ).toBe('2026-12-02T01:00:00.000Z');
    expect(logs.filter((l) => l.startsWith('schedule nightly fired'))).toEqual([]);
    clock.advance(60_000);
    await waitForLog(/^schedule nightly fired: ok in \d+ ms$/);
    expect((await seen()).filter((r) => r.name === 'nightly')).toEqual([
      expect.objectContaining({ time: '2026-12-02T01:00:00.000Z', origin: 'local' }),
    ]);
    expect(
      server
        .schedules()
        .find((s) => s.name === 'nightly')
        ?.next?.toISOString(),
    ).toBe('2026-12-03T01:00:00.000Z');
  });

  it('rebuilds the schedules on reload, rates keeping their pace from the start, and stops them on close', async () => {
    const lines = logs.length;
    clock.advance(30_000);
    await server.reload();
    // Unchanged schedules are not listed again; the rate still fires on the minute from the start.
    expect(logs.slice(lines).filter((l) => l.startsWith('schedule '))).toEqual([]);
    const tick = server.schedules().find((s) => s.name === 'tick');
    expect(((tick?.next?.getTime() ?? 0) - START) % 60_000).toBe(0);
    expect(tick?.next?.getTime()).toBeGreaterThan(clock.now());
    await server.close();
    expect(clock.pending).toBe(0);
  });
});

describe('lift dev --no-schedules', () => {
  it('fires nothing and lists nothing', async () => {
    const clock = new ManualClock(START);
    const logs: string[] = [];
    const server = await startDevServer({
      entry: fixture('worker.ts'),
      port: 0,
      watch: false,
      schedules: false,
      scheduleClock: clock,
      log: (l) => logs.push(l),
    });
    try {
      expect(server.schedules()).toEqual([]);
      expect(clock.pending).toBe(0);
      expect(logs.filter((l) => l.startsWith('schedule '))).toEqual([]);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('lift dev with a worker (createWorker, no HTTP)', () => {
  it('lists and fires its schedules as it does an app, and says it serves no HTTP', async () => {
    const clock = new ManualClock(START);
    const logs: string[] = [];
    const server = await startDevServer({
      entry: fixture('records-only.ts'),
      port: 0,
      watch: false,
      scheduleClock: clock,
      log: (l) => logs.push(l),
    });
    try {
      expect(server.schedules().map((s) => s.name)).toEqual(['every-minute']);
      // No HTTP path: a request is told so, and so is the dashboard's API explorer.
      const answer = await fetch(`${server.url}/anything`);
      expect(answer.status).toBe(404);
      expect(((await answer.json()) as { message: string }).message).toMatch(
        /^This service is a worker \(createWorker\): it serves no HTTP; fire its schedules with POST \/_lift\/schedules\/NAME/,
      );
      const explorer = await fetch(`${server.url}/_lift/openapi.json`);
      expect(explorer.status).toBe(501);
      expect(((await explorer.json()) as { message: string }).message).toMatch(/a worker \(createWorker\)/);
      clock.advance(60_000);
      await waitForLine(logs, /^schedule every-minute fired: ok/);
    } finally {
      await server.close();
    }
  }, 60_000);
});
