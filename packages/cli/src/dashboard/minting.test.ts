import { describe, expect, it } from 'vitest';
import type { LocalUserPool } from '../local-cloud.js';
import type { ServiceTrust } from '../trusted-issuers.js';
import { mintPlan, type TokenSources } from './minting.js';

const DEV = 'https://lift.dev/local-issuer';
const pool: LocalUserPool = {
  name: 'users',
  poolId: 'us-east-1_Abc',
  clientId: 'client1',
  issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc',
  jwksUrl: 'http://127.0.0.1:1/us-east-1_Abc/.well-known/jwks.json',
};
const sources = (trust: ServiceTrust | undefined, pools = [pool]): TokenSources => ({
  devIssuer: DEV,
  trust: () => trust,
  userPools: () => pools,
  mintDev: async () => 'unused',
  mintIdToken: async () => {
    throw new Error('unused');
  },
});

describe('what the minter can sign for', () => {
  it('the development issuer with the audience the service expects, and the pool for its ID tokens', () => {
    const plan = mintPlan(
      sources({
        issuers: [
          { issuer: DEV, audience: ['my-api', 'other'] },
          { issuer: pool.issuer, audience: ['client1'], tokenUse: 'id' },
        ],
        custom: 0,
      }),
    );
    expect(plan.targets.map((t) => [t.id, t.audience])).toEqual([
      ['dev', 'my-api'],
      ['pool:us-east-1_Abc', 'client1'],
    ]);
    expect(plan.note).toBeUndefined();
  });

  it('says plainly why nothing can be minted', () => {
    const access = mintPlan(
      sources({ issuers: [{ issuer: pool.issuer, audience: ['client1'], tokenUse: 'access' }], custom: 0 }),
    );
    expect(access.targets).toEqual([]);
    expect(access.trusted?.[0]?.why).toContain('access tokens');
    expect(access.note).toContain('lift dev holds the key of none of the issuers the service trusts');
    const otherClient = mintPlan(
      sources({ issuers: [{ issuer: pool.issuer, audience: ['mobile'], tokenUse: 'id' }], custom: 0 }),
    );
    expect(otherClient.trusted?.[0]?.why).toBe(
      "the service expects client mobile, the local pool's is client1",
    );
    const remote = mintPlan(
      sources({ issuers: [{ issuer: 'https://idp.example', audience: null }], custom: 0 }),
    );
    expect(remote.trusted?.[0]?.why).toContain('no key of this issuer');
    expect(mintPlan(sources({ issuers: [], custom: 0 })).note).toContain('trusts no JWT issuer');
    expect(mintPlan(sources({ issuers: [], custom: 1 })).note).toContain('authenticator Lift did not build');
  });

  it('without an exported app: the development issuer, saying the trust is unknown', () => {
    const plan = mintPlan(sources(undefined, []));
    expect(plan.trusted).toBeUndefined();
    expect(plan.targets.map((t) => t.id)).toEqual(['dev']);
    expect(plan.note).toContain('exports no app');
  });
});
