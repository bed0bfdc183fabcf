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
  /**
   * The tenants the principal's issuer may speak for, when it is limited to some (a JWT issuer's
   * `tenants`). Access control lets cross-tenant roles reach only these: a partner issuer that
   * grants a cross-tenant role still cannot act for tenants it does not own.
   */
  readonly tenantScope?: (tenantId: string) => boolean;
}
