import { gcm } from "@noble/ciphers/aes.js";
import { toHex } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { AesGcmKey, aesEncryptBlock, expandAesKey } from "../src/ciphers/aes-gcm-core.js";
import { hex, loadVectors } from "./vectors.js";

interface BlockVector {
  name: string;
  key: string;
  plaintext: string;
  ciphertext: string;
}
interface GcmVector {
  name: string;
  key: string;
  iv: string;
  aad: string;
  plaintext: string;
  h: string;
  j0: string;
  ghash: string;
  ciphertext: string;
  tag: string;
}
const blocks = loadVectors<{ vectors: BlockVector[] }>("aes-fips197.json").vectors;
const gcmCases = loadVectors<{ vectors: GcmVector[] }>("aes-gcm-spec.json").vectors;

/** A ‖ text ‖ 16 bytes of tag room, as AesGcmKey works on it. */
function layout(aad: Uint8Array, text: Uint8Array, tag: Uint8Array = new Uint8Array(16)): Uint8Array {
  const buf = new Uint8Array(aad.length + text.length + 16);
  buf.set(aad);
  buf.set(text, aad.length);
  buf.set(tag, aad.length + text.length);
  return buf;
}

describe("AES block encryption (FIPS 197 §5.1, §5.2)", () => {
  test("there are vectors for every key size", () => {
    expect(new Set(blocks.map((v) => v.key.length / 2))).toEqual(new Set([16, 24, 32]));
  });

  test.each(blocks.map((v) => [v.name, v] as const))("%s", (_n, v) => {
    const out = new Uint8Array(16);
    aesEncryptBlock(expandAesKey(hex(v.key)), hex(v.plaintext), out);
    expect(toHex(out)).toBe(v.ciphertext);
  });

  test("key expansion gives Nb(Nr + 1) words and rejects other key sizes", () => {
    expect(expandAesKey(new Uint8Array(16)).length).toBe(44);
    expect(expandAesKey(new Uint8Array(24)).length).toBe(52);
    expect(expandAesKey(new Uint8Array(32)).length).toBe(60);
    for (const n of [0, 8, 15, 17, 20, 31, 33, 64]) expect(() => expandAesKey(new Uint8Array(n))).toThrow(RangeError);
  });
});

describe("AES-GCM (SP 800-38D) test cases 1–18 of the GCM specification", () => {
  test("all eighteen, every key size, 96-, 64- and 480-bit IVs", () => {
    expect(gcmCases.map((v) => v.name)).toEqual(Array.from({ length: 18 }, (_, i) => `Test Case ${i + 1}`));
    expect(new Set(gcmCases.map((v) => v.iv.length / 2))).toEqual(new Set([12, 8, 60]));
  });

  test.each(gcmCases.map((v) => [v.name, v] as const))("%s: H = E(K, 0^128)", (_n, v) => {
    const h = new Uint8Array(16);
    aesEncryptBlock(expandAesKey(hex(v.key)), h, h);
    expect(toHex(h)).toBe(v.h);
  });

  test.each(gcmCases.map((v) => [v.name, v] as const))("%s: GCM-AE gives C ‖ T", (_n, v) => {
    const aad = hex(v.aad);
    const buf = layout(aad, hex(v.plaintext));
    new AesGcmKey(hex(v.key)).seal(hex(v.iv), buf, aad.length, buf.length - 16);
    expect(toHex(buf.subarray(aad.length))).toBe(v.ciphertext + v.tag);
    expect(toHex(buf.subarray(0, aad.length))).toBe(v.aad);
  });

  test.each(gcmCases.map((v) => [v.name, v] as const))("%s: GCM-AD recovers P", (_n, v) => {
    const aad = hex(v.aad);
    const buf = layout(aad, hex(v.ciphertext), hex(v.tag));
    expect(new AesGcmKey(hex(v.key)).open(hex(v.iv), buf, aad.length, buf.length - 16)).toBe(true);
    expect(toHex(buf.subarray(aad.length, buf.length - 16))).toBe(v.plaintext);
  });

  test.each(gcmCases.map((v) => [v.name, v] as const))(
    "%s: GCM-AD returns FAIL for any changed bit and leaves the buffer as it was",
    (_n, v) => {
      const key = new AesGcmKey(hex(v.key));
      const aad = hex(v.aad);
      const sealed = layout(aad, hex(v.ciphertext), hex(v.tag));
      for (let bit = 0; bit < sealed.length * 8; bit += 7) {
        const forged = sealed.slice();
        forged[bit >> 3] = (forged[bit >> 3] as number) ^ (1 << (bit & 7));
        const before = forged.slice();
        expect(key.open(hex(v.iv), forged, aad.length, forged.length - 16), `bit ${bit}`).toBe(false);
        expect(forged).toEqual(before);
      }
      // a different IV fails too
      const iv = hex(v.iv);
      iv[0] = (iv[0] as number) ^ 1;
      expect(key.open(iv, sealed.slice(), aad.length, sealed.length - 16)).toBe(false);
    },
  );

  test("buffers that cannot hold A ‖ text ‖ tag, and an empty IV, are rejected", () => {
    const key = new AesGcmKey(new Uint8Array(16));
    const iv = new Uint8Array(12);
    expect(() => key.seal(iv, new Uint8Array(15), 0, 0)).toThrow(RangeError);
    expect(() => key.seal(iv, new Uint8Array(20), 4, 5)).toThrow(RangeError);
    expect(() => key.seal(iv, new Uint8Array(20), 5, 4)).toThrow(RangeError);
    expect(() => key.open(new Uint8Array(0), new Uint8Array(16), 0, 0)).toThrow(RangeError);
    expect(() => new AesGcmKey(new Uint8Array(20))).toThrow(RangeError);
  });
});

describe("AesGcmKey agrees with noble's gcm() (fast-check)", () => {
  const message = fc.record({
    iv: fc.oneof(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ minLength: 8, maxLength: 64 })),
    aad: fc.uint8Array({ maxLength: 40 }),
    text: fc.uint8Array({ maxLength: 600 }),
  });

  test("one key, several messages: the same C ‖ T as gcm(key, iv, aad), and open inverts seal", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.array(message, { minLength: 1, maxLength: 4 }),
        (keyBytes, messages) => {
          const key = new AesGcmKey(keyBytes);
          for (const { iv, aad, text } of messages) {
            const buf = layout(aad, text);
            const end = buf.length - 16;
            key.seal(iv, buf, aad.length, end);
            expect(toHex(buf.subarray(aad.length))).toBe(toHex(gcm(keyBytes, iv, aad).encrypt(text)));
            expect(key.open(iv, buf, aad.length, end)).toBe(true);
            expect(buf.subarray(aad.length, end)).toEqual(text);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
