/** Sign-up and passwordless sign-in through the real AWS SDK client, as the mobile backend does them. */
import {
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  InvalidParameterException,
  NotAuthorizedException,
  ResourceNotFoundException,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CognitoStandIn, otpCodeFrom, startCognitoStandIn } from './index.js';

const POOL = 'us-east-1_AbCdEf123';
const CLIENT = 'appclient1234567890abcdefg';
const AUTO_POOL = 'eu-west-1_Auto42';
const AUTO_CLIENT = 'autoclient';

let standIn: CognitoStandIn;
let client: CognitoIdentityProviderClient;
/** The stand-in's clock: it stands still unless a test moves it. */
let clock = Date.now();
let users = 0;
const announced: string[] = [];

beforeAll(async () => {
  standIn = await startCognitoStandIn({
    pools: [
      { id: POOL, clients: [{ id: CLIENT, name: 'mobile' }] },
      { id: AUTO_POOL, clients: [{ id: AUTO_CLIENT }], autoSignUp: true },
    ],
    now: () => clock,
    onMail: (message) => announced.push(message.to),
  });
  client = new CognitoIdentityProviderClient({
    endpoint: standIn.endpoint,
    region: standIn.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  client?.destroy();
  await standIn?.close();
});
afterEach(() => {
  clock = Date.now();
});

/** A new signed-up user's email. */
async function newUser(): Promise<string> {
  users += 1;
  const email = `User${users}@Example.com`;
  await client.send(new SignUpCommand({ ClientId: CLIENT, Username: email }));
  return email;
}

/** Asks for a code by email; returns the session. */
async function requestCode(email: string, clientId = CLIENT): Promise<string> {
  const out = await client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'EMAIL_OTP' },
    }),
  );
  expect(out.ChallengeName).toBe('EMAIL_OTP');
  return out.Session ?? '';
}

/** The code in the newest email to `email`. */
function codeFor(email: string): string {
  const code = otpCodeFrom(standIn.mailbox.latest(email)?.text ?? '');
  if (code === undefined) throw new Error(`no code was mailed to ${email}`);
  return code;
}

function answer(email: string, session: string, code: string, clientId = CLIENT) {
  return client.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'EMAIL_OTP',
      Session: session,
      ChallengeResponses: { USERNAME: email, EMAIL_OTP_CODE: code },
    }),
  );
}

/** The same length, never the right code. */
function wrong(code: string): string {
  return `${(Number(code[0]) + 1) % 10}${code.slice(1)}`;
}

describe('sign-up', () => {
  it('creates a confirmed user without a password and says so', async () => {
    const out = await client.send(new SignUpCommand({ ClientId: CLIENT, Username: 'grace@example.com' }));
    expect(out.UserConfirmed).toBe(true);
    expect(out.UserSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.CodeDeliveryDetails).toBeUndefined();
  });

  it('refuses a second sign-up with the same email, in any case', async () => {
    await client.send(new SignUpCommand({ ClientId: CLIENT, Username: 'twice@example.com' }));
    await expect(
      client.send(
        new SignUpCommand({ ClientId: CLIENT, Username: 'TWICE@example.com', Password: 'Secret!23' }),
      ),
    ).rejects.toBeInstanceOf(UsernameExistsException);
  });

  it('refuses a username that is not an email, and attributes outside the schema', async () => {
    await expect(client.send(new SignUpCommand({ ClientId: CLIENT, Username: 'ada' }))).rejects.toMatchObject(
      {
        name: 'InvalidParameterException',
        message: 'Username should be an email.',
      },
    );
    await expect(
      client.send(
        new SignUpCommand({
          ClientId: CLIENT,
          Username: 'schema@example.com',
          UserAttributes: [{ Name: 'tenant', Value: 'acme' }],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('ConfirmSignUp answers as Cognito does for a user already confirmed', async () => {
    const email = await newUser();
    await expect(
      client.send(
        new ConfirmSignUpCommand({ ClientId: CLIENT, Username: email, ConfirmationCode: '123456' }),
      ),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User cannot be confirmed. Current status is CONFIRMED',
    });
  });
});

describe('email one-time password sign-in', () => {
  it('signs up, mails an 8-digit code, and exchanges it for tokens', async () => {
    const email = await newUser();
    const initiated = await client.send(
      new InitiateAuthCommand({
        ClientId: CLIENT,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: email.toLowerCase(), PREFERRED_CHALLENGE: 'EMAIL_OTP' },
      }),
    );
    expect(initiated.ChallengeName).toBe('EMAIL_OTP');
    expect(initiated.ChallengeParameters).toEqual({
      CODE_DELIVERY_DELIVERY_MEDIUM: 'EMAIL',
      CODE_DELIVERY_DESTINATION: 'U***@E***.com',
    });
    const mail = standIn.mailbox.latest(email);
    expect(mail).toMatchObject({ to: email, subject: 'Your sign-in code' });
    expect(mail?.text).toMatch(/^Your code is \d{8}\n/);
    expect(announced.at(-1)).toBe(email);

    const out = await answer(email, initiated.Session ?? '', codeFor(email));
    expect(out.ChallengeName).toBeUndefined();
    expect(out.ChallengeParameters).toEqual({});
    expect(out.AuthenticationResult).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
    for (const token of ['IdToken', 'AccessToken'] as const) {
      expect(out.AuthenticationResult?.[token]?.split('.')).toHaveLength(3);
    }
    expect(out.AuthenticationResult?.RefreshToken).toMatch(/^[\w-]{40,}$/);
  });

  it('without PREFERRED_CHALLENGE offers the choice, and SELECT_CHALLENGE then sends the code', async () => {
    const email = await newUser();
    const initiated = await client.send(
      new InitiateAuthCommand({
        ClientId: CLIENT,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: email },
      }),
    );
    expect(initiated).toMatchObject({
      ChallengeName: 'SELECT_CHALLENGE',
      AvailableChallenges: ['EMAIL_OTP'],
      ChallengeParameters: {},
    });
    expect(standIn.mailbox.latest(email)).toBeUndefined();
    // A first factor the stand-in does not offer falls back to the choice.
    const preferred = await client.send(
      new InitiateAuthCommand({
        ClientId: CLIENT,
        AuthFlow: 'USER_AUTH',
        AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'PASSWORD' },
      }),
    );
    expect(preferred.ChallengeName).toBe('SELECT_CHALLENGE');

    const select = {
      ClientId: CLIENT,
      ChallengeName: 'SELECT_CHALLENGE' as const,
      Session: initiated.Session,
      ChallengeResponses: { USERNAME: email, ANSWER: 'EMAIL_OTP' },
    };
    const selected = await client.send(new RespondToAuthChallengeCommand(select));
    expect(selected.ChallengeName).toBe('EMAIL_OTP');
    expect(selected.Session).not.toBe(initiated.Session);
    const out = await answer(email, selected.Session ?? '', codeFor(email));
    expect(out.AuthenticationResult?.IdToken).toBeDefined();
    // A session answers one challenge.
    await expect(client.send(new RespondToAuthChallengeCommand(select))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user, session can only be used once.',
    });
  });

  it('a wrong code is a CodeMismatchException, and the same session can try again', async () => {
    const email = await newUser();
    const session = await requestCode(email);
    const code = codeFor(email);
    await expect(answer(email, session, wrong(code))).rejects.toBeInstanceOf(CodeMismatchException);
    await expect(answer(email, session, wrong(code))).rejects.toMatchObject({
      message: 'Invalid code or auth state for the user.',
      $metadata: { httpStatusCode: 400 },
    });
    expect((await answer(email, session, code)).AuthenticationResult?.AccessToken).toBeDefined();
    await expect(answer(email, session, code)).rejects.toMatchObject({
      message: 'Invalid session for the user, session can only be used once.',
    });
  });

  it('two answers racing with the right code: one gets tokens, the other is refused', async () => {
    const email = await newUser();
    const session = await requestCode(email);
    const code = codeFor(email);
    const results = await Promise.allSettled([answer(email, session, code), answer(email, session, code)]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('after 3 wrong codes the session is dead, even for the right code', async () => {
    const email = await newUser();
    const session = await requestCode(email);
    const code = codeFor(email);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(answer(email, session, wrong(code))).rejects.toBeInstanceOf(CodeMismatchException);
    }
    await expect(answer(email, session, code)).rejects.toBeInstanceOf(NotAuthorizedException);
    // A new request mails a new code with a new session.
    const again = await requestCode(email);
    expect((await answer(email, again, codeFor(email))).AuthenticationResult).toBeDefined();
  });

  it('a code is good for 3 minutes: then the session has expired', async () => {
    const email = await newUser();
    const late = await requestCode(email);
    const lateCode = codeFor(email);
    clock += 3 * 60_000;
    await expect(answer(email, late, lateCode)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user, session is expired.',
    });
    const inTime = await requestCode(email);
    const code = codeFor(email);
    clock += 3 * 60_000 - 1;
    expect((await answer(email, inTime, code)).AuthenticationResult).toBeDefined();
  });

  it('an unknown email is a UserNotFoundException (hiding it is the service’s job)', async () => {
    await expect(requestCode('nobody@example.com')).rejects.toMatchObject({
      name: 'UserNotFoundException',
      message: 'User does not exist.',
    });
    expect(standIn.mailbox.latest('nobody@example.com')).toBeUndefined();
  });

  it('a pool with autoSignUp creates the user on the first sign-in', async () => {
    const session = await requestCode('new@example.com', AUTO_CLIENT);
    const out = await answer('new@example.com', session, codeFor('new@example.com'), AUTO_CLIENT);
    expect(out.AuthenticationResult?.IdToken).toBeDefined();
    await expect(requestCode('new@example.com')).rejects.toBeInstanceOf(UserNotFoundException);
  });

  it('an unknown client id is a ResourceNotFoundException; a session of another client is refused', async () => {
    await expect(requestCode('x@example.com', 'nosuchclient')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'User pool client nosuchclient does not exist.',
    });
    await expect(answer('x@example.com', 'session', '12345678', 'nosuchclient')).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const email = await newUser();
    const session = await requestCode(email);
    await expect(answer(email, session, codeFor(email), AUTO_CLIENT)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user.',
    });
  });

  it('missing parameters and flows it does not implement are InvalidParameterException, named', async () => {
    const initiate = (AuthFlow: 'USER_AUTH' | 'USER_PASSWORD_AUTH', AuthParameters: Record<string, string>) =>
      client.send(new InitiateAuthCommand({ ClientId: CLIENT, AuthFlow, AuthParameters }));
    await expect(initiate('USER_AUTH', {})).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Missing required parameter USERNAME',
    });
    await expect(initiate('USER_PASSWORD_AUTH', { USERNAME: 'a@b.c', PASSWORD: 'x' })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('USER_PASSWORD_AUTH flow not enabled for this client'),
    });
    const email = await newUser();
    const session = await requestCode(email);
    await expect(
      client.send(
        new RespondToAuthChallengeCommand({
          ClientId: CLIENT,
          ChallengeName: 'EMAIL_OTP',
          Session: session,
          ChallengeResponses: { USERNAME: email },
        }),
      ),
    ).rejects.toMatchObject({ message: 'Missing required parameter EMAIL_OTP_CODE' });
  });
});

describe('options', () => {
  it('refuses a pool id that is not one, and a client listed twice', async () => {
    await expect(startCognitoStandIn({ pools: [{ id: 'my-pool', clients: [] }] })).rejects.toThrow(
      'Pool id "my-pool" is not a Cognito pool id like us-east-1_AbCdEf123',
    );
    const twice = { id: 'us-east-1_A1', clients: [{ id: 'same' }, { id: 'same' }] };
    await expect(startCognitoStandIn({ pools: [twice] })).rejects.toThrow('Client id same is listed twice');
    await expect(startCognitoStandIn({ pools: [twice], maxAttempts: 0 })).rejects.toThrow(
      'maxAttempts must be a positive integer, got 0',
    );
  });
});
