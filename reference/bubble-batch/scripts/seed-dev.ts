/**
 * Seeds development data: users' batches (milk and water kefir, one public), their events, so the
 * reminder suggestions have something to say. Writes through the table client, to:
 *
 * - a running DynamoDB: `--endpoint http://127.0.0.1:8000` (run `lift dev --dynamodb-endpoint` with
 *   the same URL), or `AWS_ENDPOINT_URL_DYNAMODB` from the environment;
 * - a data folder, before `lift dev --data-dir` starts on it: `--data-dir .lift/dynamodb`.
 *
 * Users: `--user <sub>` (repeatable: the `sub` of your id token, to see the data in the app), else
 * `seed-user-1` and `seed-user-2`. With `--signup`, users `seed-<n>@example.com` are signed up in the
 * user pool (the Cognito stand-in under `lift dev`: `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`,
 * `USER_POOL_CLIENT_ID`) and their subs used.
 *
 *   npm run seed --workspace @lift/reference-bubble-batch -- --data-dir .lift/dynamodb
 */
import { parseArgs } from 'node:util';
import { ensureTables, tableClient } from '@lift/core/dynamodb';
import { startDynalite } from '@lift/core/testing/dynamodb';
import type { EventType } from '../src/domain/model.js';
import { batchItem, eventItem, publicPointer } from '../src/items.js';
import { bubbleTable, userPool } from '../src/resources.js';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    'data-dir': { type: 'string' },
    user: { type: 'string', multiple: true },
    signup: { type: 'boolean', default: false },
    users: { type: 'string', default: '2' },
  },
});

const HOUR = 3_600_000;
const now = Date.now();
const ago = (hours: number) => new Date(now - hours * HOUR).toISOString();

async function signUp(count: number): Promise<string[]> {
  const { CognitoIdentityProviderClient, SignUpCommand } = await import(
    '@aws-sdk/client-cognito-identity-provider'
  );
  const cognito = new CognitoIdentityProviderClient({});
  const subs: string[] = [];
  for (let n = 1; n <= count; n++) {
    const email = `seed-${n}@example.com`;
    try {
      const out = await cognito.send(
        new SignUpCommand({
          ClientId: userPool.clientId(),
          Username: email,
          UserAttributes: [{ Name: 'email', Value: email }],
        }),
      );
      if (out.UserSub !== undefined) subs.push(out.UserSub);
      console.log(`signed up ${email} (sub ${out.UserSub})`);
    } catch (error) {
      if ((error as { name?: string }).name !== 'UsernameExistsException') throw error;
      console.log(`${email} exists already; pass --user <its sub> to seed for it`);
    }
  }
  return subs;
}

async function main() {
  let stop: (() => Promise<void>) | undefined;
  if (values['data-dir'] !== undefined) {
    const server = await startDynalite({ dataDir: values['data-dir'] });
    process.env.AWS_ENDPOINT_URL_DYNAMODB = server.endpoint;
    stop = server.close;
  } else if (values.endpoint !== undefined) process.env.AWS_ENDPOINT_URL_DYNAMODB = values.endpoint;
  const local = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (local === undefined)
    throw new Error('Give --endpoint or --data-dir (or set AWS_ENDPOINT_URL_DYNAMODB)');
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  try {
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const raw = new DynamoDBClient({ endpoint: local });
    const created = await ensureTables(raw, [bubbleTable]);
    raw.destroy();
    if (created.length > 0) console.log(`created table ${created.join(', ')}`);

    const count = Number(values.users);
    const users = values.user ?? (values.signup ? await signUp(count) : []);
    if (users.length === 0) for (let n = 1; n <= count; n++) users.push(`seed-user-${n}`);
    const data = tableClient(bubbleTable);
    for (const userId of users) {
      const items: Record<string, unknown>[] = [];
      const add = (
        name: string,
        type: 'milk-kefir' | 'water-kefir',
        isPublic: boolean,
        events: [EventType, number, string?][],
      ) => {
        const [, startedHoursAgo] = events[0] ?? ['started', 0];
        const batch = batchItem(
          userId,
          { name, type, public: isPublic, startedAt: ago(startedHoursAgo) },
          now,
        );
        let last = batch.startedAt;
        for (const [eventType, hoursAgo, notes] of events) {
          items.push(eventItem(userId, batch.id, { type: eventType, at: ago(hoursAgo), notes }, now));
          last = ago(hoursAgo);
        }
        items.push({ ...batch, lastEventAt: last, GSI1SK: `${last}#${batch.id}` });
        if (isPublic) {
          items.push(publicPointer(userId, batch.id));
          console.log(`  public batch: /public/b/${batch.id}`);
        }
      };
      console.log(`user ${userId}:`);
      add('Morning milk kefir', 'milk-kefir', false, [
        ['started', 30],
        ['note', 20, 'Thickening nicely'],
      ]);
      add('Ginger water kefir', 'water-kefir', true, [
        ['started', 80],
        ['bottled', 30, 'Added ginger and lemon'],
        ['burped', 6],
      ]);
      add('Old batch', 'milk-kefir', false, [
        ['started', 24 * 100],
        ['strained', 24 * 99],
        ['refrigerated', 24 * 98],
      ]);
      await data.batchWrite({ puts: items });
      console.log(`  ${items.length} items written`);
    }
  } finally {
    await stop?.();
  }
}

await main();
