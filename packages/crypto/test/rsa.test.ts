import {
  emsaPkcs1v15Encode,
  getSignatureAlgorithm,
  parseRsaPublicKeyBlob,
  parseRsaSignatureBlob,
  RSA_SHA2_256,
  RSA_SHA2_512,
  type RsaHash,
  type RsaPrivateKey,
  rsaPublicKeyBlob,
  rsaSignatureBlob,
  rsaSignPkcs1v15,
  rsaVerifyPkcs1v15,
  type SignatureAlgorithm,
  SSH_RSA,
  signRsa,
} from "@purssh/crypto";
import { concatBytes, encodeWith, SshError, toHex, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { i2osp, os2ip } from "../src/rsa/arithmetic.js";
import { forEachProvider, lateSignature } from "./providers.js";
import { parseArmoredSshSig, publicKeyLineBlob, vectorBytes, vectorText } from "./sshsig.js";
import { hex, loadVectors } from "./vectors.js";

interface OpensslKey {
  name: string;
  bits: number;
  n: string;
  e: string;
  d: string;
  p: string;
  q: string;
  dp: string;
  dq: string;
  qinv: string;
  sshPublicKey?: string;
  opensslSignatures: { hash: RsaHash; message: string; signature: string }[];
  sshsig?: { namespace: string; message: string; armored: string };
}
const { keys } = loadVectors<{ keys: OpensslKey[] }>("rsa-openssl.json");

const big = (h: string) => BigInt(`0x${h}`);
const privateKey = (k: OpensslKey): RsaPrivateKey => ({
  n: big(k.n),
  e: big(k.e),
  d: big(k.d),
  p: big(k.p),
  q: big(k.q),
  dp: big(k.dp),
  dq: big(k.dq),
  qinv: big(k.qinv),
});
/** The verifiers as the registry gives them when a test runs (the active provider's, else noble's). */
const rsaSha2256 = lateSignature(RSA_SHA2_256);
const rsaSha2512 = lateSignature(RSA_SHA2_512);
const insecureSshRsaSha1 = lateSignature(SSH_RSA);
const SSH_ALGORITHM: Record<RsaHash, SignatureAlgorithm> = {
  sha1: insecureSshRsaSha1,
  sha256: rsaSha2256,
  sha512: rsaSha2512,
};
const NAME: Record<RsaHash, "ssh-rsa" | "rsa-sha2-256" | "rsa-sha2-512"> = {
  sha1: "ssh-rsa",
  sha256: "rsa-sha2-256",
  sha512: "rsa-sha2-512",
};
const keyNamed = (name: string) => keys.find((k) => k.name === name) as OpensslKey;
/** RFC 4253 §6.6 key blob built by hand from raw mpint bodies (for malformed variants). */
const rawKeyBlob = (e: Uint8Array, n: Uint8Array) => encodeWith((w) => w.utf8(SSH_RSA).string(e).string(n));

const accepted = keys.filter((k) => k.bits >= 1024);

describe("RFC 8017 §8.2.1: our PKCS#1 v1.5 signatures equal OpenSSL's byte for byte", () => {
  test("the fixtures cover 1023-, 1024-, 2048-, 3072- and 4096-bit keys, each with SHA-1, SHA-256 and SHA-512", () => {
    expect(keys.map((k) => k.bits)).toEqual([1023, 1024, 2048, 3072, 4096]);
    for (const k of keys)
      expect(new Set(k.opensslSignatures.map((s) => s.hash))).toEqual(new Set(["sha1", "sha256", "sha512"]));
  });

  test.each(accepted.map((k) => [k.name, k] as const))(
    "%s: `openssl dgst -sign` output is reproduced, with and without the stored CRT values",
    (_n, k) => {
      const key = privateKey(k);
      const bare: RsaPrivateKey = { n: key.n, e: key.e, d: key.d, p: key.p, q: key.q };
      for (const s of k.opensslSignatures) {
        expect(toHex(rsaSignPkcs1v15(key, s.hash, hex(s.message))), `${s.hash} ${s.message.slice(0, 8)}`).toBe(
          s.signature,
        );
        expect(toHex(rsaSignPkcs1v15(bare, s.hash, hex(s.message)))).toBe(s.signature);
      }
    },
  );

  test.each(accepted.map((k) => [k.name, k] as const))(
    "%s: RFC 8332 §3 — each signature verifies under its own algorithm name and no other",
    (_n, k) => {
      const keyBlob = rsaPublicKeyBlob(big(k.e), big(k.n));
      for (const s of k.opensslSignatures) {
        const blob = rsaSignatureBlob(NAME[s.hash], hex(s.signature));
        const msg = hex(s.message);
        for (const hash of ["sha1", "sha256", "sha512"] as const) {
          expect(SSH_ALGORITHM[hash].verify(keyBlob, blob, msg), `${s.hash} under ${hash}`).toBe(hash === s.hash);
        }
        // the same S relabelled with another algorithm name does not verify either
        const other = s.hash === "sha256" ? "sha512" : "sha256";
        expect(SSH_ALGORITHM[other].verify(keyBlob, rsaSignatureBlob(NAME[other], hex(s.signature)), msg)).toBe(false);
        expect(rsaVerifyPkcs1v15({ n: big(k.n), e: big(k.e) }, s.hash, msg, hex(s.signature))).toBe(true);
      }
    },
  );

  test.each(accepted.map((k) => [k.name, k] as const))(
    "%s: RFC 4253 §6.6 — our key blob is the one `ssh-keygen -y` prints, and parses back",
    (_n, k) => {
      const blob = rsaPublicKeyBlob(big(k.e), big(k.n));
      expect(toHex(blob)).toBe(toHex(publicKeyLineBlob(k.sshPublicKey ?? "")));
      expect(parseRsaPublicKeyBlob(blob)).toEqual({ e: big(k.e), n: big(k.n) });
    },
  );
});

forEachProvider(() => {
  describe("PROTOCOL.sshsig: rsa-sha2-512 signatures from `ssh-keygen -Y sign` verify", () => {
    test.each(accepted.map((k) => [k.name, k] as const))("%s", (_n, k) => {
      if (k.sshsig === undefined) throw new Error("fixture lacks an SSHSIG");
      const sig = parseArmoredSshSig(k.sshsig.armored);
      expect(sig.namespace).toBe(k.sshsig.namespace);
      expect(toHex(sig.publicKeyBlob)).toBe(toHex(rsaPublicKeyBlob(big(k.e), big(k.n))));
      expect(parseRsaSignatureBlob(sig.signatureBlob)?.algorithm).toBe(RSA_SHA2_512);
      const message = hex(k.sshsig.message);
      expect(rsaSha2512.verify(sig.publicKeyBlob, sig.signatureBlob, sig.signedData(message))).toBe(true);
      expect(rsaSha2512.verify(sig.publicKeyBlob, sig.signatureBlob, sig.signedData(utf8Encode("other")))).toBe(false);
      expect(rsaSha2256.verify(sig.publicKeyBlob, sig.signatureBlob, sig.signedData(message))).toBe(false);
      // and our signer produces the identical SSHSIG signature blob (PKCS#1 v1.5 is deterministic)
      expect(toHex(signRsa(privateKey(k), RSA_SHA2_512, sig.signedData(message)))).toBe(toHex(sig.signatureBlob));
    });

    test("OpenSSH regress sshsig/testdata/rsa.sig (3072-bit, made by OpenSSH's own tests) verifies", () => {
      const sig = parseArmoredSshSig(vectorText("openssh-sshsig/rsa.sig"));
      const key = publicKeyLineBlob(vectorText("openssh-sshsig/rsa.pub"));
      expect(toHex(sig.publicKeyBlob)).toBe(toHex(key));
      const message = vectorBytes("openssh-sshsig/signed-data");
      expect(getSignatureAlgorithm("rsa-sha2-512")?.verify(key, sig.signatureBlob, sig.signedData(message))).toBe(true);
    });
  });

  describe("RFC 8017 §8.2.2 and OpenSSH ssh-rsa.c: forged and malformed signatures fail", () => {
    const k = keyNamed("rsa-2048");
    const n = big(k.n);
    const keyBlob = rsaPublicKeyBlob(big(k.e), n);
    const s256 = k.opensslSignatures.find((s) => s.hash === "sha256" && s.message === "616263");
    if (s256 === undefined) throw new Error("fixture");
    const S = hex(s256.signature);
    const msg = hex(s256.message);
    const verify = (sig: Uint8Array) => rsaSha2256.verify(keyBlob, rsaSignatureBlob(RSA_SHA2_256, sig), msg);

    test("control: the OpenSSL signature verifies", () => {
      expect(verify(S)).toBe(true);
    });

    test("a signature longer than the modulus is refused, even with a leading zero byte (ssh-rsa.c)", () => {
      expect(verify(concatBytes(Uint8Array.of(0), S))).toBe(false);
      expect(verify(concatBytes(S, Uint8Array.of(0)))).toBe(false);
    });

    test("a signature with its first byte removed (not a leading zero) does not verify", () => {
      expect(S[0]).not.toBe(0);
      expect(verify(S.subarray(1))).toBe(false);
      expect(verify(S.subarray(0, S.length - 1))).toBe(false);
    });

    test.each([0, 7, 8, 1000, 2040, 2047])("a signature with bit %i flipped does not verify", (bit) => {
      const flipped = S.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (0x80 >> (bit & 7));
      expect(verify(flipped)).toBe(false);
    });

    test("RSAVP1 step 1: S ≥ n is out of range, S = 0, 1, n − 1 and an empty S do not verify", () => {
      expect(verify(i2osp(n, 256))).toBe(false);
      expect(verify(i2osp(os2ip(S) + n < 1n << 2048n ? os2ip(S) + n : n + 1n, 256))).toBe(false);
      expect(verify(new Uint8Array(256))).toBe(false);
      expect(verify(i2osp(1n, 256))).toBe(false);
      expect(verify(i2osp(n - 1n, 256))).toBe(false);
      expect(verify(new Uint8Array(0))).toBe(false);
    });

    test("the wrong message, the wrong key and the wrong hash do not verify", () => {
      expect(rsaSha2256.verify(keyBlob, rsaSignatureBlob(RSA_SHA2_256, S), utf8Encode("abd"))).toBe(false);
      const other = keyNamed("rsa-3072");
      expect(
        rsaSha2256.verify(rsaPublicKeyBlob(big(other.e), big(other.n)), rsaSignatureBlob(RSA_SHA2_256, S), msg),
      ).toBe(false);
      expect(rsaSha2512.verify(keyBlob, rsaSignatureBlob(RSA_SHA2_512, S), msg)).toBe(false);
    });

    test("malformed signature blobs: no name, an unknown name, a trailing byte, a missing S", () => {
      const good = rsaSignatureBlob(RSA_SHA2_256, S);
      expect(rsaSha2256.verify(keyBlob, concatBytes(good, Uint8Array.of(0)), msg)).toBe(false);
      expect(
        rsaSha2256.verify(
          keyBlob,
          encodeWith((w) => w.utf8("rsa-sha2-384").string(S)),
          msg,
        ),
      ).toBe(false);
      expect(
        rsaSha2256.verify(
          keyBlob,
          encodeWith((w) => w.utf8(RSA_SHA2_256)),
          msg,
        ),
      ).toBe(false);
      expect(rsaSha2256.verify(keyBlob, S, msg)).toBe(false);
      expect(parseRsaSignatureBlob(encodeWith((w) => w.utf8("ssh-dss").string(S)))).toBeUndefined();
    });

    test("Bleichenbacher'06: an e = 3 cube-root forgery with garbage after the digest does not verify", () => {
      // a 2048-bit e = 3 key (Wycheproof rsa_signature_2048_sha256, group with e = 3)
      const group = loadVectors<{ testGroups: { n: string; e: string }[] }>(
        "wycheproof/rsa_signature_2048_sha256.json",
      ).testGroups.find((g) => g.e === "03");
      if (group === undefined) throw new Error("fixture");
      const n3 = big(group.n);
      const digestInfo = emsaPkcs1v15Encode("sha256", msg, 256).subarray(256 - 51);
      // 00 01 FF×8 00 DigestInfo, then garbage: what a parser that stops after the digest accepts
      const prefix = concatBytes(Uint8Array.of(0, 1, ...new Array(8).fill(0xff), 0), digestInfo);
      const target = os2ip(concatBytes(prefix, new Uint8Array(256 - prefix.length).fill(0xff)));
      let forged = icbrt(target);
      while (forged ** 3n > target) forged -= 1n;
      const cube = i2osp(forged ** 3n, 256);
      expect(toHex(cube.subarray(0, prefix.length))).toBe(toHex(prefix)); // the forgery is "well-formed" for a lenient parser
      const blob = rsaPublicKeyBlob(3n, n3);
      expect(rsaSha2256.verify(blob, rsaSignatureBlob(RSA_SHA2_256, i2osp(forged, 256)), msg)).toBe(false);
    });
  });

  /** ⌊∛x⌋ by Newton's method. */
  function icbrt(x: bigint): bigint {
    let y = 1n << BigInt(Math.ceil(x.toString(2).length / 3) + 1);
    for (;;) {
      const next = (2n * y + x / (y * y)) / 3n;
      if (next >= y) return y;
      y = next;
    }
  }

  describe("RFC 8332 §3 / OpenSSH ssh-rsa.c: a shorter S is left-padded with zeros", () => {
    test("Wycheproof's valid 'small signature' (leading zero bytes) verifies with the zeros stripped", () => {
      const file = loadVectors<{
        testGroups: { n: string; e: string; tests: { tcId: number; msg: string; sig: string; result: string }[] }[];
      }>("wycheproof/rsa_signature_2048_sha256.json");
      const isSmall = (x: { sig: string; result: string }) => x.sig.startsWith("0000") && x.result === "valid";
      const group = file.testGroups.find((g) => g.tests.some(isSmall));
      const t = group?.tests.find(isSmall);
      if (group === undefined || t === undefined) throw new Error("fixture");
      const keyBlob = rsaPublicKeyBlob(big(group.e), big(group.n));
      const full = hex(t.sig);
      let zeros = 0;
      while (full[zeros] === 0) zeros++;
      expect(zeros).toBeGreaterThanOrEqual(2);
      for (let cut = 0; cut <= zeros; cut++) {
        expect(
          rsaSha2256.verify(keyBlob, rsaSignatureBlob(RSA_SHA2_256, full.subarray(cut)), hex(t.msg)),
          `cut ${cut}`,
        ).toBe(true);
      }
      expect(rsaSha2256.verify(keyBlob, rsaSignatureBlob(RSA_SHA2_256, full.subarray(zeros + 1)), hex(t.msg))).toBe(
        false,
      );
    });
  });

  describe("key policy: 1024 ≤ bits ≤ 16384 (CVE-2026-39829), odd 3 ≤ e < 2^32, well-formed blobs", () => {
    const k1023 = keyNamed("rsa-1023");
    const k1024 = keyNamed("rsa-1024");

    test("a 1023-bit modulus is refused for verification and for signing; 1024 bits is accepted", () => {
      const blob1023 = rsaPublicKeyBlob(big(k1023.e), big(k1023.n));
      expect(parseRsaPublicKeyBlob(blob1023)).toBeUndefined();
      for (const s of k1023.opensslSignatures) {
        expect(
          SSH_ALGORITHM[s.hash].verify(blob1023, rsaSignatureBlob(NAME[s.hash], hex(s.signature)), hex(s.message)),
        ).toBe(false);
        expect(rsaVerifyPkcs1v15({ n: big(k1023.n), e: big(k1023.e) }, s.hash, hex(s.message), hex(s.signature))).toBe(
          false,
        );
      }
      expect(() => rsaSignPkcs1v15(privateKey(k1023), "sha256", new Uint8Array())).toThrow(
        expect.objectContaining({ code: "ERR_CRYPTO_RSA_KEY_SIZE" }),
      );
      expect(parseRsaPublicKeyBlob(rsaPublicKeyBlob(big(k1024.e), big(k1024.n)))).toBeDefined();
    });

    test("a 16385-bit modulus is refused by its length, before any arithmetic; 16384 bits is accepted", () => {
      const n16385 = (1n << 16384n) + 1n;
      const blob = rsaPublicKeyBlob(65537n, n16385);
      expect(parseRsaPublicKeyBlob(blob)).toBeUndefined();
      expect(
        rsaSha2512.verify(blob, rsaSignatureBlob(RSA_SHA2_512, new Uint8Array(2049).fill(1)), utf8Encode("x")),
      ).toBe(false);
      // a 1 MiB mpint: refused from its length field (os2ip of it would take seconds)
      const huge = new Uint8Array(1 << 20).fill(0x7f);
      const hugeBlob = rawKeyBlob(Uint8Array.of(1, 0, 1), huge);
      expect(parseRsaPublicKeyBlob(hugeBlob)).toBeUndefined();
      expect(rsaSha2512.verify(hugeBlob, rsaSignatureBlob(RSA_SHA2_512, huge), utf8Encode("x"))).toBe(false);
      // the largest accepted modulus goes through the whole (bounded) computation and returns false
      const n16384 = (1n << 16383n) + 1n;
      const ok = rsaPublicKeyBlob(65537n, n16384);
      expect(parseRsaPublicKeyBlob(ok)).toEqual({ e: 65537n, n: n16384 });
      expect(rsaSha2512.verify(ok, rsaSignatureBlob(RSA_SHA2_512, new Uint8Array(2048).fill(1)), utf8Encode("x"))).toBe(
        false,
      );
    });

    test.each([
      ["even", 65536n],
      ["1", 1n],
      ["2", 2n],
      ["2^32 + 1 (too large)", (1n << 32n) + 1n],
      ["2^64 + 1 (too large)", (1n << 64n) + 1n],
    ])("a public exponent e = %s is refused", (_what, e) => {
      expect(parseRsaPublicKeyBlob(rsaPublicKeyBlob(e, big(k1024.n)))).toBeUndefined();
    });

    test("e = 3 and e = 2^32 − 1 are accepted", () => {
      expect(parseRsaPublicKeyBlob(rsaPublicKeyBlob(3n, big(k1024.n)))).toBeDefined();
      expect(parseRsaPublicKeyBlob(rsaPublicKeyBlob(0xffffffffn, big(k1024.n)))).toBeDefined();
    });

    test("malformed key blobs: even n, negative or non-minimal mpints, trailing bytes, another key type", () => {
      const n = big(k1024.n);
      const nBody = concatBytes(Uint8Array.of(0), i2osp(n, 128)); // n has its top bit set
      const eBody = Uint8Array.of(1, 0, 1);
      expect(parseRsaPublicKeyBlob(rawKeyBlob(eBody, nBody))).toBeDefined(); // control
      expect(parseRsaPublicKeyBlob(rsaPublicKeyBlob(65537n, n + 1n))).toBeUndefined();
      expect(parseRsaPublicKeyBlob(rawKeyBlob(eBody, nBody.subarray(1)))).toBeUndefined(); // negative n
      expect(parseRsaPublicKeyBlob(rawKeyBlob(eBody, concatBytes(Uint8Array.of(0), nBody)))).toBeUndefined();
      expect(parseRsaPublicKeyBlob(rawKeyBlob(Uint8Array.of(0, 1, 0, 1), nBody))).toBeUndefined();
      expect(parseRsaPublicKeyBlob(concatBytes(rawKeyBlob(eBody, nBody), Uint8Array.of(0)))).toBeUndefined();
      expect(parseRsaPublicKeyBlob(encodeWith((w) => w.utf8("ssh-dss").string(eBody).string(nBody)))).toBeUndefined();
      expect(parseRsaPublicKeyBlob(encodeWith((w) => w.utf8(SSH_RSA).string(eBody)))).toBeUndefined();
    });
  });
});

describe("signing hardening: CRT with blinding, verified before release", () => {
  const k = keyNamed("rsa-2048");
  const key = privateKey(k);
  const msg = utf8Encode("fault");

  test("a wrong qinv, dp or dq makes the self-check fail: ERR_CRYPTO_RSA_FAULT, no signature released", () => {
    for (const bad of [
      { ...key, qinv: key.qinv! + 1n },
      { ...key, dp: key.dp! + 2n },
      { ...key, dq: 1n },
    ]) {
      expect(() => rsaSignPkcs1v15(bad, "sha256", msg)).toThrow(
        expect.objectContaining({ code: "ERR_CRYPTO_RSA_FAULT" }),
      );
    }
  });

  test("an inconsistent key is refused: p × q ≠ n, d out of range", () => {
    expect(() => rsaSignPkcs1v15({ ...key, p: key.p + 2n }, "sha256", msg)).toThrow(
      expect.objectContaining({ code: "ERR_CRYPTO_RSA_BAD_KEY" }),
    );
    expect(() => rsaSignPkcs1v15({ ...key, d: key.n }, "sha256", msg)).toThrow(
      expect.objectContaining({ code: "ERR_CRYPTO_RSA_BAD_KEY" }),
    );
  });

  test("the signature does not depend on the blinding randomness, which is drawn on every call", () => {
    let calls = 0;
    const counting = (len: number) => {
      calls++;
      return new Uint8Array(len).fill(calls * 37);
    };
    const a = rsaSignPkcs1v15(key, "sha512", msg, counting);
    const b = rsaSignPkcs1v15(key, "sha512", msg);
    expect(toHex(a)).toBe(toHex(b));
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  test("signRsa and rsaSignatureBlob refuse names that are not RSA signature algorithms", () => {
    expect(() => rsaSignatureBlob("ssh-ed25519" as "ssh-rsa", new Uint8Array(1))).toThrow(SshError);
    expect(() => signRsa(key, "rsa-sha2-384" as "ssh-rsa", msg)).toThrow(SshError);
    expect(() => rsaPublicKeyBlob(0n, key.n)).toThrow(SshError);
  });
});

describe("RFC 8017 §9.2 EMSA-PKCS1-v1_5 encoding", () => {
  test("0x00 0x01 FF… 0x00 ‖ DigestInfo ‖ H, with the RFC 8017 §9.2 Note 1 prefixes", () => {
    const em = emsaPkcs1v15Encode("sha1", utf8Encode("abc"), 128);
    expect(toHex(em.subarray(0, 2))).toBe("0001");
    expect(toHex(em.subarray(128 - 36))).toBe(
      "003021300906052b0e03021a05000414a9993e364706816aba3e25717850c26c9cd0d89d",
    );
    expect(toHex(emsaPkcs1v15Encode("sha256", new Uint8Array(), 128).subarray(128 - 52, 128 - 32))).toBe(
      "003031300d060960864801650304020105000420",
    );
    expect(toHex(emsaPkcs1v15Encode("sha512", new Uint8Array(), 128).subarray(128 - 84, 128 - 64))).toBe(
      "003051300d060960864801650304020305000440",
    );
    expect(em.subarray(2, 128 - 36).every((b) => b === 0xff)).toBe(true);
  });

  test("RFC 8017 §9.2 step 3: an encoded message shorter than tLen + 11 is an error", () => {
    expect(() => emsaPkcs1v15Encode("sha512", new Uint8Array(), 83 + 10)).toThrow(SshError);
    expect(emsaPkcs1v15Encode("sha512", new Uint8Array(), 83 + 11)).toHaveLength(94);
  });
});
