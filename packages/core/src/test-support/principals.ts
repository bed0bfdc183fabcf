import type { AuthMethod, Principal } from '../context/principal.js';

/** A plain `user` principal for route tests: `userId` in `tenantId` (none for a single-tenant app). */
export function testPrincipal(
  userId: string,
  tenantId: string | undefined,
  authMethod: AuthMethod = 'jwt',
): Principal {
  return { userId, tenantId, accountId: undefined, roles: ['user'], scopes: [], authMethod, claims: {} };
}
