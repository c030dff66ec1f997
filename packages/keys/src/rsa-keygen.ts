/**
 * RSA key generation (RFC 8017 §3, FIPS 186-5 App. A.1.3 "probable primes" in spirit): two random
 * primes of half the modulus size with their top two bits set (so n has exactly `bits` bits),
 * found by an incremental search over odd candidates that first sieves out multiples of the
 * primes below 2^16 and then runs Miller–Rabin (FIPS 186-5 App. B.3 round counts for an error
 * below 2^-100) with random bases; e = 65537, d = e⁻¹ mod lcm(p − 1, q − 1). Randomness comes
 * from `crypto.getRandomValues`; bigint arithmetic is not constant time, which is acceptable
 * for a one-off generation but is why signing is left to @purssh/crypto's blinded CRT.
 * @module
 */
import { bitLength, bytesToBigint, gcd, modInverse, modPow } from "./bigint.js";
import { KEY_ERROR, KeyError } from "./errors.js";
import { RSA_MAX_BITS, RSA_MIN_BITS } from "./key-blobs.js";
import type { PrivateKey } from "./private-key.js";
import { rsaPrivateKey } from "./rsa-key.js";

/** The public exponent of every key we generate (F4, as OpenSSH and OpenSSL use). */
export const RSA_PUBLIC_EXPONENT = 65537n;
export const DEFAULT_RSA_BITS = 3072;
/** Odd primes below 2^16 for the sieve. */
const SIEVE_LIMIT = 1 << 16;
/** Candidates tried from one random start before drawing a new one. */
const MAX_STEPS = 1 << 16;

let smallPrimes: Uint32Array | undefined;

/** Odd primes below SIEVE_LIMIT (sieve of Eratosthenes), computed once. */
function oddSmallPrimes(): Uint32Array {
  if (smallPrimes !== undefined) return smallPrimes;
  const composite = new Uint8Array(SIEVE_LIMIT);
  const out: number[] = [];
  for (let i = 3; i < SIEVE_LIMIT; i += 2) {
    if (composite[i]) continue;
    out.push(i);
    for (let j = i * i; j < SIEVE_LIMIT; j += 2 * i) composite[j] = 1;
  }
  smallPrimes = Uint32Array.from(out);
  return smallPrimes;
}

function randomBits(bits: number): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(bits / 8)));
  const v = bytesToBigint(bytes) >> BigInt(bytes.length * 8 - bits);
  bytes.fill(0);
  return v;
}

/** A uniformly random integer in [2, n − 2]. */
function randomBase(n: bigint): bigint {
  const bits = bitLength(n);
  for (;;) {
    const a = randomBits(bits);
    if (a >= 2n && a <= n - 2n) return a;
  }
}

/** FIPS 186-5 Table B.1: Miller–Rabin rounds for an error below 2^-100 for primes of this size. */
function millerRabinRounds(bits: number): number {
  if (bits >= 1536) return 4;
  if (bits >= 1024) return 5;
  if (bits >= 512) return 8;
  return 40;
}

/** Miller–Rabin with `rounds` random bases (n odd, n > 3). */
export function isProbablePrime(n: bigint, rounds = millerRabinRounds(bitLength(n))): boolean {
  if (n < 2n) return false;
  for (const p of oddSmallPrimes().subarray(0, 64)) {
    if (n === BigInt(p)) return true;
    if (n % BigInt(p) === 0n) return false;
  }
  if ((n & 1n) === 0n) return n === 2n;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  for (let round = 0; round < rounds; round++) {
    let x = modPow(randomBase(n), d, n);
    if (x === 1n || x === n - 1n) continue;
    let witness = true;
    for (let i = 1; i < s && witness; i++) {
      x = (x * x) % n;
      if (x === n - 1n) witness = false;
    }
    if (witness) return false;
  }
  return true;
}

/**
 * A random prime p of exactly `bits` bits with its top two bits set and gcd(e, p − 1) = 1:
 * incremental search from a random odd start, sieving by the residues of the start.
 */
export function randomPrime(bits: number, e: bigint = RSA_PUBLIC_EXPONENT): bigint {
  const primes = oddSmallPrimes();
  const residues = new Uint32Array(primes.length);
  for (;;) {
    const start = randomBits(bits) | (3n << BigInt(bits - 2)) | 1n;
    for (let i = 0; i < primes.length; i++) residues[i] = Number(start % BigInt(primes[i] as number));
    const eSmall = e < BigInt(SIEVE_LIMIT) ? Number(e) : 0;
    for (let step = 0; step < MAX_STEPS; step += 2) {
      let sieved = true;
      for (let i = 0; i < primes.length; i++) {
        const p = primes[i] as number;
        const r = ((residues[i] as number) + step) % p;
        // p divides the candidate, or (for p = e) e divides candidate − 1
        if (r === 0 || (p === eSmall && r === 1)) {
          sieved = false;
          break;
        }
      }
      if (!sieved) continue;
      const candidate = start + BigInt(step);
      if (bitLength(candidate) !== bits) break;
      if (gcd(candidate - 1n, e) === 1n && isProbablePrime(candidate)) return candidate;
    }
  }
}

/**
 * A new ssh-rsa key with a modulus of exactly `bits` bits (1,024…16,384, a multiple of 8 is
 * not required but usual; OpenSSH's default is 3,072) and e = 65537. Primes differ in their top
 * 100 bits (FIPS 186-5 A.1.3 step 5.4) and d > 2^(bits/2) (step 5.6) or they are redrawn.
 */
export function generateRsaKey(bits = DEFAULT_RSA_BITS, comment = ""): PrivateKey {
  if (!Number.isInteger(bits) || bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
    throw new KeyError(KEY_ERROR.INVALID_ARGUMENT, `RSA keys are ${RSA_MIN_BITS}…${RSA_MAX_BITS} bits, got ${bits}`);
  }
  const e = RSA_PUBLIC_EXPONENT;
  const pBits = Math.ceil(bits / 2);
  const qBits = bits - pBits;
  for (;;) {
    const p = randomPrime(pBits, e);
    const q = randomPrime(qBits, e);
    const diff = p > q ? p - q : q - p;
    if (bitLength(diff) <= Math.max(pBits, qBits) - 100) continue;
    const n = p * q;
    if (bitLength(n) !== bits) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = modInverse(e, lambda);
    if (d === undefined || bitLength(d) <= Math.ceil(bits / 2)) continue;
    const [big, small] = p > q ? [p, q] : [q, p];
    return rsaPrivateKey({ n, e, d, p: big, q: small }, comment, "generated RSA key");
  }
}
