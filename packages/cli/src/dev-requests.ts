/**
 * How the dev server answers one HTTP request: its own routes first, then the loaded service's
 * handler through the API Gateway bridge, with one log line per request, the request traced for the
 * dashboard, and the reason for a 401 worked out and logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fakeLambdaContext } from '@lift/core/testing';
import type { Dashboard, RequestLog } from './dashboard/index.js';
import { answerWithin } from './deadline.js';
import type { DevIssuer } from './dev-issuer.js';
import { refuseTooLarge } from './dev-net.js';
import {
  BodyTooLargeError,
  type EventFormat,
  isStreamingHandler,
  readRequestBody,
  streamResult,
  toEvent,
  writeResult,
} from './http-bridge.js';
import type { LocalUserPool } from './local-cloud.js';
import { isWorker, type LoadedService } from './service.js';
import { thrownStack } from './thrown.js';
import { explainRefusedToken } from './token-diagnosis.js';
import { serviceTrust } from './trusted-issuers.js';

/** What {@link requestHandler} reads; the service and the user pools are read anew for each request. */
export interface RequestHandlerOptions {
  /** The dev key set, mail and schedule routes; resolves to whether it answered the request. */
  readonly ownRoutes: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** Answers its own routes, and records what the handler prints for each traced request. */
  readonly dashboard: Pick<Dashboard, 'handle' | 'capture'>;
  /** Where each request is traced for the dashboard. */
  readonly requests: RequestLog;
  /** The loaded service, undefined until the first build finished. */
  readonly service: () => LoadedService | undefined;
  /** API Gateway payload the handler gets. */
  readonly format: EventFormat;
  /** The Lambda timeout the handler sees through its context, in ms. */
  readonly timeoutMs: number;
  /** The function name the handler sees in its Lambda context. */
  readonly functionName: string;
  /** The local issuer, to explain a 401 and say how to mint a better token. */
  readonly devIssuer: DevIssuer;
  /** The entry file, named in the advice for a refused token. */
  readonly entry: string;
  /** The local user pools served now, whose tokens a 401 may have been about. */
  readonly userPools: () => readonly LocalUserPool[];
  /** Where the one line per request (and a failing handler's stack) goes. */
  readonly log: (line: string) => void;
}

/**
 * Makes the dev server's request listener: each request to the service becomes an API Gateway event
 * for the newest loaded handler and its result is written back as API Gateway would; 503 while the
 * service first loads, 404 for a worker, 413 for a body over 10 MB, a generic 500 when the handler
 * throws (the stack is logged here).
 */
export function requestHandler(
  options: RequestHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { ownRoutes, dashboard: dash, requests, format, timeoutMs, log } = options;
  return async (req, res) => {
    // The dev server's own routes (key set, mail, schedule firing, dashboard), never the service's.
    if ((await ownRoutes(req, res)) || (await dash.handle(req, res))) return;
    const started = performance.now();
    const ms = () => `${(performance.now() - started).toFixed(1)} ms`;
    // One line per request, whatever happens to it.
    let logged = false;
    const line = (text: string): boolean => {
      if (logged) return false;
      logged = true;
      log(text);
      return true;
    };
    const trace = requests.start(req.method ?? 'GET', req.url ?? '/');
    res.once('close', () => {
      trace.finish(res.writableFinished ? res.statusCode : 0);
      if (!res.writableFinished) line(`${req.method} ${req.url} client disconnected after ${ms()}`);
    });
    const loaded = options.service();
    if (loaded === undefined) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"Service is loading"}');
      line(`${req.method} ${req.url} 503 (still loading) ${ms()}`);
      return;
    }
    // A worker has no routes and no HTTP path at all: say so instead of a bare 500 from its handler.
    if (isWorker(loaded.app)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          message:
            'This service is a worker (createWorker): it serves no HTTP; fire its schedules with POST /_lift/schedules/NAME, send it records with lift invoke --source sqs (or another record source)',
        }),
      );
      line(`${req.method} ${req.url} 404 (a worker serves no HTTP) ${ms()}`);
      return;
    }
    let body: Buffer;
    try {
      body = await readRequestBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        refuseTooLarge(req, res);
        line(`${req.method} ${req.url} 413 (body over API Gateway's 10 MB) ${ms()}`);
      } else {
        line(`${req.method} ${req.url} client disconnected after ${ms()}`);
      }
      return;
    }
    const requestId = globalThis.crypto.randomUUID();
    // A reload may have swapped the service while the body arrived; the request gets the newest.
    // (Once loaded, the service is only ever replaced, so the fallback is for the types alone.)
    const current = options.service() ?? loaded;
    let status: number;
    try {
      const event = toEvent(req, body, format, requestId);
      const context = fakeLambdaContext({
        timeoutMs,
        functionName: options.functionName,
        awsRequestId: requestId,
      });
      // A streaming handler (`streamify(app)`) writes its answer to `res` as it produces it.
      // A streamed answer is not bounded: ending it at the timeout would need the stream torn down
      // under a handler still writing to it (Lambda cuts it there).
      status = isStreamingHandler(current.handler)
        ? await dash.capture(trace, () => streamResult(res, current.handler, event, context))
        : writeResult(
            res,
            await answerWithin(
              dash.capture(trace, () => current.handler(event, context)),
              timeoutMs,
            ),
          );
    } catch (error) {
      // As API Gateway does when the function fails: a generic 500 to the client, the stack here.
      const failure = thrownStack(error, current.mapStack);
      trace.fail(failure);
      log(`handler failed: ${failure}`);
      // Once a streamed answer's status went out, only breaking the transfer off says it failed.
      if (res.headersSent) res.socket?.end();
      else
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      status = 500;
    }
    const why =
      status === 401
        ? await explainRefusedToken(req.headers.authorization, options.devIssuer, options.entry, {
            trust: serviceTrust(current.app),
            keySets: options.userPools().map((p) => ({ issuer: p.issuer, jwksUrl: p.jwksUrl })),
          }).catch(() => undefined)
        : undefined;
    if (line(`${req.method} ${req.url} ${status} ${ms()}`) && why !== undefined) log(`  401 because ${why}`);
  };
}
