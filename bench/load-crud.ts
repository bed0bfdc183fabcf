/**
 * Load run: autocannon against `lift dev` serving the crud-api example, the dev server in its own
 * process (the real CLI) so the load generator does not share its CPU or memory.
 * `--quick` runs 2 s at 4 connections and only checks there are no errors.
 */
import { freePort } from '@lift/core/testing/dynamodb';
import autocannon from 'autocannon';
import { writeSection } from './harness.js';
import { rssMiB, startLiftDev } from './lift-dev-process.js';

const quick = process.argv.includes('--quick');
const duration = quick ? 2 : 20;
const connections = quick ? 4 : 32;

const port = await freePort();
// The dev server answers 503 until the service has loaded; wait for the service itself.
const { child, url } = await startLiftDev(
  'examples/crud-api/src/handler.ts',
  port,
  async (u) => (await fetch(`${u}/tenants/load/items?limit=1`)).status === 200,
);
try {
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${url}/tenants/load/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `seed-${i}`, qty: i }),
    });
    if (res.status !== 201) throw new Error(`seeding answered ${res.status}`);
    ids.push(((await res.json()) as { id: string }).id);
  }
  const before = rssMiB(child);
  const pick = () => ids[Math.floor(Math.random() * ids.length)] as string;
  const json = { 'content-type': 'application/json' };
  // Three reads to one write: get an item, list a page, get another item, create one.
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      { method: 'GET', setupRequest: (req) => ({ ...req, path: `/tenants/load/items/${pick()}` }) },
      { method: 'GET', path: '/tenants/load/items?limit=20' },
      { method: 'GET', setupRequest: (req) => ({ ...req, path: `/tenants/load/items/${pick()}` }) },
      {
        method: 'POST',
        path: '/tenants/load/items',
        headers: json,
        body: JSON.stringify({ name: 'load', qty: 1 }),
      },
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
    non2xx: result.non2xx,
    rssBefore: before,
    rssAfter: after,
  };
  console.log(JSON.stringify(summary));
  if (errors !== 0) throw new Error(`load run had ${errors} errors, timeouts or non-2xx answers`);
  if (!quick) {
    writeSection(
      'load',
      [
        '## Load: `lift dev` serving crud-api (issue 3)',
        '',
        `Measured with \`npm run bench:load\` on Node ${process.version}, ${new Date().toISOString().slice(0, 10)}: autocannon,`,
        `${duration} s at ${connections} connections against \`lift dev\` (its own process, embedded dynalite) on loopback.`,
        'Mix per connection: get an item, list a page of 20, get an item, create an item (3 reads : 1 write),',
        'over a tenant seeded with 100 items and growing with every create.',
        '',
        '| requests/s (mean) | p50 latency | p99 latency | requests | errors + timeouts + non-2xx | dev server RSS before → after |',
        '| ---: | ---: | ---: | ---: | ---: | ---: |',
        `| ${summary.requestsPerSecond.toFixed(0)} | ${summary.p50} ms | ${summary.p99} ms | ${summary.total.toLocaleString('en')} | ${errors} | ${before.toFixed(0)} MiB → ${after.toFixed(0)} MiB |`,
        '',
        'Reading: this is the local development loop, not Lambda: each request goes through the dev',
        "server's HTTP-to-event bridge, the handler, and dynalite (a DynamoDB emulator on LevelDB in memory),",
        'which dominates the latency. It shows the dev server holds steady under concurrent mixed traffic.',
      ].join('\n'),
    );
  }
} finally {
  child.kill();
}
