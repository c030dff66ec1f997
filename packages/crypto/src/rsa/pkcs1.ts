/**
 * RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) with EMSA-PKCS1-v1_5 encoding (RFC 8017 §9.2), as used by
 * ssh-rsa (RFC 4253 §6.6) and rsa-sha2-256 / rsa-sha2-512 (RFC 8332).
 *
 * Verification (§8.2.2) computes the encoded message the signer must have produced and compares it
 * with the recovered one byte for byte; it never parses the recovered block, which is how
 * Bleichenbacher-style forgeries against lenient parsers (garbage after the digest, short padding,
 * BER length tricks) come about.
 *
 * Signing (§8.2.1, §5.2.1) uses the CRT with both base and exponent blinding, because `bigint`
 * arithmetic is not constant time, and re-verifies its result before releasing it, so a fault in
 * one CRT half can never leak the factorisation (Boneh–DeMillo–Lipton; OpenSSL and BoringSSL do
 * the same). Signatures are deterministic: blinding changes the work, not the result.
 *
 * Key size policy (enforced for both operations): modulus of 1024 to 16384 bits (OpenSSH
 * SSH_RSA_MINIMUM_MODULUS_SIZE; the upper bound bounds the CPU a peer can demand, CVE-2026-39829),
 * odd public exponent 3 ≤ e < 2^32.
 * @module
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, equalBytes, fromHex, SshError } from "@purssh/wire";
import { defaultRandomBytes } from "../random.js";
import type { RandomBytes } from "../types.js";
import { bitLength, i2osp, modInverse, modPow, os2ip } from "./arithmetic.js";

/** Hash functions RSASSA-PKCS1-v1_5 is used with in SSH: SHA-1 (ssh-rsa), SHA-256, SHA-512 (RFC 8332). */
export type RsaHash = "sha1" | "sha256" | "sha512";

/** An RSA public key (RFC 8017 §3.1). */
export interface RsaPublicKey {
  readonly n: bigint;
  readonly e: bigint;
}

/**
 * An RSA private key (RFC 8017 §3.2, second representation). The CRT values are derived from d, p
 * and q when absent (an OpenSSH private key stores iqmp but not dp, dq).
 */
export interface RsaPrivateKey extends RsaPublicKey {
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp?: bigint;
  readonly dq?: bigint;
  /** q⁻¹ mod p (OpenSSH's and PKCS#1's "iqmp" / "coefficient"). */
  readonly qinv?: bigint;
}

/** OpenSSH SSH_RSA_MINIMUM_MODULUS_SIZE. */
export const RSA_MIN_MODULUS_BITS = 1024;
/** OpenSSH SSHBUF_MAX_BIGNUM × 8 and Go x/crypto/ssh since CVE-2026-39829. */
export const RSA_MAX_MODULUS_BITS = 16384;
/** Public exponents must be below 2^32 (Go allows 24 bits, OpenSSL 64; real keys use 65537). */
export const RSA_MAX_PUBLIC_EXPONENT = 0xffff_ffffn;

/** RFC 8017 §9.2 Note 1: the DER of DigestInfo up to the digest, per hash (parameters NULL). */
const DIGEST_INFO_PREFIX: Readonly<Record<RsaHash, Uint8Array>> = {
  sha1: fromHex("3021300906052b0e03021a05000414"),
  sha256: fromHex("3031300d060960864801650304020105000420"),
  sha512: fromHex("3051300d060960864801650304020305000440"),
};

const HASHES: Readonly<Record<RsaHash, (data: Uint8Array) => Uint8Array>> = { sha1, sha256, sha512 };

/** Why (n, e) is outside the policy in the module comment, or undefined if it is acceptable. */
export function rsaPublicKeyProblem(n: bigint, e: bigint): string | undefined {
  const bits = bitLength(n);
  if (bits < RSA_MIN_MODULUS_BITS) return `modulus of ${bits} bits is below the ${RSA_MIN_MODULUS_BITS}-bit minimum`;
  if (bits > RSA_MAX_MODULUS_BITS) return `modulus of ${bits} bits is above the ${RSA_MAX_MODULUS_BITS}-bit maximum`;
  if ((n & 1n) === 0n) return "modulus is even";
  if (e < 3n || (e & 1n) === 0n) return "public exponent must be odd and at least 3";
  if (e > RSA_MAX_PUBLIC_EXPONENT) return "public exponent is 2^32 or more";
  return undefined;
}

/** Length in bytes of the modulus (RFC 8017 §8.2: k). */
export function rsaModulusLength(n: bigint): number {
  return (bitLength(n) + 7) >> 3;
}

/** RFC 8017 §9.2 EMSA-PKCS1-v1_5-ENCODE: 0x00 ‖ 0x01 ‖ PS (0xff…, ≥ 8 bytes) ‖ 0x00 ‖ DigestInfo. */
export function emsaPkcs1v15Encode(hash: RsaHash, message: Uint8Array, emLen: number): Uint8Array {
  const prefix = DIGEST_INFO_PREFIX[hash];
  const t = concatBytes(prefix, HASHES[hash](message));
  if (emLen < t.length + 11) {
    throw new SshError("ERR_CRYPTO_RSA_KEY_SIZE", "intended encoded message length too short (RFC 8017 §9.2 step 3)");
  }
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLen - t.length - 1] = 0x00;
  em.set(t, emLen - t.length);
  return em;
}

/**
 * RFC 8017 §8.2.2 RSASSA-PKCS1-V1_5-VERIFY with a signature of exactly k bytes (the SSH layer
 * left-pads a shorter one first, as OpenSSH does). False for any key outside the size policy, any
 * signature representative ≥ n and any mismatch; never throws.
 */
export function rsaVerifyPkcs1v15(key: RsaPublicKey, hash: RsaHash, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (rsaPublicKeyProblem(key.n, key.e) !== undefined) return false;
    const k = rsaModulusLength(key.n);
    if (signature.length !== k) return false; // step 1
    const s = os2ip(signature); // step 2a
    if (s >= key.n) return false; // RSAVP1 step 1: "signature representative out of range"
    const em = i2osp(modPow(s, key.e, key.n), k); // steps 2b, 2c
    return equalBytes(em, emsaPkcs1v15Encode(hash, data, k)); // steps 3, 4
  } catch {
    return false;
  }
}

/** A uniformly distributed integer in [1, bound) from `random` (bound > 1), by oversampling 64 bits. */
function randomBelow(bound: bigint, random: RandomBytes): bigint {
  const bytes = ((bitLength(bound) + 7) >> 3) + 8;
  for (;;) {
    const x = os2ip(random(bytes)) % bound;
    if (x !== 0n) return x;
  }
}

function checkPrivateKey(key: RsaPrivateKey): void {
  const problem = rsaPublicKeyProblem(key.n, key.e);
  if (problem !== undefined) throw new SshError("ERR_CRYPTO_RSA_KEY_SIZE", `cannot sign with this RSA key: ${problem}`);
  if (key.p <= 1n || key.q <= 1n || key.p * key.q !== key.n) {
    throw new SshError("ERR_CRYPTO_RSA_BAD_KEY", "RSA private key: p × q is not the modulus");
  }
  if (key.d <= 0n || key.d >= key.n) throw new SshError("ERR_CRYPTO_RSA_BAD_KEY", "RSA private key: d out of range");
}

/**
 * RFC 8017 §8.2.1 RSASSA-PKCS1-V1_5-SIGN: the raw signature S (exactly k = modulus-length bytes).
 * Uses the CRT (RFC 8017 §5.1.2 step 2b) on a blinded message with blinded exponents, and checks
 * S^e ≡ EM (mod n) before returning. Throws ERR_CRYPTO_RSA_BAD_KEY for an inconsistent key,
 * ERR_CRYPTO_RSA_KEY_SIZE for a key outside the size policy and ERR_CRYPTO_RSA_FAULT if the
 * check fails (a wrong dp/dq/qinv, or a computation fault); no signature is released then.
 * `random` only feeds the blinding; the signature does not depend on it.
 */
export function rsaSignPkcs1v15(
  key: RsaPrivateKey,
  hash: RsaHash,
  data: Uint8Array,
  random: RandomBytes = defaultRandomBytes,
): Uint8Array {
  checkPrivateKey(key);
  const { n, e, p, q } = key;
  const k = rsaModulusLength(n);
  const m = os2ip(emsaPkcs1v15Encode(hash, data, k)); // EM < n: it starts with 0x00 0x01

  const dp = key.dp ?? key.d % (p - 1n);
  const dq = key.dq ?? key.d % (q - 1n);
  const qinv = key.qinv ?? modInverse(q, p);
  if (qinv === undefined) throw new SshError("ERR_CRYPTO_RSA_BAD_KEY", "RSA private key: q has no inverse mod p");

  // Base blinding: sign m·r^e instead of m, then divide by r.
  let r: bigint;
  let rInverse: bigint | undefined;
  do {
    r = randomBelow(n, random);
    rInverse = modInverse(r, n);
  } while (rInverse === undefined);
  const blinded = (m * modPow(r, e, n)) % n;

  // Exponent blinding: dp + t·(p − 1) gives the same result mod p for any t (Fermat).
  const tp = os2ip(random(8));
  const tq = os2ip(random(8));
  const s1 = modPow(blinded % p, dp + tp * (p - 1n), p);
  const s2 = modPow(blinded % q, dq + tq * (q - 1n), q);
  const h = (((qinv * (s1 - s2)) % p) + p) % p;
  const s = ((s2 + h * q) * rInverse) % n;

  if (modPow(s, e, n) !== m) {
    throw new SshError("ERR_CRYPTO_RSA_FAULT", "RSA signature failed its own verification; not released");
  }
  return i2osp(s, k);
}
