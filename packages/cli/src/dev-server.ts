import { existsSync, type FSWatcher, watch } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename, dirname, resolve } from 'node:path';
import { fakeLambdaContext, scheduleEvent } from '@lift/core/testing';
import {
  createDashboard,
  type DevOutbox,
  entryName,
  expoPushOutbox,
  type FiringTrigger,
  RequestLog,
  reservedRouteProblem,
} from './dashboard/index.js';
import { answerWithin, DEFAULT_TIMEOUT_MS, LAMBDA_INIT_TIMEOUT_MS } from './deadline.js';
import {
  applyDevEnvironment,
  DEV_JWKS_PATH,
  devJwks,
  legacyFolderNotice,
  loadDevIssuer,
  mintDevToken,
} from './dev-issuer.js';
import { closeServer, HEADERS_TIMEOUT_MS, listen, loopbackFor, REQUEST_TIMEOUT_MS } from './dev-net.js';
import { requestHandler } from './dev-requests.js';
import { devRoutes, SCHEDULE_PATH_PREFIX } from './dev-routes.js';
import { HandlerTimeoutError } from './errors.js';

export { HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from './dev-net.js';

import { startLocalDynamoDB } from './environment.js';
import { declaresTooLarge, type EventFormat } from './http-bridge.js';
import { startLocalCloud } from './local-cloud.js';
import { createBuildDir, isInside, liftCacheDir, removeBuildDir } from './paths.js';
import {
  describeSchedule,
  runSchedules,
  type ScheduleClock,
  type ScheduleRunner,
  type ScheduleStatus,
  systemClock,
} from './schedules.js';
import { type LoadedService, loadService, ServiceError } from './service.js';
import { isThrownInstance, thrownMessage, thrownProperty, thrownStack } from './thrown.js';
import { serviceTrust } from './trusted-issuers.js';

export { DevServerError } from './errors.js';

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
  /** Persist the embedded DynamoDB here; the folder is locked for this process while it runs. */
  readonly dataDir?: string;
  /** Use another DynamoDB instead of the embedded one. */
  readonly dynamodbEndpoint?: string;
  /** Where log lines go (default stdout). */
  readonly log?: (line: string) => void;
  /**
   * Fire the schedules the app declares at the times they say (default true). They are read from the
   * entry's `app` export, so the entry exports its app next to `handler`.
   */
  readonly schedules?: boolean;
  /** The clock schedules run on (default the system clock); tests give one they move by hand. */
  readonly scheduleClock?: ScheduleClock;
  /** What the service's dev setup keeps instead of sending, shown on the dashboard (`/_lift/`). */
  readonly outboxes?: readonly DevOutbox[];
}

/** A running dev server. */
export interface DevServer {
  readonly url: string;
  readonly port: number;
  readonly dynamodbEndpoint: string;
  /** Times the service has been (re)loaded. */
  readonly generation: number;
  /** The declared schedules and when each fires next (empty with `schedules: false`). */
  schedules(): ScheduleStatus[];
  /** Rebuilds and swaps the service; the data in DynamoDB stays. */
  reload(): Promise<void>;
  /** Stops serving, stops the embedded DynamoDB, releases the data dir and removes the build files. */
  close(): Promise<void>;
}

/**
 * Runs a service locally: each HTTP request becomes an API Gateway event, the entry's `handler` is
 * invoked with a Lambda context, and the result is written back as API Gateway would. DynamoDB is
 * embedded (dynalite) unless another endpoint is given; declared tables are created before the first
 * request. Source changes reload the service without losing data. Bodies over API Gateway's 10 MB are
 * refused with 413 as they arrive, and slow clients are cut off after a few seconds. A 401 answered to
 * a bearer token gets the reason logged here (the client still gets the generic answer).
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  if (!existsSync(resolve(options.entry))) throw new ServiceError(`Entry not found: ${options.entry}`);
  const log = options.log ?? ((line: string) => console.log(line));
  const format = options.format ?? 'http';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const host = options.host ?? '127.0.0.1';
  // Stacks printed for failing handlers point at the TypeScript sources, not the bundle.
  process.setSourceMapsEnabled(true);
  const legacy = legacyFolderNotice(options.entry);
  if (legacy !== undefined) log(`note: ${legacy}`);
  const devIssuer = loadDevIssuer(options.entry);
  const jwks = devJwks(devIssuer);
  const dynamodb = await startLocalDynamoDB({
    ...(options.dynamodbEndpoint === undefined ? {} : { endpoint: options.dynamodbEndpoint }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    log,
  });
  const cloud = await startLocalCloud({
    log,
    cacheDir: liftCacheDir(options.entry),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  const outDir = createBuildDir(options.entry);
  let service: LoadedService | undefined;
  let generation = 0;
  const clock = options.scheduleClock ?? systemClock;
  // Rates count from the start, so a reload does not put them back.
  const anchor = clock.now();
  let runner: ScheduleRunner | undefined;
  let declared = '';
  let closed = false;
  const requests = new RequestLog({ mapStack: (stack) => service?.mapStack(stack) ?? stack });
  let url = '';
  // The dashboard's sources are read when asked, so it can exist before the service first loads.
  const dash = createDashboard({
    app: () => service?.app,
    name: () => service?.app?.manifest().service ?? entryName(options.entry),
    url: () => url,
    userPools: () => service?.userPools.length ?? 0,
    tables: () => service?.tables ?? [],
    schedules: () => runner?.list() ?? [],
    fire: (name) => {
      log(`schedule ${name}: fired from the dashboard`);
      return fire(name, new Date(clock.now()), 'dashboard');
    },
    mailbox: cloud.mailbox,
    outboxes: () => [expoPushOutbox(cloud.push), ...(options.outboxes ?? [])],
    tokens: {
      devIssuer: devIssuer.issuer,
      trust: () => serviceTrust(service?.app),
      userPools: () => cloud.userPools(),
      mintDev: (token) => mintDevToken(devIssuer, token),
      mintIdToken: (poolId, request) => cloud.mintIdToken(poolId, request),
    },
    requests,
    dynamodbEndpoint: dynamodb.endpoint,
    log,
  });
  const fire = async (name: string, due: Date, trigger: FiringTrigger = 'timer'): Promise<boolean> => {
    const current = service;
    if (current === undefined) return false;
    const started = performance.now();
    const ms = () => `${(performance.now() - started).toFixed(0)} ms`;
    const context = fakeLambdaContext({ timeoutMs, functionName: options.functionName ?? 'lift-dev' });
    const trace = requests.start('SCHEDULE', name, 'schedule', trigger);
    try {
      await answerWithin(
        dash.capture(trace, () => current.handler(scheduleEvent(name, { time: due }), context)),
        timeoutMs,
      );
      trace.finish(200);
      log(`schedule ${name} fired: ok in ${ms()}`);
      return true;
    } catch (error) {
      trace.fail(thrownStack(error));
      trace.finish(500);
      // Lift logs a failing record itself; its error says why. Any other failure gets its stack here.
      const lift = thrownProperty(error, 'name') === 'RecordsFailedError';
      const cause = lift ? (thrownProperty(error, 'cause') ?? error) : error;
      // A timeout is said once, on the line below; its stack would only point at the CLI's timer.
      if (!lift && !isThrownInstance(error, HandlerTimeoutError))
        log(`handler failed: ${thrownStack(error, current.mapStack)}`);
      log(`schedule ${name} fired: failed in ${ms()}: ${thrownMessage(cause)}`);
      return false;
    }
  };
  const startSchedules = (next: LoadedService) => {
    if (options.schedules === false || closed) return;
    runner?.stop();
    runner = runSchedules(next.schedules ?? [], { clock, anchor, fire });
    // Said at start, and again when a reload changes them.
    const list = runner.list();
    const now = JSON.stringify(list.map(({ next: _, ...rest }) => rest));
    if (now !== declared) for (const status of list) log(describeSchedule(status));
    declared = now;
  };
  const load = async (progress = false) => {
    const started = performance.now();
    if (progress) log(`building ${basename(options.entry)}…`);
    const next = await loadService(options.entry, {
      outDir,
      initTimeoutMs: LAMBDA_INIT_TIMEOUT_MS + timeoutMs,
    });
    const reserved = reservedRouteProblem(next.app?.manifest().routes ?? []);
    if (reserved !== undefined) throw new ServiceError(reserved);
    if (progress) log(`built ${basename(options.entry)} in ${(performance.now() - started).toFixed(0)} ms`);
    for (const line of next.missing)
      log(`warning: the service imports a package that is not installed: ${line}`);
    const created = await dynamodb.ensure(next.tables);
    if (created.length > 0) log(`created table${created.length > 1 ? 's' : ''} ${created.join(', ')}`);
    await cloud.ensure(next);
    service = next;
    generation += 1;
    startSchedules(next);
  };

  const ownRoutes = devRoutes({
    jwks,
    mailbox: cloud.mailbox,
    schedules: () => (service?.schedules ?? []).map((s) => s.name),
    fire: (name) => {
      log(`schedule ${name}: fired by POST ${SCHEDULE_PATH_PREFIX}${name}`);
      return fire(name, new Date(clock.now()), 'http');
    },
  });

  const handle = requestHandler({
    ownRoutes,
    dashboard: dash,
    requests,
    service: () => service,
    format,
    timeoutMs,
    functionName: options.functionName ?? 'lift-dev',
    devIssuer,
    entry: options.entry,
    userPools: () => cloud.userPools(),
    log,
  });

  const server = createServer(
    {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      // Node checks those timeouts on this interval (default 30 s), which would make them late.
      connectionsCheckingInterval: 1_000,
      keepAliveTimeout: 5_000,
    },
    (req, res) => void handle(req, res),
  );
  // Clients that wait for `100 Continue` (curl does for large uploads) are told 413 before they send.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (!declaresTooLarge(req)) res.writeContinue();
    void handle(req, res);
  });

  let port: number;
  try {
    port = await listen(server, options.port ?? 3000, host);
  } catch (error) {
    removeBuildDir(outDir);
    dash.close();
    await cloud.close();
    await dynamodb.close();
    throw error;
  }
  applyDevEnvironment(devIssuer, `http://${loopbackFor(host)}:${port}${DEV_JWKS_PATH}`);
  url = `http://${host === '0.0.0.0' ? 'localhost' : loopbackFor(host)}:${port}`;
  try {
    await load(true);
  } catch (error) {
    await closeServer(server);
    removeBuildDir(outDir);
    dash.close();
    await cloud.close();
    await dynamodb.close();
    throw error;
  }

  let watcher: FSWatcher | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reloading: Promise<void> = Promise.resolve();
  let shutdown: Promise<void> | undefined;
  const reload = () => {
    reloading = reloading.then(async () => {
      const started = performance.now();
      try {
        await load();
        log(`reloaded in ${(performance.now() - started).toFixed(0)} ms`);
      } catch (error) {
        log(`reload failed, still serving the previous version:\n${thrownMessage(error)}`);
      }
    });
    return reloading;
  };
  if (options.watch ?? true) {
    const root = dirname(resolve(options.entry));
    // The local table's own writes (a data dir under the service folder) and dot-folders
    // (.git, .lift, editors' swap dirs) are not source changes; reloading on them would loop.
    const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
    watcher = watch(root, { recursive: true }, (_event, file) => {
      if (
        file === null ||
        file.split(/[\\/]/).some((part) => part === 'node_modules' || part.startsWith('.'))
      )
        return;
      if (dataDir !== undefined && isInside(resolve(root, file), dataDir)) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 100);
    });
  }

  return {
    url,
    port,
    dynamodbEndpoint: dynamodb.endpoint,
    get generation() {
      return generation;
    },
    schedules: () => runner?.list() ?? [],
    reload,
    close() {
      // Once: a second close (a test's afterAll after the test closed it) waits for the first.
      shutdown ??= (async () => {
        closed = true;
        runner?.stop();
        clearTimeout(timer);
        watcher?.close();
        await closeServer(server);
        await reloading;
        removeBuildDir(outDir);
        dash.close();
        await cloud.close();
        await dynamodb.close();
      })();
      return shutdown;
    },
  };
}
