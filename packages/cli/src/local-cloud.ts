import { join } from 'node:path';
import { localUserPoolIds } from '@lift/core/cognito';
import type { LoadedService } from './service.js';
import {
  type CognitoStandIn,
  type IdTokenRequest,
  Mailbox,
  type MintedIdToken,
  otpCodeFrom,
  startCognitoStandIn,
} from './standins/cognito/index.js';
import { type ExpoPushStandIn, startExpoPushStandIn } from './standins/expo/index.js';
import { type S3StandIn, startS3StandIn } from './standins/s3/index.js';

/** Where `lift dev` serves what the stand-ins emailed (JSON, newest first). */
export const DEV_MAIL_PATH = '/_lift/mail';

/** A user pool the local Cognito stand-in serves for the service. */
export interface LocalUserPool {
  /** The name the service declared it with. */
  readonly name: string;
  readonly poolId: string;
  readonly clientId: string;
  /** The `iss` of its tokens, as on AWS. */
  readonly issuer: string;
  /** Where the stand-in serves its key set. */
  readonly jwksUrl: string;
}

/** Options of {@link startLocalCloud}. */
export interface LocalCloudOptions {
  /** Where the dev server says what it starts, and prints each email's code. */
  readonly log: (line: string) => void;
  /** A folder for state kept across restarts (the local user pool's signing key). */
  readonly cacheDir: string;
  /** Keep the local buckets' objects here (`--data-dir`); in memory without it. */
  readonly dataDir?: string;
}

/**
 * The local stand-ins of what a service uses besides its tables: user pools and buckets it declares,
 * started when a declaration first appears and restarted only when the declarations change (a reload
 * keeps users, sessions and objects), and Expo's push service, started before the service loads
 * (the Expo SDK reads `EXPO_BASE_URL` when imported). Each speaks the real protocol to the real AWS SDK client, which
 * finds it through the standard `AWS_ENDPOINT_URL_<SERVICE>` variables; the declared id variables
 * (`USER_POOL_ID`, ...) are set as a deployment sets them.
 */
export interface LocalCloud {
  /** Starts or updates the stand-ins for what `service` declares. */
  ensure(service: LoadedService): Promise<void>;
  /** Every email the stand-ins sent, newest first (`GET /_lift/mail`). */
  readonly mailbox: Mailbox;
  /** The local Expo push service: what it received, and controls for tests. */
  readonly push: ExpoPushStandIn;
  /** The user pools served now (none before the service declares one). */
  userPools(): readonly LocalUserPool[];
  /** Signs an ID token of a served pool, creating the user if needed (the dashboard's minter). */
  mintIdToken(poolId: string, request: IdTokenRequest): Promise<MintedIdToken>;
  close(): Promise<void>;
}

/** Starts the push stand-in, and the others once a service declares what they stand in for. */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const { log } = options;
  const mailbox = new Mailbox();
  let cognito: CognitoStandIn | undefined;
  let pools = '';
  let served: LocalUserPool[] = [];
  let s3: S3StandIn | undefined;
  let buckets = '';
  const push = await startExpoPushStandIn({
    onPush: ({ to, message }) =>
      log(
        `push to ${to}: ${message.title ?? ''}${message.body === undefined ? '' : ` ${message.body}`}`.trimEnd(),
      ),
  });
  process.env.EXPO_BASE_URL ??= push.url;
  mailbox.onMessage((message) => {
    const code = otpCodeFrom(message.text);
    log(`mail to ${message.to}: ${message.subject}${code === undefined ? '' : ` (code ${code})`}`);
  });

  const ensureUserPools = async (service: LoadedService) => {
    const declared = service.userPools.map((pool) => ({ pool, ...localUserPoolIds(pool.name) }));
    const shape = JSON.stringify(declared.map(({ poolId, clientId }) => [poolId, clientId]));
    if (shape === pools) return;
    const port = cognito === undefined ? 0 : Number(new URL(cognito.endpoint).port);
    await cognito?.close();
    cognito = undefined;
    served = [];
    pools = shape;
    if (declared.length === 0) return;
    cognito = await startCognitoStandIn({
      pools: declared.map(({ poolId, clientId, pool }) => ({
        id: poolId,
        clients: [{ id: clientId, name: pool.name }],
      })),
      port,
      mailbox,
      keyFile: join(options.cacheDir, 'cognito-signing-key.json'),
      log,
    });
    process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER = cognito.endpoint;
    const standIn = cognito;
    served = declared.map(({ pool, poolId, clientId }) => ({
      name: pool.name,
      poolId,
      clientId,
      issuer: standIn.pools.find((p) => p.id === poolId)?.issuer ?? '',
      jwksUrl: standIn.jwksUrl(poolId),
    }));
    for (const { pool, poolId, clientId } of declared) {
      process.env[pool.idFromEnv] = poolId;
      process.env[pool.clientIdFromEnv] = clientId;
      log(`user pool ${pool.name}: ${poolId} (email sign-in codes are printed here and at GET /_lift/mail)`);
    }
  };

  const ensureBuckets = async (service: LoadedService) => {
    const names = service.buckets.map((b) => b.bucketName()).sort();
    if (JSON.stringify(names) === buckets) return;
    const port = s3 === undefined ? 0 : Number(new URL(s3.endpoint).port);
    await s3?.close();
    s3 = undefined;
    buckets = JSON.stringify(names);
    if (names.length === 0) return;
    s3 = await startS3StandIn({
      buckets: names,
      port,
      region: process.env.AWS_REGION || 'us-east-1',
      // The credentials the service's SDK clients will sign with: the dummy ones lift dev sets, or
      // the developer's own if their shell has some.
      credentials: {
        accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local',
        secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
        ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
      },
      ...(options.dataDir === undefined ? {} : { dir: join(options.dataDir, 's3') }),
    });
    process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
    log(`local S3 at ${s3.endpoint}: bucket${names.length > 1 ? 's' : ''} ${names.join(', ')}`);
  };

  return {
    mailbox,
    push,
    userPools: () => served,
    mintIdToken(poolId, request) {
      if (cognito === undefined) return Promise.reject(new Error('no local user pool is running'));
      return cognito.mintIdToken(poolId, request);
    },
    async ensure(service) {
      await ensureUserPools(service);
      await ensureBuckets(service);
    },
    async close() {
      await Promise.all([cognito?.close(), s3?.close(), push.close()]);
      cognito = undefined;
      s3 = undefined;
    },
  };
}
