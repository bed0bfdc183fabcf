import { relative, resolve } from 'node:path';
import { DEFAULT_LEEWAY_SECONDS } from '@lift/core/auth';
import {
  compactVerify,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  importJWK,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { DEFAULT_DEV_AUDIENCE, type DevIssuer } from './dev-issuer.js';
import { audiences, type ServiceTrust, type TrustedIssuer } from './trusted-issuers.js';

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

/** What {@link explainRefusedToken} compares a token with, besides the development issuer. */
export interface DiagnosisContext {
  /** What the service trusts; undefined when unknown (no app exported): the dev issuer is assumed. */
  readonly trust?: ServiceTrust | undefined;
  /** Key sets lift dev serves for other issuers (the local user pools'). */
  readonly keySets?: readonly { readonly issuer: string; readonly jwksUrl: string }[];
  readonly now?: number;
}

const DASHBOARD = "the dashboard's Dev token panel (/_lift/#token)";

function quoted(list: readonly string[]): string {
  return list.map((v) => JSON.stringify(v)).join(', ');
}

/** How to get a token the service takes, from what it trusts. */
function howToMint(trust: ServiceTrust, dev: string, entry: string, claims: JWTPayload): string {
  const devTrusted = trust.issuers.find((t) => t.issuer === dev);
  const others = trust.issuers.filter((t) => t.issuer !== dev);
  const ways: string[] = [];
  if (devTrusted !== undefined) {
    const aud = devTrusted.audience?.[0];
    ways.push(remint(entry, claims, aud === undefined ? {} : { '--aud': aud }));
  }
  if (others.length > 0) ways.push(`${DASHBOARD}, which mints for the local user pools the service trusts`);
  return ways.join(', or ');
}

/** Checks the signature against a key set; a reason it fails, or undefined when it holds. */
async function signatureProblem(token: string, jwksUrl: string): Promise<string | undefined> {
  let jwks: JSONWebKeySet;
  try {
    const res = await fetch(jwksUrl, { signal: AbortSignal.timeout(2_000) });
    jwks = (await res.json()) as JSONWebKeySet;
  } catch {
    return undefined;
  }
  try {
    await compactVerify(token, createLocalJWKSet(jwks));
    return undefined;
  } catch {
    return "it is not signed by the local stand-in's key (a token of the real pool, or from before the stand-in made its key again)";
  }
}

/** What is wrong with the times, or undefined. */
function timeProblem(
  entry: string,
  claims: JWTPayload,
  nowSeconds: number,
  again: string,
): string | undefined {
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
  return undefined;
}

/** A development-issuer token checked against the development key: a reason, or undefined. */
async function devKeyProblem(
  token: string,
  header: Record<string, unknown>,
  issuer: DevIssuer,
  again: string,
): Promise<string | undefined> {
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
  return undefined;
}

/**
 * Why a service under `lift dev` or `lift invoke` probably refused the bearer token of a request it
 * answered 401, measured against the issuers the service trusts (its access control's description)
 * and the keys lift dev holds (its development issuer's, the local user pools'): not a JWT, an issuer
 * it does not trust, an old or wrong key, a bad signature, expired, not yet valid, another audience or
 * token use than it expects, or (when all of that holds) a claim the service checks itself. When the
 * entry exports no app, what it trusts is unknown and the development issuer is assumed, as the
 * message says. Undefined when the request carried no bearer token. For the terminal only: the client
 * keeps getting the service's generic 401.
 */
export async function explainRefusedToken(
  authorization: string | undefined,
  issuer: DevIssuer,
  entry: string,
  context: DiagnosisContext = {},
): Promise<string | undefined> {
  if (authorization === undefined || !/^bearer\s/i.test(authorization)) return undefined;
  const token = authorization.slice(7).trim();
  let header: Record<string, unknown>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
    claims = decodeJwt(token);
  } catch {
    const fix =
      context.trust === undefined ? remint(entry, {}) : howToMint(context.trust, issuer.issuer, entry, {});
    return `the bearer token is not a JWT; mint one with: ${fix}`;
  }
  const { trust } = context;
  const nowSeconds = (context.now ?? Date.now()) / 1000;
  if (trust === undefined) return unknownTrust(token, header, claims, issuer, entry, nowSeconds);
  const trusted = trust.issuers.find((t) => t.issuer === claims.iss);
  const fix = howToMint(trust, issuer.issuer, entry, claims);
  if (trust.issuers.length === 0) {
    return `the service trusts no JWT issuer${trust.custom > 0 ? ' Lift can describe (it reads callers with its own authenticator)' : ' (it has no jwtAuthenticator)'}, so a bearer token is not how it reads a caller`;
  }
  if (trusted === undefined) {
    return `the token's issuer is ${JSON.stringify(claims.iss ?? null)}, and the service trusts only ${quoted(trust.issuers.map((t) => t.issuer))}; ${fix === '' ? 'get a token from one of those' : `get one from: ${fix}`}`;
  }
  const again = trusted.issuer === issuer.issuer ? remint(entry, claims) : DASHBOARD;
  let checked = 'issuer';
  if (trusted.issuer === issuer.issuer) {
    const wrong = await devKeyProblem(token, header, issuer, again);
    if (wrong !== undefined) return wrong;
    checked = 'issuer, key, signature';
  } else {
    const keys = context.keySets?.find((k) => k.issuer === trusted.issuer);
    if (keys !== undefined) {
      const wrong = await signatureProblem(token, keys.jwksUrl);
      if (wrong !== undefined)
        return `the token's issuer ${trusted.issuer} is one the service trusts, but ${wrong}; mint a new one with ${DASHBOARD}, or sign in again`;
      // Signed by the local stand-in, for a service that holds the pool's keys itself.
      if (trusted.keysGiven === true)
        return `the token's issuer ${trusted.issuer} is one the service trusts, but with the keys given in its options ("jwks"), so it never reads the local stand-in's key and refuses tokens the stand-in signed: leave "jwks" out in dev, or sign with a key it holds`;
      checked = 'issuer, key, signature';
    }
  }
  const late = timeProblem(entry, claims, nowSeconds, again);
  if (late !== undefined)
    return trusted.issuer === issuer.issuer
      ? late
      : late.replace(/; mint a new one.*$/, `; mint a new one with ${DASHBOARD}, or sign in again`);
  const mismatch = audienceProblem(trusted, claims, entry, issuer.issuer);
  if (mismatch !== undefined) return mismatch;
  const unchecked =
    checked === 'issuer'
      ? ` (lift dev holds no key of ${trusted.issuer}, so the signature is not checked here)`
      : '';
  return `the token's ${checked}, times and audience match what the service trusts (${trusted.issuer})${unchecked}, so the service refused another claim: check the tenant, the roles and any claim mapping or tenant list of that issuer`;
}

/** The audience (or a Cognito token's use and client) the issuer's entry expects, when it differs. */
function audienceProblem(
  trusted: TrustedIssuer,
  claims: JWTPayload,
  entry: string,
  dev: string,
): string | undefined {
  if (trusted.tokenUse !== undefined && claims.token_use !== trusted.tokenUse) {
    return `the service takes ${trusted.tokenUse} tokens of ${trusted.issuer}, and this is ${claims.token_use === undefined ? 'neither' : `an ${String(claims.token_use)} token`}; send the ${trusted.tokenUse} token of the sign-in`;
  }
  // Cognito's access tokens name their client in client_id, not aud.
  const got = trusted.tokenUse === 'access' ? audiences(claims.client_id) : audiences(claims.aud);
  const expected = trusted.audience;
  if (expected === null || expected === undefined || got.some((a) => expected.includes(a))) return undefined;
  const fix =
    trusted.issuer === dev ? remint(entry, claims, { '--aud': expected[0] ?? 'AUDIENCE' }) : DASHBOARD;
  return `the token's audience is ${JSON.stringify(got.length === 1 ? got[0] : got)}${got.includes(DEFAULT_DEV_AUDIENCE) ? ` (lift token's default when --aud is not given)` : ''}, and the service expects ${quoted(expected)} from ${trusted.issuer}; mint one for it with: ${fix}`;
}

/** The explanation when what the service trusts is unknown: measured against the development issuer. */
async function unknownTrust(
  token: string,
  header: Record<string, unknown>,
  claims: JWTPayload,
  issuer: DevIssuer,
  entry: string,
  nowSeconds: number,
): Promise<string> {
  const again = remint(entry, claims);
  const unknown = 'the entry exports no app, so which issuers the service trusts is unknown';
  if (claims.iss !== issuer.issuer) {
    return `the token's issuer is ${JSON.stringify(claims.iss ?? null)}, not lift's development issuer (${issuer.issuer}) (${unknown}); mint a development token with: ${again} (if the service trusts that issuer too, check that issuer's settings)`;
  }
  const wrong = await devKeyProblem(token, header, issuer, again);
  if (wrong !== undefined) return wrong;
  const late = timeProblem(entry, claims, nowSeconds, again);
  if (late !== undefined) return late;
  const audience = audiences(claims.aud);
  return `the token's issuer, key, signature and times are right for lift's development issuer (${unknown}, so its audience cannot be compared), so the service refused a claim: most likely the audience, which is ${JSON.stringify(audience.length === 1 ? audience[0] : audience)}${audience.includes(DEFAULT_DEV_AUDIENCE) ? ` (lift token's default when --aud is not given)` : ''}; mint one for the audience the service expects with: ${remint(entry, claims, { '--aud': 'AUDIENCE' })} (else check the tenant and role claims; export the app beside the handler and lift dev compares with what it trusts)`;
}
