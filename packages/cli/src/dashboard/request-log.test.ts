import { describe, expect, it } from 'vitest';
import { openCapture } from './capture.js';
import { RequestLog, type RequestSummary } from './request-log.js';

describe('RequestLog', () => {
  it('joins lines written in pieces and reads the access line and a logged error', () => {
    let now = 1_000;
    const log = new RequestLog({ now: () => now, mapStack: (s) => s.replace('bundle.mjs:9', 'src/a.ts:3') });
    const seen: RequestSummary[] = [];
    log.subscribe((s) => seen.push(s));
    const trace = log.start('GET', '/x?y=1');
    trace.write(
      '{"level":"ERROR","message":"Request failed","error":{"name":"Error","message":"no","stack":"Error: no\\n at bundle.mjs:9"}}\n{"level":"IN',
      'stdout',
    );
    trace.write(
      'FO","message":"request","route":"/x","user_id":"u","tenant_id":"t","status":500}\nplain text',
      'stdout',
    );
    now = 1_042;
    trace.finish(500);
    const [entry] = log.list();
    expect(entry).toMatchObject({ route: '/x', userId: 'u', tenantId: 't', status: 500, durationMs: 42 });
    expect(entry?.error).toBe('Error: no\n at src/a.ts:3');
    const detail = log.get(entry?.id ?? 0);
    expect(detail?.lines.map((l) => [l.level, l.text.slice(0, 20)])).toEqual([
      ['ERROR', '{"level":"ERROR","me'],
      ['INFO', '{"level":"INFO","mes'],
      [undefined, 'plain text'],
    ]);
    expect(seen.map((s) => s.status)).toEqual([undefined, 500]);
  });

  it('prefers the thrown stack, keeps no error below 500, and finishes once', () => {
    const log = new RequestLog();
    const failed = log.start('GET', '/a');
    failed.write('{"level":"ERROR","message":"x","error":"logged"}\n', 'stdout');
    failed.fail('Error: thrown');
    failed.finish(500);
    failed.finish(200);
    const ok = log.start('GET', '/b');
    ok.write('{"level":"ERROR","message":"x","error":"logged"}\n', 'stdout');
    ok.finish(404);
    expect(log.list().map((s) => [s.status, s.error])).toEqual([
      [500, 'Error: thrown'],
      [404, undefined],
    ]);
  });

  it('keeps the newest requests and a bounded number of lines', () => {
    const log = new RequestLog({ limit: 2, linesPerRequest: 1 });
    for (const path of ['/1', '/2', '/3']) {
      const t = log.start('GET', path);
      t.write('a\nb\n', 'stderr');
      t.finish(200);
    }
    expect(log.list().map((s) => s.path)).toEqual(['/2', '/3']);
    expect(log.get(3)?.lines.map((l) => [l.text, l.stream])).toEqual([['a', 'stderr']]);
    expect(log.get(1)).toBeUndefined();
  });
});

describe('openCapture', () => {
  it('gives each async scope its own writes and puts the streams back when closed', async () => {
    const original = process.stdout.write;
    const capture = openCapture();
    const got: Record<string, string[]> = { a: [], b: [] };
    const tick = () => new Promise((r) => setTimeout(r, 5));
    await Promise.all(
      (['a', 'b'] as const).map((name) =>
        capture.run(
          (text) => got[name]?.push(text),
          async () => {
            await tick();
            process.stdout.write(`${name}1\n`);
            await tick();
            process.stdout.write(`${name}2\n`);
          },
        ),
      ),
    );
    process.stdout.write('outside\n');
    capture.close();
    expect(got).toEqual({ a: ['a1\n', 'a2\n'], b: ['b1\n', 'b2\n'] });
    expect(process.stdout.write).toBe(original);
  });

  it('keeps schedule firings apart, so a timer firing every minute never pushes requests out', () => {
    const log = new RequestLog({ limit: 3, firingLimit: 2 });
    for (const path of ['/a', '/b', '/c']) log.start('GET', path).finish(200);
    for (let i = 0; i < 5; i++) log.start('SCHEDULE', 'tick', 'schedule').finish(200);
    const manual = log.start('SCHEDULE', 'tick', 'schedule', 'dashboard');
    expect(log.lastFiring('tick')).toMatchObject({ trigger: 'dashboard', status: undefined });
    manual.finish(500);
    const kept = log.list();
    expect(kept.filter((r) => r.kind === 'http').map((r) => r.path)).toEqual(['/a', '/b', '/c']);
    expect(kept.filter((r) => r.kind === 'schedule').map((r) => r.trigger)).toEqual(['timer', 'dashboard']);
    // In arrival order across both.
    expect(kept.map((r) => r.id)).toEqual([...kept.map((r) => r.id)].sort((a, b) => a - b));
    expect(log.lastFiring('tick')).toMatchObject({ trigger: 'dashboard', status: 500 });
    expect(log.lastFiring('other')).toBeUndefined();
    expect(kept.find((r) => r.kind === 'http')?.trigger).toBeUndefined();
    expect(log.get(kept.at(-1)?.id ?? 0)?.trigger).toBe('dashboard');
  });
});
