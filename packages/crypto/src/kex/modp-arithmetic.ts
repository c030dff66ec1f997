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
import { bigintToBytes, bitLength, bytesToBigint, modPow } from "../bigint.js";
import type { RandomBytes } from "../types.js";

export { bigintToBytes, bitLength, bytesToBigint, modPow };

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
