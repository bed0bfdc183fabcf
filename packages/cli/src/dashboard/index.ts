/**
 * The dev dashboard at `/_lift/` of `lift dev`: routes and their access, the API explorer, the live
 * request log, the local tables, mail and outboxes, schedules and dev tokens. Served by the dev server
 * alone, never by a deployed handler. See docs/dev-server.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { thrownStack } from '../thrown.js';
import { type DashboardSources, dashboardApi } from './api.js';
import { dashboardAssets } from './assets.js';
import { openCapture } from './capture.js';
import { DEV_PREFIX, isReservedPattern, refusal, sendJson } from './guard.js';
import type { RequestTrace } from './request-log.js';
import { tableBrowser } from './tables.js';

export type { DashboardSources } from './api.js';
export { DEV_PREFIX, isReservedPattern, notLocal } from './guard.js';
export type { MintPlan, MintTarget, TokenSources } from './minting.js';
export { type DevOutbox, expoPushOutbox, type OutboxMessage } from './outbox.js';
export {
  type FiringTrigger,
  type LogLine,
  type RequestDetail,
  RequestLog,
  type RequestSummary,
  type RequestTrace,
} from './request-log.js';

/** Options of {@link createDashboard}. */
export interface DashboardOptions extends DashboardSources {
  /** The DynamoDB the service's tables are in. */
  readonly dynamodbEndpoint: string;
  /** Where a failure of the dashboard itself is printed. */
  readonly log: (line: string) => void;
}

/** The dashboard of one dev server. */
export interface Dashboard {
  /** Answers a request under `/_lift/` that is the dashboard's; false for any other. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Runs a request's or firing's code with its output recorded in `trace`. */
  capture<T>(trace: RequestTrace, fn: () => T): T;
  close(): void;
}

/**
 * The app routes under `/_lift/` (never reachable under `lift dev`, which answers every path there),
 * as one message, or undefined when there are none.
 */
export function reservedRouteProblem(
  routes: readonly { method: string; pattern: string }[],
): string | undefined {
  const clash = routes.filter((r) => isReservedPattern(r.pattern));
  if (clash.length === 0) return undefined;
  return `${clash.map((r) => `${r.method} ${r.pattern}`).join(', ')}: paths under ${DEV_PREFIX}/ belong to lift dev (its dashboard and tools); move ${clash.length > 1 ? 'these routes' : 'this route'} elsewhere`;
}

/**
 * What to call a service whose entry exports no app (so no `service` name): the `name` of the
 * nearest package.json up to three folders above the entry, else the entry's folder's name (the one
 * above `src/`), never the file's name (`handler`), which says nothing.
 */
export function entryName(entry: string): string {
  const home = dirname(resolve(entry));
  let dir = home;
  for (let i = 0; i < 3; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const name = (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name;
        if (typeof name === 'string' && name !== '') return name;
      } catch {
        // An unreadable package.json: the folder's name will do.
      }
      break;
    }
    dir = dirname(dir);
  }
  const folder = basename(home) === 'src' ? basename(dirname(home)) : basename(home);
  return folder === '' ? basename(entry).replace(/\.[cm]?[jt]sx?$/, '') : folder;
}

const API = /^\/_lift\/api\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/;

/** Builds the dashboard over the dev server's sources. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const browser = tableBrowser(options.dynamodbEndpoint, options.tables);
  const api = dashboardApi(options, browser);
  const assets = dashboardAssets();
  const output = openCapture();

  const route = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && path === `${DEV_PREFIX}/`) return assets.serve('index.html', res);
    if (get && path === `${DEV_PREFIX}/openapi.json`) return api.openapi(req, res).then(() => true);
    if (get && path.startsWith(`${DEV_PREFIX}/assets/`)) return assets.serve(path.slice(14), res);
    const match = API.exec(path);
    if (match === null) return false;
    const [, what, rawName, action] = match;
    let name: string | undefined;
    try {
      name = rawName === undefined ? undefined : decodeURIComponent(rawName);
    } catch {
      return false;
    }
    if (get && what === 'overview' && name === undefined) api.overview(res);
    else if (get && what === 'requests' && name === undefined) api.requests(res);
    else if (get && what === 'stream' && name === undefined) api.stream(req, res);
    else if (get && what === 'requests' && name !== undefined && action === undefined) api.request(name, res);
    else if (get && what === 'tables' && name !== undefined && action === 'items')
      await api.items(name, query, res);
    else if (get && what === 'mail' && name === undefined) api.mail(res);
    else if (get && what === 'outboxes' && name !== undefined && action === undefined) api.outbox(name, res);
    else if (req.method === 'POST' && what === 'schedules' && name !== undefined && action === 'run')
      await api.run(name, res);
    else if (get && what === 'token' && name === undefined) api.tokenPlan(res);
    else if (req.method === 'POST' && what === 'token' && name === undefined) await api.token(req, res);
    else return false;
    return true;
  };

  return {
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://dev.invalid');
      const path = url.pathname;
      if (path === DEV_PREFIX) {
        res.writeHead(308, { location: `${DEV_PREFIX}/` }).end();
        return true;
      }
      // Every path under the prefix is the dev server's, known or not (app routes there are refused).
      if (!path.startsWith(`${DEV_PREFIX}/`)) return false;
      const refused = refusal(req);
      if (refused !== undefined) {
        sendJson(res, 403, { message: refused });
        return true;
      }
      try {
        if (await route(req, res, path, url.searchParams)) return true;
      } catch (error) {
        options.log(`dashboard: ${req.method} ${path} failed: ${thrownStack(error)}`);
        if (!res.headersSent)
          sendJson(res, 500, { message: 'the dashboard failed; the dev server printed why' });
        else res.end();
        return true;
      }
      sendJson(res, 404, { message: `no dashboard endpoint ${req.method} ${path}` });
      return true;
    },
    capture: (trace, fn) => output.run((text, stream) => trace.write(text, stream), fn),
    close() {
      output.close();
      browser.close();
    },
  };
}
