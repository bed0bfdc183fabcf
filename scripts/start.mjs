// `npm start`: runs the bubble-batch reference service under `lift dev` with every local stand-in
// (DynamoDB, the Cognito user pool, S3, Expo push), seeds a demo user with two batches through the
// API, and prints a walkthrough to paste. Options pass through:
//   npm start -- --port 3001 --data-dir .data --dynamodb-endpoint URL

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDevServer } from '../packages/cli/dist/index.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'data-dir': { type: 'string' },
    'dynamodb-endpoint': { type: 'string' },
  },
});

let server;
try {
  server = await startDevServer({
    entry: fileURLToPath(new URL('../reference/bubble-batch/src/handler.ts', import.meta.url)),
    port: Number(values.port),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values['dynamodb-endpoint'] ? { dynamodbEndpoint: values['dynamodb-endpoint'] } : {}),
  });
} catch (error) {
  console.error(`npm start: ${error.message}`);
  process.exit(1);
}

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

// A demo user signs in the way the app does, and gets two batches: one private, one public.
const api = async (method, path, body, token) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
};
let demo;
try {
  const email = 'demo@example.com';
  const { session } = await api('POST', '/auth/login', { email });
  const mail = await (await fetch(`${server.url}/_lift/mail`)).json();
  const code = /\d{6,8}/.exec(mail.find((m) => m.to === email)?.text ?? '')?.[0];
  const { idToken } = await api('POST', '/auth/verify', { email, session, code });
  const ago = (hours) => new Date(Date.now() - hours * 3_600_000).toISOString();
  await api(
    'POST',
    '/batches',
    { name: 'Water kefir, lemon', type: 'water-kefir', startedAt: ago(30) },
    idToken,
  );
  demo = await api(
    'POST',
    '/batches',
    { name: 'Demo milk kefir', type: 'milk-kefir', public: true, startedAt: ago(20) },
    idToken,
  );
  await api(
    'POST',
    `/batches/${demo.id}/events`,
    { type: 'note', notes: 'Thickening nicely.', at: ago(2) },
    idToken,
  );
} catch (error) {
  console.error(`npm start: seeding the demo data failed: ${error.message}`);
  await server.close();
  process.exit(1);
}

// A tiny JPEG to upload (its bytes are what the demo needs, not a picture).
const photo = join(tmpdir(), 'bubble-batch-demo.jpg');
writeFileSync(
  photo,
  Buffer.from(
    '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
    'base64',
  ),
);

const B = server.url.replace('127.0.0.1', 'localhost');
const json = (field) => `node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8"))${field}'`;
console.log(`
bubble-batch is running on ${B}: DynamoDB ${values['dynamodb-endpoint'] ?? `embedded (${server.dynamodbEndpoint})`},
a local Cognito user pool, S3 and Expo push. demo@example.com has two batches; the public one is
${B}/public/b/${demo.id}
The dev dashboard (routes, live requests, API explorer, tables, mail and pushes, schedules, dev
tokens) is at ${B}/_lift/
Edit reference/bubble-batch/src and it reloads; the data stays. Walk through it (bash):

  B=${B}
  # 1. Sign in: ask for a code, read it from the local mailbox (also printed above), verify it.
  SESSION=$(curl -s -X POST $B/auth/login -H 'content-type: application/json' -d '{"email":"you@example.com"}' | ${json('.session')})
  CODE=$(curl -s $B/_lift/mail | ${json('.find((m) => m.to === "you@example.com").text.match(/\\d{6,8}/)[0]')})
  TOKEN=$(curl -s -X POST $B/auth/verify -H 'content-type: application/json' -d "{\\"email\\":\\"you@example.com\\",\\"session\\":\\"$SESSION\\",\\"code\\":\\"$CODE\\"}" | ${json('.idToken')})
  AUTH="authorization: Bearer $TOKEN"

  # 2. A milk kefir batch you started yesterday, shared publicly.
  BATCH=$(curl -s -X POST $B/batches -H "$AUTH" -H 'content-type: application/json' -d "{\\"name\\":\\"My first kefir\\",\\"type\\":\\"milk-kefir\\",\\"public\\":true,\\"startedAt\\":\\"$(node -pe 'new Date(Date.now() - 25 * 36e5).toISOString()')\\"}" | ${json('.id')})

  # 3. A photo event: the API answers a presigned upload (images only, 10 MiB at most); send the file to it.
  curl -s -X POST $B/batches/$BATCH/events -H "$AUTH" -H 'content-type: application/json' -d '{"type":"photo","contentType":"image/jpeg"}' > /tmp/upload.json
  node -e 'const u=JSON.parse(require("fs").readFileSync("/tmp/upload.json","utf8")).upload; const f=new FormData(); for (const [k,v] of Object.entries(u.fields)) f.append(k,v); f.append("file", new Blob([require("fs").readFileSync("${photo}")], {type:"image/jpeg"})); fetch(u.url,{method:"POST",body:f}).then(r=>console.log("upload:",r.status))'
  curl -s $B/batches/$BATCH/events -H "$AUTH"

  # 4. A phone, the suggested reminder (straining is due), and the reminder schedule fired now
  #    (it runs every minute anyway): watch for "push to ExponentPushToken[...]" in this terminal.
  curl -s -X POST $B/me/devices -H "$AUTH" -H 'content-type: application/json' -d '{"token":"ExponentPushToken[my-phone-0001]","platform":"ios"}'
  SUGGESTION=$(curl -s $B/batches/$BATCH/reminders/suggestions -H "$AUTH" | ${json('.suggestions[0].id')})
  curl -s -X POST $B/batches/$BATCH/reminders/confirm -H "$AUTH" -H 'content-type: application/json' -d "{\\"suggestionIds\\":[\\"$SUGGESTION\\"]}"
  curl -s -X POST $B/_lift/schedules/due-reminders
  curl -s $B/me/reminders -H "$AUTH"

  # 5. The CSV export, and the public page (no user id, no email).
  curl -s $B/export.csv -H "$AUTH"
  curl -s $B/public/b/$BATCH

Ctrl-C stops.
`);
