/**
 * Unsigned big-endian integers as used by key formats (RFC 4251 §5 mpint magnitudes, ASN.1 DER
 * INTEGER contents, PuTTY mpints) and the modular arithmetic RSA keys need (RFC 8017 §3.2:
 * inverse of q mod p, exponent checks). Not constant-time: used for parsing, consistency checks
 * and key generation, never for signing (the crypto package owns that).
 * @module
 */

/** The non-negative integer whose big-endian bytes are `bytes` (empty → 0). */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < bytes.length; i++) v = (v << 8n) | BigInt(bytes[i] as number);
  return v;
}

/** Bits needed to write `v` (0 for 0). */
export function bitLength(v: bigint): number {
  return v <= 0n ? 0 : v.toString(2).length;
}

/**
 * Big-endian bytes of `v ≥ 0`: minimal length, or exactly `length` bytes (left-padded with
 * zeros); throws a RangeError when `v` does not fit, which callers only allow for trusted values.
 */
export function bigintToBytes(v: bigint, length?: number): Uint8Array {
  if (v < 0n) throw new RangeError("bigintToBytes: negative value");
  const minimal = Math.ceil(bitLength(v) / 8);
  const n = length ?? minimal;
  if (minimal > n) throw new RangeError(`bigintToBytes: value needs ${minimal} bytes, ${n} allowed`);
  const out = new Uint8Array(n);
  let x = v;
  for (let i = n - 1; i >= 0 && x > 0n; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** `base^exponent mod modulus` by square-and-multiply (modulus > 1, exponent ≥ 0). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = ((base % modulus) + modulus) % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** The inverse of `a` modulo `m`, or undefined when gcd(a, m) ≠ 1 (extended Euclid). */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
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
