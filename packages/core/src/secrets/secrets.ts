import { ConfigurationError } from '../errors/errors.js';
import type { SecretSource } from './sources.js';

/** A secret could not be read. The message names the secret, never its value. */
export class SecretError extends Error {
  /** Stable code for logs. */
  readonly code = 'SECRET_UNAVAILABLE';
  /** @param message what failed, by secret name */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SecretError';
  }
}

/** Options of {@link createSecrets}. */
export interface SecretsOptions {
  readonly source: SecretSource;
  /** How long a value is fresh (default 5 minutes). */
  readonly ttlMs?: number;
  /** After that, serve the old value while one refresh runs in the background, for this long (default 1 minute). */
  readonly staleWhileRevalidateMs?: number;
  /** When a refresh fails, keep serving the old value for this long past its TTL (default 1 hour). */
  readonly staleIfErrorMs?: number;
  /** Values to use instead of the source (local development and tests). */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Clock in epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

/** Cached access to secrets. */
export interface Secrets {
  get(name: string): Promise<string>;
  /** The value parsed as JSON (a SecretError, without the text, when it is not JSON). */
  json<T = unknown>(name: string): Promise<T>;
  /** Fetches now, ignoring the cache: call it after an authentication failure that may mean a rotation. */
  refresh(name: string): Promise<string>;
  /** Loads secrets ahead of the first request (at cold start, outside the handler). */
  prefetch(names: readonly string[]): Promise<void>;
}

interface Entry {
  value: string;
  fetchedAt: number;
}

/**
 * Secrets from Secrets Manager or Parameter Store with a TTL cache, stale-while-revalidate,
 * stale-if-error, forced refresh and prefetch. Concurrent reads of one secret share one fetch.
 */
export function createSecrets(options: SecretsOptions): Secrets {
  if (typeof options?.source?.load !== 'function')
    throw new ConfigurationError('createSecrets needs a source');
  const ttl = options.ttlMs ?? 300_000;
  const swr = options.staleWhileRevalidateMs ?? 60_000;
  const staleIfError = options.staleIfErrorMs ?? 3_600_000;
  const now = options.now ?? Date.now;
  const overrides = options.overrides ?? {};
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<string>>();

  const fetchValue = (name: string): Promise<string> => {
    let pending = inFlight.get(name);
    if (pending === undefined) {
      pending = options.source
        .load(name)
        .then((value) => {
          entries.set(name, { value, fetchedAt: now() });
          return value;
        })
        .catch((error: unknown) => {
          throw new SecretError(`Secret "${name}" could not be read`, { cause: error });
        })
        .finally(() => inFlight.delete(name));
      inFlight.set(name, pending);
    }
    return pending;
  };

  const get = async (name: string): Promise<string> => {
    if (Object.hasOwn(overrides, name)) return overrides[name] as string;
    const entry = entries.get(name);
    if (entry !== undefined) {
      const age = now() - entry.fetchedAt;
      if (age < ttl) return entry.value;
      if (age < ttl + swr) {
        fetchValue(name).catch(() => {
          // The next read past the stale window retries; until then the old value serves.
        });
        return entry.value;
      }
      try {
        return await fetchValue(name);
      } catch (error) {
        if (age < ttl + staleIfError) return entry.value;
        throw error;
      }
    }
    return fetchValue(name);
  };

  return {
    get,
    async json<T>(name: string) {
      const text = await get(name);
      try {
        return JSON.parse(text) as T;
      } catch {
        // JSON.parse quotes the text in its message; the secret must not reach a log that way.
        throw new SecretError(`Secret "${name}" is not valid JSON`);
      }
    },
    refresh: (name) =>
      Object.hasOwn(overrides, name) ? Promise.resolve(overrides[name] as string) : fetchValue(name),
    async prefetch(names) {
      await Promise.all(names.map((name) => get(name)));
    },
  };
}
