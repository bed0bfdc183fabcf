/**
 * The JWT issuers a loaded service trusts, read from its access control's description
 * (`app.describe().access.schemes`), for the dev dashboard's token minter and the 401 explanation.
 */

/** One issuer the service verifies tokens of. */
export interface TrustedIssuer {
  /** The `iss` its tokens must carry. */
  readonly issuer: string;
  /** The `aud` values accepted; `null` when any is; undefined when this @lift/core does not say. */
  readonly audience: readonly string[] | null | undefined;
  /** A Cognito user pool's token use (`id` or `access`). */
  readonly tokenUse?: 'id' | 'access';
  /** Its keys are given in the service's options (`jwks`), so it never fetches them from a stand-in. */
  readonly keysGiven?: boolean;
}

/** What the service's access control says about its authenticators. */
export interface ServiceTrust {
  /** Every JWT issuer of every JWT authenticator, in order. */
  readonly issuers: readonly TrustedIssuer[];
  /** Authenticators Lift did not build (their issuers cannot be known). */
  readonly custom: number;
}

interface Described {
  describe?: () => { readonly access?: { readonly schemes?: readonly unknown[] } | undefined };
}

const stringList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

/**
 * What `app` trusts, or undefined when that cannot be known: no app exported, or a @lift/core
 * whose apps do not describe their access control.
 */
export function serviceTrust(app: unknown): ServiceTrust | undefined {
  const describe = (app as Described | undefined)?.describe;
  if (typeof describe !== 'function') return undefined;
  let schemes: readonly unknown[];
  try {
    schemes = describe.call(app).access?.schemes ?? [];
  } catch {
    return undefined;
  }
  const issuers: TrustedIssuer[] = [];
  let custom = 0;
  for (const raw of schemes) {
    const scheme = raw as { type?: unknown; issuers?: unknown; trusts?: unknown };
    if (scheme.type === 'custom') custom += 1;
    if (scheme.type !== 'jwt' || !stringList(scheme.issuers)) continue;
    const trusts = Array.isArray(scheme.trusts) ? (scheme.trusts as Record<string, unknown>[]) : [];
    for (const issuer of scheme.issuers) {
      const detail = trusts.find((t) => t.issuer === issuer);
      const audience = detail?.audience;
      const tokenUse = detail?.tokenUse;
      issuers.push({
        issuer,
        audience: audience === null ? null : stringList(audience) ? audience : undefined,
        ...(tokenUse === 'id' || tokenUse === 'access' ? { tokenUse } : {}),
        ...(detail?.keys === 'given' ? { keysGiven: true } : {}),
      });
    }
  }
  return { issuers, custom };
}

/** `aud` as a list. */
export function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}
