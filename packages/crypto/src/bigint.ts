/**
 * Non-negative integers on the platform's `bigint`, shared by finite-field Diffie-Hellman (RFC 4253
 * §8) and RSA (RFC 8017): unsigned big-endian byte conversion (the magnitude inside an RFC 4251 §5
 * mpint; RFC 8017 §4.2 OS2IP) and left-to-right sliding-window modular exponentiation (HAC 14.85).
 * Like all `bigint` code this is not constant time: callers feed it ephemeral or blinded values.
 * @module
 */
import { SshError, toHex } from "@purssh/wire";

/** The unsigned big-endian bytes as a non-negative integer (leading zero bytes allowed). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

/** The minimal unsigned big-endian bytes of a non-negative integer (empty for zero). */
export function bigintToBytes(v: bigint): Uint8Array {
  if (v < 0n) throw new SshError("ERR_CRYPTO_RANGE", "a negative integer has no unsigned encoding");
  if (v === 0n) return new Uint8Array(0);
  let hex = v.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Number of significant bits (0 for 0). */
export function bitLength(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

/** Window width for an exponent of `bits` bits, minimising squarings plus table multiplications. */
function windowWidth(bits: number): number {
  if (bits > 2000) return 7;
  if (bits > 672) return 6;
  if (bits > 240) return 5;
  if (bits > 80) return 4;
  if (bits > 24) return 3;
  return 1;
}

/**
 * base^exponent mod modulus, for modulus > 1 and exponent ≥ 0: left-to-right sliding window over
 * the exponent's bits with a table of the odd powers base^1, base^3, …, base^(2^w − 1).
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
    // The longest window bits[i..j] of at most w bits that ends in a 1.
    let j = Math.min(i + w, bits.length) - 1;
    while (bits[j] === "0") j--;
    for (let k = i; k <= j; k++) result = (result * result) % modulus;
    const value = Number.parseInt(bits.slice(i, j + 1), 2);
    result = (result * (odd[(value - 1) >> 1] as bigint)) % modulus;
    i = j + 1;
  }
  return result;
}
