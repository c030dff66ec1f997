import { p256, p384, p521 } from "@noble/curves/nist.js";
import { sha512 } from "@noble/hashes/sha2.js";
import {
  ECDSA_SHA2_NISTP256,
  type EcdsaCurveName,
  ecdsaAlgorithmName,
  ecdsaPublicKey,
  ecdsaPublicKeyBlob,
  ecdsaSha2Nistp256,
  ecdsaSha2Nistp384,
  ecdsaSha2Nistp521,
  ecdsaSignatureBlob,
  getSignatureAlgorithm,
  parseEcdsaPublicKeyBlob,
  parseEcdsaSignatureBlob,
  signEcdsa,
} from "@purssh/crypto";
import { concatBytes, encodeWith, SshError, toHex, utf8Encode } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { forEachProvider, lateSignature } from "./providers.js";
import { parseArmoredSshSig, publicKeyLineBlob, vectorBytes, vectorText } from "./sshsig.js";
import { hex, loadVectors } from "./vectors.js";

interface Rfc6979Key {
  section: string;
  curve: EcdsaCurveName;
  privateKey: string;
  publicPoint: string;
  sshPublicKeyBlob: string;
}
interface Rfc6979Vector {
  section: string;
  curve: EcdsaCurveName;
  hash: string;
  message: string;
  k: string;
  r: string;
  s: string;
  sshSignatureBlob: string;
}
const rfc = loadVectors<{ keys: Record<EcdsaCurveName, Rfc6979Key>; vectors: Rfc6979Vector[] }>("ecdsa-rfc6979.json");

const ALGORITHMS = { nistp256: ecdsaSha2Nistp256, nistp384: ecdsaSha2Nistp384, nistp521: ecdsaSha2Nistp521 };
/** The verifiers as the registry gives them when a test runs (the active provider's, else noble's). */
const LATE = {
  nistp256: lateSignature(ECDSA_SHA2_NISTP256),
  nistp384: lateSignature("ecdsa-sha2-nistp384"),
  nistp521: lateSignature("ecdsa-sha2-nistp521"),
};
/** Group orders n (SEC 2 §2.4.2, §2.5.1, §2.6.1; RFC 6979 A.2.5–A.2.7 print them as q). */
const ORDER: Record<EcdsaCurveName, bigint> = {
  nistp256: p256.Point.Fn.ORDER,
  nistp384: p384.Point.Fn.ORDER,
  nistp521: p521.Point.Fn.ORDER,
};

const big = (h: string) => BigInt(`0x${h}`);
const text = (s: string) => utf8Encode(s);
const modPow = (b: bigint, e: bigint, m: bigint): bigint => {
  let r = 1n;
  let x = b % m;
  for (; e > 0n; e >>= 1n, x = (x * x) % m) if (e & 1n) r = (r * x) % m;
  return r;
};
/** RFC 5656 §3.1.2 signature blob built by hand (mpints by the wire writer). */
const sigBlob = (name: string, r: bigint, s: bigint) =>
  encodeWith((w) => w.utf8(name).string(encodeWith((i) => i.mpint(r).mpint(s))));
const keyBlob = (name: string, id: string, point: Uint8Array) => encodeWith((w) => w.utf8(name).utf8(id).string(point));

describe("RFC 6979 A.2.5–A.2.7 deterministic ECDSA through ecdsa-sha2-* (RFC 5656 §3.1)", () => {
  test("the six SSH (curve, hash) vectors are present", () => {
    expect(rfc.vectors.map((v) => `${v.curve}/${v.hash}/${v.message}`)).toEqual([
      "nistp256/sha256/sample",
      "nistp256/sha256/test",
      "nistp384/sha384/sample",
      "nistp384/sha384/test",
      "nistp521/sha512/sample",
      "nistp521/sha512/test",
    ]);
  });

  test.each(Object.values(rfc.keys).map((k) => [k.section, k] as const))(
    "%s: the public key follows from the private key and its RFC 5656 §3.1 blob is exact",
    (_s, k) => {
      expect(toHex(ecdsaPublicKey(k.curve, hex(k.privateKey)))).toBe(k.publicPoint);
      expect(toHex(ecdsaPublicKeyBlob(k.curve, hex(k.publicPoint)))).toBe(k.sshPublicKeyBlob);
      expect(parseEcdsaPublicKeyBlob(hex(k.sshPublicKeyBlob))).toEqual({ curve: k.curve, point: hex(k.publicPoint) });
    },
  );

  test.each(rfc.vectors.map((v) => [`${v.section} ${v.hash} "${v.message}"`, v] as const))(
    "%s: signEcdsa gives exactly the RFC's r and s, and it verifies through the registry",
    (_n, v) => {
      const key = rfc.keys[v.curve];
      const blob = signEcdsa(v.curve, hex(key.privateKey), text(v.message));
      expect(toHex(blob)).toBe(v.sshSignatureBlob);
      expect(parseEcdsaSignatureBlob(blob)).toEqual({ curve: v.curve, r: big(v.r), s: big(v.s) });
      const alg = getSignatureAlgorithm(ecdsaAlgorithmName(v.curve));
      expect(alg).toBe(ALGORITHMS[v.curve]);
      expect(alg?.verify(hex(key.sshPublicKeyBlob), blob, text(v.message))).toBe(true);
      expect(alg?.verify(hex(key.sshPublicKeyBlob), blob, text(`${v.message}!`))).toBe(false);
    },
  );

  test("RFC 6979 §3.2: signing is deterministic — the same key and message give the same blob", () => {
    for (const v of rfc.vectors) {
      const d = hex(rfc.keys[v.curve].privateKey);
      expect(toHex(signEcdsa(v.curve, d, text(v.message)))).toBe(toHex(signEcdsa(v.curve, d, text(v.message))));
    }
  });

  test("CVE-2024-31497: the nonce recovered from the A.2.7 signature is the RFC's full-width 521-bit k", () => {
    const n = ORDER.nistp521;
    for (const v of rfc.vectors.filter((x) => x.curve === "nistp521")) {
      const d = big(rfc.keys.nistp521.privateKey);
      const sig = parseEcdsaSignatureBlob(signEcdsa("nistp521", hex(rfc.keys.nistp521.privateKey), text(v.message)));
      if (sig === undefined) throw new Error("unparsable");
      const h = big(toHex(sha512(text(v.message)))); // 512-bit hash < 521-bit order: bits2int is the identity
      const k = (modPow(sig.s, n - 2n, n) * ((h + sig.r * d) % n)) % n;
      expect(k).toBe(big(v.k));
    }
    expect(big(rfc.vectors[4]?.k ?? "").toString(2)).toHaveLength(521);
  });

  test("CVE-2024-31497: P-521 nonces use the whole order — over 64 messages some k exceeds 2^512 (PuTTY's never did)", () => {
    const n = ORDER.nistp521;
    const dBytes = hex(rfc.keys.nistp521.privateKey);
    const d = big(rfc.keys.nistp521.privateKey);
    const nonces = new Set<bigint>();
    for (let i = 0; i < 64; i++) {
      const m = text(`message ${i}`);
      const sig = parseEcdsaSignatureBlob(signEcdsa("nistp521", dBytes, m));
      if (sig === undefined) throw new Error("unparsable");
      const h = big(toHex(sha512(m)));
      nonces.add((modPow(sig.s, n - 2n, n) * ((h + sig.r * d) % n)) % n);
    }
    expect(nonces.size).toBe(64);
    // a uniform k < n is below 2^512 with probability ≈ 2^-9; all 64 of them: ≈ 2^-576
    expect([...nonces].some((k) => k >= 1n << 512n)).toBe(true);
  });
});

forEachProvider(() => {
  describe("RFC 5656 §3.1: signatures made by OpenSSH verify", () => {
    test("ssh-keygen -Y sign (OpenSSH regress sshsig/testdata/ecdsa.sig, nistp256) verifies over its SSHSIG data", () => {
      const sig = parseArmoredSshSig(vectorText("openssh-sshsig/ecdsa.sig"));
      const key = publicKeyLineBlob(vectorText("openssh-sshsig/ecdsa.pub"));
      expect(toHex(sig.publicKeyBlob)).toBe(toHex(key));
      const message = vectorBytes("openssh-sshsig/signed-data");
      expect(LATE.nistp256.verify(key, sig.signatureBlob, sig.signedData(message))).toBe(true);
      expect(LATE.nistp256.verify(key, sig.signatureBlob, sig.signedData(concatBytes(message, text("x"))))).toBe(false);
      expect(LATE.nistp384.verify(key, sig.signatureBlob, sig.signedData(message))).toBe(false);
    });
  });

  describe("RFC 5656 §3.1 strictness: malformed or out-of-range input never verifies and never throws", () => {
    const v = rfc.vectors[1] as Rfc6979Vector; // P-256 "test": r ≥ 2^255, s < 2^249
    const k = rfc.keys.nistp256;
    const goodKey = hex(k.sshPublicKeyBlob);
    const point = hex(k.publicPoint);
    const msg = text(v.message);
    const r = big(v.r);
    const s = big(v.s);
    const n = ORDER.nistp256;
    const good = sigBlob(ECDSA_SHA2_NISTP256, r, s);
    const verify = (key: Uint8Array, sig: Uint8Array) => LATE.nistp256.verify(key, sig, msg);

    test("controls: the hand-built blobs verify, and so does (r, n − s): SSH has no low-S rule", () => {
      expect(toHex(good)).toBe(v.sshSignatureBlob);
      expect(verify(goodKey, good)).toBe(true);
      expect(verify(goodKey, sigBlob(ECDSA_SHA2_NISTP256, r, n - s))).toBe(true);
    });

    const compressed = p256.Point.fromBytes(point).toBytes(true);
    const offCurve = point.slice();
    offCurve[64] = (offCurve[64] as number) ^ 1;
    const badKeys: [string, Uint8Array][] = [
      ["the nistp384 identifier under the nistp256 name", keyBlob(ECDSA_SHA2_NISTP256, "nistp384", point)],
      ["the nistp256 identifier under the nistp384 name", keyBlob("ecdsa-sha2-nistp384", "nistp256", point)],
      ["a compressed point (OpenSSH takes uncompressed only)", keyBlob(ECDSA_SHA2_NISTP256, "nistp256", compressed)],
      ["a point off the curve", keyBlob(ECDSA_SHA2_NISTP256, "nistp256", offCurve)],
      ["the point at infinity", keyBlob(ECDSA_SHA2_NISTP256, "nistp256", Uint8Array.of(0))],
      [
        "a hybrid-form prefix 0x06",
        keyBlob(ECDSA_SHA2_NISTP256, "nistp256", concatBytes(Uint8Array.of(6), point.subarray(1))),
      ],
      ["a trailing byte", concatBytes(goodKey, Uint8Array.of(0))],
      ["a truncated point", goodKey.subarray(0, goodKey.length - 1)],
      ["no curve identifier", encodeWith((w) => w.utf8(ECDSA_SHA2_NISTP256).string(point))],
      ["an ssh-ed25519 name", keyBlob("ssh-ed25519", "nistp256", point)],
    ];
    test.each(badKeys)("a key blob with %s does not verify", (_what, key) => {
      expect(verify(key, good)).toBe(false);
      expect(parseEcdsaPublicKeyBlob(key)).toBeUndefined();
    });

    const inner = (body: Uint8Array) => encodeWith((w) => w.utf8(ECDSA_SHA2_NISTP256).string(body));
    // minimal mpint bodies: r has its top bit set (so a 0x00 sign byte), s starts with 0x01
    const rBytes = concatBytes(Uint8Array.of(0), hex(v.r));
    const sBytes = hex(v.s);
    const str = (b: Uint8Array) => encodeWith((w) => w.string(b));

    test("control: the hand-built minimal mpint bodies below are the canonical encoding and verify", () => {
      expect(sBytes[0]).toBe(0x01);
      expect(toHex(inner(concatBytes(str(rBytes), str(sBytes))))).toBe(toHex(good));
      expect(verify(goodKey, inner(concatBytes(str(rBytes), str(sBytes))))).toBe(true);
    });
    const badSigs: [string, Uint8Array][] = [
      ["r = 0", sigBlob(ECDSA_SHA2_NISTP256, 0n, s)],
      ["s = 0", sigBlob(ECDSA_SHA2_NISTP256, r, 0n)],
      ["r = n", sigBlob(ECDSA_SHA2_NISTP256, n, s)],
      ["s = n", sigBlob(ECDSA_SHA2_NISTP256, r, n)],
      ["r + n in place of r", sigBlob(ECDSA_SHA2_NISTP256, r + n, s)],
      ["s + n in place of s", sigBlob(ECDSA_SHA2_NISTP256, r, s + n)],
      ["a negative r", sigBlob(ECDSA_SHA2_NISTP256, -r, s)],
      ["n − r in place of r", sigBlob(ECDSA_SHA2_NISTP256, n - r, s)],
      ["a superfluous leading zero on r", inner(concatBytes(str(concatBytes(Uint8Array.of(0), rBytes)), str(sBytes)))],
      ["a superfluous leading zero on s", inner(concatBytes(str(rBytes), str(concatBytes(Uint8Array.of(0), sBytes))))],
      ["r with a leading garbage byte", inner(concatBytes(str(concatBytes(Uint8Array.of(1), rBytes)), str(sBytes)))],
      ["a byte after s inside the signature string", inner(concatBytes(str(rBytes), str(sBytes), Uint8Array.of(0)))],
      ["a byte after the signature string", concatBytes(good, Uint8Array.of(0))],
      ["only r", inner(str(rBytes))],
      ["the P1363 r ‖ s form instead of two mpints", inner(concatBytes(hex(v.r), hex(v.s)))],
      ["the nistp384 algorithm name", sigBlob("ecdsa-sha2-nistp384", r, s)],
      ["the sk-ecdsa name", sigBlob("sk-ecdsa-sha2-nistp256@openssh.com", r, s)],
      ["r and s swapped", sigBlob(ECDSA_SHA2_NISTP256, s, r)],
      ["r with one bit flipped", sigBlob(ECDSA_SHA2_NISTP256, r ^ 1n, s)],
      ["s with one bit flipped", sigBlob(ECDSA_SHA2_NISTP256, r, s ^ (1n << 100n))],
      ["empty", new Uint8Array()],
    ];
    test.each(badSigs)("a signature blob with %s does not verify", (_what, sig) => {
      expect(verify(goodKey, sig)).toBe(false);
    });

    test("random mutations and truncations of valid blobs return a boolean and never throw", () => {
      const keys = Object.values(rfc.keys).map((x) => hex(x.sshPublicKeyBlob));
      const sigs = rfc.vectors.map((x) => hex(x.sshSignatureBlob));
      fc.assert(
        fc.property(
          fc.nat(5),
          fc.nat(5),
          fc.array(fc.tuple(fc.nat(200), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }),
          fc.nat(300),
          (ki, si, flips, cut) => {
            const key = (keys[ki % 3] as Uint8Array).slice();
            const sig = (sigs[si] as Uint8Array).slice(0, Math.max(0, (sigs[si] as Uint8Array).length - (cut % 40)));
            for (const [at, x] of flips)
              if (sig.length > 0) sig[at % sig.length] = (sig[at % sig.length] as number) ^ x;
            for (const alg of Object.values(LATE)) expect(typeof alg.verify(key, sig, msg)).toBe("boolean");
          },
        ),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (a, b) => {
          for (const alg of Object.values(LATE)) expect(alg.verify(a, b, msg)).toBe(false);
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe("signing helpers for @purssh/keys", () => {
  const k = rfc.keys.nistp521;
  const v = rfc.vectors[4] as Rfc6979Vector;

  test("an OpenSSH-style private scalar (mpint magnitude, shorter or with a zero sign byte) signs the same", () => {
    const d = hex(k.privateKey); // 66 bytes, the first one 0x00
    expect(d[0]).toBe(0);
    const expected = toHex(signEcdsa("nistp521", d, text(v.message)));
    expect(toHex(signEcdsa("nistp521", d.subarray(1), text(v.message)))).toBe(expected);
    expect(toHex(signEcdsa("nistp521", concatBytes(Uint8Array.of(0), d), text(v.message)))).toBe(expected);
  });

  test("a private scalar of 0, n or wider than the order is refused with ERR_CRYPTO_KEY_LENGTH", () => {
    const n256 = hex(ORDER.nistp256.toString(16));
    for (const d of [new Uint8Array(32), new Uint8Array(0), n256, concatBytes(Uint8Array.of(1), new Uint8Array(32))]) {
      expect(() => signEcdsa("nistp256", d, text("x"))).toThrow(
        expect.objectContaining({ code: "ERR_CRYPTO_KEY_LENGTH" }),
      );
    }
  });

  test("blob helpers refuse invalid points, out-of-range (r, s) and unknown curves", () => {
    expect(() => ecdsaPublicKeyBlob("nistp256", hex(rfc.keys.nistp384.publicPoint))).toThrow(SshError);
    expect(() => ecdsaPublicKeyBlob("nistp256", p256.Point.BASE.toBytes(true))).toThrow(SshError);
    expect(() => ecdsaSignatureBlob("nistp256", 0n, 1n)).toThrow(SshError);
    expect(() => ecdsaSignatureBlob("nistp256", 1n, ORDER.nistp256)).toThrow(SshError);
    expect(() => signEcdsa("nistp192" as EcdsaCurveName, new Uint8Array(24), text("x"))).toThrow(SshError);
    expect(toHex(ecdsaSignatureBlob("nistp521", big(v.r), big(v.s)))).toBe(v.sshSignatureBlob);
  });

  test("RFC 5656 §6.2: names, and the key type equals the algorithm name", () => {
    for (const [curve, alg] of Object.entries(ALGORITHMS)) {
      expect(alg.name).toBe(`ecdsa-sha2-${curve}`);
      expect(alg.keyType).toBe(alg.name);
      expect(ecdsaAlgorithmName(curve as EcdsaCurveName)).toBe(alg.name);
    }
  });
});
