/**
 * The stand-in's RSA signing key: made on start, or kept in a file so tokens a service (or a phone)
 * still holds verify after `lift dev` restarts, as tokens from a real pool do.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { calculateJwkThumbprint, type JWK } from 'jose';

/** The public half as a user pool publishes it in its key set. */
export interface PublishedKey {
  readonly alg: 'RS256';
  readonly e: string;
  readonly kid: string;
  readonly kty: 'RSA';
  readonly n: string;
  readonly use: 'sig';
}

/** A key the stand-in signs with. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly published: PublishedKey;
}

/** What the key file holds: the private key as a JWK and its `kid`. */
interface KeyFile {
  readonly kid: string;
  readonly privateJwk: JWK;
}

const generateRsa = promisify(generateKeyPair);

/**
 * The signing key: read from `keyFile` when it exists, otherwise made, and written there (mode 0600)
 * when a file is given. A file that cannot be read as a key is an error naming it, never silently
 * replaced: replacing it would invalidate every token issued before without saying why.
 */
export async function loadSigningKey(keyFile?: string): Promise<SigningKey> {
  if (keyFile !== undefined && existsSync(keyFile)) return fromKeyFile(readKeyFile(keyFile));
  // 2048 bits, as Cognito's own keys.
  const { privateKey } = await generateRsa('rsa', { modulusLength: 2048 });
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  const contents: KeyFile = { kid: await cognitoStyleKid(privateJwk), privateJwk };
  return fromKeyFile(keyFile === undefined ? contents : persist(keyFile, contents));
}

/**
 * Cognito's `kid`s are 44-character standard base64 strings (a SHA-256 digest); the RFC 7638
 * thumbprint of the key, re-encoded, has that shape and is stable for a kept key.
 */
async function cognitoStyleKid(jwk: JWK): Promise<string> {
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  return Buffer.from(thumbprint, 'base64url').toString('base64');
}

function fromKeyFile({ kid, privateJwk }: KeyFile): SigningKey {
  const privateKey = createPrivateKey({ key: privateJwk as Record<string, unknown>, format: 'jwk' });
  const publicKey = createPublicKey(privateKey);
  const { e, n } = publicKey.export({ format: 'jwk' });
  if (typeof e !== 'string' || typeof n !== 'string') throw new Error('The signing key is not an RSA key');
  return { kid, privateKey, publicKey, published: { alg: 'RS256', e, kid, kty: 'RSA', n, use: 'sig' } };
}

function readKeyFile(file: string): KeyFile {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<KeyFile>;
    if (
      typeof parsed.kid !== 'string' ||
      typeof parsed.privateJwk !== 'object' ||
      parsed.privateJwk === null
    ) {
      throw new Error('it has no kid and privateJwk');
    }
    // Fail here, with the file's name, rather than at the first sign-in.
    fromKeyFile(parsed as KeyFile);
    return parsed as KeyFile;
  } catch (error) {
    throw new Error(
      `The Cognito stand-in's key file ${file} is not a usable key (${(error as Error).message}); delete it to make a new one`,
    );
  }
}

/**
 * Writes the key unless another process got there first: each writes its own file and links it into
 * place, and the one that loses uses the winner's key, so two stand-ins sharing a file agree.
 */
function persist(file: string, contents: KeyFile): KeyFile {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, JSON.stringify(contents), { mode: 0o600 });
  try {
    linkSync(temp, file);
    return contents;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readKeyFile(file);
  } finally {
    rmSync(temp, { force: true });
  }
}
