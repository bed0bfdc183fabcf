import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { requestId } from './request-id.js';

function app(options?: Parameters<typeof requestId>[0]) {
  const a = createApp({ service: 'rid' });
  a.use(requestId(options));
  a.get('/', (ctx) => ({ id: ctx.requestId }));
  return a;
}

describe('requestId', () => {
  it('accepts a short, safe incoming id and echoes it', async () => {
    const res = await app().request('/', { headers: { 'X-Request-Id': 'abc-123_x.y:z' } });
    expect(res.json()).toEqual({ id: 'abc-123_x.y:z' });
    expect(res.headers.get('x-request-id')).toBe('abc-123_x.y:z');
  });

  it('otherwise uses the AWS request id, also on 404s', async () => {
    const res = await app().request('/missing', {
      requestId: 'aws-req-1',
      headers: { 'x-request-id': 'a'.repeat(129) },
    });
    expect(res.headers.get('x-request-id')).toBe('aws-req-1');
    expect(res.json()).toMatchObject({ error: { requestId: 'aws-req-1' } });
  });

  it('ignores incoming ids when told not to trust them', async () => {
    const res = await app({ trustIncoming: false }).request('/', {
      requestId: 'aws-2',
      headers: { 'x-request-id': 'mine' },
    });
    expect(res.json()).toEqual({ id: 'aws-2' });
  });

  it('can use another header', async () => {
    const res = await app({ header: 'X-Correlation-Id' }).request('/', {
      headers: { 'x-correlation-id': 'c1' },
    });
    expect(res.headers.get('x-correlation-id')).toBe('c1');
    expect(() => requestId({ header: 'bad header' })).toThrow(/invalid header name/);
  });
});
