import { sha1 } from "@noble/hashes/legacy.js";
import { sha224, sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { deriveKey, type HashFunction, KDF_LETTER, type KdfLetter } from "@purssh/crypto";
import { concatBytes, SshError, toHex } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { hex, loadVectors } from "./vectors.js";

interface KdfTuple {
  hash: string;
  K: string;
  H: string;
  sessionId: string;
  outputs: Record<KdfLetter, string>;
}
interface KdfExtended {
  hash: string;
  K: string;
  H: string;
  sessionId: string;
  letter: KdfLetter;
  length: number;
  output: string;
}
const nist = loadVectors<{ tests: KdfTuple[]; extended: KdfExtended[]; counts: { derivations: number } }>(
  "ssh-kdf-nist.json",
);

const HASHES: Record<string, HashFunction> = {
  "SHA-1": sha1,
  "SHA-224": sha224,
  "SHA-256": sha256,
  "SHA-384": sha384,
  "SHA-512": sha512,
};
const LETTERS: KdfLetter[] = ["A", "B", "C", "D", "E", "F"];

function hashFor(name: string): HashFunction {
  const h = HASHES[name];
  if (!h) throw new Error(`no hash ${name}`);
  return h;
}

describe("RFC 4253 §7.2 key derivation against NIST CAVP SP 800-135 SSH KDF vectors", () => {
  test("the vector file holds 600 derivations over SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512", () => {
    expect(nist.tests).toHaveLength(100);
    expect(nist.counts.derivations).toBe(600);
    expect(new Set(nist.tests.map((t) => t.hash))).toEqual(new Set(Object.keys(HASHES)));
  });

  for (const hashName of Object.keys(HASHES)) {
    const tuples = nist.tests.filter((t) => t.hash === hashName);
    test.each(tuples.map((t, i) => [i, t] as const))(
      `RFC 4253 §7.2 (NIST CAVS 14.1, ${hashName}) tuple %i: letters A–F (IVs, keys, integrity keys)`,
      (_i, t) => {
        for (const letter of LETTERS) {
          const expected = t.outputs[letter];
          const out = deriveKey(hashFor(t.hash), hex(t.K), hex(t.H), hex(t.sessionId), letter, expected.length / 2);
          expect(toHex(out), `${hashName} letter ${letter}`).toBe(expected);
        }
      },
    );
  }

  test("RFC 4253 §7.2: a key longer than the hash output is K1 ‖ K2 (NIST SHA-1 24-byte encryption keys)", () => {
    const longer = nist.tests.filter((t) => t.hash === "SHA-1" && t.outputs.C.length / 2 > 20);
    expect(longer.length).toBeGreaterThan(0);
    for (const t of longer) {
      const out = deriveKey(sha1, hex(t.K), hex(t.H), hex(t.sessionId), "C", 24);
      expect(toHex(out)).toBe(t.outputs.C);
    }
  });

  test.each(nist.extended.map((e) => [e.hash, e.letter, e.length, e] as const))(
    "RFC 4253 §7.2: %s letter %s extended to %i bytes (K1 ‖ K2 ‖ …, computed with Python hashlib)",
    (_h, _l, _n, e) => {
      const out = deriveKey(hashFor(e.hash), hex(e.K), hex(e.H), hex(e.sessionId), e.letter, e.length);
      expect(toHex(out)).toBe(e.output);
    },
  );
});

describe("RFC 4253 §7.2 derivation rules", () => {
  const rekey = nist.tests.find((t) => t.hash === "SHA-256" && t.H !== t.sessionId);
  if (!rekey) throw new Error("the NIST set has SHA-256 tuples with session_id != H");

  test("RFC 4253 §7.2: session_id (the first exchange hash) and H are separate inputs after a rekey", () => {
    const K = hex(rekey.K);
    const H = hex(rekey.H);
    const sessionId = hex(rekey.sessionId);
    const n = rekey.outputs.C.length / 2;
    expect(toHex(deriveKey(sha256, K, H, sessionId, "C", n))).toBe(rekey.outputs.C);
    expect(toHex(deriveKey(sha256, K, H, H, "C", n))).not.toBe(rekey.outputs.C);
    expect(toHex(deriveKey(sha256, K, sessionId, sessionId, "C", n))).not.toBe(rekey.outputs.C);
    expect(toHex(deriveKey(sha256, K, sessionId, H, "C", n))).not.toBe(rekey.outputs.C);
  });

  test("RFC 4253 §7.2: K1 = HASH(K ‖ H ‖ X ‖ session_id) and K2 = HASH(K ‖ H ‖ K1), spelled out", () => {
    const K = hex(rekey.K);
    const H = hex(rekey.H);
    const sessionId = hex(rekey.sessionId);
    const k1 = sha256(concatBytes(K, H, new Uint8Array([0x44]), sessionId));
    const k2 = sha256(concatBytes(K, H, k1));
    const k3 = sha256(concatBytes(K, H, k1, k2));
    expect(deriveKey(sha256, K, H, sessionId, "D", 96)).toEqual(concatBytes(k1, k2, k3));
    expect(deriveKey(sha256, K, H, sessionId, "D", 64)).toEqual(concatBytes(k1, k2));
    expect(deriveKey(sha256, K, H, sessionId, "D", 33)).toEqual(concatBytes(k1, k2.subarray(0, 1)));
    expect(deriveKey(sha256, K, H, sessionId, "D", 0)).toEqual(new Uint8Array(0));
  });

  test("RFC 4253 §7.2: the letters are A–F in the order IV, key, integrity, client-to-server first", () => {
    expect(Object.values(KDF_LETTER)).toEqual(LETTERS);
    expect(KDF_LETTER.ENCRYPTION_KEY_SERVER_TO_CLIENT).toBe("D");
  });

  test("a letter outside A–F or a negative length is refused", () => {
    const K = hex(rekey.K);
    expect(() => deriveKey(sha256, K, K, K, "G" as KdfLetter, 16)).toThrow(SshError);
    expect(() => deriveKey(sha256, K, K, K, "A", -1)).toThrow(SshError);
  });
});
