/**
 * @purssh/keys: SSH key formats. This version: public keys (RFC 4253 §6.6 blobs and the OpenSSH
 * one-line text form), fingerprints (ssh-keygen -l forms), unencrypted OpenSSH private keys
 * (PROTOCOL.key) and ssh-ed25519 signing keys (RFC 8709). No `node:` imports: runs in browsers.
 * @module
 */
export { KEY_ERROR, KeyError, type KeyErrorCode } from "./errors.js";
export {
  FINGERPRINT_HASHES,
  type FingerprintHash,
  fingerprintHex,
  fingerprintMd5,
  fingerprintSha1,
  fingerprintSha256,
} from "./fingerprint.js";
export {
  type FormatOpenSshPrivateKeyOptions,
  formatOpenSshPrivateKey,
  OPENSSH_PRIVATE_KEY_LABEL,
  parseOpenSshPrivateKey,
} from "./openssh-private.js";
export {
  ED25519_SEED_LENGTH,
  ed25519PrivateKeyFromSeed,
  generateEd25519Key,
  type PrivateKey,
} from "./private-key.js";
export {
  ED25519_PUBLIC_KEY_LENGTH,
  ed25519PublicKeyBytes,
  encodeEd25519PublicKeyBlob,
  formatPublicKey,
  isAlgorithmName,
  keyTypeOfBlob,
  type PublicKey,
  parsePublicKey,
  parsePublicKeyBlob,
  SSH_ED25519,
} from "./public-key.js";
