import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadDevIssuer, mintDevToken } from './dev-issuer.js';
import { DevServerError, startDevServer } from './dev-server.js';
import { INVOKE_SOURCES, invoke } from './invoke.js';
import { ServiceError } from './service.js';

const USAGE = `Usage:
  lift dev <entry> [--port 3000] [--host 127.0.0.1] [--format http|rest] [--timeout-ms 30000]
                   [--data-dir DIR] [--dynamodb-endpoint URL] [--no-watch]
  lift token <entry> --sub USER [--tenant T] [--roles a,b] [--scopes x,y] [--aud AUDIENCE] [--ttl SECONDS]
  lift invoke <entry> (--event FILE | --source ${INVOKE_SOURCES.join('|')} [--method GET] [--path /] [--body JSON])
                   [--data-dir DIR] [--dynamodb-endpoint URL]`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      format: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'data-dir': { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      'no-watch': { type: 'boolean' },
      event: { type: 'string' },
      source: { type: 'string' },
      method: { type: 'string' },
      path: { type: 'string' },
      body: { type: 'string' },
      sub: { type: 'string' },
      tenant: { type: 'string' },
      roles: { type: 'string' },
      scopes: { type: 'string' },
      aud: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const entry = positionals[0];
  if (values.help === true || command === undefined) {
    console.log(USAGE);
    return;
  }
  if (entry === undefined) fail(`Missing <entry>\n${USAGE}`);
  const shared = {
    ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
    ...(values['dynamodb-endpoint'] === undefined ? {} : { dynamodbEndpoint: values['dynamodb-endpoint'] }),
  };
  if (command === 'dev') {
    const format = values.format ?? 'http';
    if (format !== 'http' && format !== 'rest') fail('--format must be http or rest');
    const server = await startDevServer({
      entry,
      port: integer(values.port, 'port', 3000),
      ...(values.host === undefined ? {} : { host: values.host }),
      format,
      timeoutMs: integer(values['timeout-ms'], 'timeout-ms', 30_000),
      watch: values['no-watch'] !== true,
      ...shared,
    });
    console.log(
      `lift dev: ${entry} on ${server.url} (DynamoDB ${values['dynamodb-endpoint'] ?? `embedded at ${server.dynamodbEndpoint}`})`,
    );
    const stop = async () => {
      await server.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }
  if (command === 'token') {
    if (values.sub === undefined) fail(`token needs --sub USER\n${USAGE}`);
    if (!existsSync(entry)) fail(`lift: Entry not found: ${entry}`);
    const list = (text: string | undefined) =>
      text === undefined ? undefined : text.split(',').filter((v) => v !== '');
    const roles = list(values.roles);
    const scopes = list(values.scopes);
    const token = await mintDevToken(loadDevIssuer(entry), {
      sub: values.sub,
      ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
      ...(roles === undefined ? {} : { roles }),
      ...(scopes === undefined ? {} : { scopes }),
      ...(values.aud === undefined ? {} : { audience: values.aud }),
      ttlSeconds: integer(values.ttl, 'ttl', 3600),
    });
    console.log(token);
    return;
  }
  if (command === 'invoke') {
    if (values.event === undefined && values.source === undefined)
      fail(`invoke needs --event FILE or --source KIND\n${USAGE}`);
    const source = values.source as (typeof INVOKE_SOURCES)[number] | undefined;
    if (source !== undefined && !INVOKE_SOURCES.includes(source))
      fail(`--source must be one of ${INVOKE_SOURCES.join(', ')}`);
    const result = await invoke({
      entry,
      ...(values.event === undefined ? {} : { eventFile: values.event }),
      ...(source === undefined ? {} : { source }),
      ...(values.method === undefined ? {} : { method: values.method }),
      ...(values.path === undefined ? {} : { path: values.path }),
      ...(values.body === undefined ? {} : { body: values.body }),
      ...shared,
    });
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  fail(`Unknown command "${command}"\n${USAGE}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ServiceError || error instanceof DevServerError) fail(`lift: ${error.message}`);
  fail(`lift: ${(error as Error)?.stack ?? String(error)}`);
});
