import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { BadRequestError, HttpError, InternalServerError, NotFoundError } from './errors.js';

describe('HttpError', () => {
  it('captures no stack trace for a 4xx (an answer, and cheap to ask for) but does for a 5xx', () => {
    const notFound = new NotFoundError();
    expect(notFound.stack).toBe('NotFoundError: Not found');
    expect(new BadRequestError('bad').stack).not.toContain('\n');
    expect(new InternalServerError().stack).toContain('\n    at ');
    expect(new HttpError(503, 'UNAVAILABLE', 'down').stack).toContain('\n    at ');
  });

  it("keeps the cause's stack, and leaves the global stack limit as it was", () => {
    const cause = new Error('disk full');
    const error = new BadRequestError('bad', { cause });
    expect((error.cause as Error).stack).toContain('\n    at ');
    expect(Error.stackTraceLimit).toBeGreaterThan(0);
    expect(new Error('after').stack).toContain('\n    at ');
  });

  it('still answers a 404 with the envelope and the request id', async () => {
    const app = createApp({ service: 's', logger: false, metrics: false });
    const res = await app.request({ path: '/nowhere', requestId: 'req-1' });
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found', requestId: 'req-1' } });
  });
});
