/** How a caller proved who they are. */
export type AuthMethod = 'jwt' | 'api-key' | 'signature' | 'iam' | 'apigw-jwt' | 'apigw-lambda';

/** The verified caller. Tenant, roles and scopes come only from here, never from the request. */
export interface Principal {
  readonly userId: string;
  readonly tenantId: string | undefined;
  readonly accountId: string | undefined;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  readonly authMethod: AuthMethod;
  /** The verified claims (or authorizer context), for checks the mapping does not cover. */
  readonly claims: Readonly<Record<string, unknown>>;
}
