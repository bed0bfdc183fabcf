import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TableDefinition } from '@lift/core/dynamodb';
import type { DevTokenOptions } from '../dev-issuer.js';
import type { ScheduleStatus } from '../schedules.js';
import type { DeclaredApp } from '../service.js';
import type { Mailbox } from '../standins/mailbox.js';
import { readJson, sendJson } from './guard.js';
import type { DevOutbox } from './outbox.js';
import type { RequestLog, RequestSummary } from './request-log.js';
import { BrowseError, type TableBrowser } from './tables.js';

/** What the dashboard reads from the running dev server. */
export interface DashboardSources {
  /** The loaded service's app, once loaded (undefined before, or when the entry exports no app). */
  readonly app: () => DeclaredApp | undefined;
  /** The service's name for titles: the app's `service`, else the entry's file name. */
  readonly name: () => string;
  /** The dev server's URL, as the OpenAPI document's server. */
  readonly url: () => string;
  readonly tables: () => readonly TableDefinition[];
  /** The schedules the service declares, with when each fires next. */
  readonly schedules: () => readonly ScheduleStatus[];
  /** Fires a declared schedule now (as `POST /_lift/schedules/NAME`); resolves to whether it succeeded. */
  readonly fire: (name: string) => Promise<boolean>;
  readonly mailbox: Mailbox;
  readonly outboxes: () => readonly DevOutbox[];
  /** Mints a development token, as `lift token`. */
  readonly mint: (options: DevTokenOptions) => Promise<string>;
  readonly requests: RequestLog;
}

/** The JSON endpoints under `/_lift/api/`. */
export interface DashboardApi {
  overview(res: ServerResponse): void;
  openapi(res: ServerResponse): Promise<void>;
  requests(res: ServerResponse): void;
  request(id: string, res: ServerResponse): void;
  stream(req: IncomingMessage, res: ServerResponse): void;
  items(table: string, query: URLSearchParams, res: ServerResponse): Promise<void>;
  mail(res: ServerResponse): void;
  outbox(name: string, res: ServerResponse): void;
  run(name: string, res: ServerResponse): Promise<void>;
  token(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

function strings(value: unknown, what: string): string[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !NAME.test(v)))
    return `${what} must be a list of names (letters, digits, _ . : -)`;
  return value as string[];
}

/** The checked token request, or what is wrong with it. */
export function tokenRequest(body: unknown): DevTokenOptions | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'send a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.sub !== 'string' || !NAME.test(b.sub))
    return 'sub (the user id) is required: 1 to 128 of letters, digits, _ . : -';
  if (b.tenant !== undefined && (typeof b.tenant !== 'string' || !NAME.test(b.tenant)))
    return 'tenant must be 1 to 128 of letters, digits, _ . : -';
  const roles = strings(b.roles, 'roles');
  if (typeof roles === 'string') return roles;
  const scopes = strings(b.scopes, 'scopes');
  if (typeof scopes === 'string') return scopes;
  if (b.audience !== undefined && (typeof b.audience !== 'string' || b.audience === ''))
    return 'audience must be a non-empty string';
  const ttl = b.ttlSeconds ?? 3600;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 60 || ttl > 7 * 86_400)
    return 'ttlSeconds must be a whole number of seconds from 60 to 604800';
  return {
    sub: b.sub,
    ...(b.tenant === undefined || b.tenant === '' ? {} : { tenant: b.tenant as string }),
    ...(roles.length === 0 ? {} : { roles }),
    ...(scopes.length === 0 ? {} : { scopes }),
    ...(b.audience === undefined ? {} : { audience: b.audience as string }),
    ttlSeconds: ttl,
  };
}

/** The endpoints over `sources`; each answers in full, failures as JSON with a clear message. */
export function dashboardApi(sources: DashboardSources, browser: TableBrowser): DashboardApi {
  return {
    overview(res) {
      const app = sources.app();
      sendJson(res, 200, {
        service: sources.name(),
        url: sources.url(),
        routes: app?.manifest().routes ?? [],
        hasApp: app !== undefined,
        openapi: typeof app?.openapi === 'function',
        schedules: sources.schedules().map((s) => ({ ...s, next: s.next?.toISOString() })),
        tables: browser.list(),
        outboxes: sources.outboxes().map((o) => ({ name: o.name, title: o.title ?? o.name })),
      });
    },
    async openapi(res) {
      const app = sources.app();
      if (typeof app?.openapi !== 'function') {
        sendJson(res, 501, {
          message:
            app === undefined
              ? 'the entry exports no Lift app; export it (export const app = createApp(...)) to see its API'
              : 'this @lift/core has no app.openapi(); update @lift/core to see the API explorer',
        });
        return;
      }
      try {
        const doc = await app.openapi({
          info: { title: sources.name(), version: 'dev' },
          servers: [{ url: sources.url() }],
        });
        sendJson(res, 200, doc);
      } catch (error) {
        // The developer's own machine: the reason is what they need to fix their schemas.
        sendJson(res, 500, {
          message: `app.openapi() failed: ${(error as Error)?.message ?? String(error)}`,
        });
      }
    },
    requests(res) {
      sendJson(res, 200, sources.requests.list());
    },
    request(id, res) {
      const found = /^\d{1,9}$/.test(id) ? sources.requests.get(Number(id)) : undefined;
      if (found === undefined)
        sendJson(res, 404, { message: `no request ${id} in the log (it keeps the latest 200)` });
      else sendJson(res, 200, found);
    },
    stream(req, res) {
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.write(': live request log\n\n');
      const send = (summary: RequestSummary) =>
        res.write(`event: request\ndata: ${JSON.stringify(summary)}\n\n`);
      const stop = sources.requests.subscribe(send);
      // Proxies and browsers drop an idle stream; a comment every 15 s keeps it.
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      ping.unref();
      req.socket.once('close', () => {
        clearInterval(ping);
        stop();
      });
    },
    async items(table, query, res) {
      const limit = query.get('limit');
      try {
        const page = await browser.items(table, {
          ...(query.get('pk') === null ? {} : { pk: query.get('pk') as string }),
          ...(query.get('sk') === null ? {} : { skPrefix: query.get('sk') as string }),
          ...(query.get('cursor') === null ? {} : { cursor: query.get('cursor') as string }),
          ...(limit === null ? {} : { limit: Number(limit) }),
        });
        sendJson(res, 200, page);
      } catch (error) {
        if (error instanceof BrowseError) sendJson(res, 400, { message: error.message });
        else {
          const e = error as { name?: string; message?: string };
          // DynamoDB's own refusals (a bad key type) say what is wrong; the endpoint is local.
          sendJson(res, 502, {
            message: `local DynamoDB: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
          });
        }
      }
    },
    mail(res) {
      sendJson(res, 200, sources.mailbox.list());
    },
    outbox(name, res) {
      const outbox = sources.outboxes().find((o) => o.name === name);
      if (outbox === undefined) sendJson(res, 404, { message: `no outbox "${name}"` });
      else sendJson(res, 200, outbox.list());
    },
    async run(name, res) {
      if (!sources.schedules().some((s) => s.name === name)) {
        sendJson(res, 404, {
          message: `no schedule "${name}"`,
          schedules: sources.schedules().map((s) => s.name),
        });
        return;
      }
      const ok = await sources.fire(name);
      sendJson(res, ok ? 200 : 500, { schedule: name, ok });
    },
    async token(req, res) {
      const options = tokenRequest(await readJson(req));
      if (typeof options === 'string') {
        sendJson(res, 400, { message: options });
        return;
      }
      const token = await sources.mint(options);
      sendJson(res, 200, {
        token,
        expiresAt: new Date(Date.now() + (options.ttlSeconds ?? 3600) * 1000).toISOString(),
      });
    },
  };
}
