/**
 * `@lift/core/signing`: HMAC-SHA256 request signing for service-to-service calls. The client side
 * (`signRequest`, `signedFetch`) and the server side (`signatureAuthenticator` with a nonce store)
 * share one canonical form.
 */
export {
  type CanonicalInput,
  canonicalPath,
  canonicalQuery,
  canonicalRequest,
  DEFAULT_SIGNED_HEADERS,
  SIGNATURE_HEADERS,
  SIGNING_SCHEME,
  signCanonical,
} from './canonical.js';
export { dynamoNonceStore, memoryNonceStore, type NonceStore } from './nonces.js';
export { type SignRequestOptions, signedFetch, signRequest } from './signer.js';
export { type SignatureAuthenticatorOptions, type SigningKey, signatureAuthenticator } from './verifier.js';
