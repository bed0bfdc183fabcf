/**
 * The dev token minter's choices: which issuers the service trusts, and for each whether lift dev
 * holds its key (its own development issuer, or a user pool of the local Cognito stand-in), so a
 * minted token is one the service accepts.
 */
import type { DevTokenOptions } from '../dev-issuer.js';
import type { LocalUserPool } from '../local-cloud.js';
import type { IdTokenRequest, MintedIdToken } from '../standins/cognito/index.js';
import type { ServiceTrust } from '../trusted-issuers.js';

/** What the minter reads from the dev server. */
export interface TokenSources {
  /** The `iss` of lift dev's development issuer. */
  readonly devIssuer: string;
  /** What the loaded service trusts; undefined when that cannot be known (no app exported). */
  readonly trust: () => ServiceTrust | undefined;
  /** The user pools the local Cognito stand-in serves. */
  readonly userPools: () => readonly LocalUserPool[];
  /** Mints from the development issuer, as `lift token`. */
  readonly mintDev: (options: DevTokenOptions) => Promise<string>;
  /** Mints an ID token of a local user pool, creating the user if needed. */
  readonly mintIdToken: (poolId: string, request: IdTokenRequest) => Promise<MintedIdToken>;
}

/** Something the minter can sign for. */
export interface MintTarget {
  /** `dev`, or `pool:<poolId>`. */
  readonly id: string;
  readonly kind: 'dev-issuer' | 'user-pool';
  readonly issuer: string;
  /** The `aud` a token gets unless another is asked for. */
  readonly audience: string;
  /** One line saying what it is. */
  readonly label: string;
}

/** One issuer the service trusts, as the panel lists it. */
export interface TrustedRow {
  readonly issuer: string;
  /** `null`: any audience; undefined: not described by this @lift/core. */
  readonly audience: readonly string[] | null | undefined;
  readonly tokenUse?: 'id' | 'access';
  /** The target minting for it, or why none can. */
  readonly target?: string;
  readonly why?: string;
}

/** What the panel shows before minting. */
export interface MintPlan {
  /** The service's trusted issuers; undefined when unknown. */
  readonly trusted: readonly TrustedRow[] | undefined;
  readonly targets: readonly MintTarget[];
  /** Said above the form: why the trust is unknown, or why nothing can be minted. */
  readonly note?: string;
}

/** The first audience a list accepts, or `fallback` when any is (or it is not said). */
function firstAudience(audience: readonly string[] | null | undefined, fallback: string): string {
  return audience?.[0] ?? fallback;
}

/** Works out what can be minted for the service as it is loaded now. */
export function mintPlan(sources: TokenSources): MintPlan {
  const trust = sources.trust();
  const pools = sources.userPools();
  const dev = (audience: string): MintTarget => ({
    id: 'dev',
    kind: 'dev-issuer',
    issuer: sources.devIssuer,
    audience,
    label: `lift dev's development issuer (${sources.devIssuer})`,
  });
  if (trust === undefined) {
    return {
      trusted: undefined,
      targets: [dev('lift-dev')],
      note: 'Which issuers the service trusts is unknown (the entry exports no app), so tokens come from the development issuer; the service must trust it (LIFT_DEV_ISSUER).',
    };
  }
  const targets: MintTarget[] = [];
  const rows: TrustedRow[] = trust.issuers.map((t) => {
    if (t.issuer === sources.devIssuer) {
      const target = dev(firstAudience(t.audience, 'lift-dev'));
      if (!targets.some((x) => x.id === target.id)) targets.push(target);
      return { ...t, target: target.id };
    }
    const pool = pools.find((p) => p.issuer === t.issuer);
    if (pool === undefined)
      return {
        ...t,
        why: 'lift dev holds no key of this issuer: get a token from it, or trust a local one in dev',
      };
    if (t.keysGiven === true)
      return {
        ...t,
        why: `the service holds this pool's keys in its options ("jwks") and never reads the local stand-in's, so a token minted here would be refused: leave "jwks" out in dev, or sign with a key it holds`,
      };
    if (t.tokenUse === 'access')
      return {
        ...t,
        why: `the service takes this pool's access tokens; the dashboard mints ID tokens: sign in with the emailed code instead, or trust userPoolIssuer(${pool.name}, 'id')`,
      };
    if (t.audience !== undefined && t.audience !== null && !t.audience.includes(pool.clientId))
      return {
        ...t,
        why: `the service expects client ${t.audience.join(' or ')}, the local pool's is ${pool.clientId}`,
      };
    const target: MintTarget = {
      id: `pool:${pool.poolId}`,
      kind: 'user-pool',
      issuer: pool.issuer,
      audience: pool.clientId,
      label: `user pool ${pool.name} (local stand-in, ID token)`,
    };
    targets.push(target);
    return { ...t, target: target.id };
  });
  if (targets.length > 0) return { trusted: rows, targets };
  let note: string;
  if (rows.length === 0)
    note =
      trust.custom > 0
        ? 'The service reads callers with an authenticator Lift did not build, so the dashboard cannot tell which tokens it accepts and mints none.'
        : 'The service trusts no JWT issuer (no jwtAuthenticator), so a bearer token would not be accepted; it mints none.';
  else
    note = `Nothing to mint: lift dev holds the key of none of the issuers the service trusts. In dev, trust lift's development issuer (process.env.LIFT_DEV_ISSUER, keys at LIFT_DEV_JWKS_URI) or a declared user pool's ID tokens (userPoolIssuer(pool, 'id')).`;
  return { trusted: rows, targets, note };
}
