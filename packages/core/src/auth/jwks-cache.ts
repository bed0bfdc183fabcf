import type { Jwks, JwksCache, JwkWithKid } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import { safeText } from '../errors/report.js';

/** Options of {@link createJwksCache}. */
export interface JwksCacheOptions {
  /** Refresh a JWKS older than this on its next use (default 1 hour). */
  readonly maxAgeMs?: number;
  /** After fetching for an unknown `kid`, wait this long before fetching for another one (default 30 s). */
  readonly unknownKidCooldownMs?: number;
  /** Give up on a JWKS request after this long (default 3 s). */
  readonly timeoutMs?: number;
  /** Fetches a JWKS document (default: `fetch`, JSON). */
  readonly fetchJwks?: (uri: string, signal: AbortSignal) => Promise<unknown>;
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

interface Entry {
  jwks: Jwks;
  fetchedAt: number;
}

/**
 * Where the keys an issuer is given in its options (no `jwksUri`) are held. Such a set is never
 * refreshed: there is nothing to fetch it from.
 */
export const GIVEN_KEYS_PREFIX = 'lift-static-keys:';

/** Lift's JWKS cache: aws-jwt-verify's interface, and whether a token can skip the wait for keys. */
export interface LiftJwksCache extends JwksCache {
  /**
   * Whether the key set at `uri` holds a key for `kid` and needs no refresh, so a token naming it
   * is verified with the keys held, without a fetch to wait for.
   */
  holdsFresh(uri: string, kid: unknown): boolean;
  /**
   * Calls `listener` with each key set fetched, so what was derived from the old set (aws-jwt-verify's
   * key objects, cached per issuer and `kid`) can be dropped: a key replaced under the same `kid` must
   * not keep verifying.
   */
  onFetched(listener: (uri: string, jwks: Jwks) => void): void;
}

/** Thrown when no key can be found for a token; the authenticator answers it with a plain 401. */
export class JwkNotFoundError extends Error {
  /** @param message why no key was found */
  constructor(message: string) {
    super(message);
    this.name = 'JwkNotFoundError';
  }
}

/**
 * Thrown when a token's key cannot be known because the issuer's key set could not be fetched (the
 * issuer unreachable, or answering with something that is no key set): not a bad token, so the
 * authenticator answers it with a 503 and `Retry-After`, not a 401 that would send a client to sign
 * in again.
 */
export class JwksUnavailableError extends Error {
  /**
   * @param message what could not be fetched
   * @param options the fetch's failure, as `cause`
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JwksUnavailableError';
  }
}

function isJwks(value: unknown): value is Jwks {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { keys?: unknown }).keys) &&
    (value as { keys: unknown[] }).keys.every((k) => typeof k === 'object' && k !== null)
  );
}

const COGNITO_JWKS =
  /^https:\/\/cognito-idp\.[a-z]{2}-[a-z]+-\d\.amazonaws\.com\/([a-z]{2}-[a-z]+-\d_[A-Za-z0-9]+)\/\.well-known\/jwks\.json$/;

/**
 * Where a JWKS is fetched from. Under `lift dev` (`LIFT_DEV=1`) with a local Cognito stand-in
 * (`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, as the AWS SDK reads it), a user pool's key set comes
 * from the stand-in, so its tokens verify with the pool's real issuer name; everywhere else, from `uri`.
 * @internal
 */
export function jwksLocation(uri: string, env: NodeJS.ProcessEnv = process.env): string {
  const endpoint = env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  if (env.LIFT_DEV !== '1' || endpoint === undefined || endpoint === '') return uri;
  const pool = COGNITO_JWKS.exec(uri)?.[1];
  return pool === undefined ? uri : `${endpoint.replace(/\/+$/, '')}/${pool}/.well-known/jwks.json`;
}

const defaultFetch = async (uri: string, signal: AbortSignal): Promise<unknown> => {
  const res = await fetch(jwksLocation(uri), { signal, headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`JWKS ${uri} answered ${res.status}`);
  return res.json();
};

/**
 * A JWKS cache for aws-jwt-verify with the refresh rules a service needs: keys are fetched on first
 * use, refreshed once older than `maxAgeMs`, and fetched again for an unknown `kid` at most once per
 * cooldown, so a stream of tokens with made-up key ids cannot flood the issuer; a token whose `kid`
 * is being fetched for already waits for that fetch rather than being refused by the cooldown. When
 * the endpoint is down, the keys already held keep verifying (stale-if-error); a `kid` never seen is
 * refused. After a failed fetch, a token whose key is held does not wait for another fetch for
 * `min(unknownKidCooldownMs, 1 s)` (the held key answers: a key withdrawn meanwhile is refused from
 * the first successful refresh), and with no set held tokens are refused at once for as long; an
 * unknown `kid` with a set held stays bounded by the cooldown. Keys given in an issuer's options
 * (held under {@link GIVEN_KEYS_PREFIX}) are never refreshed.
 */
export function createJwksCache(options: JwksCacheOptions = {}): LiftJwksCache {
  const maxAgeMs = options.maxAgeMs ?? 3_600_000;
  const cooldownMs = options.unknownKidCooldownMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 3_000;
  // Short and not an option: it spares a down issuer a fetch per request, and every request the wait
  // for the fetch's timeout, while keeping short the time a recovered issuer is not asked again
  // (tokens refused at a cold start, a withdrawn key still answering).
  const retryDelayMs = Math.min(cooldownMs, 1_000);
  const fetchJwks = options.fetchJwks ?? defaultFetch;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Jwks>>();
  const lastUnknownKidFetch = new Map<string, number>();
  const lastFailedFetch = new Map<string, number>();
  const listeners: ((uri: string, jwks: Jwks) => void)[] = [];

  const fetchFresh = (uri: string): Promise<Jwks> => {
    let pending = inFlight.get(uri);
    if (pending === undefined) {
      // Through a promise from the start: a fetcher that throws at once fails the fetch like one that
      // rejects (stale-if-error, the retry delay), rather than escaping as a bad token.
      pending = Promise.resolve()
        .then(() => fetchJwks(uri, AbortSignal.timeout(timeoutMs)))
        .then((value) => {
          if (!isJwks(value)) throw new Error(`JWKS ${uri} is not a JSON Web Key Set`);
          entries.set(uri, { jwks: value, fetchedAt: now() });
          lastFailedFetch.delete(uri);
          for (const listener of listeners) listener(uri, value);
          return value;
        })
        .catch((error: unknown) => {
          lastFailedFetch.set(uri, now());
          throw error;
        })
        .finally(() => inFlight.delete(uri));
      inFlight.set(uri, pending);
    }
    return pending;
  };

  const find = (jwks: Jwks | undefined, kid: unknown): JwkWithKid | undefined => {
    if (jwks === undefined || typeof kid !== 'string') return undefined;
    return jwks.keys.find((k) => k.kid === kid) as JwkWithKid | undefined;
  };
  const isStale = (uri: string, entry: Entry | undefined): boolean =>
    entry === undefined || (now() - entry.fetchedAt >= maxAgeMs && !uri.startsWith(GIVEN_KEYS_PREFIX));
  // After a failed fetch the next one waits a little: without this, every request would start its own
  // fetch of a down issuer and wait out its timeout. A fetch under way is still shared.
  const failedRecently = (uri: string): boolean => {
    const failedAt = lastFailedFetch.get(uri);
    return failedAt !== undefined && !inFlight.has(uri) && now() - failedAt < retryDelayMs;
  };
  // With no set held there is nothing to fall back on: the request is refused at once.
  const refuseIfRetriedTooSoon = (uri: string): void => {
    if (!entries.has(uri) && failedRecently(uri)) {
      throw new JwksUnavailableError(
        `The key set could not be fetched, recently; retrying after ${retryDelayMs} ms`,
      );
    }
  };

  return {
    addJwks(uri, jwks) {
      entries.set(uri, { jwks, fetchedAt: now() });
    },
    onFetched(listener) {
      listeners.push(listener);
    },
    holdsFresh(uri, kid) {
      const entry = entries.get(uri);
      return kid !== '' && !isStale(uri, entry) && find(entry?.jwks, kid) !== undefined;
    },
    async getJwks(uri) {
      const entry = entries.get(uri);
      if (entry !== undefined && (!isStale(uri, entry) || failedRecently(uri))) return entry.jwks;
      refuseIfRetriedTooSoon(uri);
      try {
        return await fetchFresh(uri);
      } catch (error) {
        if (entry !== undefined) return entry.jwks;
        throw new JwksUnavailableError(`The key set could not be fetched: ${safeText(error)}`, {
          cause: error,
        });
      }
    },
    getCachedJwk(uri, jwt: DecomposedJwt) {
      const jwk = find(entries.get(uri)?.jwks, jwt.header.kid);
      if (jwk === undefined) throw new JwkNotFoundError('No cached key for this token');
      return jwk;
    },
    async getJwk(uri, jwt: DecomposedJwt) {
      const kid = jwt.header.kid;
      if (typeof kid !== 'string' || kid === '') throw new JwkNotFoundError('The token names no key id');
      const entry = entries.get(uri);
      const stale = isStale(uri, entry);
      const known = find(entry?.jwks, kid);
      if (known !== undefined && !stale) return known;
      if (known !== undefined) {
        // Refresh an old set, but keep verifying with it only if the issuer cannot be reached: a key
        // the refreshed set no longer lists is withdrawn, even for the request that refreshed it.
        // Stale-if-error: the held key answers while a failed refresh waits to be tried again.
        if (failedRecently(uri)) return known;
        const refreshed = await fetchFresh(uri).catch(() => undefined);
        if (refreshed === undefined) return known;
        const jwk = find(refreshed, kid);
        if (jwk === undefined) throw new JwkNotFoundError('The key was withdrawn from its set');
        return jwk;
      }
      // A fetch under way (for this kid, e.g. during a key rotation, or any other) may well list the
      // key: the cooldown only limits starting new fetches, so join it instead of refusing.
      // Keys given in the options have nowhere to be fetched from: an unknown kid is simply unknown.
      if (uri.startsWith(GIVEN_KEYS_PREFIX)) throw new JwkNotFoundError('Unknown key id');
      let pending = inFlight.get(uri);
      if (pending === undefined) {
        const last = lastUnknownKidFetch.get(uri);
        if (entry !== undefined && last !== undefined && now() - last < cooldownMs) {
          // Within the cooldown nothing is fetched; if the last fetch failed, the key may exist all
          // the same (a rotation during the outage), so the token is not called bad.
          if (lastFailedFetch.has(uri))
            throw new JwksUnavailableError('Unknown key id, and the key set could not be fetched lately');
          throw new JwkNotFoundError('Unknown key id');
        }
        refuseIfRetriedTooSoon(uri);
        lastUnknownKidFetch.set(uri, now());
        pending = fetchFresh(uri);
      }
      const jwks = await pending.catch((error: unknown) => {
        throw new JwksUnavailableError(
          `Unknown key id, and the key set could not be fetched: ${safeText(error)}`,
          {
            cause: error,
          },
        );
      });
      const jwk = find(jwks, kid);
      if (jwk === undefined) throw new JwkNotFoundError('Unknown key id');
      return jwk;
    },
  };
}
