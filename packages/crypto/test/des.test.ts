import { createCipheriv } from "node:crypto";
import { InsecureTripleDesCbcMode } from "@purssh/crypto";
import { SshError, toHex } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  INSECURE_DES_TABLES,
  InsecureTripleDesKey,
  insecureDesBlock,
  insecureDesKeySchedule,
} from "../src/ciphers/des.js";
import { hex, loadVectors } from "./vectors.js";

interface DesVector {
  name: string;
  key: string;
  plaintext: string;
  ciphertext: string;
}
interface TdeaVector extends DesVector {
  mode: "ecb" | "cbc";
  iv: string;
}
const { des, tdea } = loadVectors<{ des: DesVector[]; tdea: TdeaVector[] }>("des-tdea-nist.json");

function desEncrypt(key: Uint8Array, block: Uint8Array, decrypt = false): string {
  const out = new Uint8Array(8);
  insecureDesBlock(insecureDesKeySchedule(key), decrypt, block, out);
  return toHex(out);
}

describe("FIPS 46-3 tables as typed", () => {
  const { IP, P, PC1, PC2, SHIFTS, S_BOXES } = INSECURE_DES_TABLES;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  test("IP permutes bits 1..64 and P bits 1..32", () => {
    expect([...IP].sort((a, b) => a - b)).toEqual(range(64));
    expect([...P].sort((a, b) => a - b)).toEqual(range(32));
  });

  test("PC-1 takes the 56 key bits and no parity bit; PC-2 takes 48 distinct bits of 56", () => {
    expect([...PC1].sort((a, b) => a - b)).toEqual(range(64).filter((b) => b % 8 !== 0));
    expect(new Set(PC2).size).toBe(48);
    expect(PC2.every((b) => b >= 1 && b <= 56)).toBe(true);
  });

  test("the key schedule shifts add up to 28, so C16 = C0 and D16 = D0", () => {
    expect(SHIFTS.reduce((a, b) => a + b, 0)).toBe(28);
  });

  test("every row of every S-box is a permutation of 0..15", () => {
    for (const box of S_BOXES) {
      for (let row = 0; row < 4; row++) {
        expect(box.slice(16 * row, 16 * row + 16).sort((a, b) => a - b)).toEqual(range(16).map((x) => x - 1));
      }
    }
  });
});

describe("DES known answers: NIST SP 800-20 Appendix A and the FIPS 46 worked example", () => {
  test.each(des.map((v) => [v.name, v] as const))("%s: encrypts, and decrypts back (Table A.2)", (_n, v) => {
    expect(desEncrypt(hex(v.key), hex(v.plaintext))).toBe(v.ciphertext);
    expect(desEncrypt(hex(v.key), hex(v.ciphertext), true)).toBe(v.plaintext);
  });

  test("the tables are complete: 64 + 56 + 32 + 19 rounds and the worked example", () => {
    const count = (table: string) => des.filter((v) => v.name.includes(table)).length;
    expect([count("A.1"), count("A.3"), count("A.4"), count("A.5"), des.length]).toEqual([64, 56, 32, 19, 172]);
  });

  test("the parity bits of the key are ignored (FIPS 46-3: bits 8, 16, …, 64)", () => {
    const v = des[0] as DesVector;
    const key = hex(v.key).map((b) => b ^ 1);
    expect(desEncrypt(key, hex(v.plaintext))).toBe(v.ciphertext);
  });
});

describe("three-key TDEA (SP 800-67) and 3des-cbc's mode", () => {
  test.each(tdea.map((v) => [v.name, v] as const))("%s", (_n, v) => {
    const key = hex(v.key);
    const data = hex(v.plaintext);
    if (v.mode === "ecb") {
      const k = new InsecureTripleDesKey(key);
      for (let i = 0; i < data.length; i += 8) k.cryptBlock(false, data.subarray(i, i + 8), data.subarray(i, i + 8));
      expect(toHex(data)).toBe(v.ciphertext);
      for (let i = 0; i < data.length; i += 8) k.cryptBlock(true, data.subarray(i, i + 8), data.subarray(i, i + 8));
    } else {
      new InsecureTripleDesCbcMode(key, hex(v.iv), "seal").apply(data, 0, data.length);
      expect(toHex(data)).toBe(v.ciphertext);
      new InsecureTripleDesCbcMode(key, hex(v.iv), "open").apply(data, 0, data.length);
    }
    expect(toHex(data)).toBe(v.plaintext);
  });

  test("K1 = K2 = K3 reduces TDEA to single DES, which is how the SP 800-20 tables test it", () => {
    const v = des.find((x) => x.name.includes("A.5")) as DesVector;
    const k = new InsecureTripleDesKey(hex(v.key + v.key + v.key));
    const block = hex(v.plaintext);
    k.cryptBlock(false, block, block);
    expect(toHex(block)).toBe(v.ciphertext);
  });

  test("a key that is not 24 bytes is a local error", () => {
    expect(() => new InsecureTripleDesKey(new Uint8Array(16))).toThrow(SshError);
    expect(() => insecureDesKeySchedule(new Uint8Array(7))).toThrow(SshError);
  });

  test("3des-cbc over several packets equals node:crypto des-ede3-cbc over the stream (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.array(
          fc.integer({ min: 0, max: 20 }).map((n) => 8 * n),
          { minLength: 1, maxLength: 5 },
        ),
        (key, iv, sizes) => {
          const total = sizes.reduce((a, b) => a + b, 0);
          const plaintext = new Uint8Array(total).map((_, i) => (i * 37 + key[0]!) & 0xff);
          const openssl = createCipheriv("des-ede3-cbc", key, iv).setAutoPadding(false);
          const expected = Buffer.concat([openssl.update(plaintext), openssl.final()]);
          const sealer = new InsecureTripleDesCbcMode(key, iv, "seal");
          const opener = new InsecureTripleDesCbcMode(key, iv, "open");
          const data = plaintext.slice();
          let at = 0;
          for (const size of sizes) {
            sealer.apply(data, at, at + size);
            at += size;
          }
          expect(toHex(data)).toBe(toHex(expected));
          at = 0;
          for (const size of sizes) {
            if (size > 0) {
              // the opening side may peek at a packet's first block and then skip it
              const first = new Uint8Array(8);
              opener.peek(data.subarray(at, at + 8), first);
              opener.skip(data.subarray(at, at + 8));
              opener.apply(data, at + 8, at + size);
              data.set(first, at);
            }
            at += size;
          }
          expect(data).toEqual(plaintext);
        },
      ),
      { numRuns: 100 },
    );
  });
});
