/**
 * A photo's whole path against Lift's local S3, which enforces POST policies as S3 does: the upload
 * the app gets accepts the declared image only, up to 10 MiB, at its own key; the event list's link
 * downloads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { photosBucket } from './resources.js';
import { type Harness, startHarness } from './testing/harness.js';
import { type S3StandIn, startS3StandIn } from './testing/local-s3.js';

let h: Harness;
let s3: S3StandIn;
beforeAll(async () => {
  s3 = await startS3StandIn({ buckets: [photosBucket.bucketName()] });
  h = await startHarness();
  // After the harness's placeholders, before the first presign: links point at the stand-in.
  Object.assign(process.env, s3.env);
}, 60_000);
afterAll(async () => {
  await h?.close();
  await s3?.close();
});

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
type Json = Record<string, any>;

function post(upload: Json, file: Blob, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...upload.fields, ...fields }))
    form.append(name, value as string);
  form.append('file', file);
  return fetch(upload.url, { method: 'POST', body: form });
}

describe('photo uploads', () => {
  it('accepts the declared image at its key, and the event list links to it', async () => {
    const user = h.as('snapper');
    const batch = (await user('POST', '/batches', { name: 'Pics', type: 'water-kefir' })).json<Json>();
    const { upload, event } = (
      await user('POST', `/batches/${batch.id}/events`, { type: 'photo', contentType: 'image/png' })
    ).json<Json>();
    const png = new Blob([new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10])], { type: 'image/png' });
    expect((await post(upload, png)).status).toBeLessThan(300);

    const listed = (await user('GET', `/batches/${batch.id}/events`)).json<Json>();
    const photo = listed.events.find((e: Json) => e.id === event.id);
    const download = await fetch(photo.photoUrl);
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(
      new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    );
  });

  it('refuses another type, another key and a file over 10 MiB', async () => {
    const user = h.as('snapper');
    const batch = (await user('POST', '/batches', { name: 'Pics', type: 'water-kefir' })).json<Json>();
    const { upload } = (
      await user('POST', `/batches/${batch.id}/events`, { type: 'photo', contentType: 'image/jpeg' })
    ).json<Json>();
    const html = new Blob(['<script>alert(1)</script>'], { type: 'text/html' });
    expect((await post(upload, html, { 'Content-Type': 'text/html' })).status).toBe(403);
    const elsewhere = upload.key.replace('snapper', 'victim');
    expect((await post(upload, new Blob(['x']), { key: elsewhere })).status).toBe(403);
    const huge = new Blob([new Uint8Array(10 * 1024 * 1024 + 1)], { type: 'image/jpeg' });
    expect((await post(upload, huge)).status).toBeGreaterThanOrEqual(400);
  });
});
