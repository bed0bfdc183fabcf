import { relative, resolve } from 'node:path';
import { DEFAULT_LEEWAY_SECONDS } from '@lift/core/auth';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWTPayload } from 'jose';
import { DEFAULT_DEV_AUDIENCE, type DevIssuer } from './dev-issuer.js';

// The clock skew Lift's jwtAuthenticator allows by default, so "expired" here means expired there.

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((v) => v !== '');
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The `lift token` command that mints this token again, with some flags replaced. */
function remint(entry: string, claims: JWTPayload, replace: Readonly<Record<string, string>> = {}): string {
  const flags: [string, string | undefined][] = [
    ['--sub', typeof claims.sub === 'string' ? claims.sub : 'USER'],
    ['--tenant', typeof claims['custom:tenant_id'] === 'string' ? claims['custom:tenant_id'] : undefined],
    ['--roles', stringList(claims['cognito:groups']).join(',') || undefined],
    ['--scopes', stringList(claims.scope).join(',') || undefined],
    ['--aud', stringList(claims.aud).find((a) => a !== DEFAULT_DEV_AUDIENCE)],
  ];
  const words = ['lift', 'token', relative(process.cwd(), resolve(entry)) || entry];
  for (const [flag, value] of flags) {
    const chosen = replace[flag] ?? value;
    if (chosen !== undefined) words.push(flag, chosen);
  }
  for (const [flag, value] of Object.entries(replace)) {
    if (!flags.some(([f]) => f === flag)) words.push(flag, value);
  }
  return words.map(shellWord).join(' ');
}

function ago(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * Why a service under `lift dev` or `lift invoke` probably refused the bearer token of a request
 * it answered 401, measured against the development issuer: not a JWT, another issuer, an old or
 * wrong key, a bad signature, expired, not yet valid, or (when all of that holds) a claim the service
 * checks itself, most often the audience. Each reason names the `lift token` command that fixes it.
 * Undefined when the request carried no bearer token. For the terminal only: the client keeps
 * getting the service's generic 401.
 */
export async function explainRefusedToken(
  authorization: string | undefined,
  issuer: DevIssuer,
  entry: string,
  now: number = Date.now(),
): Promise<string | undefined> {
  if (authorization === undefined || !/^bearer\s/i.test(authorization)) return undefined;
  const token = authorization.slice(7).trim();
  const fresh = remint(entry, {});
  let header: Record<string, unknown>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
    claims = decodeJwt(token);
  } catch {
    return `the bearer token is not a JWT; mint one with: ${fresh}`;
  }
  const again = remint(entry, claims);
  if (claims.iss !== issuer.issuer) {
    return `the token's issuer is ${JSON.stringify(claims.iss ?? null)}, not lift's development issuer (${issuer.issuer}); mint a development token with: ${again} (if the service trusts that issuer too, check that issuer's settings)`;
  }
  if (header.alg !== 'RS256') {
    return `the token is signed with ${String(header.alg)}, not RS256 as lift token signs; mint a new one with: ${again}`;
  }
  if (header.kid !== issuer.kid) {
    return `the token was signed with a development key this project no longer has (kid ${String(header.kid)}, now ${issuer.kid}: the key was made again, e.g. after node_modules was removed); mint a new one with: ${again}`;
  }
  try {
    await compactVerify(token, await importJWK(issuer.publicJwk, 'RS256'));
  } catch {
    return `bad signature: the token was altered, or signed with another key under the same kid; mint a new one with: ${again}`;
  }
  const nowSeconds = now / 1000;
  if (typeof claims.exp !== 'number') {
    return `the token has no "exp" claim, and tokens that never expire are refused; mint one with: ${again}`;
  }
  if (claims.exp + DEFAULT_LEEWAY_SECONDS <= nowSeconds) {
    return `the token expired ${ago(nowSeconds - claims.exp)} ago (${new Date(claims.exp * 1000).toISOString()}); mint a new one, --ttl sets its lifetime in seconds: ${remint(entry, claims, { '--ttl': '3600' })}`;
  }
  if (typeof claims.nbf === 'number' && claims.nbf - DEFAULT_LEEWAY_SECONDS > nowSeconds) {
    return `the token is not valid before ${new Date(claims.nbf * 1000).toISOString()}; mint a new one with: ${again}`;
  }
  if (typeof claims.iat === 'number' && claims.iat - DEFAULT_LEEWAY_SECONDS > nowSeconds) {
    return `the token says it was issued in the future (${new Date(claims.iat * 1000).toISOString()}); mint a new one with: ${again}`;
  }
  const audience = stringList(claims.aud);
  return `the token's issuer, key, signature and times are right, so the service refused a claim: most likely the audience, which is ${JSON.stringify(audience.length === 1 ? audience[0] : audience)}${audience.includes(DEFAULT_DEV_AUDIENCE) ? ` (lift token's default when --aud is not given)` : ''}; mint one for the audience the service expects with: ${remint(entry, claims, { '--aud': 'AUDIENCE' })} (else check the tenant and role claims)`;
}
