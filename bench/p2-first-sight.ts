/**
 * P2 alone (issue 17): the contenders, events and plan of `npm run bench`'s P2 (Lift with its
 * verified-token cache off and on, Middy, Hono and raw with jose), in independent trials, and what
 * verifying a token costs with nothing around it, down to the floor: a bare `crypto.verify`.
 *
 *   npm run bench:p2-first-sight --workspace bench -- [--trials=3]
 *   node --cpu-prof bench/.bench-out/p2-first-sight.mjs --profile=40000 (after the build)
 *
 * `--profile=N` runs N first-sight calls of the Lift P2 app and nothing else. Ratios to Middy are
 * only comparable between runs on an idle machine: under load jose's WebCrypto calls slow the most.
 */
import { createPublicKey, verify } from 'node:crypto';
import { jwtAuthenticator } from '@lift/core/auth';
import { fakeLambdaContext } from '@lift/core/testing';
import { JwtVerifier } from 'aws-jwt-verify';
import { AUDIENCE, ISSUER } from './apps/common.js';
import { PUBLIC_JWK } from './apps/order.js';
import { createHonoP2 } from './apps/p2-hono.js';
import { createLiftP2 } from './apps/p2-lift.js';
import { createMiddyP2 } from './apps/p2-middy.js';
import { createRawP2 } from './apps/p2-raw.js';
import { mintTokens, p2Events } from './events.js';
import { type Contender, compare, type Plan, quietly, type Timing, timeCalls } from './harness.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const context = fakeLambdaContext({ timeoutMs: 900_000 });
const tokens = await mintTokens(200);
const events = p2Events(tokens);

const profile = arg('profile');
if (profile !== undefined) {
  const handler = createLiftP2({ cacheSize: 0 }) as (event: unknown, ctx: unknown) => Promise<unknown>;
  const payloads = events.map((e) => JSON.stringify(e));
  await quietly(async () => {
    for (let i = 0; i < Number(profile); i++)
      await handler(JSON.parse(payloads[i % payloads.length] as string), context);
  });
  process.exit(0);
}

const named = (name: string, handler: unknown): Contender => ({
  name,
  handler: handler as Contender['handler'],
});
const show = (t: readonly Timing[]) => t.map((x) => `${x.name}: ${x.median.toFixed(2)} µs`).join(' | ');

// The floor: what the signature check alone costs, and aws-jwt-verify and Lift's authenticator alone.
const key = createPublicKey({ key: PUBLIC_JWK, format: 'jwk' });
const parts = tokens.map((t) => {
  const [h, p, s] = t.split('.');
  return { input: Buffer.from(`${h}.${p}`), signature: Buffer.from(s as string, 'base64url') };
});
const awsVerifier = JwtVerifier.create({ issuer: ISSUER, audience: AUDIENCE, jwksUri: 'https://x/jwks' });
awsVerifier.cacheJwks({ keys: [PUBLIC_JWK] } as never);
const liftAuth = jwtAuthenticator({
  issuers: [
    { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], jwks: { keys: [PUBLIC_JWK] } as never },
  ],
  cacheSize: 0,
});
let n = 0;
const floor = timeCalls(
  [
    {
      name: 'crypto.verify',
      run: () => {
        const p = parts[n++ % parts.length] as (typeof parts)[number];
        if (!verify('RSA-SHA256', p.input, key, p.signature)) throw new Error('bad signature');
      },
    },
    {
      name: 'aws-jwt-verify verifySync',
      run: () => awsVerifier.verifySync(tokens[n++ % tokens.length] as string),
    },
  ],
  { warmup: 2_000, iterations: 200, repetitions: 25 },
);
console.log(`alone (sync): ${show(floor)}`);
const bearer = (token: string) => ({
  header: (name: string) => (name === 'authorization' ? `Bearer ${token}` : undefined),
});
const authOnly = await compare(
  [
    named('aws-jwt-verify verify', async (t: string) => ({
      statusCode: 200,
      body: JSON.stringify((await awsVerifier.verify(t)).sub),
    })),
    named('Lift authenticator', async (t: string) => ({
      statusCode: 200,
      body: JSON.stringify((await liftAuth(bearer(t) as never))?.userId),
    })),
  ],
  tokens,
  { warmup: 2_000, iterations: 200, repetitions: 25 },
);
console.log(`alone (async): ${show(authOnly)}`);

const plan: Plan = { warmup: 2_000, iterations: 200, repetitions: 25 };
for (let trial = 0; trial < Number(arg('trials') ?? 3); trial++) {
  const t = await quietly(() =>
    compare(
      [
        named('raw + jose', createRawP2()),
        named('Lift (first sight)', createLiftP2({ cacheSize: 0 })),
        named('Lift (repeated token)', createLiftP2()),
        named('Middy + jose', createMiddyP2()),
        named('Hono + jose', createHonoP2()),
      ],
      events,
      plan,
      context,
    ),
  );
  // As run.ts reports it: Lift's first sight and repeated token over Middy + jose.
  const middy = t[3]?.median ?? 1;
  const ratio = (i: number) => ((t[i]?.median ?? 0) / middy).toFixed(3);
  console.log(
    `P2 trial ${trial}: ${show(t)} | first sight ÷ Middy ${ratio(1)}× | repeated ÷ Middy ${ratio(2)}×`,
  );
}
