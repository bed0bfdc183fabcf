import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { requestId } from './request-id.js';

function app(options?: Parameters<typeof requestId>[0]) {
  const a = createApp(options === undefined ? {} : { requestId: options });
  a.get('/', (ctx) => ({ id: ctx.requestId }));
  return a;
}

describe('requestId', () => {
  it('accepts a short, safe incoming id when told to trust them, and echoes it', async () => {
    const res = await app({ trustIncoming: true }).request('/', {
      headers: { 'X-Request-Id': 'abc-123_x.y:z' },
    });
    expect(res.json()).toEqual({ id: 'abc-123_x.y:z' });
    expect(res.headers.get('x-request-id')).toBe('abc-123_x.y:z');
  });

  it('otherwise uses the AWS request id, also on 404s', async () => {
    const res = await app({ trustIncoming: true }).request('/missing', {
      requestId: 'aws-req-1',
      headers: { 'x-request-id': 'a'.repeat(129) },
    });
    expect(res.headers.get('x-request-id')).toBe('aws-req-1');
    expect(res.json()).toMatchObject({ error: { requestId: 'aws-req-1' } });
  });

  it('request-id spoofing: by default a caller cannot choose the id its requests are logged and audited under', async () => {
    for (const a of [app(), app({ trustIncoming: false })]) {
      const res = await a.request('/', {
        requestId: 'aws-2',
        headers: { 'x-request-id': 'someone-elses-id' },
      });
      expect(res.json()).toEqual({ id: 'aws-2' });
      expect(res.headers.get('x-request-id')).toBe('aws-2');
    }
    expect(() => requestId({ maxLength: 500 })).toThrow(/from 1 to 128/);
    expect(() => requestId({ trustIncomng: true } as never)).toThrow(
      /requestId: unknown option "trustIncomng"/,
    );
  });

  it('is on in every app, and can be turned off or used on a group of its own', async () => {
    expect((await createApp().request('/missing', { requestId: 'r-1' })).headers.get('x-request-id')).toBe(
      'r-1',
    );
    const off = createApp({ requestId: false });
    off.get('/', () => 'x');
    off
      .group('/traced')
      .use(requestId())
      .get('/', () => 'x');
    expect((await off.request('/', { requestId: 'r-2' })).headers.get('x-request-id')).toBeNull();
    expect((await off.request('/traced', { requestId: 'r-3' })).headers.get('x-request-id')).toBe('r-3');
    expect(() => createApp().use(requestId())).toThrow(/has requestId on by default/);
  });

  it('can use another header', async () => {
    const res = await app({ header: 'X-Correlation-Id', trustIncoming: true }).request('/', {
      headers: { 'x-correlation-id': 'c1' },
    });
    expect(res.headers.get('x-correlation-id')).toBe('c1');
    expect(() => requestId({ header: 'bad header' })).toThrow(/invalid header name/);
  });
});
