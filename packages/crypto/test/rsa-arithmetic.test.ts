import { SshError } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { bitLength, i2osp, modInverse, modPow, os2ip } from "../src/rsa/arithmetic.js";

/** Reference: right-to-left binary exponentiation, one bit at a time. */
function naiveModPow(b: bigint, e: bigint, m: bigint): bigint {
  let result = 1n % m;
  let x = ((b % m) + m) % m;
  for (let k = e; k > 0n; k >>= 1n) {
    if (k & 1n) result = (result * x) % m;
    x = (x * x) % m;
  }
  return result;
}

const bigNat = (bits: number) =>
  fc.uint8Array({ minLength: 1, maxLength: bits / 8 }).map((b) => b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n));

describe("RFC 8017 §4.1, §4.2: I2OSP and OS2IP", () => {
  test("round trip at a fixed length, with leading zeros kept", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        expect(i2osp(os2ip(bytes), bytes.length)).toEqual(bytes);
      }),
    );
  });

  test("I2OSP refuses an integer that does not fit (§4.1 step 1) and negative integers", () => {
    expect(() => i2osp(256n, 1)).toThrow(SshError);
    expect(() => i2osp(-1n, 4)).toThrow(SshError);
    expect(i2osp(255n, 1)).toEqual(Uint8Array.of(255));
    expect(i2osp(0n, 0)).toEqual(new Uint8Array(0));
    expect(os2ip(new Uint8Array(0))).toBe(0n);
  });

  test("bitLength", () => {
    expect([0n, 1n, 255n, 256n, -5n].map(bitLength)).toEqual([0, 1, 8, 9, 0]);
  });
});

describe("HAC 14.85 sliding-window modular exponentiation", () => {
  test("agrees with binary exponentiation for exponents of every window width", () => {
    fc.assert(
      fc.property(bigNat(512), bigNat(2048), bigNat(512), (b, e, m) => {
        const mod = m + 2n;
        expect(modPow(b, e, mod)).toBe(naiveModPow(b, e, mod));
      }),
      { numRuns: 60 },
    );
  });

  test("edge cases: exponent 0 and 1, base 0, a base larger than the modulus, a negative base", () => {
    expect(modPow(5n, 0n, 7n)).toBe(1n);
    expect(modPow(5n, 1n, 7n)).toBe(5n);
    expect(modPow(0n, 5n, 7n)).toBe(0n);
    expect(modPow(12n, 3n, 7n)).toBe(naiveModPow(12n, 3n, 7n));
    expect(modPow(-2n, 3n, 7n)).toBe(6n);
    expect(() => modPow(2n, 3n, 1n)).toThrow(SshError);
    expect(() => modPow(2n, -1n, 7n)).toThrow(SshError);
  });

  test("Fermat: a^(p−1) ≡ 1 (mod p) for the Mersenne prime 2^521 − 1", () => {
    const p = (1n << 521n) - 1n;
    expect(modPow(3n, p - 1n, p)).toBe(1n);
  });
});

describe("modular inverse (extended Euclid)", () => {
  test("a · a⁻¹ ≡ 1 whenever gcd(a, m) = 1, undefined otherwise", () => {
    fc.assert(
      fc.property(bigNat(256), bigNat(256), (a, m) => {
        const mod = m + 2n;
        const inv = modInverse(a, mod);
        const gcd = (x: bigint, y: bigint): bigint => (y === 0n ? x : gcd(y, x % y));
        if (gcd(a % mod, mod) === 1n) expect((((a * (inv ?? 0n)) % mod) + mod) % mod).toBe(1n);
        else expect(inv).toBeUndefined();
      }),
      { numRuns: 200 },
    );
    expect(modInverse(3n, 1n)).toBeUndefined();
  });
});
