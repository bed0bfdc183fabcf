import type { AuthenticationScheme } from '../app/access.js';
import type { Authenticator } from './api-gateway.js';

// A registered symbol: an app bundled with its own copy of @lift/core is still described by the
// generator of another copy (`lift openapi` loads the service's bundle).
const SCHEME = Symbol.for('lift.authenticationScheme');

/** @internal Marks an authenticator with how it reads a caller, for API descriptions. */
export function describedAs<A extends Authenticator>(authenticator: A, scheme: AuthenticationScheme): A {
  Object.defineProperty(authenticator, SCHEME, { value: Object.freeze(scheme) });
  return authenticator;
}

/** @internal How an authenticator reads a caller; `custom` when Lift did not build it. */
export function schemeOf(authenticator: Authenticator): AuthenticationScheme {
  const scheme = (authenticator as unknown as Record<symbol, unknown>)[SCHEME];
  return (scheme as AuthenticationScheme | undefined) ?? { type: 'custom' };
}
