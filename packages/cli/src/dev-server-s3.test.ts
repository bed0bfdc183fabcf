/**
 * lift dev starts a local S3 for a service that declares a bucket; Lift's presigned uploads are
 * enforced by it as by S3 (type and size in the signed policy), and presigned downloads read back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer } from './dev-server.js';
import { fixture } from './fixtures/harness.js';

interface Upload {
  url: string;
  fields: Record<string, string>;
}

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

function form(upload: Upload, file: Uint8Array, type: string, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries({ ...upload.fields, ...fields })) data.append(k, v);
  data.append('file', new Blob([file], { type }));
  return data;
}

describe('lift dev with a bucket', () => {
  const logs: string[] = [];
  let server: DevServer;
  const presign = async (name: string, contentType: string) =>
    fetch(`${server.url}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, contentType }),
    });

  beforeAll(async () => {
    server = await startDevServer({
      entry: fixture('photos.ts'),
      port: 0,
      watch: false,
      log: (l) => logs.push(l),
    });
  }, 60_000);
  afterAll(() => server?.close());

  it('creates the bucket and serves presigned uploads and downloads', async () => {
    expect(logs.some((l) => /^local S3 at http:\/\/127\.0\.0\.1:\d+: bucket photos-fixture$/.test(l))).toBe(
      true,
    );
    const upload = (await (await presign('a.png', 'image/png')).json()) as Upload;
    const sent = await fetch(upload.url, { method: 'POST', body: form(upload, PNG, 'image/png') });
    expect(sent.status).toBe(204);
    const { url } = (await (await fetch(`${server.url}/photos/a.png`)).json()) as { url: string };
    const read = await fetch(url);
    expect(read.status).toBe(200);
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(PNG);
  });

  it('content-type switch: an upload signed for an image refuses HTML', async () => {
    const upload = (await (await presign('b.png', 'image/png')).json()) as Upload;
    const html = new TextEncoder().encode('<script>alert(1)</script>');
    const sent = await fetch(upload.url, {
      method: 'POST',
      body: form(upload, html, 'text/html', { 'Content-Type': 'text/html' }),
    });
    expect(sent.status).toBe(403);
  });

  it('oversize upload: more than maxBytes is refused by the store', async () => {
    const upload = (await (await presign('c.png', 'image/png')).json()) as Upload;
    const sent = await fetch(upload.url, {
      method: 'POST',
      body: form(upload, new Uint8Array(2048), 'image/png'),
    });
    expect(sent.status).toBe(400);
    expect(await sent.text()).toContain('EntityTooLarge');
  });

  it('a content type outside the allowed list is a 422 before anything is signed', async () => {
    const res = await presign('d.svg', 'image/svg+xml');
    expect(res.status).toBe(422);
  });
});
