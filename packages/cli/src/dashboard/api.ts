import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TableDefinition } from '@lift/core/dynamodb';
import type { DevTokenOptions } from '../dev-issuer.js';
import type { ScheduleStatus } from '../schedules.js';
import { type DeclaredApp, isWorker } from '../service.js';
import { isEmail } from '../standins/cognito/pools.js';
import type { Mailbox } from '../standins/mailbox.js';
import { thrownMessage } from '../thrown.js';
import { readJson, sendJson } from './guard.js';
import { type MintTarget, mintPlan, type TokenSources } from './minting.js';
import type { DevOutbox } from './outbox.js';
import type { RequestLog, RequestSummary } from './request-log.js';
import { BrowseError, type TableBrowser } from './tables.js';

/** What the dashboard reads from the running dev server. */
export interface DashboardSources {
  /** The loaded service's app, once loaded (undefined before, or when the entry exports no app). */
  readonly app: () => DeclaredApp | undefined;
  /** The service's name for titles: the app's `service`, else the entry's folder or package name. */
  readonly name: () => string;
  /** The dev server's URL (the OpenAPI document's server is the address the page was opened at). */
  readonly url: () => string;
  /** How many user pools the service declares (the mailbox is theirs). */
  readonly userPools: () => number;
  readonly tables: () => readonly TableDefinition[];
  /** The schedules the service declares, with when each fires next. */
  readonly schedules: () => readonly ScheduleStatus[];
  /** Fires a declared schedule now (as `POST /_lift/schedules/NAME`); resolves to whether it succeeded. */
  readonly fire: (name: string) => Promise<boolean>;
  readonly mailbox: Mailbox;
  readonly outboxes: () => readonly DevOutbox[];
  /** The token minter's issuers and keys. */
  readonly tokens: TokenSources;
  readonly requests: RequestLog;
}

/** The JSON endpoints under `/_lift/api/`. */
export interface DashboardApi {
  overview(res: ServerResponse): void;
  openapi(req: IncomingMessage, res: ServerResponse): Promise<void>;
  requests(res: ServerResponse): void;
  request(id: string, res: ServerResponse): void;
  stream(req: IncomingMessage, res: ServerResponse): void;
  items(table: string, query: URLSearchParams, res: ServerResponse): Promise<void>;
  mail(res: ServerResponse): void;
  outbox(name: string, res: ServerResponse): void;
  run(name: string, res: ServerResponse): Promise<void>;
  tokenPlan(res: ServerResponse): void;
  token(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** The token panel's note for a worker, whose events carry no bearer token. */
const WORKER_TOKENS =
  "This service is a worker (createWorker): it serves no HTTP, so no request brings it a token and it uses none. A token minted here comes from lift dev's development issuer, for another service that trusts it (LIFT_DEV_ISSUER).";

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

function strings(value: unknown, what: string): string[] | string {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !NAME.test(v)))
    return `${what} must be a list of names (letters, digits, _ . : -)`;
  return value as string[];
}

/** A checked token request: what to mint and from which target (`dev` unless said). */
export interface TokenRequest extends Omit<DevTokenOptions, 'sub'> {
  readonly target: string;
  /** Required from the development issuer; for a user pool, the sub of a user made now. */
  readonly sub?: string;
  /** For a user pool: the user's email (their username). */
  readonly email?: string;
}

/** The checked token request, or what is wrong with it. */
export function tokenRequest(body: unknown): TokenRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'send a JSON object';
  const b = body as Record<string, unknown>;
  const target = b.target ?? 'dev';
  if (typeof target !== 'string' || !/^(dev|pool:[\w-]{1,64})$/.test(target))
    return 'target must be "dev" or "pool:<pool id>", one of those the panel lists';
  const blank = (v: unknown) => v === undefined || v === '';
  if (!blank(b.sub) && (typeof b.sub !== 'string' || !NAME.test(b.sub)))
    return 'sub (the user id) must be 1 to 128 of letters, digits, _ . : -';
  if (target === 'dev' && blank(b.sub))
    return 'sub (the user id) is required: 1 to 128 of letters, digits, _ . : -';
  if (!blank(b.email) && (typeof b.email !== 'string' || b.email.length > 254 || !isEmail(b.email)))
    return 'email must be an email address';
  if (target !== 'dev' && blank(b.email)) return 'email is required: a user pool names its users by email';
  if (b.tenant !== undefined && b.tenant !== '' && (typeof b.tenant !== 'string' || !NAME.test(b.tenant)))
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
    target,
    ...(blank(b.sub) ? {} : { sub: b.sub as string }),
    ...(blank(b.email) ? {} : { email: b.email as string }),
    ...(b.tenant === undefined || b.tenant === '' ? {} : { tenant: b.tenant as string }),
    ...(roles.length === 0 ? {} : { roles }),
    ...(scopes.length === 0 ? {} : { scopes }),
    ...(b.audience === undefined ? {} : { audience: b.audience as string }),
    ttlSeconds: ttl,
  };
}

/** Mints what `request` asks from `target`; a string says why it cannot. */
async function mintFor(
  sources: TokenSources,
  target: MintTarget,
  request: TokenRequest,
): Promise<Record<string, unknown> | string> {
  const expiresAt = new Date(Date.now() + (request.ttlSeconds ?? 3600) * 1000).toISOString();
  if (target.kind === 'dev-issuer') {
    const { target: _, email: __, ...options } = request;
    const audience = request.audience ?? target.audience;
    const token = await sources.mintDev({ ...options, sub: request.sub as string, audience });
    return { token, expiresAt, issuer: target.issuer, audience, sub: request.sub };
  }
  if (request.scopes !== undefined) return 'ID tokens carry no scopes; leave scopes empty for a user pool';
  if (request.audience !== undefined && request.audience !== target.audience)
    return `a user pool's ID token is for its app client (${target.audience}); leave the audience empty`;
  const minted = await sources.mintIdToken(target.id.slice('pool:'.length), {
    email: request.email as string,
    ...(request.sub === undefined ? {} : { sub: request.sub }),
    ...(request.tenant === undefined ? {} : { tenant: request.tenant }),
    ...(request.roles === undefined ? {} : { groups: request.roles }),
    ...(request.ttlSeconds === undefined ? {} : { ttlSeconds: request.ttlSeconds }),
  });
  return {
    token: minted.token,
    expiresAt,
    issuer: target.issuer,
    audience: minted.clientId,
    sub: minted.sub,
    email: minted.email,
    created: minted.created,
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
        // A worker serves no HTTP: the page says so instead of an empty routes list.
        worker: isWorker(app),
        userPools: sources.userPools(),
        openapi: typeof app?.openapi === 'function',
        schedules: sources.schedules().map((s) => {
          const last = sources.requests.lastFiring(s.name);
          return {
            ...s,
            next: s.next?.toISOString(),
            ...(last === undefined
              ? {}
              : {
                  last: {
                    at: new Date(last.startedAt).toISOString(),
                    trigger: last.trigger,
                    status: last.status,
                    id: last.id,
                  },
                }),
          };
        }),
        tables: browser.list(),
        outboxes: sources.outboxes().map((o) => ({ name: o.name, title: o.title ?? o.name })),
      });
    },
    async openapi(req, res) {
      const app = sources.app();
      if (typeof app?.openapi !== 'function') {
        sendJson(res, 501, {
          message:
            app === undefined
              ? 'the entry exports no Lift app; export it (export const app = createApp(...)) to see its API'
              : isWorker(app)
                ? 'the entry exports a worker (createWorker), which serves no HTTP: there is no API to explore'
                : 'this @lift/core has no app.openapi(); update @lift/core to see the API explorer',
        });
        return;
      }
      try {
        const doc = await app.openapi({
          info: { title: sources.name(), version: 'dev' },
          // The address the page was opened at (localhost, 127.0.0.1 or [::1]: the guard let only
          // loopback names through), so "Try it out" stays on the page's origin, which its CSP allows.
          servers: [{ url: req.headers.host === undefined ? sources.url() : `http://${req.headers.host}` }],
        });
        sendJson(res, 200, doc);
      } catch (error) {
        // The developer's own machine: the reason is what they need to fix their schemas.
        sendJson(res, 500, {
          message: `app.openapi() failed: ${thrownMessage(error)}`,
        });
      }
    },
    requests(res) {
      sendJson(res, 200, sources.requests.list());
    },
    request(id, res) {
      const found = /^\d{1,9}$/.test(id) ? sources.requests.get(Number(id)) : undefined;
      if (found === undefined)
        sendJson(res, 404, {
          message: `no request ${id} in the log (it keeps the latest 200 requests and 50 schedule firings)`,
        });
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
    tokenPlan(res) {
      const plan = mintPlan(sources.tokens);
      // A worker has no describe(), so the plan would blame a missing app: say what is true instead.
      sendJson(res, 200, isWorker(sources.app()) ? { ...plan, note: WORKER_TOKENS } : plan);
    },
    async token(req, res) {
      const request = tokenRequest(await readJson(req));
      if (typeof request === 'string') {
        sendJson(res, 400, { message: request });
        return;
      }
      const plan = mintPlan(sources.tokens);
      const target = plan.targets.find((t) => t.id === request.target);
      if (target === undefined) {
        sendJson(res, 400, {
          message: `cannot mint for ${request.target}: ${plan.note ?? `the service does not trust it; mint for ${plan.targets.map((t) => t.id).join(' or ')}`}`,
        });
        return;
      }
      try {
        const minted = await mintFor(sources.tokens, target, request);
        if (typeof minted === 'string') sendJson(res, 400, { message: minted });
        else sendJson(res, 200, minted);
      } catch (error) {
        // The stand-in's refusals (an email taken under another sub) say what to change.
        sendJson(res, 400, { message: thrownMessage(error) });
      }
    },
  };
}
