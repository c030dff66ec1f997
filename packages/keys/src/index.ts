/**
 * @purssh/keys: SSH key formats. Public keys (RFC 4253 §6.6 blobs of ssh-ed25519, ECDSA, ssh-rsa
 * and sk-* keys; the OpenSSH one-line form, RFC 4716 and PEM SubjectPublicKeyInfo), fingerprints
 * (ssh-keygen -l forms), private keys in OpenSSH format (PROTOCOL.key, plain and bcrypt_pbkdf
 * encrypted), PEM (PKCS#1, SEC 1, PKCS#8, encrypted PKCS#8 and legacy OpenSSL encryption) and
 * PuTTY PPK v2/v3, signing keys for ssh-ed25519, ecdsa-sha2-nistp* and rsa-sha2-* / ssh-rsa, key
 * generation, OpenSSH certificates (PROTOCOL.certkeys: parse, verify, sign, and user-certificate
 * signing keys), known_hosts and authorized_keys (sshd(8) file formats), and the ssh-agent protocol
 * client (draft-miller-ssh-agent). No `node:` imports: runs in browsers.
 * @module
 */
export { AgentClient, type AgentConnection, type AgentIdentity } from "./agent.js";
export {
  AGENT_ERROR,
  AGENT_MAX_LEN,
  AGENT_MSG,
  AgentcRequestIdentities,
  AgentcSignRequest,
  AgentError,
  type AgentErrorCode,
  AgentFailure,
  AgentIdentitiesAnswer,
  type AgentIdentityBlob,
  AgentMessageReader,
  AgentSignResponse,
  AgentSuccess,
  agentMessageName,
  decodeIdentitiesAnswer,
  encodeIdentitiesAnswer,
  frameAgentMessage,
  isAgentFailure,
  MAX_AGENT_IDENTITIES,
  SSH_AGENT_RSA_SHA2_256,
  SSH_AGENT_RSA_SHA2_512,
} from "./agent-protocol.js";
export {
  type AuthorizedKeyEntry,
  type AuthorizedKeyMatch,
  type AuthorizedKeys,
  type AuthorizedKeysLineError,
  type FindAuthorizedKeyOptions,
  findAuthorizedKey,
  parseAuthorizedKeys,
  permitsListen,
  permitsOpen,
} from "./authorized-keys.js";
export {
  type AuthorizedKeyOptions,
  DEFAULT_AUTHORIZED_KEY_OPTIONS,
  type HostPortPermission,
  parseAbsoluteTime,
  parseAuthorizedKeyOptions,
} from "./authorized-keys-options.js";
export { bcryptPbkdf } from "./bcrypt-pbkdf.js";
export {
  CERT_VALID_FOREVER,
  CERTIFICATE_KEY_TYPES,
  type Certificate,
  type CertificateKeyType,
  type CertificateOption,
  type CertificateOptionValues,
  type CertificateSpec,
  type CertificateType,
  certificateTypeOf,
  DEFAULT_USER_EXTENSIONS,
  isCertificateType,
  MAX_CERT_PRINCIPALS,
  parseCertificate,
  parseCertificateBlob,
  SSH_CERT_TYPE,
  signCertificate,
} from "./certificate.js";
export {
  CERT_ERROR,
  type CertErrorCode,
  CertificateError,
  type CertificatePermissions,
  DEFAULT_CA_SIGNATURE_ALGORITHMS,
  KNOWN_CRITICAL_OPTIONS,
  KNOWN_EXTENSIONS,
  type VerifiedCertificate,
  type VerifyCertificateOptions,
  verifyCertificate,
} from "./certificate-verify.js";
export { certifiedPrivateKey } from "./certified-key.js";
export { ECDSA_CURVES, type EcdsaCurveName, type EcdsaKeyType } from "./ecdsa-curves.js";
export { ecdsaPrivateKey } from "./ecdsa-key.js";
export { KEY_ERROR, KeyError, type KeyErrorCode } from "./errors.js";
export {
  FINGERPRINT_HASHES,
  type FingerprintHash,
  fingerprintHex,
  fingerprintMd5,
  fingerprintSha1,
  fingerprintSha256,
} from "./fingerprint.js";
export { type GenerateKeyOptions, generateKey } from "./generate.js";
export {
  knownHostsName,
  matchAddressList,
  matchHostAndAddress,
  matchHostname,
  matchPattern,
  matchPatternList,
  type PatternListMatch,
  SSH_DEFAULT_PORT,
} from "./host-patterns.js";
export {
  type CidrBlock,
  type CidrList,
  cidrContains,
  type IpAddress,
  parseCidr,
  parseCidrList,
  parseIpAddress,
} from "./ip-address.js";
export {
  type PublicKeyParams,
  RSA_MAX_BITS,
  RSA_MIN_BITS,
  SK_ECDSA_NISTP256,
  SK_SSH_ED25519,
  SSH_RSA,
} from "./key-blobs.js";
export { parsePrivateKey, parsePublicKeyFile } from "./key-file.js";
export {
  hashKnownHostName,
  KnownHosts,
  type KnownHostsAddOptions,
  type KnownHostsCheck,
  type KnownHostsCheckOptions,
  type KnownHostsEntry,
  type KnownHostsHosts,
  type KnownHostsLineError,
  type KnownHostsMarker,
  type KnownHostsStatus,
  parseKnownHosts,
} from "./known-hosts.js";
export { KEY_FILE_CIPHERS } from "./openssh-key-ciphers.js";
export {
  DEFAULT_BCRYPT_ROUNDS,
  type FormatOpenSshPrivateKeyOptions,
  formatOpenSshPrivateKey,
  MAX_BCRYPT_ROUNDS,
  OPENSSH_PRIVATE_KEY_LABEL,
  parseOpenSshPrivateKey,
} from "./openssh-private.js";
export { parsePemPrivateKey, parsePemPublicKey } from "./pem.js";
export { MAX_PBKDF2_ITERATIONS, MAX_SCRYPT_MEMORY } from "./pem-encryption.js";
export {
  MAX_ARGON2_MEMORY_KIB,
  MAX_ARGON2_PARALLELISM,
  MAX_ARGON2_PASSES,
  parsePpkPrivateKey,
} from "./ppk.js";
export {
  ED25519_SEED_LENGTH,
  ed25519PrivateKeyFromSeed,
  generateEd25519Key,
  type PrivateKey,
  type SecurityKeyFields,
  type Signer,
} from "./private-key.js";
export {
  decodePublicKey,
  ED25519_PUBLIC_KEY_LENGTH,
  ed25519PublicKeyBytes,
  encodeEd25519PublicKeyBlob,
  formatPublicKey,
  isAlgorithmName,
  keyTypeOfBlob,
  type PublicKey,
  parsePublicKey,
  parsePublicKeyBlob,
  publicKeyBits,
  SSH_ED25519,
} from "./public-key.js";
export {
  type FormatRfc4716Options,
  formatRfc4716PublicKey,
  parseRfc4716PublicKey,
  type Rfc4716PublicKey,
} from "./rfc4716.js";
export { RSA_SIGNATURE_ALGORITHMS, type RsaPrivateComponents, rsaPrivateKey } from "./rsa-key.js";
export { DEFAULT_RSA_BITS, generateRsaKey, RSA_PUBLIC_EXPONENT } from "./rsa-keygen.js";
export { type SecurityKeyPublic, securityKeyPrivateKey } from "./sk-key.js";
