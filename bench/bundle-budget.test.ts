/**
 * Bundle budgets: the hello-world (full and lean), SQS-only and P1 bundles, built as P5 builds them,
 * must not grow past their ceilings; an HTTP-only app must not carry the features it does not import,
 * nor a lean app observability, nor a worker the HTTP core. The ceilings are the sizes measured on
 * 2026-12-02 when each was set (hello-world 66,152 B and P1 69,136 B after issue 17's first changes,
 * SQS-only 57,874 B with createWorker; now 66,417, 58,023 and 69,401 B) plus about 2%, a ratchet: each
 * change that shrinks a bundle lowers its ceiling here, towards issue 17's goals (hello-world ≤ 16 KB
 * with observability on, P1 with defaults ≤ Middy's P1 bundle, ~15 KB).
 * All three rose once (hello-world 67,500 → 67,800, SQS-only 59,000 → 59,800, P1 70,500 → 70,800 B;
 * the bundles 66,915 → 67,693, 58,875 → 59,729 and 69,911 → 70,689 B) for the direct writer of log
 * lines in the Lambda runtime and its guards (stdout/stdout.ts, 865 B minified with its import), which
 * takes about 4 ms off a Lambda-like cold start that logs (bench:cold-commits --lambda).
 * All three rose again (hello-world 67,800 → 68,300, SQS-only 59,800 → 60,500, P1 70,800 → 71,300 B;
 * the bundles 67,750 → 68,082, 59,729 → 60,303 and 70,772 → 71,128 B) for the one reporter of
 * failures an app without a logger writes on stderr (errors/report.ts), which the record engine now
 * uses too, so a failed or dropped record is no longer lost without a trace when there is no logger,
 * and which never throws, whatever a handler threw.
 * All three rose a third time (hello-world 68,300 → 69,100, SQS-only 60,500 → 61,300, P1 71,300 →
 * 72,100 B; the bundles 68,200 → 68,650, 60,271 → 60,776 and 71,246 → 71,696 B) for the ColdStart
 * blob's own writer (observability/metrics.ts), so a cold start's first call no longer compiles the
 * general addDimension/addMetric/flush machinery that requests never use: 9 fewer functions and
 * 1.5 KB less code compiled (bench:cold-path), 0.2–0.3 ms less in a Lambda-like cold start with
 * defaults on (paired runs on Node 22 and 24).
 * All four rose together (hello-world 69,100 → 71,000, lean 48,700 → 49,600, SQS-only 61,300 →
 * 62,800, P1 72,100 → 74,000 B; the bundles 68,650 → 70,714, 48,134 → 49,240, 60,776 → 62,282 and
 * 71,696 → 73,763 B) so that no value a handler throws, and no logger or metrics that fails, turns
 * the report of a failure into the failure (errors/hostile-throws.test.ts): reads that cannot throw,
 * cycles cut, an HttpError's status and headers checked before they are sent, and observability that
 * never changes an answer.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleSize, HELLO_WORLD, HELLO_WORLD_LEAN, SQS_HELLO } from './bundle.js';

const bench = fileURLToPath(new URL('.', import.meta.url));

/** Minified bytes each bundle may reach. */
const CEILINGS = {
  helloWorld: 71_000,
  // The lean createApp (@lift/core/lean): 47,688 B when it was added, plus about 2%; raised with
  // the others for the guarded failure reports (see above).
  helloWorldLean: 49_600,
  sqsOnly: 62_800,
  p1Defaults: 74_000,
} as const;

describe('bundle budgets', () => {
  it('keeps the hello-world bundle under its ceiling', async () => {
    const { bytes } = await bundleSize(HELLO_WORLD, { resolveDir: bench });
    expect(bytes).toBeLessThanOrEqual(CEILINGS.helloWorld);
  });

  it('keeps observability out of the lean hello-world, under its ceiling', async () => {
    const { bytes, modules, code } = await bundleSize(HELLO_WORLD_LEAN, { resolveDir: bench });
    const paths = modules.map(([path]) => path);
    // The same HTTP core as the full hello-world...
    expect(paths).toEqual(
      expect.arrayContaining(['app/app.ts', 'router/router.ts', 'http/security-headers.ts']),
    );
    // ...and none of the logger, metrics, tracing, masking or line writer: only the service-name
    // helper of observability/parts.ts, which every app's options use.
    const observability = paths.filter((path) => /^(observability|stdout|otel)\//.test(path));
    expect(observability).toEqual(['observability/parts.ts']);
    expect(code).not.toMatch(/_aws|CloudWatchMetrics|cold_start/);
    expect(bytes).toBeLessThanOrEqual(CEILINGS.helloWorldLean);
  });

  it('leaves out of an HTTP-only app the features it does not import', async () => {
    const { modules, code } = await bundleSize(HELLO_WORLD, { resolveDir: bench });
    const carried = modules
      .map(([path]) => path)
      .filter((path) => /^(events|ratelimit|idempotency)\/|canonicalize/.test(path));
    expect(carried).toEqual([]);
    // Nor the Node built-ins only those features need at import.
    expect(code).not.toMatch(/["']node:(crypto|net)["']/);
  });

  it('keeps the SQS-only worker under its ceiling, without the HTTP core', async () => {
    const { bytes, modules, code } = await bundleSize(SQS_HELLO, { resolveDir: bench });
    const paths = modules.map(([path]) => path);
    // The bundle is a record consumer: the record engine is in it...
    expect(paths).toContain('events/registry.ts');
    // ...and none of what serves HTTP: the adapters (but the shape rules that tell HTTP apart), the
    // router, the protections, the middleware chain, the app (its record methods aside) or the
    // request context (the deadline aside, which records share).
    const http =
      /^adapters\/(?!kind\.ts$)|^(router|http|middleware)\/|^app\/(?!record-methods\.ts$)|^context\/(?!deadline\.ts$)/;
    expect(paths.filter((path) => http.test(path))).toEqual([]);
    expect(code).not.toMatch(/x-request-id|strict-transport-security/i);
    expect(bytes).toBeLessThanOrEqual(CEILINGS.sqsOnly);
  });

  it.each([
    'reference/bubble-batch/src/handler.ts',
    'examples/crud-api/src/handler.ts',
    'examples/jwt-auth/src/handler.ts',
    'examples/queue-worker/src/handler.ts',
    'examples/signed-requests/src/handler.ts',
  ])("keeps zod's other languages out of %s", async (entry) => {
    // The named import (`import { z } from 'zod'`) bundles zod's whole namespace, the messages of its
    // 63 other languages with it: 455 KB of zod where the namespace import leaves 85-100 KB.
    const { modules } = await bundleSize(`export { handler } from '../${entry}';`, { resolveDir: bench });
    const zod = modules.filter(([path]) => path.includes('node_modules/zod/'));
    expect(zod.length).toBeGreaterThan(0);
    expect(zod.filter(([path]) => /\/locales\/(?!en\.js$)/.test(path))).toEqual([]);
    expect(zod.reduce((sum, [, bytes]) => sum + bytes, 0)).toBeLessThan(120_000);
  });

  it('keeps the P1 bundle with default observability under its ceiling', async () => {
    const { bytes, modules } = await bundleSize("export { handler } from './apps/p1-lift-defaults.ts';", {
      resolveDir: bench,
    });
    // The bundle is the app's, not an empty one: the router and the app itself are in it.
    expect(modules.some(([path]) => path.startsWith('router/'))).toBe(true);
    expect(bytes).toBeLessThanOrEqual(CEILINGS.p1Defaults);
  });
});
