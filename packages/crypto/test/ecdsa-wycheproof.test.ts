/**
 * Every Wycheproof ECDSA P1363 case for the three SSH curves, through the SSH encodings (RFC 5656
 * §3.1): the SEC 1 point becomes a key blob, the fixed-width r ‖ s becomes `string (mpint r ‖ mpint s)`.
 *
 * Expected results are Wycheproof's, with one documented mapping: the "SignatureSize" cases
 * (r ‖ s of the wrong total width) test the P1363 encoding, which has no SSH counterpart — an mpint
 * has no fixed width. Each of them carries the same (r, s) and message as a case Wycheproof marks
 * valid, and the test requires that twin to exist; in SSH form such a signature is well formed and
 * mathematically valid, so it must verify (OpenSSH would accept it too).
 */
import type { SignatureAlgorithm } from "@purssh/crypto";
import { encodeWith } from "@purssh/wire";
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
interface WycheproofFile {
  numberOfTests: number;
  testGroups: { curve: string; uncompressed: string; sha: string; tests: WycheproofTest[] }[];
}

const FILES: [string, string, string, SignatureAlgorithm, string][] = [
  ["ecdsa_secp256r1_sha256_p1363.json", "secp256r1", "nistp256", lateSignature("ecdsa-sha2-nistp256"), "SHA-256"],
  ["ecdsa_secp384r1_sha384_p1363.json", "secp384r1", "nistp384", lateSignature("ecdsa-sha2-nistp384"), "SHA-384"],
  ["ecdsa_secp521r1_sha512_p1363.json", "secp521r1", "nistp521", lateSignature("ecdsa-sha2-nistp521"), "SHA-512"],
];

function rs(sigHex: string): [bigint, bigint] {
  const half = sigHex.length / 2;
  const r = sigHex.slice(0, half);
  const s = sigHex.slice(half);
  return [r === "" ? 0n : BigInt(`0x${r}`), s === "" ? 0n : BigInt(`0x${s}`)];
}

forEachProvider(() => {
  for (const [file, curve, identifier, alg, sha] of FILES) {
    const data = loadVectors<WycheproofFile>(`wycheproof/${file}`);
    const cases = data.testGroups.flatMap((g) => {
      const keyBlob = encodeWith((w) => w.utf8(alg.name).utf8(identifier).string(hex(g.uncompressed)));
      const validPairs = new Set(
        g.tests
          .filter((t) => t.result === "valid" && !t.flags.includes("SignatureSize"))
          .map((t) => `${t.msg}|${rs(t.sig)}`),
      );
      return g.tests.map((t) => {
        const [r, s] = rs(t.sig);
        const sizeOnly = t.flags.includes("SignatureSize");
        const expected = sizeOnly ? validPairs.has(`${t.msg}|${r},${s}`) : t.result === "valid";
        const name = `tcId ${t.tcId} ${t.result}${sizeOnly ? "→valid in SSH" : ""} [${t.flags.join(",")}] ${t.comment}`;
        return { name, t, g, keyBlob, r, s, expected, sizeOnly };
      });
    });

    describe(`Wycheproof ${file} through ${alg.name} (RFC 5656 §3.1)`, () => {
      test("every case of the file is run, all groups use the SSH curve and hash, and none is 'acceptable'", () => {
        expect(cases).toHaveLength(data.numberOfTests);
        expect(new Set(data.testGroups.map((g) => `${g.curve}/${g.sha}`))).toEqual(new Set([`${curve}/${sha}`]));
        expect(cases.filter((c) => c.t.result === "acceptable")).toEqual([]);
      });

      test("the SignatureSize cases each have a valid twin with the same (r, s), so they verify in SSH form", () => {
        const sizeOnly = cases.filter((c) => c.sizeOnly);
        expect(sizeOnly.length).toBeGreaterThan(0);
        for (const c of sizeOnly) expect(c.expected, c.name).toBe(true);
      });

      test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const sigBlob = encodeWith((w) => w.utf8(alg.name).string(encodeWith((i) => i.mpint(c.r).mpint(c.s))));
        expect(alg.verify(c.keyBlob, sigBlob, hex(c.t.msg))).toBe(c.expected);
      });
    });
  }
});
