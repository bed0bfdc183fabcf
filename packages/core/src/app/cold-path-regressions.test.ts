/**
 * Regressions a review of the cold-start and hot-path work found (issue 17), each named after what
 * went wrong: the fast paths must behave exactly as the general ones did.
 */
import { describe, expect, it } from 'vitest';
import { LiftResponse } from '../context/response.js';
import { ConfigurationError } from '../errors/errors.js';
import type { Middleware } from '../middleware/compose.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { createApp } from './app.js';

describe('cold-path regressions', () => {
  it('frozen response headers: the answer still gets its protections instead of crashing the invocation', async () => {
    const shared = Object.freeze({ 'x-from': 'handler' });
    const app = createApp({ logger: false, metrics: false, tracing: false });
    app.get('/', () => new LiftResponse(200, shared, 'ok'));
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-from')).toBe('handler');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    // The handler's own object is left as it was.
    expect(Object.keys(shared)).toEqual(['x-from']);
  });

  it('a logger spread into a wrapper: the access line goes through the wrapper', async () => {
    const lines: string[] = [];
    const base = createLogger({ level: 'INFO', write: (line) => lines.push(line) });
    const seen: string[] = [];
    const wrapper: Logger = {
      ...base,
      info: (message, ...extra) => {
        seen.push(message);
        base.info(message, ...extra, { wrapped: true });
      },
    };
    const app = createApp({ logger: wrapper, metrics: false, tracing: false });
    app.get('/', () => 'ok');
    await app.request('/');
    expect(seen).toEqual(['request']);
    expect(lines.join('\n')).toContain('"wrapped":true');
  });

  it('middleware added to a route option after compile does not reach a route not yet requested', async () => {
    const app = createApp({ logger: false, metrics: false, tracing: false });
    const list: Middleware[] = [];
    app.get('/late', { middleware: list }, () => 'ok');
    app.compile();
    list.push(() => {
      throw new Error('added after compile');
    });
    expect((await app.request('/late')).status).toBe(200);
  });

  it('an unset environment variable as a default dimension is refused, not written as "undefined"', () => {
    expect(() =>
      createMetrics({
        namespace: 'Shop',
        defaultDimensions: { stage: process.env.LIFT_UNSET_STAGE as string },
      }),
    ).toThrow(ConfigurationError);
  });
});
