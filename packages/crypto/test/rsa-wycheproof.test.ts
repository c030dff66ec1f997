/**
 * Every Wycheproof RSASSA-PKCS1-v1_5 case for the SSH hashes, through the SSH encodings (RFC 4253
 * §6.6 key blob `string "ssh-rsa" ‖ mpint e ‖ mpint n`, RFC 8332 §3 signature blob
 * `string name ‖ string S`).
 *
 * Verification files: "valid" must verify, "invalid" must not. The one "acceptable" case per file
 * ("MissingNull": DigestInfo without the NULL parameters) is rejected by choice: RFC 8017 §9.2 Note 1
 * gives the encoding with NULL, we compare against exactly that encoding, and OpenSSH (via OpenSSL)
 * does the same.
 *
 * Signature-generation files: our signer must reproduce each signature byte for byte (PKCS#1 v1.5
 * is deterministic), with and without the CRT values, and the signature must verify. "acceptable"
 * there only flags a weak hash (SHA-1) or e = 3, which we support.
 */
import {
  insecureSshRsaSha1,
  type RsaHash,
  rsaPublicKeyBlob,
  rsaSha2256,
  rsaSha2512,
  rsaSignatureBlob,
  rsaSignPkcs1v15,
  type SignatureAlgorithm,
} from "@purssh/crypto";
import { toHex } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { forEachProvider, lateSignature } from "./providers.js";
import { hex, loadVectors } from "./vectors.js";

interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  msg: string;
  sig: string;
  result: "valid" | "invalid" | "acceptable";
}
interface VerifyFile {
  numberOfTests: number;
  testGroups: { keySize: number; n: string; e: string; sha: string; tests: WycheproofTest[] }[];
}
interface SignFile {
  numberOfTests: number;
  testGroups: {
    keySize: number;
    sha: string;
    n: string;
    e: string;
    d: string;
    p: string;
    q: string;
    dp: string;
    dq: string;
    qinv: string;
    tests: WycheproofTest[];
  }[];
}

const BY_SHA: Record<string, { hash: RsaHash; alg: SignatureAlgorithm }> = {
  "SHA-1": { hash: "sha1", alg: insecureSshRsaSha1 },
  "SHA-256": { hash: "sha256", alg: rsaSha2256 },
  "SHA-512": { hash: "sha512", alg: rsaSha2512 },
};
/** The verifiers as the registry gives them when a test runs (the active provider's, else noble's). */
const LATE: Record<string, SignatureAlgorithm> = Object.fromEntries(
  Object.values(BY_SHA).map(({ alg }) => [alg.name, lateSignature(alg.name)]),
);
const big = (h: string) => BigInt(`0x${h}`);

forEachProvider(() => {
  for (const file of [
    "rsa_signature_2048_sha256.json",
    "rsa_signature_2048_sha512.json",
    "rsa_signature_3072_sha512.json",
  ]) {
    const data = loadVectors<VerifyFile>(`wycheproof/${file}`);
    const cases = data.testGroups.flatMap((g) => {
      const alg = LATE[BY_SHA[g.sha]?.alg.name ?? ""];
      if (alg === undefined) throw new Error(`unexpected hash ${g.sha}`);
      const keyBlob = rsaPublicKeyBlob(big(g.e), big(g.n));
      return g.tests.map((t) => ({
        name: `tcId ${t.tcId} ${t.result} e=${g.e} [${t.flags.join(",")}] ${t.comment}`,
        t,
        alg,
        keyBlob,
      }));
    });

    describe(`Wycheproof ${file} through RFC 8332 rsa-sha2-*`, () => {
      test("every case of the file is run; the only 'acceptable' one is MissingNull", () => {
        expect(cases).toHaveLength(data.numberOfTests);
        const acceptable = cases.filter((c) => c.t.result === "acceptable");
        expect(acceptable.map((c) => c.t.flags)).toEqual([["MissingNull"]]);
      });

      test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const sigBlob = rsaSignatureBlob(c.alg.name as "rsa-sha2-256", hex(c.t.sig));
        expect(c.alg.verify(c.keyBlob, sigBlob, hex(c.t.msg))).toBe(c.t.result === "valid");
      });
    });
  }
});

for (const file of ["rsa_pkcs1_2048_sig_gen.json", "rsa_pkcs1_3072_sig_gen.json", "rsa_pkcs1_4096_sig_gen.json"]) {
  const data = loadVectors<SignFile>(`wycheproof/${file}`);
  const cases = data.testGroups.flatMap((g) =>
    g.tests.map((t) => ({ name: `${g.sha} e=${g.e} tcId ${t.tcId} ${t.result} [${t.flags.join(",")}]`, g, t })),
  );

  describe(`Wycheproof ${file}: RFC 8017 §8.2.1 signing reproduces every signature`, () => {
    test("the SHA-1/SHA-256/SHA-512 groups are all here, and every case is valid or only flags weak parameters", () => {
      expect(cases.length).toBeGreaterThan(10);
      for (const c of cases) {
        if (c.t.result !== "valid") expect(["WeakHash", "SmallPublicKey"]).toEqual(expect.arrayContaining(c.t.flags));
      }
    });

    test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, { g, t }) => {
      const entry = BY_SHA[g.sha];
      if (entry === undefined) throw new Error(`unexpected hash ${g.sha}`);
      const full = {
        n: big(g.n),
        e: big(g.e),
        d: big(g.d),
        p: big(g.p),
        q: big(g.q),
        dp: big(g.dp),
        dq: big(g.dq),
        qinv: big(g.qinv),
      };
      const bare = { n: full.n, e: full.e, d: full.d, p: full.p, q: full.q };
      expect(toHex(rsaSignPkcs1v15(full, entry.hash, hex(t.msg)))).toBe(t.sig);
      expect(toHex(rsaSignPkcs1v15(bare, entry.hash, hex(t.msg)))).toBe(t.sig);
      const keyBlob = rsaPublicKeyBlob(full.e, full.n);
      expect(entry.alg.verify(keyBlob, rsaSignatureBlob(entry.alg.name as "ssh-rsa", hex(t.sig)), hex(t.msg))).toBe(
        true,
      );
    });
  });
}
