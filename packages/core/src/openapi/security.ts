import type { AccessControl, AuthenticationScheme, RouteAuth } from '../app/access.js';
import type { JsonObject, JsonValue } from '../app/describe.js';

/** The security schemes of a document, by name, in the access control's order of authenticators. */
export interface Security {
  readonly schemes: [string, JsonObject][];
  /** Names of the schemes a protected route accepts (any one of them). */
  readonly names: readonly string[];
}

function schemeObject(scheme: Exclude<AuthenticationScheme, { type: 'custom' }>): [string, JsonObject] {
  switch (scheme.type) {
    case 'jwt':
      return [
        'bearerJwt',
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `A JWT in \`Authorization: Bearer <token>\`, from ${scheme.issuers.map((i) => `\`${i}\``).join(', ')}.`,
          'x-lift-issuers': [...scheme.issuers],
        },
      ];
    case 'api-key':
      return [
        'apiKey',
        {
          type: 'apiKey',
          in: 'header',
          name: scheme.header,
          description: `An API key in \`${scheme.header}\`, or in \`Authorization: ${scheme.authorizationScheme} <key>\`.`,
        },
      ];
    case 'signature':
      return [
        'requestSignature',
        {
          type: 'apiKey',
          in: 'header',
          name: scheme.header,
          description: `An HMAC signature of the request; the request also carries ${scheme.headers
            .filter((h) => h !== scheme.header)
            .map((h) => `\`${h}\``)
            .join(', ')} (see Lift's signing guide).`,
          'x-lift-signature-headers': [...scheme.headers],
        },
      ];
    case 'gateway':
      if (scheme.via === 'jwt')
        return [
          'gatewayJwt',
          {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: "A JWT API Gateway's authorizer verifies before the function runs.",
          },
        ];
      if (scheme.via === 'iam')
        return [
          'awsSigV4',
          {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: 'AWS Signature Version 4 (IAM), verified by API Gateway.',
            'x-amazon-apigateway-authtype': 'awsSigv4',
          },
        ];
      return [
        'gatewayAuthorizer',
        {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: "Credentials API Gateway's Lambda authorizer checks before the function runs.",
        },
      ];
  }
}

/**
 * The security schemes the app's access control accepts, from the authenticators it was given. An
 * authenticator Lift did not build is named in a warning: the document cannot say how it reads a caller.
 */
export function securityOf(access: AccessControl | undefined, warn: (message: string) => void): Security {
  const schemes: [string, JsonObject][] = [];
  const taken = new Map<string, number>();
  (access?.schemes ?? []).forEach((scheme, i) => {
    if (scheme.type === 'custom') {
      warn(
        `authenticator ${i + 1} is not one Lift built; the document does not describe how it reads a caller`,
      );
      return;
    }
    const [base, object] = schemeObject(scheme);
    const n = (taken.get(base) ?? 0) + 1;
    taken.set(base, n);
    schemes.push([n === 1 ? base : `${base}${n}`, object]);
  });
  return { schemes, names: schemes.map(([name]) => name) };
}

/**
 * A protected route's `security` (any one scheme, each with the route's required scopes, which OAS
 * 3.1 allows for every scheme type) and its `x-lift-*` extensions: roles (any of them), scopes and
 * permissions (all of them).
 */
export function routeSecurity(auth: RouteAuth | undefined, security: Security): JsonObject {
  if (auth === undefined || auth === 'public') return {};
  const scopes = [...(auth.scopes ?? [])];
  // With no scheme it can describe, a protected route says so through its 401 only: an empty
  // \`security\` would claim it needs nothing.
  const out: JsonObject =
    security.names.length === 0 ? {} : { security: security.names.map((name) => ({ [name]: scopes })) };
  if (auth.roles !== undefined && auth.roles.length > 0) out['x-lift-roles'] = [...auth.roles];
  if (scopes.length > 0) out['x-lift-scopes'] = scopes;
  if (auth.permissions !== undefined && auth.permissions.length > 0)
    out['x-lift-permissions'] = auth.permissions.map((p) => {
      const permission: { [key: string]: JsonValue } = { resource: p.resource, action: p.action };
      if (p.scope !== undefined) permission.scope = p.scope;
      if (p.context !== undefined) permission.context = [...p.context];
      return permission;
    });
  return out;
}
