import { createCipheriv } from "node:crypto";
import { AesCtrMode, InsecureAesCbcDecryptMode, InsecureAesCbcEncryptMode } from "@purssh/crypto";
import { SshError, toHex } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { aesDecryptBlock, expandAesDecryptionKey } from "../src/ciphers/aes-decrypt.js";
import { aesEncryptBlock, expandAesKey } from "../src/ciphers/aes-gcm-core.js";
import { hex, loadVectors } from "./vectors.js";

interface BlockVector {
  name: string;
  key: string;
  plaintext: string;
  ciphertext: string;
}
interface ModeVector extends BlockVector {
  mode: "cbc" | "ctr";
  iv: string;
}
const blocks = loadVectors<{ vectors: BlockVector[] }>("aes-fips197.json").vectors;
const modeVectors = loadVectors<{ vectors: ModeVector[] }>("aes-cbc-ctr-sp800-38a.json").vectors;

function modes(v: ModeVector) {
  const key = hex(v.key);
  const iv = hex(v.iv);
  return v.mode === "ctr"
    ? { encrypt: new AesCtrMode(key, iv), decrypt: new AesCtrMode(key, iv) }
    : { encrypt: new InsecureAesCbcEncryptMode(key, iv), decrypt: new InsecureAesCbcDecryptMode(key, iv) };
}

describe("FIPS 197 §5.3: the inverse cipher", () => {
  test.each(blocks.map((v) => [v.name, v] as const))("%s decrypts back", (_n, v) => {
    const out = new Uint8Array(16);
    aesDecryptBlock(expandAesDecryptionKey(hex(v.key)), hex(v.ciphertext), out);
    expect(toHex(out)).toBe(v.plaintext);
  });

  test("decryption inverts encryption for random keys and blocks, in place too (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (key, block) => {
          const b = block.slice();
          aesEncryptBlock(expandAesKey(key), b, b);
          aesDecryptBlock(expandAesDecryptionKey(key), b, b);
          expect(b).toEqual(block);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("NIST SP 800-38A F.2 (CBC) and F.5 (CTR), and RFC 4344 §4 counter carries", () => {
  test.each(modeVectors.map((v) => [v.name, v] as const))("%s", (_n, v) => {
    const { encrypt, decrypt } = modes(v);
    const data = hex(v.plaintext);
    encrypt.apply(data, 0, data.length);
    expect(toHex(data)).toBe(v.ciphertext);
    decrypt.apply(data, 0, data.length);
    expect(toHex(data)).toBe(v.plaintext);
  });

  test.each(modeVectors.map((v) => [v.name, v] as const))(
    "%s, one block per call: the state carries from call to call",
    (_n, v) => {
      const { encrypt, decrypt } = modes(v);
      const data = hex(v.plaintext);
      for (let i = 0; i < data.length; i += 16) encrypt.apply(data, i, i + 16);
      expect(toHex(data)).toBe(v.ciphertext);
      for (let i = 0; i < data.length; i += 16) {
        // peek shows the next block's decryption without moving the state
        const peeked = new Uint8Array(16);
        decrypt.peek(data.subarray(i, i + 16), peeked);
        decrypt.peek(data.subarray(i, i + 16), peeked);
        expect(toHex(peeked)).toBe(v.plaintext.slice(2 * i, 2 * i + 32));
        if (i % 32 === 0) {
          decrypt.apply(data, i, i + 16);
        } else {
          decrypt.skip(data.subarray(i, i + 16));
          data.set(peeked, i);
        }
      }
      expect(toHex(data)).toBe(v.plaintext);
    },
  );

  test("the vectors cover a carry out of the low word, out of 64 bits, and the 2^128 wrap", () => {
    const ivs = modeVectors.filter((v) => v.mode === "ctr").map((v) => v.iv);
    expect(ivs).toContain("000102030405060708090a0bfffffffe");
    expect(ivs).toContain("0001020304050607fffffffffffffffd");
    expect(ivs).toContain("fffffffffffffffffffffffffffffffe");
  });

  test("a CBC sealing mode cannot read packets", () => {
    const m = new InsecureAesCbcEncryptMode(new Uint8Array(16), new Uint8Array(16));
    expect(() => m.peek(new Uint8Array(16), new Uint8Array(16))).toThrow(SshError);
    expect(() => m.skip(new Uint8Array(16))).toThrow(SshError);
  });
});

describe("the running modes agree with node:crypto (OpenSSL) over many packets (fast-check)", () => {
  const keyAndIv = fc.record({
    key: fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
    iv: fc.oneof(
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      // counters next to a carry of the low word and next to the 2^128 wrap
      fc.integer({ min: 1, max: 40 }).map((k) => hex(`0123456789abcdef01234567${(2 ** 32 - k).toString(16)}`)),
      fc.integer({ min: 1, max: 40 }).map((k) => hex(`ffffffffffffffffffffffff${(2 ** 32 - k).toString(16)}`)),
    ),
  });
  const packets = fc.array(
    fc.integer({ min: 0, max: 40 }).map((n) => 16 * n),
    { minLength: 1, maxLength: 6 },
  );

  test.each(["ctr", "cbc"] as const)("aes-%s: a stream of packets equals one OpenSSL stream", (mode) => {
    fc.assert(
      fc.property(keyAndIv, packets, fc.uint8Array({ minLength: 16 * 240, maxLength: 16 * 240 }), (k, sizes, bytes) => {
        const total = sizes.reduce((a, b) => a + b, 0);
        const plaintext = bytes.subarray(0, total);
        const openssl = createCipheriv(`aes-${8 * k.key.length}-${mode}`, k.key, k.iv).setAutoPadding(false);
        const expected = Buffer.concat([openssl.update(plaintext), openssl.final()]);
        const { encrypt, decrypt } = modes({ mode, key: toHex(k.key), iv: toHex(k.iv) } as ModeVector);
        const data = plaintext.slice();
        let at = 0;
        for (const size of sizes) {
          encrypt.apply(data, at, at + size);
          at += size;
        }
        expect(toHex(data)).toBe(toHex(expected));
        at = 0;
        for (const size of sizes) {
          decrypt.apply(data, at, at + size);
          at += size;
        }
        expect(data).toEqual(plaintext);
      }),
      { numRuns: 150 },
    );
  });
});
