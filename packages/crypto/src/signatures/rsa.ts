/**
 * RSA signature algorithms in SSH: rsa-sha2-256 and rsa-sha2-512 (RFC 8332), and the legacy
 * SHA-1 ssh-rsa (RFC 4253 §6.6), which is registered for explicit opt-in only, as
 * `insecureSshRsaSha1`, and never offered by default (SHA-1 chosen-prefix collisions, RFC 8332 §1).
 *   public key blob  string "ssh-rsa" ‖ mpint e ‖ mpint n           (RFC 4253 §6.6; all three)
 *   signature blob   string algorithm ‖ string S                   (RFC 8332 §3)
 * S is RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) with SHA-1 / SHA-256 / SHA-512.
 *
 * Like OpenSSH's ssh-rsa.c, a signature shorter than the modulus is left-padded with zeros and a
 * longer one is rejected. The signature name must be exactly the algorithm's (RFC 8332 §3: an
 * rsa-sha2-256 verifier does not accept an ssh-rsa signature). Keys outside the policy of
 * rsa/pkcs1.ts (1024–16384-bit modulus, odd 3 ≤ e < 2^32) never verify, and an oversized modulus is
 * refused by its length before any arithmetic.
 * @module
 */
import { encodeWith, SshError, utf8Encode } from "@purssh/wire";
import {
  RSA_MAX_MODULUS_BITS,
  type RsaHash,
  type RsaPrivateKey,
  type RsaPublicKey,
  rsaModulusLength,
  rsaPublicKeyProblem,
  rsaSignPkcs1v15,
  rsaVerifyPkcs1v15,
} from "../rsa/pkcs1.js";
import type { RandomBytes, SignatureAlgorithm } from "../types.js";
import { parseWhole, readExpected, readUnsignedMpint } from "./ssh-blob.js";

/** The key type of every RSA key blob, and the name of the legacy SHA-1 signature algorithm. */
export const SSH_RSA = "ssh-rsa";
export const RSA_SHA2_256 = "rsa-sha2-256";
export const RSA_SHA2_512 = "rsa-sha2-512";

export type RsaSignatureAlgorithmName = "ssh-rsa" | "rsa-sha2-256" | "rsa-sha2-512";

const HASH_OF: Readonly<Record<RsaSignatureAlgorithmName, RsaHash>> = {
  "ssh-rsa": "sha1",
  "rsa-sha2-256": "sha256",
  "rsa-sha2-512": "sha512",
};

const KEY_TYPE = utf8Encode(SSH_RSA);
const MAX_MODULUS_BYTES = RSA_MAX_MODULUS_BITS / 8;
const MAX_EXPONENT_BYTES = 4;

function hashOf(algorithm: RsaSignatureAlgorithmName): RsaHash {
  const hash = Object.hasOwn(HASH_OF, algorithm) ? HASH_OF[algorithm] : undefined;
  if (hash === undefined)
    throw new SshError("ERR_CRYPTO_UNKNOWN_ALGORITHM", `not an RSA signature algorithm: ${algorithm}`);
  return hash;
}

/** RFC 4253 §6.6: the ssh-rsa public key blob (no policy check: any positive e and n encode). */
export function rsaPublicKeyBlob(e: bigint, n: bigint): Uint8Array {
  if (e <= 0n || n <= 0n) throw new SshError("ERR_CRYPTO_RANGE", "RSA e and n must be positive");
  return encodeWith((w) => w.string(KEY_TYPE).mpint(e).mpint(n));
}

/** RFC 8332 §3: the signature blob `string algorithm ‖ string S` for a raw signature S. */
export function rsaSignatureBlob(algorithm: RsaSignatureAlgorithmName, signature: Uint8Array): Uint8Array {
  hashOf(algorithm);
  return encodeWith((w) => w.utf8(algorithm).string(signature));
}

/**
 * Signs `data` with `algorithm` (RSASSA-PKCS1-v1_5 with its hash; see rsaSignPkcs1v15) and returns
 * the SSH signature blob. Throws for an inconsistent key or one outside the size policy.
 */
export function signRsa(
  key: RsaPrivateKey,
  algorithm: RsaSignatureAlgorithmName,
  data: Uint8Array,
  random?: RandomBytes,
): Uint8Array {
  return rsaSignatureBlob(algorithm, rsaSignPkcs1v15(key, hashOf(algorithm), data, random));
}

/**
 * (e, n) of an ssh-rsa key blob, or undefined if the blob is malformed (non-minimal or negative
 * mpints, trailing bytes) or the key is outside the verification policy.
 */
export function parseRsaPublicKeyBlob(blob: Uint8Array): RsaPublicKey | undefined {
  return parseWhole(blob, (r) => {
    if (!readExpected(r, KEY_TYPE)) return undefined;
    const e = readUnsignedMpint(r, MAX_EXPONENT_BYTES);
    const n = readUnsignedMpint(r, MAX_MODULUS_BYTES);
    if (e === undefined || n === undefined || rsaPublicKeyProblem(n, e) !== undefined) return undefined;
    return { e, n };
  });
}

/** The algorithm name and raw S of an RSA signature blob, or undefined if it is malformed. */
export function parseRsaSignatureBlob(
  blob: Uint8Array,
): { algorithm: RsaSignatureAlgorithmName; signature: Uint8Array } | undefined {
  return parseWhole(blob, (r) => {
    const algorithm = r.utf8();
    if (!Object.hasOwn(HASH_OF, algorithm)) return undefined;
    return { algorithm: algorithm as RsaSignatureAlgorithmName, signature: r.string() };
  });
}

/** OpenSSH ssh-rsa.c: a short S is left-padded to the modulus length, a long one is refused. */
function toModulusLength(signature: Uint8Array, n: bigint): Uint8Array | undefined {
  const k = rsaModulusLength(n);
  if (signature.length > k) return undefined;
  if (signature.length === k) return signature;
  const padded = new Uint8Array(k);
  padded.set(signature, k - signature.length);
  return padded;
}

function algorithm(name: RsaSignatureAlgorithmName): SignatureAlgorithm {
  const hash = HASH_OF[name];
  return Object.freeze({
    name,
    keyType: SSH_RSA,
    verify(publicKeyBlob: Uint8Array, signatureBlob: Uint8Array, data: Uint8Array): boolean {
      const key = parseRsaPublicKeyBlob(publicKeyBlob);
      const sig = parseRsaSignatureBlob(signatureBlob);
      if (key === undefined || sig === undefined || sig.algorithm !== name) return false;
      const s = toModulusLength(sig.signature, key.n);
      return s !== undefined && rsaVerifyPkcs1v15(key, hash, data, s);
    },
  });
}

/** rsa-sha2-256 (RFC 8332 §3): RSASSA-PKCS1-v1_5 with SHA-256 over an ssh-rsa key. */
export const rsaSha2256: SignatureAlgorithm = algorithm(RSA_SHA2_256);
/** rsa-sha2-512 (RFC 8332 §3): RSASSA-PKCS1-v1_5 with SHA-512 over an ssh-rsa key. */
export const rsaSha2512: SignatureAlgorithm = algorithm(RSA_SHA2_512);
/**
 * ssh-rsa (RFC 4253 §6.6): RSASSA-PKCS1-v1_5 with SHA-1. Insecure (SHA-1); registered so old
 * peers can be reached on explicit request, never in a default list. Its wire name is "ssh-rsa".
 */
export const insecureSshRsaSha1: SignatureAlgorithm = algorithm(SSH_RSA);
