import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentsFor } from '../dynamodb/documents.js';
import type { TableDefinition } from '../dynamodb/table.js';
import { ConfigurationError, refuseUnknownOptions } from '../errors/errors.js';
import { lazyPeer } from '../peer/peer.js';
import {
  type ConsumeOptions,
  type Decision,
  decided,
  failed,
  type RateLimitStore,
  windowState,
} from './decision.js';
import { windowKey } from './memory-store.js';
import type { CheckedRule } from './rule.js';

/** Options of {@link dynamoRateLimitStore}. */
export interface DynamoRateLimitStoreOptions {
  /**
   * The declared table to keep windows in: the security table (`securityTable` of
   * `@lift/core/auth`), or any table with string partition (and sort) keys. Items are keyed under
   * the `RATELIMIT#` prefix, apart from every other kind of item there.
   */
  readonly table: TableDefinition;
  /**
   * The most one decision may wait for DynamoDB, in ms (default 300), on top of the caller's
   * signal; waiting for a lease another decision of this process is taking counts too. The first
   * decision of a process also loads the AWS SDK, which this does not bound.
   */
  readonly timeoutMs?: number;
  /** A client to use instead of the process-wide one (tests, custom endpoints or retries). */
  readonly client?: DynamoDBClient | DynamoDBDocumentClient;
  /**
   * How many windows this process remembers the last state of (default 10 000): to choose a free
   * slot on the first try, and to refuse without a call when the window is known to be full.
   */
  readonly cacheSize?: number;
}

/** What a {@link DynamoRateLimitStore} has done since it was created. */
export interface RateLimitStats {
  /** Decisions asked for. */
  readonly decisions: number;
  /** Decisions made without a call: spent from a lease, or refused because the window is known full. */
  readonly local: number;
  /** Calls sent to DynamoDB (conditional writes, and reads where the server does not return the item). */
  readonly calls: number;
}

/** A rate-limit store in DynamoDB, with counters of what it did. */
export interface DynamoRateLimitStore extends RateLimitStore {
  /** Decisions, local decisions and DynamoDB calls so far (for metrics and the benchmark). */
  stats(): RateLimitStats;
}

interface Sender {
  send(command: unknown, options?: { readonly abortSignal?: AbortSignal }): Promise<unknown>;
}

interface Lease {
  tokens: number;
  /** The time the lease was taken: its slots were free for a window ending then, not earlier. */
  readonly from: number;
  /** The last moment it may be spent (the time its slots hold). */
  readonly until: number;
}

type Item = Record<string, AttributeValue>;

const sdk = lazyPeer(
  '@aws-sdk/client-dynamodb',
  () => import('@aws-sdk/client-dynamodb'),
  'dynamoRateLimitStore',
);

// A write that keeps losing the race for a slot gives up after this many tries (each try is
// informed by the state the previous one returned, so this takes a crowd of writers on one key).
const MAX_ATTEMPTS = 6;
// Keys longer than this are stored as their SHA-256, so an attacker-chosen key cannot grow an item.
const MAX_KEY = 256;
const HASHED = 'sha256:';
/**
 * The most admission slots one write takes (a lease of more takes this many). Each slot adds four
 * operators to the condition, and DynamoDB refuses a condition of more than 300 operators or 4 KB;
 * 64 slots are 255 operators and about 3 KB.
 */
export const MAX_SLOTS_PER_WRITE = 64;
// The TTL keeps an item at least this long past its window: a lease may hold slots up to 60 s ahead.
const TTL_SLACK_MS = 120_000;

const slotName = (i: number) => `s${i}`;

// A key that already looks like a stored hash is hashed too: otherwise a client could send the
// hash of another client's long key as its own key and share (exhaust) that client's window.
function storedKey(key: string): string {
  return key.length <= MAX_KEY && !key.startsWith(HASHED)
    ? key
    : `${HASHED}${createHash('sha256').update(key).digest('hex')}`;
}

// The slots of an item: one timestamp per admission (epoch ms until which it counts), -Infinity if never used.
function slotsOf(item: Item | undefined, limit: number): Float64Array {
  const slots = new Float64Array(limit).fill(Number.NEGATIVE_INFINITY);
  if (item === undefined) return slots;
  for (let i = 0; i < limit; i++) {
    const n = item[slotName(i)]?.N;
    if (n !== undefined) slots[i] = Number(n);
  }
  return slots;
}

// `count` distinct free slots picked at random (so instances racing on one key rarely pick the same
// slot); without any known state, `count` random slots (the item may not exist yet).
function choose(slots: Float64Array | undefined, cutoff: number, count: number, limit: number): number[] {
  const pool: number[] = [];
  for (let i = 0; i < limit; i++) if (slots === undefined || (slots[i] as number) <= cutoff) pool.push(i);
  const take = Math.min(count, pool.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    const swap = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = swap;
  }
  return pool.slice(0, take);
}

function isConditionFailure(error: unknown): error is { Item?: Item } {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/**
 * Admissions counted in DynamoDB, shared by every Lambda instance: an exact sliding window (one
 * timestamp per admission, at most `limit` in any window) decided by one conditional `UpdateItem`
 * per decision, whose condition checks that the slot it takes has left the window. A failed
 * condition returns the stored item (`ReturnValuesOnConditionCheckFailure`), so a retry needs no read.
 * Every decision is bounded by `timeoutMs` and the caller's signal; a failure is `store_error`, an
 * expired wait `timeout`, never `limited`. A decision that loses its slot to other writers on every
 * try is `limited` (the store answered; the room went to them), never a failure a rule that fails
 * open would admit. With a rule's `lease`, one write takes several admissions (at most
 * {@link MAX_SLOTS_PER_WRITE}) that this instance spends for at most `lease.maxMs`.
 */
export function dynamoRateLimitStore(options: DynamoRateLimitStoreOptions): DynamoRateLimitStore {
  refuseUnknownOptions(options, ['table', 'timeoutMs', 'client', 'cacheSize'], 'dynamoRateLimitStore');
  const { table } = options;
  if (table?.kind !== 'lift:dynamodb-table')
    throw new ConfigurationError('dynamoRateLimitStore: table must be a table declared with defineTable');
  if (table.partitionKey.type !== 'S' || (table.sortKey !== undefined && table.sortKey.type !== 'S'))
    throw new ConfigurationError(`dynamoRateLimitStore: table ${table.name} must have string (S) keys`);
  const timeoutMs = options.timeoutMs ?? 300;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 30_000)
    throw new ConfigurationError('dynamoRateLimitStore: timeoutMs must be an integer from 1 to 30000');
  const cacheSize = options.cacheSize ?? 10_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0)
    throw new ConfigurationError('dynamoRateLimitStore: cacheSize must be a non-negative integer');

  const pk = table.partitionKey.name;
  const sk = table.sortKey?.name;
  const ttl = table.ttlAttribute;
  const client = documentsFor(options.client as unknown as Sender | undefined) as () => Promise<Sender>;

  // The last state seen of each window (least recently used first), and this instance's leases.
  const cache = new Map<string, Float64Array>();
  const leases = new Map<string, Lease>();
  const acquiring = new Map<string, Promise<Decision>>();
  let decisions = 0;
  let local = 0;
  let calls = 0;

  const remember = (id: string, fresh: Float64Array): Float64Array => {
    const known = cache.get(id);
    // A slot's timestamp only ever grows, so the newer of two views of a slot is the later one.
    if (known !== undefined)
      for (let i = 0; i < fresh.length; i++) fresh[i] = Math.max(fresh[i] as number, known[i] as number);
    cache.delete(id);
    if (cacheSize > 0) cache.set(id, fresh);
    if (cache.size > cacheSize) {
      const oldest = cache.keys().next().value as string;
      cache.delete(oldest);
      leases.delete(oldest);
    }
    return fresh;
  };

  const keyOf = (key: string, rule: CheckedRule): Item => {
    const where = `${rule.limit}/${rule.windowMs}`;
    const client = storedKey(key);
    return sk === undefined
      ? { [pk]: { S: `RATELIMIT#${rule.name}#${where}#${client}` } }
      : { [pk]: { S: `RATELIMIT#${rule.name}#${client}` }, [sk]: { S: `RATELIMIT#${where}` } };
  };

  // One decision through DynamoDB: conditional writes until one lands or the window is full, within
  // `budgetMs` (what is left of this decision's `timeoutMs` after waiting for another's lease).
  async function viaStore(
    id: string,
    key: string,
    rule: CheckedRule,
    now: number,
    signal: AbortSignal | undefined,
    budgetMs: number,
  ): Promise<Decision> {
    let commands: typeof import('@aws-sdk/client-dynamodb');
    let sender: Sender;
    try {
      [commands, sender] = await Promise.all([sdk(), client()]);
    } catch (error) {
      return failed(rule, 'store_error', error);
    }
    if (signal?.aborted) return failed(rule, 'timeout', signal.reason);
    const timer = new AbortController();
    const timeout = setTimeout(
      () => timer.abort(new Error(`dynamoRateLimitStore: no answer within ${timeoutMs} ms`)),
      Math.max(1, budgetMs),
    );
    const onAbort = () => timer.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const { UpdateItemCommand, GetItemCommand } = commands;
    const Key = keyOf(key, rule);
    const TableName = table.tableName();
    const cutoff = now - rule.windowMs;
    const lease = rule.lease;
    // A lease's admissions count until the last moment it may be spent, so each of them still
    // holds its slot for a whole window after it is spent.
    const at = lease === undefined ? now : now + lease.maxMs;
    const values: Item = {
      ':a': { N: String(at) },
      ':c': { N: String(cutoff) },
    };
    if (ttl !== undefined)
      values[':exp'] = { N: String(Math.ceil((now + rule.windowMs + TTL_SLACK_MS) / 1000)) };
    const wanted = Math.min(lease?.size ?? 1, MAX_SLOTS_PER_WRITE);
    let slots = cache.get(id);
    try {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const chosen = choose(slots, cutoff, wanted, rule.limit);
        if (chosen.length === 0)
          return decided(rule, now, windowState(slots ?? [], cutoff, rule.windowMs), false, false);
        const names: Record<string, string> = {};
        const sets: string[] = [];
        const conditions: string[] = [];
        for (const i of chosen) {
          names[`#s${i}`] = slotName(i);
          sets.push(`#s${i} = :a`);
          conditions.push(`(attribute_not_exists(#s${i}) OR #s${i} <= :c)`);
        }
        if (ttl !== undefined) {
          names['#ttl'] = ttl;
          sets.push('#ttl = :exp');
        }
        try {
          calls++;
          const out = (await sender.send(
            new UpdateItemCommand({
              TableName,
              Key,
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: conditions.join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
            { abortSignal: timer.signal },
          )) as { Attributes?: Item };
          const fresh = remember(id, slotsOf(out.Attributes, rule.limit));
          const spare = chosen.length - 1;
          if (lease !== undefined && spare > 0) leases.set(id, { tokens: spare, from: now, until: at });
          return decided(rule, now, windowState(fresh, cutoff, rule.windowMs), true, false, spare);
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          let item = error.Item;
          if (item === undefined) {
            // Servers without ReturnValuesOnConditionCheckFailure (dynalite): read the item instead.
            calls++;
            const read = (await sender.send(new GetItemCommand({ TableName, Key, ConsistentRead: true }), {
              abortSignal: timer.signal,
            })) as { Item?: Item };
            item = read.Item;
          }
          slots = remember(id, slotsOf(item, rule.limit));
        }
      }
      // Every try lost its slot to another writer: the store answered, and what room the window had
      // went to others while this decision tried. That is a refusal, not a store failure: answered
      // as `store_error`, a rule that fails open would admit exactly the crowd it exists to stop.
      return decided(rule, now, windowState(slots ?? [], cutoff, rule.windowMs), false, false);
    } catch (error) {
      return failed(rule, timer.signal.aborted ? 'timeout' : 'store_error', error);
    } finally {
      clearTimeout(timeout);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  // A decision this process can make alone: spend from a lease, or refuse a window known to be full.
  function alone(id: string, rule: CheckedRule, now: number): Decision | undefined {
    const slots = cache.get(id);
    const cutoff = now - rule.windowMs;
    const lease = leases.get(id);
    if (lease !== undefined) {
      // Only from the time it was taken: its slots were free for a window ending then, so an
      // admission dated earlier (a request that read the clock before another took the lease) could
      // share a window with the admission a slot held before.
      if (lease.tokens > 0 && now >= lease.from && now <= lease.until) {
        lease.tokens--;
        if (lease.tokens === 0) leases.delete(id);
        return decided(rule, now, windowState(slots ?? [], cutoff, rule.windowMs), true, true, lease.tokens);
      }
      // Expired: its unspent admissions are lost (they stay counted until their window ends).
      if (now > lease.until) leases.delete(id);
    }
    if (slots === undefined) return undefined;
    const state = windowState(slots, cutoff, rule.windowMs);
    return state.free === 0 ? decided(rule, now, state, false, true) : undefined;
  }

  // Waits for another decision's lease write, for at most `ms` and until `signal` ends; false if not.
  function wait(pending: Promise<Decision>, ms: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (answered: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(answered);
      };
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), ms);
      signal?.addEventListener('abort', onAbort, { once: true });
      pending.then(
        () => done(true),
        () => done(true),
      );
    });
  }

  return {
    async consume(key: string, rule: CheckedRule, { now, signal }: ConsumeOptions): Promise<Decision> {
      if (!Number.isFinite(now)) throw new TypeError('dynamoRateLimitStore: now must be a finite epoch ms');
      decisions++;
      const id = windowKey(key, rule);
      // timeoutMs bounds the whole decision, waiting for another's lease included: decisions queued
      // behind a hung store must not wait timeoutMs each, one after the other.
      const started = performance.now();
      const left = () => timeoutMs - (performance.now() - started);
      for (;;) {
        const here = alone(id, rule, now);
        if (here !== undefined) {
          local++;
          return here;
        }
        // One lease at a time per window in this process: wait for one being taken, then spend from it.
        const pending = rule.lease === undefined ? undefined : acquiring.get(id);
        if (pending === undefined) break;
        if (!(await wait(pending, left(), signal)))
          return failed(
            rule,
            'timeout',
            signal?.aborted
              ? signal.reason
              : new Error(`dynamoRateLimitStore: no answer within ${timeoutMs} ms`),
          );
      }
      if (rule.lease === undefined) return viaStore(id, key, rule, now, signal, left());
      const taking = viaStore(id, key, rule, now, signal, left());
      acquiring.set(id, taking);
      try {
        return await taking;
      } finally {
        if (acquiring.get(id) === taking) acquiring.delete(id);
      }
    },
    stats: () => ({ decisions, local, calls }),
  };
}
