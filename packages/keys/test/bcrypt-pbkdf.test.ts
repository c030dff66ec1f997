/**
 * Blowfish and bcrypt_pbkdf known answers (test-vectors/keys/kdf, with provenance): Schneier's
 * Blowfish ECB vectors, OpenBSD's bcrypt_pbkdf regress vectors and Go x/crypto's.
 */
import { bcryptPbkdf, KeyError } from "@purssh/keys";
import { fromHex, toHex, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { bcryptHash } from "../src/bcrypt-pbkdf.js";
import { blowfishEncryptBlock, blowfishInitialWords } from "../src/blowfish.js";
import { fixture } from "./helpers.js";

interface PbkdfVector {
  rounds: number;
  password: string;
  salt: string;
  key: string;
}

const blowfish = JSON.parse(fixture("kdf/blowfish-ecb.json")) as {
  vectors: Array<{ key: string; plaintext: string; ciphertext: string }>;
};
const bcrypt = JSON.parse(fixture("kdf/bcrypt-pbkdf.json")) as {
  openbsd: PbkdfVector[];
  go: PbkdfVector[];
  bcryptHash: { sha2pass: string; sha2salt: string; hash: string };
};

describe("Blowfish (Schneier 1993)", () => {
  test("the initial P-array and S-boxes are the hexadecimal digits of pi after the 3", () => {
    const w = blowfishInitialWords();
    expect(w.length).toBe(18 + 4 * 256);
    // P1, P2, P18, S1[0], S4[255] as printed in Schneier's reference tables
    expect([w[0], w[1], w[17], w[18], w[1041]].map((x) => (x as number).toString(16))).toEqual([
      "243f6a88",
      "85a308d3",
      "8979fb1b",
      "d1310ba6",
      "3ac372e6",
    ]);
  });

  test.each(blowfish.vectors.map((v, i) => ({ ...v, i })))(
    "ECB vector $i: key $key, plaintext $plaintext → $ciphertext",
    ({ key, plaintext, ciphertext }) => {
      expect(toHex(blowfishEncryptBlock(fromHex(key), fromHex(plaintext)))).toBe(ciphertext);
    },
  );
});

describe("bcrypt_pbkdf (OpenBSD lib/libutil/bcrypt_pbkdf.c)", () => {
  test("Go TestBcryptHash: bcrypt_hash of two 64-byte inputs", () => {
    const { sha2pass, sha2salt, hash } = bcrypt.bcryptHash;
    expect(toHex(bcryptHash(fromHex(sha2pass), fromHex(sha2salt)))).toBe(hash);
  });

  test.each(bcrypt.openbsd.map((v, i) => ({ ...v, i, n: v.key.length / 2 })))(
    "OpenBSD regress vector $i: $rounds rounds, $n-byte key",
    ({ rounds, password, salt, key }) => {
      expect(toHex(bcryptPbkdf(fromHex(password), fromHex(salt), rounds, key.length / 2))).toBe(key);
    },
  );

  test.each(bcrypt.go.map((v, i) => ({ ...v, i })))(
    "Go golden vector $i: $rounds rounds",
    ({ rounds, password, salt, key }) => {
      expect(toHex(bcryptPbkdf(fromHex(password), fromHex(salt), rounds, key.length / 2))).toBe(key);
    },
  );

  test("OpenBSD regress OVERWRITE: an 88-byte key is a prefix-consistent interleave and writes nothing beyond", () => {
    const out = bcryptPbkdf(utf8Encode("password"), utf8Encode("salt"), 4, 88);
    expect(out.length).toBe(88);
    // stride 3: byte i·3 + (block − 1) comes from block `block`; block 1's bytes equal a 32-byte run's
    const shorter = bcryptPbkdf(utf8Encode("password"), utf8Encode("salt"), 4, 32);
    for (let i = 0; i < 30; i++) expect(out[i * 3]).toBe(shorter[i]);
  });

  test("OpenBSD's argument checks: rounds ≥ 1, non-empty password and salt, key of 1…1,024 bytes", () => {
    const p = utf8Encode("p");
    for (const call of [
      () => bcryptPbkdf(p, p, 0, 32),
      () => bcryptPbkdf(new Uint8Array(0), p, 1, 32),
      () => bcryptPbkdf(p, new Uint8Array(0), 1, 32),
      () => bcryptPbkdf(p, p, 1, 0),
      () => bcryptPbkdf(p, p, 1, 1025),
    ]) {
      expect(call).toThrow(KeyError);
    }
  });

  test("cost: 16 rounds for a 48-byte key (ssh-keygen's aes256-ctr default)", () => {
    const started = performance.now();
    bcryptPbkdf(utf8Encode("passphrase"), new Uint8Array(16), 16, 48);
    console.info(`bcrypt_pbkdf, 16 rounds, 48 bytes: ${Math.round(performance.now() - started)} ms`);
  });
});
