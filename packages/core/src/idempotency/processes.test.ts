/**
 * Two separate OS processes (two Lambda instances, each with its own SDK client) race on one key in
 * one DynamoDB server (dynalite, or DynamoDB Local with LIFT_TEST_DYNAMODB=local): the work runs once
 * in all, and every caller gets the first result or a 409.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityTable } from '../auth/security-table.js';
import { ensureTables } from '../dynamodb/ensure.js';
import { type LineWorker, startLineWorker } from '../test-support/line-worker.js';
import { type DynamoDBServer, localClientConfig, startTestDynamoDB } from '../testing/dynamodb.js';

// One instance: its own client and store; on each "go" line it runs PER_PROCESS identical requests
// at once and prints what each caller got, and how often the work itself ran here.
const WORKER = `
const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
const { createInterface } = await import('node:readline');
const src = process.env.LIFT_SRC;
const { dynamoIdempotencyStore, runIdempotent, IdempotencyConflictError, idempotencyKey, payloadHash } =
  await import(src + 'idempotency/index.ts');
const { securityTable } = await import(src + 'auth/security-table.ts');
const { localClientConfig } = await import(src + 'testing/dynamodb.ts');
const raw = new DynamoDBClient(localClientConfig(process.env.ENDPOINT));
const store = dynamoIdempotencyStore({ table: securityTable, client: DynamoDBDocumentClient.from(raw) });
const key = idempotencyKey({ tenant: 't1', scope: 'POST /payments', key: process.env.KEY });
const hash = payloadHash({ amount: 100, currency: 'EUR' });
const count = Number(process.env.PER_PROCESS);
let runs = 0;
const once = () => {
  const now = Date.now();
  return runIdempotent(store, key, hash, { now, lockUntil: now + 30_000, expiresAt: now + 3_600_000 },
    async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return JSON.stringify({ charged: 100, by: process.pid });
    },
    (body) => ({ status: 201, headers: {}, body }),
  ).then(
    (outcome) => (outcome.kind === 'ran' ? outcome.value : outcome.stored.body),
    (error) => (error instanceof IdempotencyConflictError ? 'conflict' : 'error: ' + error.message),
  );
};
// Open the connection before the race, as a warm instance would have it.
await store.begin('warm-' + process.pid, { payloadHash: hash, now: Date.now(), lockUntil: Date.now() + 1000, expiresAt: Date.now() + 1000 });
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'go') break;
  const answers = await Promise.all(Array.from({ length: count }, once));
  console.log(JSON.stringify({ runs, answers }));
}
raw.destroy();
`;

let server: DynamoDBServer | undefined;
const workers: LineWorker[] = [];
beforeAll(async () => {
  server = await startTestDynamoDB();
  const raw = new DynamoDBClient(localClientConfig(server.endpoint));
  await ensureTables(raw, [securityTable]);
  raw.destroy();
}, 120_000);
afterAll(async () => {
  for (const { child } of workers) if (child.exitCode === null) child.kill();
  await server?.close();
});

describe(`two OS processes on one DynamoDB (${process.env.LIFT_TEST_DYNAMODB === 'local' ? 'DynamoDB Local' : 'dynalite'})`, () => {
  it('20 identical requests over two processes: the work runs once; each caller gets the first result or a 409', async () => {
    const key = `cross-process-${process.pid}-${Date.now()}`;
    for (let i = 0; i < 2; i++)
      workers.push(
        startLineWorker(WORKER, {
          ENDPOINT: (server as DynamoDBServer).endpoint,
          KEY: key,
          PER_PROCESS: '10',
        }),
      );
    for (const w of workers) expect(await w.next()).toBe('ready');
    // Both start at once.
    for (const w of workers) w.child.stdin?.write('go\n');
    const first = (await Promise.all(workers.map((w) => w.next()))).map(
      (line) => JSON.parse(line) as { runs: number; answers: string[] },
    );
    // Once the first finished, every repeat in either process replays it.
    for (const w of workers) w.child.stdin?.write('go\n');
    const later = (await Promise.all(workers.map((w) => w.next()))).map(
      (line) => JSON.parse(line) as { runs: number; answers: string[] },
    );
    for (const w of workers) w.child.stdin?.end();

    expect(first.reduce((n, r) => n + r.runs, 0)).toBe(1);
    expect(later.reduce((n, r) => n + r.runs, 0)).toBe(1);
    const answers = first.flatMap((r) => r.answers);
    const winner = answers.find((a) => a !== 'conflict') as string;
    expect(JSON.parse(winner)).toMatchObject({ charged: 100 });
    // The one that ran, and any that came after it finished (a slow machine), got its answer.
    expect(answers.filter((a) => a === winner || a === 'conflict')).toHaveLength(20);
    const conflicts = answers.filter((a) => a === 'conflict').length;
    expect(conflicts).toBeGreaterThan(0);
    console.log(`two processes: 1 run, ${20 - conflicts} answered with its result, ${conflicts} conflicts`);
    expect(later.flatMap((r) => r.answers)).toEqual(Array(20).fill(winner));
  }, 90_000);
});
