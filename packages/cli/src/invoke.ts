import { readFileSync } from 'node:fs';
import {
  albEvent,
  fakeLambdaContext,
  functionUrlEvent,
  type HttpEventInit,
  httpApiEvent,
  restApiEvent,
  scheduleEvent,
} from '@lift/core/testing';
import { answerWithin, DEFAULT_TIMEOUT_MS, LAMBDA_INIT_TIMEOUT_MS } from './deadline.js';
import { applyDevEnvironment, legacyFolderNotice, loadDevIssuer, serveDevJwks } from './dev-issuer.js';
import { startLocalDynamoDB } from './environment.js';
import { HandlerTimeoutError } from './errors.js';
import { isTextContentType } from './http-bridge.js';
import {
  buildRecordEvent,
  RECORD_SOURCES,
  type RecordEventInit,
  type RecordSourceName,
} from './invoke-records.js';
import { createBuildDir, removeBuildDir } from './paths.js';
import { isWorker, type LoadedService, loadService, ServiceError } from './service.js';
import { isThrownInstance, thrownMessage, thrownProperty, thrownStack } from './thrown.js';
import { explainRefusedToken } from './token-diagnosis.js';
import { serviceTrust } from './trusted-issuers.js';

/** The HTTP sources `lift invoke --source` builds requests for. */
export const HTTP_SOURCES = ['apigw-http', 'apigw-rest', 'function-url', 'alb'] as const;
/** Event sources `lift invoke --source` can build: the HTTP ones, then the record sources. */
export const INVOKE_SOURCES = [...HTTP_SOURCES, ...RECORD_SOURCES] as const;

/** Options of {@link invoke}. */
export interface InvokeOptions {
  readonly entry: string;
  /** A JSON file holding the event, sent as it is. */
  readonly eventFile?: string;
  /**
   * Or a declared schedule to fire once, with Lift's schedule payload. When the entry exports its app,
   * a name it does not declare is refused with the names it does.
   */
  readonly schedule?: string;
  /**
   * Or a source to build the event for (default `apigw-http`): an HTTP source with the request below,
   * or a record source with `record` and the body (message, detail as JSON, or data).
   */
  readonly source?: (typeof INVOKE_SOURCES)[number];
  /** What a record source's event is built from: its queue, topic, bucket, table, stream... */
  readonly record?: RecordEventInit;
  readonly method?: string;
  /** Path, with an optional query string. */
  readonly path?: string;
  /** Request headers; repeated ones as arrays. A `cookie` header becomes the event's cookies. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** Query parameters added to the path's own. */
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  /**
   * The body: text, or bytes (base64-encoded in the event unless the content type is text, as API
   * Gateway does). Without a content-type header, it is `application/json` when the body parses as
   * JSON, `text/plain` for other text, `application/octet-stream` for other bytes.
   */
  readonly body?: string | Uint8Array;
  readonly timeoutMs?: number;
  readonly dataDir?: string;
  readonly dynamodbEndpoint?: string;
  /** Where progress and the reason for a refused token go (default nowhere). */
  readonly log?: (line: string) => void;
}

function guessContentType(body: string | Uint8Array): string {
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return 'application/octet-stream';
  }
  try {
    JSON.parse(text);
    return 'application/json';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}

function headerValues(
  headers: InvokeOptions['headers'],
  name: string,
): { key: string; values: string[] } | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === name) return { key, values: typeof value === 'string' ? [value] : [...value] };
  }
  return undefined;
}

const isRecordSource = (source: InvokeOptions['source']): source is RecordSourceName =>
  (RECORD_SOURCES as readonly string[]).includes(source ?? '');

/** The event a request described by flags would reach the handler as, from the given HTTP source. */
export function buildInvokeEvent(options: InvokeOptions): Record<string, unknown> {
  const source = options.source ?? 'apigw-http';
  if (isRecordSource(source))
    throw new TypeError(`buildInvokeEvent builds HTTP events; ${source} events come from buildRecordEvent`);
  const headers: Record<string, string | readonly string[]> = { ...options.headers };
  let body: string | Uint8Array | undefined = options.body;
  if (body !== undefined) {
    const given = headerValues(headers, 'content-type');
    const contentType = given?.values[0] ?? guessContentType(body);
    if (given === undefined) headers['content-type'] = contentType;
    if (typeof body !== 'string' && isTextContentType(contentType)) body = Buffer.from(body).toString('utf8');
  }
  // HTTP APIs and Function URLs deliver cookies apart from the headers, as the dev server does.
  const cookie =
    source === 'apigw-http' || source === 'function-url' ? headerValues(headers, 'cookie') : undefined;
  const cookies: Record<string, string> = {};
  if (cookie !== undefined) {
    delete headers[cookie.key];
    for (const part of cookie.values.join(';').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) cookies[part.slice(0, eq).trim()] ??= part.slice(eq + 1).trim();
    }
  }
  const init: HttpEventInit = {
    method: options.method ?? 'GET',
    path: options.path ?? '/',
    headers,
    ...(options.query === undefined ? {} : { query: options.query }),
    ...(Object.keys(cookies).length === 0 ? {} : { cookies }),
    ...(body === undefined ? {} : { body }),
  };
  const build = {
    'apigw-http': httpApiEvent,
    'apigw-rest': restApiEvent,
    'function-url': functionUrlEvent,
    alb: albEvent,
  }[source];
  return build(init);
}

/** The schedule's payload, once the service's declared schedules are known. */
function scheduleEventFor(name: string, service: LoadedService, log: (line: string) => void) {
  const declared = service.schedules;
  if (declared === undefined) {
    log(`note: the entry exports no app, so lift cannot check that it declares schedule "${name}"`);
  } else {
    const found = declared.find((s) => s.name === name);
    if (found === undefined)
      throw new ServiceError(
        `no schedule "${name}": ${
          declared.length === 0
            ? 'the app declares none'
            : `the app declares ${declared.map((s) => s.name).join(', ')}`
        }`,
      );
    if (!found.enabled) log(`note: schedule "${name}" is disabled (enabled: false); firing it on demand`);
  }
  return scheduleEvent(name);
}

/**
 * Runs the entry's handler once and returns its result, in the environment `lift dev` gives it: the
 * same DynamoDB (embedded, or the given endpoint), `LIFT_DEV`, and the development issuer with its key
 * set served on loopback, so a `lift token` token verifies. Build files are removed when it returns.
 * The event is the file's, a schedule's payload, or built for a source.
 */
export async function invoke(options: InvokeOptions): Promise<unknown> {
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // A schedule's payload and a record event are built once the service is loaded: its declared
  // schedules and tables shape them.
  const later = options.schedule !== undefined || isRecordSource(options.source);
  let event: unknown;
  if (later) {
    event = undefined;
  } else if (options.eventFile !== undefined) {
    try {
      event = JSON.parse(readFileSync(options.eventFile, 'utf8'));
    } catch (error) {
      throw new ServiceError(`Cannot read the event from ${options.eventFile}: ${(error as Error).message}`);
    }
  } else {
    event = buildInvokeEvent(options);
  }
  const legacy = legacyFolderNotice(options.entry);
  if (legacy !== undefined) log(`note: ${legacy}`);
  const issuer = loadDevIssuer(options.entry);
  const jwks = await serveDevJwks(issuer);
  applyDevEnvironment(issuer, jwks.uri);
  // Stacks of a failing handler point at the TypeScript sources, as under lift dev.
  process.setSourceMapsEnabled(true);
  const outDir = createBuildDir(options.entry);
  try {
    const dynamodb = await startLocalDynamoDB({
      ...(options.dynamodbEndpoint === undefined ? {} : { endpoint: options.dynamodbEndpoint }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      log,
    });
    try {
      const started = performance.now();
      log(`building ${options.entry}…`);
      const service = await loadService(options.entry, {
        outDir,
        initTimeoutMs: LAMBDA_INIT_TIMEOUT_MS + timeoutMs,
      });
      log(`built in ${(performance.now() - started).toFixed(0)} ms`);
      for (const line of service.missing)
        log(`warning: the service imports a package that is not installed: ${line}`);
      // A request built from the flags is HTTP, which a worker refuses: say what it does take instead.
      if (!later && options.eventFile === undefined && isWorker(service.app)) {
        const schedules = service.schedules?.map((s) => s.name) ?? [];
        throw new ServiceError(
          `${options.entry} exports a worker (createWorker), which serves no HTTP: send it records with --source sqs (or another record source)${schedules.length === 0 ? '' : `, or fire a schedule with --schedule NAME (${schedules.join(', ')})`}`,
        );
      }
      await dynamodb.ensure(service.tables);
      if (options.schedule !== undefined) event = scheduleEventFor(options.schedule, service, log);
      else if (isRecordSource(options.source))
        event = await buildRecordEvent(options.source, options.record ?? {}, options.body, service.tables);
      // The handler's own output (log lines) goes to stderr, as `sam local invoke` does, so stdout
      // carries only the result and can be piped.
      const stdoutWrite = process.stdout.write;
      process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
      let result: unknown;
      try {
        result = await answerWithin(
          service.handler(event, fakeLambdaContext({ timeoutMs, functionName: 'lift-invoke' })),
          timeoutMs,
        );
      } catch (error) {
        // The stack is the service's own, mapped to its sources; the failure itself is one line.
        // A failed async record (schedule, SNS, S3, EventBridge) arrives wrapped; its cause is the
        // handler's own error, the one worth showing when the app's logger is off.
        // An event the handler refuses by its shape (InvalidEventError) is the event's fault, not the
        // code's: its message says what is wrong, and a stack (LIFT_DEBUG=1) would only point into Lift.
        // A timeout is said once, as the command's failure: its stack would only point at the CLI's timer.
        if (isThrownInstance(error, HandlerTimeoutError)) throw new ServiceError(error.message);
        const cause = thrownProperty(error, 'cause');
        const refused = thrownProperty(error, 'name') === 'InvalidEventError';
        if (!refused || process.env.LIFT_DEBUG !== undefined) {
          const withStack = typeof thrownProperty(cause, 'stack') === 'string' ? cause : error;
          log(`handler failed: ${thrownStack(withStack, service.mapStack)}`);
        }
        throw new ServiceError(
          `the handler ${refused ? 'refused the event' : 'threw'}: ${thrownMessage(error)}`,
        );
      } finally {
        process.stdout.write = stdoutWrite;
      }
      if ((result as { statusCode?: unknown } | null)?.statusCode === 401) {
        const authorization = headerValues(options.headers, 'authorization')?.values[0];
        const why = await explainRefusedToken(authorization, issuer, options.entry, {
          trust: serviceTrust(service.app),
        }).catch(() => undefined);
        if (why !== undefined) log(`401 because ${why}`);
      }
      return result;
    } finally {
      await dynamodb.close();
    }
  } finally {
    removeBuildDir(outDir);
    await jwks.close();
  }
}
