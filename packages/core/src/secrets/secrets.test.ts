/**
 * Secrets with the real AWS SDK clients, pointed at a loopback stand-in that speaks the Secrets
 * Manager and SSM JSON protocols (there is no official local emulator to run here).
 */
import { createServer, type Server } from 'node:http';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecrets, SecretError } from './secrets.js';
import { parameterStoreSource, secretsManagerSource } from './sources.js';

const values: Record<string, string> = {
  'db/password': 'hunter2-rotating',
  'api/config': '{"url":"https://partner.example","token":"s3cr3t-token"}',
  'not/json': 'plain-secret-text',
  '/app/key': 'parameter-value',
};
let up = true;
let calls = 0;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      calls += 1;
      if (!up)
        return res
          .writeHead(500, { 'content-type': 'application/x-amz-json-1.1' })
          .end('{"__type":"InternalServiceError","message":"down"}');
      const target = String(req.headers['x-amz-target']);
      const input = JSON.parse(raw) as { SecretId?: string; Name?: string };
      const name = input.SecretId ?? input.Name ?? '';
      const value = values[name];
      if (value === undefined) {
        return res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end(
          JSON.stringify({
            __type: target.startsWith('AmazonSSM') ? 'ParameterNotFound' : 'ResourceNotFoundException',
            message: 'not found',
          }),
        );
      }
      const body =
        target === 'secretsmanager.GetSecretValue'
          ? {
              ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`,
              Name: name,
              SecretString: value,
              VersionId: 'v1',
            }
          : { Parameter: { Name: name, Value: value, Type: 'SecureString', Version: 1 } };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const config = () => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  maxAttempts: 1,
});

describe('secrets', () => {
  it('reads Secrets Manager and Parameter Store values through the real SDK clients', async () => {
    const sm = createSecrets({
      source: secretsManagerSource({ client: new SecretsManagerClient(config()) }),
    });
    expect(await sm.get('db/password')).toBe('hunter2-rotating');
    expect(await sm.json('api/config')).toEqual({ url: 'https://partner.example', token: 's3cr3t-token' });
    const ssm = createSecrets({ source: parameterStoreSource({ client: new SSMClient(config()) }) });
    expect(await ssm.get('/app/key')).toBe('parameter-value');
  });

  it('caches for the TTL, shares concurrent reads, then serves stale while one refresh runs', async () => {
    let clock = 0;
    const secrets = createSecrets({
      source: secretsManagerSource({ client: new SecretsManagerClient(config()) }),
      ttlMs: 1000,
      staleWhileRevalidateMs: 1000,
      now: () => clock,
    });
    const before = calls;
    await Promise.all([secrets.get('db/password'), secrets.get('db/password'), secrets.get('db/password')]);
    expect(calls - before).toBe(1);
    clock = 500;
    await secrets.get('db/password');
    expect(calls - before).toBe(1);
    values['db/password'] = 'rotated-value';
    clock = 1500;
    expect(await secrets.get('db/password')).toBe('hunter2-rotating'); // stale served, refresh started
    await new Promise((r) => setTimeout(r, 50));
    expect(await secrets.get('db/password')).toBe('rotated-value');
    values['db/password'] = 'hunter2-rotating';
  });

  it('serves the last value when the source is down (stale-if-error), and fails clearly past that', async () => {
    let clock = 0;
    const secrets = createSecrets({
      source: secretsManagerSource({ client: new SecretsManagerClient(config()) }),
      ttlMs: 1000,
      staleWhileRevalidateMs: 0,
      staleIfErrorMs: 5000,
      now: () => clock,
    });
    await secrets.get('db/password');
    up = false;
    clock = 3000;
    expect(await secrets.get('db/password')).toBe('hunter2-rotating');
    clock = 10_000;
    await expect(secrets.get('db/password')).rejects.toBeInstanceOf(SecretError);
    up = true;
  });

  it('refreshes on demand, after an authentication failure that may mean a rotation', async () => {
    const secrets = createSecrets({
      source: secretsManagerSource({ client: new SecretsManagerClient(config()) }),
    });
    expect(await secrets.get('db/password')).toBe('hunter2-rotating');
    values['db/password'] = 'after-rotation';
    expect(await secrets.get('db/password')).toBe('hunter2-rotating');
    expect(await secrets.refresh('db/password')).toBe('after-rotation');
    expect(await secrets.get('db/password')).toBe('after-rotation');
    values['db/password'] = 'hunter2-rotating';
  });

  it('prefetches at cold start and honours local overrides', async () => {
    const secrets = createSecrets({
      source: secretsManagerSource({ client: new SecretsManagerClient(config()) }),
      overrides: { 'db/password': 'local-dev' },
    });
    const before = calls;
    await secrets.prefetch(['db/password', 'api/config']);
    expect(calls - before).toBe(1);
    expect(await secrets.get('db/password')).toBe('local-dev');
  });

  it('never puts a secret value in an error', async () => {
    const secrets = createSecrets({
      source: secretsManagerSource({ client: new SecretsManagerClient(config()) }),
    });
    const notJson = await secrets.json('not/json').catch((e: unknown) => e as SecretError);
    expect(notJson).toBeInstanceOf(SecretError);
    expect(
      `${(notJson as Error).message} ${(notJson as Error).stack} ${String((notJson as Error).cause)}`,
    ).not.toContain('plain-secret-text');
    const missing = await secrets.get('no/such').catch((e: unknown) => e as SecretError);
    expect((missing as Error).message).toBe('Secret "no/such" could not be read');
  });
});
