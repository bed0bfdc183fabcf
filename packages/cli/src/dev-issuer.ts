import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { DEFAULT_LEEWAY_SECONDS } from '@lift/core/auth';
import { importJWK, SignJWT } from 'jose';
import { entrySlug, liftCacheDir } from './paths.js';

/** The issuer name of development tokens. */
export const DEV_ISSUER = 'https://lift.dev/local-issuer';
/** Where `lift dev` serves the development key set. */
export const DEV_JWKS_PATH = '/.well-known/lift-dev-jwks.json';
/** The audience `lift token` puts in a token when `--aud` is not given. */
export const DEFAULT_DEV_AUDIENCE = 'lift-dev';

/** The development signing key of one service. */
export interface DevIssuer {
  readonly issuer: string;
  readonly kid: string;
  readonly publicJwk: Record<string, unknown>;
  readonly privateJwk: Record<string, unknown>;
}

/** Where the development key of the service at `entry` is kept (outside the sources). */
export function devIssuerFile(entry: string): string {
  return join(liftCacheDir(entry), 'dev-issuers', `${entrySlug(entry)}.json`);
}

/**
 * The development key of the service at `entry`: created on first use in the project's cache
 * (see {@link devIssuerFile}), then reused, so `lift token`, `lift dev` and `lift invoke` agree.
 * Never use it outside development.
 */
export function loadDevIssuer(entry: string): DevIssuer {
  const file = devIssuerFile(entry);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevIssuer;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `dev-${Date.now().toString(36)}`;
  const issuer: DevIssuer = {
    issuer: DEV_ISSUER,
    kid,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256' },
  };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // `lift token` and `lift dev` may both create the key at once: each writes its own file and links
  // it into place, and the one that loses reads the winner's, so both sign with the same key.
  // Random, not the pid: threads of one process (test workers) share it.
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, JSON.stringify(issuer), { mode: 0o600 });
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return JSON.parse(readFileSync(file, 'utf8')) as DevIssuer;
  } finally {
    rmSync(temp, { force: true });
  }
  return issuer;
}

/**
 * A `.lift/` folder beside the entry, where earlier versions kept build output and the private
 * development key; returns a line saying it can go, or undefined when there is none.
 */
export function legacyFolderNotice(entry: string): string | undefined {
  const legacy = join(dirname(resolve(entry)), '.lift');
  if (!existsSync(legacy)) return undefined;
  return `${legacy} was left by an earlier lift (build output and a private development key); delete it, lift now keeps these in ${liftCacheDir(entry)}`;
}

/**
 * Sets what a service sees under `lift dev` and `lift invoke` alike: `LIFT_DEV=1`, no EMF metrics
 * (`POWERTOOLS_DEV`), and the development issuer with the URL of its key set, so the service
 * verifies `lift token` tokens through its ordinary JWKS path.
 */
export function applyDevEnvironment(issuer: DevIssuer, jwksUri: string): void {
  process.env.LIFT_DEV = '1';
  process.env.POWERTOOLS_DEV ??= 'true';
  // As Lambda sets it, so the first invocation of each loaded bundle logs cold_start: true.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ??= 'on-demand';
  process.env.LIFT_DEV_ISSUER = issuer.issuer;
  process.env.LIFT_DEV_JWKS_URI = jwksUri;
}

/** The development key set as served at {@link DEV_JWKS_PATH}. */
export function devJwks(issuer: DevIssuer): string {
  return JSON.stringify({ keys: [issuer.publicJwk] });
}

/** A loopback server for the key set alone, for `lift invoke`, which has no dev server to serve it. */
export async function serveDevJwks(issuer: DevIssuer): Promise<{ uri: string; close(): Promise<void> }> {
  const body = devJwks(issuer);
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === DEV_JWKS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  // The service under invoke must not keep the process alive through this server's keep-alive sockets.
  server.unref();
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    uri: `http://127.0.0.1:${port}${DEV_JWKS_PATH}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Who a development token is for. */
export interface DevTokenOptions {
  readonly sub: string;
  readonly tenant?: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  readonly audience?: string;
  /**
   * Lifetime in seconds (default 3600). Negative: a token that expired that long ago beyond the
   * clock skew services allow (`DEFAULT_LEEWAY_SECONDS`), so `-1` is already refused.
   */
  readonly ttlSeconds?: number;
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** Mints an RS256 token from the development issuer, with Cognito-style claim names. */
export async function mintDevToken(issuer: DevIssuer, options: DevTokenOptions): Promise<string> {
  const key = await importJWK(issuer.privateJwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const ttl = options.ttlSeconds ?? 3600;
  return (
    new SignJWT({
      ...options.claims,
      ...(options.tenant === undefined ? {} : { 'custom:tenant_id': options.tenant }),
      ...(options.roles === undefined ? {} : { 'cognito:groups': [...options.roles] }),
      ...(options.scopes === undefined ? {} : { scope: options.scopes.join(' ') }),
    })
      .setProtectedHeader({ alg: 'RS256', kid: issuer.kid })
      .setIssuer(issuer.issuer)
      .setSubject(options.sub)
      .setAudience(options.audience ?? DEFAULT_DEV_AUDIENCE)
      // An expired token (negative ttl, for testing refusals) is issued before it expired, as real ones are.
      .setIssuedAt(ttl < 0 ? now + ttl - DEFAULT_LEEWAY_SECONDS - 1 : now)
      .setJti(globalThis.crypto.randomUUID())
      .setExpirationTime(ttl < 0 ? now + ttl - DEFAULT_LEEWAY_SECONDS : now + ttl)
      .sign(key)
  );
}
