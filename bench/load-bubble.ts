/**
 * Load run: autocannon against `lift dev` serving the bubble-batch reference service (the real CLI in
 * its own process, every local stand-in), with users signed in the way the app signs them in and a
 * mix of authenticated reads and writes. `--quick` runs 2 s at 4 connections and only checks there
 * are no errors.
 */
import { freePort } from '@lift/core/testing/dynamodb';
import autocannon from 'autocannon';
import { writeSection } from './harness.js';
import { rssMiB, startLiftDev } from './lift-dev-process.js';

const quick = process.argv.includes('--quick');
const duration = quick ? 2 : 20;
const connections = quick ? 4 : 32;
// The login route allows 5 sign-ins per IP per 5 minutes (the `auth` preset): the run stays under it.
const USERS = 4;

async function call(url: string, method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Signs a user in by emailed code and gives them two batches; answers the token and batch ids. */
async function signIn(url: string, n: number): Promise<{ token: string; batches: string[] }> {
  const email = `load-${n}@example.com`;
  const { session } = await call(url, 'POST', '/auth/login', { email });
  const mail = (await (await fetch(`${url}/_lift/mail`)).json()) as { to: string; text: string }[];
  const code = /\d{6,8}/.exec(mail.find((m) => m.to === email)?.text ?? '')?.[0];
  const { idToken } = await call(url, 'POST', '/auth/verify', { email, session, code });
  const token = idToken as string;
  const batches: string[] = [];
  for (const type of ['milk-kefir', 'water-kefir']) {
    const { id } = await call(url, 'POST', '/batches', { name: `Load ${n} ${type}`, type }, token);
    batches.push(id as string);
  }
  return { token, batches };
}

const port = await freePort();
// The service's access log at INFO would be most of the work; WARN keeps the run about Lift.
// 503 while the service loads; an unknown public batch is a 404 once it has.
const { child, url } = await startLiftDev(
  'reference/bubble-batch/src/handler.ts',
  port,
  async (u) => (await fetch(`${u}/public/b/AAAAAAAAAAAAAAAAAAAAAA`)).status === 404,
  { POWERTOOLS_LOG_LEVEL: 'WARN' },
);
try {
  const users: { token: string; batches: string[] }[] = [];
  for (let n = 0; n < USERS; n++) users.push(await signIn(url, n));
  const before = rssMiB(child);
  const auth = (i: number) => ({ authorization: `Bearer ${users[i % USERS]?.token}` });
  const batchOf = (i: number) => users[i % USERS]?.batches[i % 2] as string;
  let turn = 0;
  const next = () => turn++;
  // Per connection, in turn over the users: list batches, read one, read its events, log an event,
  // read the reminders (4 reads : 1 write).
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      { method: 'GET', setupRequest: (req) => ({ ...req, path: '/batches', headers: auth(next()) }) },
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `/batches/${batchOf(turn)}`, headers: auth(turn) }),
      },
      {
        method: 'GET',
        setupRequest: (req) => ({ ...req, path: `/batches/${batchOf(turn)}/events`, headers: auth(turn) }),
      },
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          path: `/batches/${batchOf(turn)}/events`,
          headers: { ...auth(turn), 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'fed', notes: 'load run' }),
        }),
      },
      { method: 'GET', setupRequest: (req) => ({ ...req, path: '/me/reminders', headers: auth(turn) }) },
    ],
  });
  const after = rssMiB(child);
  const errors = result.errors + result.timeouts + result.non2xx;
  const summary = {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    errors,
    rssBefore: before,
    rssAfter: after,
  };
  console.log(JSON.stringify(summary));
  if (errors !== 0) throw new Error(`load run had ${errors} errors, timeouts or non-2xx answers`);
  if (!quick) {
    writeSection(
      'load-bubble',
      [
        '## Load: `lift dev` serving bubble-batch (issue 14)',
        '',
        `Measured with \`npm run bench:load-bubble --workspace bench\` on Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: autocannon,`,
        `${duration} s at ${connections} connections against \`lift dev\` (its own process: embedded dynalite, the Cognito,`,
        `S3 and Expo stand-ins) on loopback. ${USERS} users signed in by emailed code, two batches each; per connection,`,
        'in turn over the users: list batches, read a batch, read its events, log an event, read the reminders',
        "(4 reads : 1 write), every request with the user's Cognito id token (verified with the pool's key set).",
        '',
        '| requests/s (mean) | p50 latency | p99 latency | requests | errors + timeouts + non-2xx | dev server RSS before → after |',
        '| ---: | ---: | ---: | ---: | ---: | ---: |',
        `| ${summary.requestsPerSecond.toFixed(0)} | ${summary.p50} ms | ${summary.p99} ms | ${summary.total.toLocaleString('en')} | ${errors} | ${before.toFixed(0)} MiB → ${after.toFixed(0)} MiB |`,
        '',
        'Reading: the local development loop, not Lambda. dynalite dominates the latency; each request',
        'also verifies an RS256 token and runs access control.',
      ].join('\n'),
    );
  }
} finally {
  child.kill('SIGINT');
}
