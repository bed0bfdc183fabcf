import type { IncomingMessage, ServerResponse } from 'node:http';
import { notLocal } from './dashboard/index.js';
import { DEV_JWKS_PATH } from './dev-issuer.js';
import { DEV_MAIL_PATH } from './local-cloud.js';
import type { Mailbox } from './standins/mailbox.js';

/** `POST /_lift/schedules/NAME` fires a declared schedule now. */
export const SCHEDULE_PATH_PREFIX = '/_lift/schedules/';
const SCHEDULE_PATH = /^\/_lift\/schedules\/([^/?#]+)$/;

/** What the dev server's own routes read. */
export interface DevRoutesOptions {
  /** The local issuer's key set, as served. */
  readonly jwks: string;
  readonly mailbox: Mailbox;
  /** The names of the schedules the loaded service declares. */
  readonly schedules: () => readonly string[];
  /** Fires a schedule now; resolves to whether its handler succeeded. */
  readonly fire: (name: string) => Promise<boolean>;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));

/**
 * The routes of the dev server itself, answered before the service sees a request, so no deployed
 * handler can ever serve them: the development key set, the mail the stand-ins sent (`GET
 * /_lift/mail`, newest first) and the dev clock control (`POST /_lift/schedules/NAME` fires a declared
 * schedule now instead of at its next time). Resolves to whether the request was one of them.
 */
export function devRoutes(
  options: DevRoutesOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if (req.method === 'GET' && req.url === DEV_JWKS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(options.jwks);
      return true;
    }
    const mail = req.method === 'GET' && req.url === DEV_MAIL_PATH;
    const firing = req.method === 'POST' ? SCHEDULE_PATH.exec(req.url ?? '') : null;
    if (!mail && firing === null) return false;
    // Sign-in codes and schedule runs are this machine's: not a LAN peer's, not a page on another
    // site (a plain POST needs no preflight), not a DNS-rebinding page's. curl here passes.
    const foreign = notLocal(req);
    if (foreign !== undefined) {
      json(res, 403, { message: foreign });
      return true;
    }
    if (firing === null) {
      json(res, 200, options.mailbox.list());
      return true;
    }
    const name = decodeURIComponent(firing[1] as string);
    const declared = options.schedules();
    if (!declared.includes(name)) json(res, 404, { message: `no schedule "${name}"`, schedules: declared });
    else {
      const ok = await options.fire(name);
      json(res, ok ? 200 : 500, { schedule: name, ok });
    }
    return true;
  };
}
