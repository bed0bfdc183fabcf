import { ConfigurationError } from '../errors/errors.js';

/** Each role and the roles directly below it; a role holds every role beneath it. */
export type RoleHierarchy = Readonly<Record<string, readonly string[]>>;

/** super_admin > client_admin > integration_admin, company_admin > user. */
export const DEFAULT_ROLE_HIERARCHY: RoleHierarchy = {
  super_admin: ['client_admin'],
  client_admin: ['integration_admin', 'company_admin'],
  integration_admin: ['user'],
  company_admin: ['user'],
  user: [],
};

/**
 * Precomputes, once, every role each role holds, and returns a function giving the effective roles
 * of a principal. Unknown roles (a claim naming a role the hierarchy lacks) hold nothing but themselves.
 * A cycle is a configuration error.
 */
export function roleExpander(hierarchy: RoleHierarchy): (roles: readonly string[]) => ReadonlySet<string> {
  const closure = new Map<string, Set<string>>();
  const visit = (role: string, path: string[]): Set<string> => {
    const known = closure.get(role);
    if (known !== undefined) return known;
    if (path.includes(role))
      throw new ConfigurationError(`Role hierarchy has a cycle: ${[...path, role].join(' > ')}`);
    const held = new Set([role]);
    for (const below of hierarchy[role] ?? []) {
      if (!Object.hasOwn(hierarchy, below))
        throw new ConfigurationError(`Role "${role}" holds "${below}", which the hierarchy does not define`);
      for (const r of visit(below, [...path, role])) held.add(r);
    }
    closure.set(role, held);
    return held;
  };
  for (const role of Object.keys(hierarchy)) visit(role, []);
  return (roles) => {
    const effective = new Set<string>();
    for (const role of roles) {
      // Only roles the hierarchy defines count; anything else in a token is ignored.
      for (const r of closure.get(role) ?? []) effective.add(r);
    }
    return effective;
  };
}
