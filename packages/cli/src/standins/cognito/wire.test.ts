/** The JSON 1.1 protocol as it travels: what a client that is not the SDK sees, and bad requests. */
import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CognitoStandIn, startCognitoStandIn } from './index.js';

const POOL = 'ap-southeast-2_Wire1';
const CLIENT = 'wireclient';

let standIn: CognitoStandIn;

beforeAll(async () => {
  standIn = await startCognitoStandIn({ pools: [{ id: POOL, clients: [{ id: CLIENT }] }] });
});
afterAll(() => standIn?.close());

/** POSTs `body` (sent as is when a string) to the stand-in as operation `operation`. */
async function call(operation: string | undefined, body: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
  if (operation !== undefined) headers['x-amz-target'] = `AWSCognitoIdentityProviderService.${operation}`;
  const res = await fetch(`${standIn.endpoint}/`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('the wire protocol', () => {
  it('answers errors as Cognito does: 400, __type, x-amzn-ErrorType, JSON 1.1', async () => {
    const res = await call('InitiateAuth', { ClientId: 'nope', AuthFlow: 'USER_AUTH' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'User pool client nope does not exist.',
    });
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException:');
    expect(res.headers.get('x-amzn-errormessage')).toBe('User pool client nope does not exist.');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('malformed JSON is a SerializationException, and the stand-in keeps serving', async () => {
    const res = await call('InitiateAuth', '{"ClientId": ');
    expect(res.status).toBe(400);
    expect(res.body.__type).toBe('SerializationException');
    expect(String(res.body.message)).toMatch(/^The request body is not JSON/);
    expect((await call('InitiateAuth', '[1]')).body.__type).toBe('SerializationException');
    expect((await call('InitiateAuth', { ClientId: 5 })).body).toEqual({
      __type: 'SerializationException',
      message: 'ClientId must be a string',
    });
    const after = await call('SignUp', { ClientId: CLIENT, Username: 'after@example.com' });
    expect(after.status).toBe(200);
    expect(after.body.UserConfirmed).toBe(true);
  });

  it('a missing member gets Cognito’s validation message', async () => {
    const res = await call('InitiateAuth', { AuthFlow: 'USER_AUTH' });
    expect(res.body).toEqual({
      __type: 'InvalidParameterException',
      message:
        "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null",
    });
  });

  it('an operation it does not implement is an UnknownOperationException naming it', async () => {
    const res = await call('AdminCreateUser', { UserPoolId: POOL, Username: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.__type).toBe('UnknownOperationException');
    expect(res.body.message).toMatch(
      /does not implement AdminCreateUser; it implements SignUp, ConfirmSignUp/,
    );
    expect((await call(undefined, {})).body).toMatchObject({
      __type: 'UnknownOperationException',
      message: 'X-Amz-Target must be AWSCognitoIdentityProviderService.<Operation>, got none',
    });
  });

  it('the SDK reports an unimplemented operation by its name', async () => {
    const client = new CognitoIdentityProviderClient({
      endpoint: standIn.endpoint,
      region: standIn.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await expect(
        client.send(new AdminCreateUserCommand({ UserPoolId: POOL, Username: 'x' })),
      ).rejects.toMatchObject({
        name: 'UnknownOperationException',
        message: expect.stringContaining('does not implement AdminCreateUser'),
        $metadata: { httpStatusCode: 400 },
      });
      await expect(
        client.send(new InitiateAuthCommand({ ClientId: CLIENT, AuthFlow: 'USER_AUTH', AuthParameters: {} })),
      ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    } finally {
      client.destroy();
    }
  });

  it('serves key sets at GET /<poolId>/.well-known/jwks.json only, 404 otherwise', async () => {
    expect(standIn.jwksUrl(POOL)).toBe(`${standIn.endpoint}/${POOL}/.well-known/jwks.json`);
    const jwks = await fetch(standIn.jwksUrl(POOL));
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('content-type')).toBe('application/json');
    expect(((await jwks.json()) as { keys: unknown[] }).keys).toHaveLength(1);
    for (const path of ['/us-east-1_Nope/.well-known/jwks.json', '/', '/.well-known/jwks.json']) {
      expect((await fetch(`${standIn.endpoint}${path}`)).status).toBe(404);
    }
    const put = await fetch(`${standIn.endpoint}/`, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(404);
    expect(((await put.json()) as { message: string }).message).toContain('answers POST /');
  });
});
