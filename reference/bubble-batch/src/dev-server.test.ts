/**
 * The real entry (`handler.ts`) under `lift dev`, over HTTP: the table, bucket and user pool it
 * exports are created locally, a user signs in with the code the Cognito stand-in mails, and the
 * id token it gets works on the batch routes; a photo goes to the local S3 through the presigned POST.
 */
import { type DevServer, startDevServer } from '@lift/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = new URL('./handler.ts', import.meta.url).pathname;
let server: DevServer;
const logs: string[] = [];

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers.
type Json = Record<string, any>;

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    get json(): Json {
      return JSON.parse(text);
    },
  };
}

beforeAll(async () => {
  server = await startDevServer({ entry, port: 0, watch: false, log: (line) => logs.push(line) });
}, 120_000);
afterAll(() => server?.close());

describe('bubble-batch under lift dev', () => {
  it('creates what the entry declares', () => {
    expect(logs).toContain('created table bubble-batch');
    expect(logs.some((l) => l.startsWith('user pool bubble-batch-users: '))).toBe(true);
    expect(logs.some((l) => l.includes('bucket bubble-batch-photos'))).toBe(true);
    expect(logs.some((l) => l.startsWith('schedule due-reminders (rate(1 minute))'))).toBe(true);
  });

  it('signs in by emailed code, then the id token opens the user routes', async () => {
    const email = 'kefir-fan@example.com';
    const login = await call('POST', '/auth/login', { email });
    expect(login.status).toBe(202);
    const mail = (await (await fetch(`${server.url}/_lift/mail`)).json()) as { to: string; text: string }[];
    const code = /(\d{6,8})/.exec(mail.find((m) => m.to === email)?.text ?? '')?.[1] as string;
    expect(
      (await call('POST', '/auth/verify', { email, session: login.json.session, code: '00000000' })).status,
    ).toBe(401);
    const verified = await call('POST', '/auth/verify', { email, session: login.json.session, code });
    expect(verified.status).toBe(200);
    const token = verified.json.idToken as string;

    const created = await call(
      'POST',
      '/batches',
      { name: 'Dev kefir', type: 'milk-kefir', public: true },
      token,
    );
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    expect((await call('GET', '/batches', undefined, token)).json.batches).toHaveLength(1);
    expect((await call('GET', `/public/b/${id}`)).json).toMatchObject({
      name: 'Dev kefir',
      type: 'milk-kefir',
    });

    const photo = await call(
      'POST',
      `/batches/${id}/events`,
      { type: 'photo', contentType: 'image/jpeg' },
      token,
    );
    const { upload } = photo.json;
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields as Record<string, string>))
      form.append(name, value);
    form.append('file', new Blob([new Uint8Array([0xff, 0xd8, 0xff])], { type: 'image/jpeg' }));
    expect((await fetch(upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    const events = (await call('GET', `/batches/${id}/events`, undefined, token)).json.events as Json[];
    const link = events.find((e) => e.type === 'photo')?.photoUrl as string;
    expect((await fetch(link)).status).toBe(200);

    const csv = await call('GET', '/export.csv', undefined, token);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('Dev kefir');
  });
});
