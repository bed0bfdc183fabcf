import { httpApiEvent, readResult } from '@lift/core/testing';
import { describe, expect, it } from 'vitest';
import { handler } from './handler.js';

describe('hello-world', () => {
  it('answers', async () => {
    const res = readResult(await handler(httpApiEvent({ path: '/' })));
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ hello: 'world' });
  });
});
