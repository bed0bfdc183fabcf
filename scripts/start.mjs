// `npm start`: runs the crud-api example under `lift dev` on embedded DynamoDB and prints commands
// to try it. Options pass through: npm start -- --port 3001 --data-dir .data --dynamodb-endpoint URL

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
    entry: fileURLToPath(new URL('../examples/crud-api/src/handler.ts', import.meta.url)),
    port: Number(values.port),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values['dynamodb-endpoint'] ? { dynamodbEndpoint: values['dynamodb-endpoint'] } : {}),
  });
} catch (error) {
  console.error(`npm start: ${error.message}`);
  process.exit(1);
}

// One item to show reads and an optimistic-concurrency update on.
const seeded = await fetch(`${server.url}/tenants/acme/items`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'sample', qty: 1 }),
}).then((r) => r.json());

const base = server.url.replace('127.0.0.1', 'localhost');
console.log(`
crud-api is running on ${base} (DynamoDB: ${values['dynamodb-endpoint'] ?? `embedded, ${server.dynamodbEndpoint}`})
Edit examples/crud-api/src and it reloads; the data stays. Try:

  curl -s -X POST ${base}/tenants/acme/items -H 'content-type: application/json' -d '{"name":"widget","qty":2}'
  curl -s '${base}/tenants/acme/items?limit=10'
  curl -s -X PATCH ${base}/tenants/acme/items/${seeded.id} -H 'content-type: application/json' -d '{"qty":5,"version":1}'

(Run the PATCH twice: the second answers 409, the version moved on.) Ctrl-C stops.
`);

const stop = async () => {
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
