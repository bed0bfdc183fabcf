import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { instrumentAwsClient } from '../otel/otel.js';
import { lazyPeer } from '../peer/peer.js';

const secretsManagerSdk = lazyPeer(
  '@aws-sdk/client-secrets-manager',
  () => import('@aws-sdk/client-secrets-manager'),
  'secretsManagerSource',
);
const ssmSdk = lazyPeer('@aws-sdk/client-ssm', () => import('@aws-sdk/client-ssm'), 'parameterStoreSource');

/** Where secret values come from. */
export interface SecretSource {
  /** The current value of a secret, as text. */
  load(name: string): Promise<string>;
}

/** AWS Secrets Manager (`GetSecretValue`); the SDK client is imported and created on first use. */
export function secretsManagerSource(options: { readonly client?: SecretsManagerClient } = {}): SecretSource {
  let client:
    | Promise<{
        send: SecretsManagerClient['send'];
        Command: typeof import('@aws-sdk/client-secrets-manager').GetSecretValueCommand;
      }>
    | undefined;
  return {
    async load(name) {
      if (client === undefined) {
        const starting = secretsManagerSdk().then((sdk) => {
          const c = options.client ?? instrumentAwsClient(new sdk.SecretsManagerClient({}));
          return { send: c.send.bind(c) as SecretsManagerClient['send'], Command: sdk.GetSecretValueCommand };
        });
        // A missing package is not remembered: the next load tries again.
        starting.catch(() => {
          if (client === starting) client = undefined;
        });
        client = starting;
      }
      const { send, Command } = await client;
      const out = await send(new Command({ SecretId: name }));
      if (typeof out.SecretString === 'string') return out.SecretString;
      if (out.SecretBinary !== undefined) return Buffer.from(out.SecretBinary).toString('utf8');
      throw new Error('the secret has no value');
    },
  };
}

/** SSM Parameter Store (`GetParameter`, decrypting SecureStrings); the SDK is imported on first use. */
export function parameterStoreSource(options: { readonly client?: SSMClient } = {}): SecretSource {
  let client:
    | Promise<{ send: SSMClient['send']; Command: typeof import('@aws-sdk/client-ssm').GetParameterCommand }>
    | undefined;
  return {
    async load(name) {
      if (client === undefined) {
        const starting = ssmSdk().then((sdk) => {
          const c = options.client ?? instrumentAwsClient(new sdk.SSMClient({}));
          return { send: c.send.bind(c) as SSMClient['send'], Command: sdk.GetParameterCommand };
        });
        starting.catch(() => {
          if (client === starting) client = undefined;
        });
        client = starting;
      }
      const { send, Command } = await client;
      const out = await send(new Command({ Name: name, WithDecryption: true }));
      const value = out.Parameter?.Value;
      if (typeof value !== 'string') throw new Error('the parameter has no value');
      return value;
    },
  };
}
