/**
 * `GET /export.csv`: the user's own data only, injection-safe, inline when small, 303 when large,
 * streamed whatever its size through a streaming handler.
 */
import { streamify } from '@lift/core';
import { fakeLambdaContext, functionUrlEvent } from '@lift/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The stand-in for the Lambda runtime's response streaming kept with Lift's own tests.
import {
  FakeResponseStream,
  installFakeAwslambda,
  invokeStreaming,
} from '../../../packages/core/src/test-support/lambda-streaming.js';
import { CSV_COLUMNS } from './routes/export.js';
import { type Harness, startHarness } from './testing/harness.js';
import { idToken } from './testing/tokens.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ exportInlineBytes: 2000 });
}, 60_000);
afterAll(() => h?.close());

describe('GET /export.csv', () => {
  it('answers a small export inline as an attachment, formula cells neutralised', async () => {
    const created = await h.as('csv-user')('POST', '/batches', {
      name: '=HYPERLINK("http://evil.example","x")',
      type: 'water-kefir',
      notes: '@SUM(1+1)',
    });
    const batch = created.json<{ id: string }>();
    await h.as('csv-user')('POST', `/batches/${batch.id}/events`, {
      type: 'note',
      notes: '+cmd, "quoted"\nnext',
    });
    await h.as('someone-else')('POST', '/batches', { name: 'not yours', type: 'milk-kefir' });

    const res = await h.as('csv-user')('GET', '/export.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="bubble-batch-\d{4}-\d\d-\d\d\.csv"$/,
    );
    const csv = res.text();
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csv).toContain(",'@SUM(1+1),");
    expect(csv).toContain(`"'+cmd, ""quoted""\nnext"`);
    expect(csv).not.toContain('not yours');
    // Every record has every column: 2 events (started, note) → 2 records, plus the header.
    expect(lines.filter((l) => l.startsWith(batch.id))).toHaveLength(2);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('sends a large export through the bucket: 303 to a short-lived link', async () => {
    const user = h.as('big-user');
    for (let i = 0; i < 5; i++)
      await user('POST', '/batches', { name: `batch ${i}`, notes: 'x'.repeat(400), type: 'milk-kefir' });
    const res = await user('GET', '/export.csv');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^https:\/\/bucket\.example\/exports\/big-user\//);
    expect(res.bytes.length).toBe(0);
    const saved = h.saved.at(-1);
    expect(saved?.userId).toBe('big-user');
    expect(saved?.csv.split('\r\n').length).toBe(7);
  });

  it('streams a large export through a Function URL streaming handler, never through the bucket', async () => {
    const user = h.as('stream-user');
    for (let i = 0; i < 5; i++)
      await user('POST', '/batches', { name: `batch ${i}`, notes: 'y'.repeat(400), type: 'milk-kefir' });
    const savedBefore = h.saved.length;
    const uninstall = installFakeAwslambda();
    try {
      const event = functionUrlEvent({
        path: '/export.csv',
        headers: { authorization: [`Bearer ${await idToken('stream-user')}`] },
      });
      const stream = new FakeResponseStream();
      const out = await invokeStreaming(streamify(h.app), event, fakeLambdaContext(), stream);
      expect(out.prelude?.statusCode).toBe(200);
      expect(out.prelude?.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(out.prelude?.headers['content-disposition']).toMatch(/^attachment; filename="bubble-batch-/);
      const csv = out.body.toString('utf8');
      // Over the 2000-byte inline limit, yet sent whole: header plus one record per batch.
      expect(Buffer.byteLength(csv)).toBeGreaterThan(2000);
      expect(csv.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
      expect(csv.split('\r\n').filter((l) => l.includes('batch '))).toHaveLength(5);
      // Row by row: the header and each record arrived as writes of their own.
      expect(stream.received.length).toBeGreaterThanOrEqual(2 + 6);
      expect(h.saved.length).toBe(savedBefore);
    } finally {
      uninstall();
    }
  });
});
