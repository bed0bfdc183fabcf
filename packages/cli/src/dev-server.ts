import { existsSync, type FSWatcher, watch } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fakeLambdaContext } from '@lift/core/testing';
import { DEV_JWKS_PATH, loadDevIssuer } from './dev-issuer.js';
import { startLocalDynamoDB } from './environment.js';
import { type EventFormat, readRequestBody, toEvent, writeResult } from './http-bridge.js';
import { type LoadedService, loadService, ServiceError } from './service.js';

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** The service's entry file (exports `handler`, and its table definitions). */
  readonly entry: string;
  /** Port (default 3000; 0 picks a free one). */
  readonly port?: number;
  readonly host?: string;
  /** API Gateway payload to send: `http` (HTTP API v2, default) or `rest` (v1). */
  readonly format?: EventFormat;
  /** The Lambda timeout the handler sees through its context, in ms (default 30 000). */
  readonly timeoutMs?: number;
  readonly functionName?: string;
  /** Reload when a file under the entry's folder changes (default true). */
  readonly watch?: boolean;
  /** Persist the embedded DynamoDB here. */
  readonly dataDir?: string;
  /** Use another DynamoDB instead of the embedded one. */
  readonly dynamodbEndpoint?: string;
  /** Where log lines go (default stdout). */
  readonly log?: (line: string) => void;
}

/** A running dev server. */
export interface DevServer {
  readonly url: string;
  readonly port: number;
  readonly dynamodbEndpoint: string;
  /** Times the service has been (re)loaded. */
  readonly generation: number;
  /** Rebuilds and swaps the service; the data in DynamoDB stays. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** A failure that stops the dev server from starting (port busy, service broken). */
export class DevServerError extends Error {
  /** @param message what went wrong and what to do */
  constructor(message: string) {
    super(message);
    this.name = 'DevServerError';
  }
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new DevServerError(`Port ${port} is already in use; stop the other server or pass --port`)
          : error,
      );
    });
    server.listen(port, host, () => {
      const address = server.address();
      resolvePort(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/**
 * Runs a service locally: each HTTP request becomes an API Gateway event, the entry's `handler` is
 * invoked with a Lambda context, and the result is written back as API Gateway would. DynamoDB is
 * embedded (dynalite) unless another endpoint is given; declared tables are created before the first
 * request. Source changes reload the service without losing data.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  if (!existsSync(resolve(options.entry))) throw new ServiceError(`Entry not found: ${options.entry}`);
  const log = options.log ?? ((line: string) => console.log(line));
  const format = options.format ?? 'http';
  const timeoutMs = options.timeoutMs ?? 30_000;
  process.env.LIFT_DEV = '1';
  // Local runs write no EMF metrics, as Powertools decides for POWERTOOLS_DEV; logs stay.
  process.env.POWERTOOLS_DEV ??= 'true';
  // Stacks printed for failing handlers point at the TypeScript sources, not the bundle.
  process.setSourceMapsEnabled(true);
  const dynamodb = await startLocalDynamoDB({
    ...(options.dynamodbEndpoint === undefined ? {} : { endpoint: options.dynamodbEndpoint }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  let service: LoadedService | undefined;
  let generation = 0;
  const devIssuer = loadDevIssuer(options.entry);
  const devJwks = JSON.stringify({ keys: [devIssuer.publicJwk] });
  const load = async () => {
    const next = await loadService(options.entry);
    const created = await dynamodb.ensure(next.tables);
    if (created.length > 0) log(`created table${created.length > 1 ? 's' : ''} ${created.join(', ')}`);
    service = next;
    generation += 1;
  };
  const server = createServer(async (req, res) => {
    // The local issuer's key set, so services verify `lift token` tokens offline, over real HTTP.
    if (req.method === 'GET' && req.url === DEV_JWKS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(devJwks);
      return;
    }
    if (service === undefined) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"Service is loading"}');
      return;
    }
    const started = performance.now();
    const requestId = globalThis.crypto.randomUUID();
    let status = 500;
    try {
      const body = await readRequestBody(req);
      const event = toEvent(req, body, format, requestId);
      const context = fakeLambdaContext({
        timeoutMs,
        functionName: options.functionName ?? 'lift-dev',
        awsRequestId: requestId,
      });
      status = writeResult(res, await (service as LoadedService).handler(event, context));
    } catch (error) {
      // As API Gateway does when the function fails: a generic 500 to the client, the stack here.
      log(`handler failed: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"message":"Internal Server Error"}');
      status = 500;
    }
    log(`${req.method} ${req.url} ${status} ${(performance.now() - started).toFixed(1)} ms`);
  });
  server.keepAliveTimeout = 5_000;

  let port: number;
  try {
    port = await listen(server, options.port ?? 3000, options.host ?? '127.0.0.1');
  } catch (error) {
    await dynamodb.close();
    throw error;
  }
  process.env.LIFT_DEV_ISSUER = devIssuer.issuer;
  process.env.LIFT_DEV_JWKS_URI = `http://127.0.0.1:${port}${DEV_JWKS_PATH}`;
  try {
    await load();
  } catch (error) {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await dynamodb.close();
    throw error;
  }

  let watcher: FSWatcher | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reloading: Promise<void> = Promise.resolve();
  const reload = () => {
    reloading = reloading.then(async () => {
      const started = performance.now();
      try {
        await load();
        log(`reloaded in ${(performance.now() - started).toFixed(0)} ms`);
      } catch (error) {
        log(`reload failed, still serving the previous version:\n${(error as Error).message}`);
      }
    });
    return reloading;
  };
  if (options.watch ?? true) {
    watcher = watch(dirname(resolve(options.entry)), { recursive: true }, (_event, file) => {
      if (file === null || file.includes('.lift') || file.includes('node_modules')) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 100);
    });
  }

  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`,
    port,
    dynamodbEndpoint: dynamodb.endpoint,
    get generation() {
      return generation;
    },
    reload,
    async close() {
      clearTimeout(timer);
      watcher?.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await reloading;
      await dynamodb.close();
    },
  };
}
