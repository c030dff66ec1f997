/**
 * Integer arithmetic for finite-field Diffie-Hellman (RFC 4253 §8, RFC 4419, RFC 8268) on the
 * platform's `bigint`: conversion to and from unsigned big-endian bytes (the magnitude inside an
 * RFC 4251 §5 mpint), left-to-right sliding-window modular exponentiation (HAC 14.85), and a
 * Miller–Rabin probable-prime test (HAC 4.24, FIPS 186-5 B.3.1) with caller-supplied random bases,
 * so a peer cannot pick a composite that passes for fixed bases (Albrecht et al., "Prime and
 * Prejudice", CCS 2018).
 *
 * Like all `bigint` code this is not constant time. It only ever sees ephemeral exponents, each used
 * for one exponentiation and dropped (RFC 4253 §8: a fresh x per key exchange).
 * @module
 */
import { SshError } from "@purssh/wire";
import type { RandomBytes } from "../types.js";

/** The unsigned big-endian bytes as a non-negative integer (leading zero bytes allowed). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += (bytes[i] as number).toString(16).padStart(2, "0");
  return hex.length === 0 ? 0n : BigInt(`0x${hex}`);
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

/** Odd primes below 2000, for trial division before Miller–Rabin. */
const SMALL_PRIMES: readonly bigint[] = (() => {
  const limit = 2000;
  const sieve = new Uint8Array(limit);
  const out: bigint[] = [];
  for (let n = 3; n < limit; n += 2) {
    if (sieve[n] === 1) continue;
    out.push(BigInt(n));
    for (let m = n * n; m < limit; m += 2 * n) sieve[m] = 1;
  }
  return Object.freeze(out);
})();

/** True when n has an odd prime factor below 2000 other than itself. */
export function hasSmallFactor(n: bigint): boolean {
  for (const q of SMALL_PRIMES) {
    if (n === q) return false;
    if (n % q === 0n) return true;
  }
  return false;
}

/** A uniformly random integer in [2, n − 2] from the injected source (rejection sampling). */
function randomBase(n: bigint, random: RandomBytes): bigint {
  const bits = bitLength(n);
  const length = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const candidate = bytesToBigint(random(length)) & mask;
    if (candidate >= 2n && candidate <= n - 2n) return candidate;
  }
  throw new SshError("ERR_CRYPTO_RANDOM", "the random source never produced a Miller-Rabin base in range");
}

/**
 * Miller–Rabin with `rounds` random bases (error ≤ 4^−rounds for any composite, HAC 4.24), after
 * trial division by the odd primes below 2000. Each round costs one exponentiation with an
 * exponent as long as n, so callers bound n's size first.
 */
export function isProbablePrime(n: bigint, rounds: number, random: RandomBytes): boolean {
  if (n < 2n) return false;
  if (n < 4n) return true;
  if ((n & 1n) === 0n) return false;
  if (hasSmallFactor(n)) return false;
  if (n < 2000n * 2000n) return true;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  for (let round = 0; round < rounds; round++) {
    let x = modPow(randomBase(n, random), d, n);
    if (x === 1n || x === n - 1n) continue;
    let witness = true;
    for (let r = 1; r < s && witness; r++) {
      x = (x * x) % n;
      if (x === n - 1n) witness = false;
    }
    if (witness) return false;
  }
  return true;
}
