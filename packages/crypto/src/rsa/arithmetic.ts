/**
 * Integer arithmetic for RSA (RFC 8017 §4, §5.2) on the platform's `bigint`: the I2OSP / OS2IP
 * conversions (RFC 8017 §4.1, §4.2), left-to-right sliding-window modular exponentiation (HAC
 * Algorithm 14.85) and the modular inverse by the extended Euclidean algorithm (HAC 2.107).
 *
 * `bigint` arithmetic is not constant time. The RSA signing code therefore never feeds the raw
 * secret exponent or the raw message into these functions: it blinds both first (see pkcs1.ts).
 * @module
 */
import { SshError, toHex } from "@purssh/wire";

/** RFC 8017 §4.2 OS2IP: unsigned big-endian bytes (leading zeros allowed) to a non-negative integer. */
export function os2ip(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

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

/** Number of significant bits (0 for 0 and for negative numbers). */
export function bitLength(x: bigint): number {
  return x <= 0n ? 0 : x.toString(2).length;
}

/** Window width minimising squarings plus table multiplications for an exponent of `bits` bits. */
function windowWidth(bits: number): number {
  if (bits > 1500) return 6;
  if (bits > 512) return 5;
  if (bits > 160) return 4;
  if (bits > 40) return 3;
  return 1;
}

/**
 * base^exponent mod modulus for modulus > 1 and exponent ≥ 0 (HAC 14.85): scan the exponent's bits
 * from the top; each window is the longest run of at most w bits that ends in a 1, so only the odd
 * powers base^1, base^3, …, base^(2^w − 1) are tabulated.
 */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus <= 1n) throw new SshError("ERR_CRYPTO_RANGE", "modPow needs a modulus greater than 1");
  if (exponent < 0n) throw new SshError("ERR_CRYPTO_RANGE", "modPow needs a non-negative exponent");
  const b = ((base % modulus) + modulus) % modulus;
  if (exponent === 0n) return 1n;
  const bits = exponent.toString(2);
  const w = windowWidth(bits.length);
  const odd: bigint[] = [b];
  if (w > 1) {
    const b2 = (b * b) % modulus;
    for (let i = 1; i < 1 << (w - 1); i++) odd.push(((odd[i - 1] as bigint) * b2) % modulus);
  }
  let result = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === "0") {
      result = (result * result) % modulus;
      i++;
      continue;
    }
    // the window bits[i..j] is the longest run of ≤ w bits starting here that ends in a 1
    let j = Math.min(i + w, bits.length) - 1;
    while (bits[j] === "0") j--;
    const value = Number.parseInt(bits.slice(i, j + 1), 2);
    for (let k = i; k <= j; k++) result = (result * result) % modulus;
    result = (result * (odd[value >> 1] as bigint)) % modulus;
    i = j + 1;
  }
  return result;
}

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
