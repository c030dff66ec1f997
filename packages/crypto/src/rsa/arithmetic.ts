/**
 * Integer arithmetic for RSA (RFC 8017 §4, §5.2) on the platform's `bigint`: the I2OSP / OS2IP
 * conversions (RFC 8017 §4.1, §4.2), left-to-right sliding-window modular exponentiation (HAC
 * Algorithm 14.85) and the modular inverse by the extended Euclidean algorithm (HAC 2.107).
 *
 * `bigint` arithmetic is not constant time. The RSA signing code therefore never feeds the raw
 * secret exponent or the raw message into these functions: it blinds both first (see pkcs1.ts).
 * @module
 */
import { SshError } from "@purssh/wire";

/** RFC 8017 §4.2 OS2IP: unsigned big-endian bytes (leading zeros allowed) to a non-negative integer. */
export { bytesToBigint as os2ip } from "../bigint.js";

/** RFC 8017 §4.1 I2OSP: a non-negative integer as exactly `length` big-endian bytes. */
export function i2osp(x: bigint, length: number): Uint8Array {
  if (x < 0n) throw new SshError("ERR_CRYPTO_RANGE", "I2OSP: a negative integer has no octet string");
  const hex = x === 0n ? "" : x.toString(16);
  const digits = hex.length + (hex.length & 1);
  if (digits / 2 > length) throw new SshError("ERR_CRYPTO_RANGE", `I2OSP: integer too large for ${length} bytes`);
  const out = new Uint8Array(length);
  const padded = hex.padStart(digits, "0");
  const offset = length - digits / 2;
  for (let i = 0; i < digits / 2; i++) out[offset + i] = Number.parseInt(padded.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export { bitLength, modPow } from "../bigint.js";

/** a⁻¹ mod m (extended Euclid), or undefined when gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  if (m <= 1n) return undefined;
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % m) + m) % m;
}
