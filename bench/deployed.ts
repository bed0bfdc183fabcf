/**
 * Cold starts of the functions users deploy: the reference service and an example, bundled as
 * `LiftFunction` bundles them (`bundleEntry`: the AWS SDK included), in one file and with the
 * packages they load only through `import()` apart. Fresh processes on each of Lambda's Node.js
 * runtimes, alternating, with the runtime's flags for 512 MB and `--enable-source-maps` as the
 * construct sets it; the reference service's first call reads a table in a local dynalite.
 * `npm run bench:deployed --workspace bench -- [--n=21]`.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bundleEntry } from '@lift/cdk';
import type { TableDefinition } from '@lift/core/dynamodb';
import { ensureTables } from '@lift/core/dynamodb';
import { httpApiEvent } from '@lift/core/testing';
import { itemsTable } from '../examples/crud-api/src/table.js';
import { bubbleTable } from '../reference/bubble-batch/src/resources.js';
import { startDynaliteProcess } from './dynamodb-process.js';
import { MACHINE, median, writeSection } from './harness.js';
import { eventFileFor, lambdaRuntimes, type Probe, probe } from './p5-cold-start.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const processes = Number(process.argv.find((a) => a.startsWith('--n='))?.slice(4) ?? 21);

interface Service {
  readonly name: string;
  readonly entry: string;
  readonly tables: readonly TableDefinition[];
  readonly env: Readonly<Record<string, string>>;
  /** The first call's event, from a client address of its own (the service rate-limits by address). */
  readonly event: (sourceIp: string) => unknown;
  /** The status its first call answers. */
  readonly status: number;
  /** What that call does. */
  readonly call: string;
}

const services: Service[] = [
  {
    name: 'reference/bubble-batch',
    entry: 'reference/bubble-batch/src/handler.ts',
    tables: [bubbleTable],
    env: {
      TABLE_NAME: bubbleTable.name,
      BUCKET_NAME: 'bubble-batch-photos',
      USER_POOL_ID: 'us-east-1_cold',
      USER_POOL_CLIENT_ID: 'cold',
      CURSOR_SECRET: 'cold-start-cursor-secret-of-32-characters-at-least',
    },
    event: (sourceIp) => httpApiEvent({ method: 'GET', path: '/public/b/no-such-batch', sourceIp }),
    status: 404,
    call: '`GET /public/b/:batchId` of a batch that does not exist: a rate-limit update and a read',
  },
  {
    name: 'examples/crud-api',
    entry: 'examples/crud-api/src/handler.ts',
    tables: [itemsTable],
    env: {
      ITEMS_TABLE: itemsTable.name,
      CURSOR_SECRET: 'cold-start-cursor-secret-of-32-characters-at-least',
    },
    event: (sourceIp) =>
      httpApiEvent({
        method: 'GET',
        path: '/tenants/t1/items/0b8f7d3e-5c1a-4f2b-9e6d-7a1c2b3d4e5f',
        sourceIp,
      }),
    status: 404,
    call: '`GET /tenants/:tenantId/items/:itemId` of an item that does not exist: one read',
  },
];

const ms = (probes: readonly Probe[], of: (probe: Probe) => number): string =>
  median(probes.map(of)).toFixed(1);

function sizes(dir: string): { main: number; apart: number; files: number } {
  const main = statSync(join(dir, 'index.mjs')).size;
  let apart = 0;
  let files = 0;
  try {
    for (const name of readdirSync(join(dir, 'lift-lazy')))
      if (name.endsWith('.mjs')) {
        apart += statSync(join(dir, 'lift-lazy', name)).size;
        files++;
      }
  } catch {
    // No package went apart.
  }
  return { main, apart, files };
}

const dynamodb = await startDynaliteProcess();
const raw = new DynamoDBClient({
  endpoint: dynamodb.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const runtimes = lambdaRuntimes({ fetch: true });
const rows: string[] = [];
let clients = 0;
try {
  for (const service of services) {
    await ensureTables(raw, service.tables);
    const entry = join(root, service.entry);
    const variants = [
      {
        name: 'one file',
        dir: bundleEntry(entry, { conditions: ['@lift/source'] }),
      },
      {
        name: 'lazy packages apart',
        dir: bundleEntry(entry, { conditions: ['@lift/source'], splitLazyPackages: true }),
      },
    ];
    const env = {
      ...service.env,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    for (const node of runtimes) {
      const mode = { kind: 'lambda', memoryMb: 512, node } as const;
      const samples = variants.map(() => [] as Probe[]);
      for (let i = 0; i < processes; i++)
        for (let k = 0; k < variants.length; k++) {
          const at = (k + i) % variants.length;
          const variant = variants[at] as (typeof variants)[number];
          const client = ++clients;
          const eventFile = eventFileFor(
            'deployed',
            service.event(`10.${client >> 16}.${(client >> 8) & 255}.${client & 255}`),
          );
          const result = await probe(
            join(variant.dir, 'index.mjs'),
            eventFile,
            mode,
            ['--enable-source-maps'],
            env,
          );
          const status = (result.answer as { statusCode?: unknown } | null)?.statusCode;
          if (status !== service.status)
            throw new Error(
              `${service.name} (${variant.name}, Node ${node.version}) answered ${JSON.stringify(result.answer).slice(0, 300)}, not ${service.status}`,
            );
          samples[at]?.push(result);
        }
      variants.forEach((variant, k) => {
        const probes = samples[k] ?? [];
        const { main, apart, files } = sizes(variant.dir);
        rows.push(
          `| ${service.name} | ${node.version} | ${variant.name} | ${main.toLocaleString('en-US')} B | ${files === 0 ? '' : `${apart.toLocaleString('en-US')} B in ${files} files`} | ${ms(probes, (p) => p.imported)} (${ms(probes, (p) => p.importCpu / 1000)}) | ${ms(probes, (p) => p.elapsed - p.imported)} (${ms(probes, (p) => (p.cpu - p.importCpu) / 1000)}) | ${ms(probes, (p) => p.elapsed)} (${ms(probes, (p) => p.cpu / 1000)}) |`,
        );
        console.log(rows.at(-1));
      });
    }
  }
} finally {
  raw.destroy();
  await dynamodb.close();
}

writeSection(
  'deployed',
  [
    '## Cold start of deployed bundles',
    '',
    `Command: \`npm run bench:deployed --workspace bench\`. Machine: ${MACHINE}. Date: ${new Date().toISOString().slice(0, 10)}. ${processes} fresh processes per row, alternating; medians.`,
    '',
    'Each bundle built as `LiftFunction` builds it (`bundleEntry`), minified, the AWS SDK included, run with',
    "the Lambda runtime's flags for 512 MB and `--enable-source-maps`. First calls:",
    ...services.map((s) => `- ${s.name}: ${s.call} (${s.status}).`),
    '',
    '| bundle | Node | packages loaded by `import()` | `index.mjs` | apart | import, ms (CPU) | first call, ms (CPU) | both, ms (CPU) |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n'),
);
