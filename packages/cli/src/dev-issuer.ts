import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { bundleDir } from './service.js';

/** The issuer name of development tokens. */
export const DEV_ISSUER = 'https://lift.dev/local-issuer';
/** Where `lift dev` serves the development key set. */
export const DEV_JWKS_PATH = '/.well-known/lift-dev-jwks.json';

/** The development signing key of one service. */
export interface DevIssuer {
  readonly issuer: string;
  readonly kid: string;
  readonly publicJwk: Record<string, unknown>;
  readonly privateJwk: Record<string, unknown>;
}

/**
 * The development key of the service at `entry`: created on first use in the entry's `.lift/` folder
 * (git-ignored), then reused, so `lift token` and `lift dev` agree. Never use it outside development.
 */
export function loadDevIssuer(entry: string): DevIssuer {
  const dir = bundleDir(entry);
  const file = join(dir, 'dev-issuer.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevIssuer;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `dev-${Date.now().toString(36)}`;
  const issuer: DevIssuer = {
    issuer: DEV_ISSUER,
    kid,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256' },
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(issuer), { mode: 0o600 });
  return issuer;
}

/** Who a development token is for. */
export interface DevTokenOptions {
  readonly sub: string;
  readonly tenant?: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  readonly audience?: string;
  /** Lifetime in seconds (default 3600). */
  readonly ttlSeconds?: number;
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** Mints an RS256 token from the development issuer, with Cognito-style claim names. */
export async function mintDevToken(issuer: DevIssuer, options: DevTokenOptions): Promise<string> {
  const key = await importJWK(issuer.privateJwk, 'RS256');
  return new SignJWT({
    ...options.claims,
    ...(options.tenant === undefined ? {} : { 'custom:tenant_id': options.tenant }),
    ...(options.roles === undefined ? {} : { 'cognito:groups': [...options.roles] }),
    ...(options.scopes === undefined ? {} : { scope: options.scopes.join(' ') }),
  })
    .setProtectedHeader({ alg: 'RS256', kid: issuer.kid })
    .setIssuer(issuer.issuer)
    .setSubject(options.sub)
    .setAudience(options.audience ?? 'lift-dev')
    .setIssuedAt()
    .setJti(globalThis.crypto.randomUUID())
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`)
    .sign(key);
}
