/**
 * FIDO/U2F security-key signatures, verification only (OpenSSH PROTOCOL.u2f, "SSH U2F Key formats"
 * and "SSH U2F signatures"):
 *   sk-ssh-ed25519@openssh.com          key  string name ‖ string A (32) ‖ string application
 *                                       sig  string name ‖ string R‖S (64) ‖ byte flags ‖ uint32 counter
 *   sk-ecdsa-sha2-nistp256@openssh.com  key  string name ‖ string "nistp256" ‖ string Q ‖ string application
 *                                       sig  string name ‖ string (mpint r ‖ mpint s) ‖ byte flags ‖ uint32 counter
 * The authenticator signs SHA256(application) ‖ flags ‖ counter ‖ SHA256(message) (no extensions
 * are defined for SSH): Ed25519 over those 69 bytes, ECDSA P-256 over their SHA-256 (OpenSSH
 * ssh-ed25519-sk.c, ssh-ecdsa-sk.c).
 *
 * The user-presence flag (0x01) is required by default, as sshd does unless an authorized_keys
 * line says `no-touch-required`; user verification (0x04, `verify-required`) can be demanded on
 * top. webauthn-sk-ecdsa-sha2-nistp256@openssh.com is not implemented.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { encodeWith, SshError, type SshReader, utf8Encode } from "@purssh/wire";
import type { SignatureAlgorithm } from "../types.js";
import { ECDSA_CURVES, encodeEcdsaRS, isValidEcPoint, readEcdsaRS, verifyEcdsaDigest } from "./ecdsa-core.js";
import { parseWhole, readExpected } from "./ssh-blob.js";

export const SK_SSH_ED25519 = "sk-ssh-ed25519@openssh.com";
export const SK_ECDSA_SHA2_NISTP256 = "sk-ecdsa-sha2-nistp256@openssh.com";

/** OpenSSH sk-api.h SSH_SK_USER_PRESENCE_REQD: the user touched the authenticator. */
export const SK_FLAG_USER_PRESENCE = 0x01;
/** OpenSSH sk-api.h SSH_SK_USER_VERIFICATION_REQD: the authenticator verified the user (PIN, biometrics). */
export const SK_FLAG_USER_VERIFICATION = 0x04;

export type SkAlgorithmName = typeof SK_SSH_ED25519 | typeof SK_ECDSA_SHA2_NISTP256;

/** What sshd's authorized_keys options decide: `no-touch-required` and `verify-required`. */
export interface SkVerifyOptions {
  /** Require flag 0x01 (default true; false is `no-touch-required`). */
  readonly requireUserPresence?: boolean;
  /** Require flag 0x04 (default false; true is `verify-required`). */
  readonly requireUserVerification?: boolean;
}

/** The fields of a security-key public key blob. */
export interface SkPublicKey {
  readonly algorithm: SkAlgorithmName;
  /** The 32-byte Ed25519 key, or the uncompressed P-256 point. */
  readonly publicKey: Uint8Array;
  /** The FIDO application (relying-party id), "ssh:" by default. */
  readonly application: Uint8Array;
}

/** The fields of a security-key signature blob. */
export interface SkSignature {
  readonly algorithm: SkAlgorithmName;
  /** The 64-byte Ed25519 signature, or the RFC 5656 `mpint r ‖ mpint s` encoding. */
  readonly signature: Uint8Array;
  readonly flags: number;
  /** The authenticator's signature counter (an auth layer may log it or check it increases). */
  readonly counter: number;
}

const ED25519_NAME = utf8Encode(SK_SSH_ED25519);
const ECDSA_NAME = utf8Encode(SK_ECDSA_SHA2_NISTP256);
const P256 = ECDSA_CURVES.nistp256;

/** OpenSSH reads the application with sshbuf_get_cstring: no embedded NUL. */
function readApplication(r: SshReader): Uint8Array | undefined {
  const application = r.string();
  return application.includes(0) ? undefined : application;
}

/** PROTOCOL.u2f "SSH U2F signatures": SHA256(application) ‖ flags ‖ uint32 counter ‖ SHA256(message). */
export function skSignedData(application: Uint8Array, flags: number, counter: number, message: Uint8Array): Uint8Array {
  return encodeWith((w) => w.raw(sha256(application)).byte(flags).uint32(counter).raw(sha256(message)), 69);
}

/** PROTOCOL.u2f: the sk-ssh-ed25519@openssh.com public key blob. */
export function skEd25519PublicKeyBlob(publicKey: Uint8Array, application: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new SshError("ERR_CRYPTO_KEY_LENGTH", "an Ed25519 public key is 32 bytes");
  if (application.includes(0)) throw new SshError("ERR_CRYPTO_RANGE", "a FIDO application contains no NUL byte");
  return encodeWith((w) => w.string(ED25519_NAME).string(publicKey).string(application));
}

/** PROTOCOL.u2f: the sk-ecdsa-sha2-nistp256@openssh.com public key blob of an uncompressed point. */
export function skEcdsaPublicKeyBlob(point: Uint8Array, application: Uint8Array): Uint8Array {
  if (!isValidEcPoint(P256, point)) throw new SshError("ERR_CRYPTO_BAD_POINT", "not an uncompressed P-256 point");
  if (application.includes(0)) throw new SshError("ERR_CRYPTO_RANGE", "a FIDO application contains no NUL byte");
  return encodeWith((w) => w.string(ECDSA_NAME).string(P256.identifierBytes).string(point).string(application));
}

/** The fields of an sk-* public key blob, or undefined if it is malformed or the key invalid. */
export function parseSkPublicKeyBlob(blob: Uint8Array): SkPublicKey | undefined {
  return (
    parseWhole(blob, (r): SkPublicKey | undefined => {
      if (!readExpected(r, ED25519_NAME)) return undefined;
      const publicKey = r.string();
      const application = readApplication(r);
      if (publicKey.length !== 32 || application === undefined) return undefined;
      return { algorithm: SK_SSH_ED25519, publicKey, application };
    }) ??
    parseWhole(blob, (r): SkPublicKey | undefined => {
      if (!readExpected(r, ECDSA_NAME) || !readExpected(r, P256.identifierBytes)) return undefined;
      const publicKey = r.string();
      const application = readApplication(r);
      if (!isValidEcPoint(P256, publicKey) || application === undefined) return undefined;
      return { algorithm: SK_ECDSA_SHA2_NISTP256, publicKey, application };
    })
  );
}

/** The fields of an sk-* signature blob, or undefined if it is malformed. */
export function parseSkSignatureBlob(blob: Uint8Array): SkSignature | undefined {
  return parseWhole(blob, (r): SkSignature | undefined => {
    const name = r.utf8();
    if (name !== SK_SSH_ED25519 && name !== SK_ECDSA_SHA2_NISTP256) return undefined;
    const signature = r.string();
    const flags = r.byte();
    const counter = r.uint32();
    if (name === SK_SSH_ED25519 && signature.length !== 64) return undefined;
    if (name === SK_ECDSA_SHA2_NISTP256 && parseWhole(signature, (inner) => readEcdsaRS(inner, P256)) === undefined) {
      return undefined;
    }
    return { algorithm: name, signature, flags, counter };
  });
}

function flagsAllowed(flags: number, options: SkVerifyOptions): boolean {
  if ((options.requireUserPresence ?? true) && (flags & SK_FLAG_USER_PRESENCE) === 0) return false;
  if (options.requireUserVerification === true && (flags & SK_FLAG_USER_VERIFICATION) === 0) return false;
  return true;
}

/**
 * Verifies an sk-* signature blob over `data` with an sk-* key blob of the same algorithm, under
 * the flag policy in `options` (default: user presence required). False on any malformed input.
 */
export function verifySkSignature(
  publicKeyBlob: Uint8Array,
  signatureBlob: Uint8Array,
  data: Uint8Array,
  options: SkVerifyOptions = {},
): boolean {
  return verifyAs(undefined, publicKeyBlob, signatureBlob, data, options);
}

/** The verification itself; `only` restricts it to one algorithm (for the registry objects). */
function verifyAs(
  only: SkAlgorithmName | undefined,
  publicKeyBlob: Uint8Array,
  signatureBlob: Uint8Array,
  data: Uint8Array,
  options: SkVerifyOptions,
): boolean {
  const key = parseSkPublicKeyBlob(publicKeyBlob);
  if (key === undefined || (only !== undefined && key.algorithm !== only)) return false;
  const sig = parseSkSignatureBlob(signatureBlob);
  if (sig === undefined || key.algorithm !== sig.algorithm) return false;
  if (!flagsAllowed(sig.flags, options)) return false;
  const signed = skSignedData(key.application, sig.flags, sig.counter, data);
  try {
    if (sig.algorithm === SK_SSH_ED25519) {
      return ed25519.verify(sig.signature, signed, key.publicKey, { zip215: false });
    }
    const rs = parseWhole(sig.signature, (inner) => readEcdsaRS(inner, P256));
    return rs !== undefined && verifyEcdsaDigest(P256, key.publicKey, rs.r, rs.s, sha256(signed));
  } catch {
    return false;
  }
}

/** A SignatureAlgorithm for one sk-* name with a given flag policy (e.g. for `no-touch-required`). */
export function skSignatureAlgorithm(name: SkAlgorithmName, options: SkVerifyOptions = {}): SignatureAlgorithm {
  if (name !== SK_SSH_ED25519 && name !== SK_ECDSA_SHA2_NISTP256) {
    throw new SshError("ERR_CRYPTO_UNKNOWN_ALGORITHM", `not a security-key algorithm: ${String(name)}`);
  }
  const policy = Object.freeze({ ...options });
  return Object.freeze({
    name,
    keyType: name,
    verify(publicKeyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): boolean {
      return verifyAs(name, publicKeyBlob, signatureBlob, data, policy);
    },
  });
}

/** sk-ssh-ed25519@openssh.com, user presence required. */
export const skSshEd25519OpenSSH: SignatureAlgorithm = skSignatureAlgorithm(SK_SSH_ED25519);
/** sk-ecdsa-sha2-nistp256@openssh.com, user presence required. */
export const skEcdsaSha2Nistp256OpenSSH: SignatureAlgorithm = skSignatureAlgorithm(SK_ECDSA_SHA2_NISTP256);

/**
 * The sk-* signature blob of an authenticator's answer: the 64-byte Ed25519 signature for
 * sk-ssh-ed25519, (r, s) for sk-ecdsa-sha2-nistp256 (for tests and for an agent relaying a token).
 */
export function skSignatureBlob(
  algorithm: SkAlgorithmName,
  signature: Uint8Array | { r: bigint; s: bigint },
  flags: number,
  counter: number,
): Uint8Array {
  let field: Uint8Array;
  if (algorithm === SK_SSH_ED25519 && signature instanceof Uint8Array && signature.length === 64) {
    field = signature;
  } else if (algorithm === SK_ECDSA_SHA2_NISTP256 && !(signature instanceof Uint8Array)) {
    field = encodeEcdsaRS(signature.r, signature.s);
  } else {
    throw new SshError("ERR_CRYPTO_RANGE", `not a ${String(algorithm)} signature`);
  }
  return encodeWith((w) => w.utf8(algorithm).string(field).byte(flags).uint32(counter));
}
