/**
 * The README's walkthrough, end to end, through a real `lift dev` process over HTTP: sign in with the
 * emailed code, create a batch, log its start, upload a photo with the presigned POST, register a
 * phone, confirm the suggested reminder and fire the reminder schedule (the dev clock control), see
 * the push go out once, export the CSV, open the public page.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./handler.ts', import.meta.url));
const bin = fileURLToPath(new URL('../../../packages/cli/src/bin.ts', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: the walkthrough reads arbitrary JSON answers.
type Json = Record<string, any>;

let child: ChildProcess;
let out = '';
let url = '';

async function waitFor(pattern: RegExp, timeoutMs = 90_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(out);
    if (match !== null) return match;
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`lift dev never printed ${pattern} (exit ${child.exitCode}):\n${out}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    get json(): Json {
      return (text === '' ? {} : JSON.parse(text)) as Json;
    },
  };
}

beforeAll(async () => {
  child = spawn(
    process.execPath,
    ['--conditions=@lift/source', '--import', 'tsx', bin, 'dev', entry, '--port', '0'],
    {
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  url = (await waitFor(/ on (http:\/\/127\.0\.0\.1:\d+) /))[1] as string;
}, 120_000);

afterAll(async () => {
  if (child.exitCode !== null) return;
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('close', resolve));
});

describe('the walkthrough, through a lift dev process', () => {
  it('signs in, tracks a batch with a photo, fires its reminder once, exports and shares it', async () => {
    const email = 'walkthrough@example.com';
    const login = await call('POST', '/auth/login', { email });
    expect(login.status).toBe(202);
    const mail = (await call('GET', '/_lift/mail')).json as unknown as { to: string; text: string }[];
    const code = /(\d{6,8})/.exec(mail.find((m) => m.to === email)?.text ?? '')?.[1] as string;
    expect(out).toContain(`(code ${code})`);
    const verified = await call('POST', '/auth/verify', { email, session: login.json.session, code });
    expect(verified.status).toBe(200);
    const token = verified.json.idToken as string;

    // Started yesterday: straining is due now.
    const startedAt = new Date(Date.now() - 25 * 3600_000).toISOString();
    const batch = await call(
      'POST',
      '/batches',
      { name: 'Walkthrough kefir', type: 'milk-kefir', public: true, startedAt },
      token,
    );
    expect(batch.status).toBe(201);
    const id = batch.json.id as string;

    const photo = await call(
      'POST',
      `/batches/${id}/events`,
      { type: 'photo', contentType: 'image/jpeg' },
      token,
    );
    expect(photo.status).toBe(201);
    const { upload } = photo.json;
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields as Record<string, string>))
      form.append(name, value);
    form.append('file', new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], { type: 'image/jpeg' }));
    expect((await fetch(upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    const wrong = new FormData();
    for (const [name, value] of Object.entries(upload.fields as Record<string, string>))
      wrong.append(name, value);
    wrong.set('Content-Type', 'text/html');
    wrong.append('file', new Blob(['<script>alert(1)</script>'], { type: 'text/html' }));
    expect((await fetch(upload.url, { method: 'POST', body: wrong })).status).toBe(403);

    const device = 'ExponentPushToken[walkthrough-phone-1]';
    expect(
      (await call('POST', '/me/devices', { token: device, platform: 'ios' }, token)).status,
    ).toBeLessThan(300);
    const suggestions = (await call('GET', `/batches/${id}/reminders/suggestions`, undefined, token)).json
      .suggestions as Json[];
    const strain = suggestions.find((s) => s.action === 'strain');
    expect(strain).toBeDefined();
    const confirmed = await call(
      'POST',
      `/batches/${id}/reminders/confirm`,
      { suggestionIds: [strain?.id] },
      token,
    );
    expect(confirmed.status).toBeLessThan(300);

    // The dev clock control: fire the minute schedule now, twice; the push goes out once.
    expect((await call('POST', '/_lift/schedules/due-reminders')).json).toEqual({
      schedule: 'due-reminders',
      ok: true,
    });
    expect((await call('POST', '/_lift/schedules/due-reminders')).json).toMatchObject({ ok: true });
    console.log(
      out.slice(-2500),
      JSON.stringify((await call('GET', '/me/reminders', undefined, token)).json),
    );
    const pushes = out.split('\n').filter((l) => l.startsWith(`push to ${device}`));
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toContain('Walkthrough kefir');
    const reminders = (await call('GET', '/me/reminders', undefined, token)).json.reminders as Json[];
    expect(reminders.map((r) => r.status)).toEqual(['sent']);

    const csv = await call('GET', '/export.csv', undefined, token);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(csv.text).toContain('Walkthrough kefir');

    const page = await call('GET', `/public/b/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(email);
    expect(page.text).not.toContain(verified.json.idToken.split('.')[1]);
    expect((await call('GET', '/public/b/not-a-real-batch-id-000000')).status).toBe(404);
  }, 120_000);
});
