import {
  defaultRandomBytes,
  ECDH_SHA2_NISTP256,
  ECDH_SHA2_NISTP384,
  ECDH_SHA2_NISTP521,
  ecdhSha2Nistp256,
  ecdhSha2Nistp384,
  ecdhSha2Nistp521,
  getKex,
  type KexAlgorithm,
} from "@purssh/crypto";
import { concatBytes, SshWriter, toHex, utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { expectKexFailure, fixedRandom, i2osp, readMpint } from "./kex-helpers.js";
import { forEachProvider, lateKex } from "./providers.js";
import { hex, loadVectors } from "./vectors.js";

interface EdgeCase {
  name: string;
  clientSeed: string;
  serverSeed: string;
  clientPublic: string;
  serverPublic: string;
  sharedX: string;
  encodedK: string;
}
const kat = loadVectors<{
  methods: Record<string, { seedLength: number; fieldLength: number; mpintEdgeCases: EdgeCase[] }>;
  exchangeHash: Record<
    "V_C" | "V_S" | "I_C" | "I_S" | "K_S" | "clientSeed" | "serverSeed" | "Q_C" | "Q_S" | "encodedK" | "H",
    string
  >;
}>("ecdh-nist-kex.json");

interface WycheproofCase {
  tcId: number;
  comment: string;
  flags: string[];
  wycheproof: "valid" | "acceptable" | "invalid";
  ssh: "accept" | "reject";
  private: string;
  public: string;
  shared: string;
}
const wycheproof = loadVectors<{ cases: Record<string, WycheproofCase[]> }>("ecdh-nist-wycheproof.json");

/** Each method as the registry gives it when a test runs (the active provider's, else noble's). */
const METHODS: readonly (readonly [string, KexAlgorithm, number])[] = [
  [ECDH_SHA2_NISTP256, lateKex(ECDH_SHA2_NISTP256), 32],
  [ECDH_SHA2_NISTP384, lateKex(ECDH_SHA2_NISTP384), 48],
  [ECDH_SHA2_NISTP521, lateKex(ECDH_SHA2_NISTP521), 66],
];
const nistp256 = lateKex(ECDH_SHA2_NISTP256);

/** The random bytes that make our key generation pick exactly the scalar d (d = seed mod (n − 1) + 1). */
function seedFor(d: bigint, method: string): Uint8Array {
  return i2osp(d - 1n, kat.methods[method]?.seedLength as number);
}

forEachProvider(() => {
  describe("RFC 5656 §4: ecdh-sha2-nistp256/384/521", () => {
    test.each(METHODS)("%s: client and server compute the same K from fresh ephemeral keys", (_name, kex, field) => {
      expect(kex.publicKeyEncoding).toBe("string");
      expect(kex.groupExchange).toBe(false);
      const client = kex.createClient(defaultRandomBytes);
      const server = kex.createServer(defaultRandomBytes);
      for (const q of [client.publicKey, server.publicKey]) {
        expect(q).toHaveLength(1 + 2 * field);
        expect(q[0]).toBe(0x04);
      }
      const k = client.computeSharedSecret(server.publicKey);
      expect(server.computeSharedSecret(client.publicKey)).toEqual(k);
      expect(readMpint(k) > 0n).toBe(true);
    });

    test.each(METHODS)("%s: RFC 5656 §6.2.1 hash by curve size", (_name, kex, field) => {
      const digest = kex.hash(utf8Encode("abc"));
      expect(digest).toHaveLength(field === 32 ? 32 : field === 48 ? 48 : 64);
      const expected = {
        32: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        48: "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        66: "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
      }[field];
      expect(toHex(digest)).toBe(expected);
    });

    test.each(METHODS)("%s: the private key comes from the injected random source (seed length)", (name, kex) => {
      const c = kat.methods[name]?.mpintEdgeCases[0] as EdgeCase;
      const random = fixedRandom(hex(c.clientSeed));
      expect(toHex(kex.createClient(random).publicKey)).toBe(c.clientPublic);
      expect(random.remaining()).toBe(0);
    });
  });

  describe("RFC 5656 §4: K is the shared x-coordinate encoded as an mpint", () => {
    const cases = METHODS.flatMap(([name, kex]) =>
      (kat.methods[name]?.mpintEdgeCases ?? []).map((c) => [name, c.name, kex, c] as const),
    );
    test.each(cases)("%s: shared x with %s", (_name, _case, kex, c) => {
      const client = kex.createClient(fixedRandom(hex(c.clientSeed)));
      const server = kex.createServer(fixedRandom(hex(c.serverSeed)));
      expect(toHex(client.publicKey)).toBe(c.clientPublic);
      expect(toHex(server.publicKey)).toBe(c.serverPublic);
      const k = client.computeSharedSecret(server.publicKey);
      expect(toHex(k)).toBe(c.encodedK);
      expect(server.computeSharedSecret(client.publicKey)).toEqual(k);
      expect(readMpint(k)).toBe(BigInt(`0x${c.sharedX}`));
    });

    test("the edge cases cover a sign byte, a stripped zero and a kept zero on every curve", () => {
      const lengths = Object.fromEntries(
        METHODS.map(([name]) => [
          name,
          (kat.methods[name]?.mpintEdgeCases ?? []).map((c) => hex(c.encodedK).length - 4),
        ]),
      );
      expect(lengths).toEqual({
        [ECDH_SHA2_NISTP256]: [33, 32, 31, 32],
        [ECDH_SHA2_NISTP384]: [49, 48, 47, 48],
        [ECDH_SHA2_NISTP521]: [66, 66, 65],
      });
    });
  });

  describe("RFC 5656 §4: the exchange hash over Q_C, Q_S (strings) and K (mpint)", () => {
    test("H for ecdh-sha2-nistp256 from fixed inputs matches Python hashlib", () => {
      const v = kat.exchangeHash;
      const client = nistp256.createClient(fixedRandom(hex(v.clientSeed)));
      const server = nistp256.createServer(fixedRandom(hex(v.serverSeed)));
      const k = client.computeSharedSecret(server.publicKey);
      expect(toHex(client.publicKey)).toBe(v.Q_C);
      expect(toHex(server.publicKey)).toBe(v.Q_S);
      expect(toHex(k)).toBe(v.encodedK);
      const w = new SshWriter();
      w.utf8(v.V_C).utf8(v.V_S).string(hex(v.I_C)).string(hex(v.I_S)).string(hex(v.K_S));
      w.string(client.publicKey).string(server.publicKey).raw(k);
      expect(toHex(nistp256.hash(w.finish()))).toBe(v.H);
      // K has a sign byte here, so a raw (non-mpint) K would give a different H.
      expect(k[4]).toBe(0);
      const wrong = concatBytes(w.finish().subarray(0, w.length - k.length), k.subarray(5));
      expect(toHex(nistp256.hash(wrong))).not.toBe(v.H);
    });
  });

  describe("RFC 5656 §4 / SEC1 §3.2.2.1: the peer's point is validated", () => {
    test.each(METHODS)(
      "%s: Wycheproof ecpoint cases: valid points give the expected x, others are refused",
      (name, kex) => {
        const cases = wycheproof.cases[name] ?? [];
        expect(cases.length).toBeGreaterThan(150);
        const failures: string[] = [];
        for (const c of cases) {
          const exchange = kex.createClient(fixedRandom(seedFor(BigInt(`0x${c.private}`), name)));
          if (c.ssh === "accept") {
            const k = exchange.computeSharedSecret(hex(c.public));
            if (readMpint(k) !== BigInt(`0x${c.shared}`)) failures.push(`tcId ${c.tcId}: wrong K`);
          } else {
            try {
              exchange.computeSharedSecret(hex(c.public));
              failures.push(`tcId ${c.tcId} (${c.comment}): accepted`);
            } catch (e) {
              const err = e as { code?: string };
              if (err.code !== "ERR_KEX_INVALID_PUBLIC_KEY") failures.push(`tcId ${c.tcId}: ${String(e)}`);
            }
          }
        }
        expect(failures).toEqual([]);
      },
    );

    test("the reduced Wycheproof set still holds every kind of bad point", () => {
      for (const [name] of METHODS) {
        const cases = wycheproof.cases[name] ?? [];
        const rejected = cases.filter((c) => c.ssh === "reject");
        expect(rejected.some((c) => c.flags.includes("InvalidCurveAttack"))).toBe(true);
        expect(rejected.some((c) => c.flags.includes("InvalidEncoding"))).toBe(true);
        expect(rejected.some((c) => c.wycheproof === "acceptable" && c.flags.includes("CompressedPublic"))).toBe(true);
        expect(cases.filter((c) => c.ssh === "accept").every((c) => c.wycheproof === "valid")).toBe(true);
      }
    });

    test.each(METHODS)(
      "%s: the compressed form of a valid point is refused (SSH uses 0x04 ‖ X ‖ Y only)",
      (_n, kex, field) => {
        const server = kex.createServer(defaultRandomBytes);
        const client = kex.createClient(defaultRandomBytes);
        const q = server.publicKey;
        const compressed = concatBytes(new Uint8Array([2 + ((q[2 * field] as number) & 1)]), q.subarray(1, 1 + field));
        expectKexFailure(() => client.computeSharedSecret(compressed), "ERR_KEX_INVALID_PUBLIC_KEY");
        // The hybrid form (0x06/0x07 ‖ X ‖ Y) has the right length but the wrong prefix.
        const hybrid = q.slice();
        hybrid[0] = 6 + ((q[2 * field] as number) & 1);
        expectKexFailure(() => client.computeSharedSecret(hybrid), "ERR_KEX_INVALID_PUBLIC_KEY");
      },
    );

    test.each(METHODS)("%s: wrong lengths and the point at infinity are refused", (_n, kex, field) => {
      const client = kex.createClient(defaultRandomBytes);
      const q = kex.createServer(defaultRandomBytes).publicKey;
      for (const bad of [
        new Uint8Array(0),
        new Uint8Array([0]),
        q.subarray(0, 2 * field),
        concatBytes(q, new Uint8Array(1)),
      ]) {
        expectKexFailure(() => client.computeSharedSecret(bad), "ERR_KEX_INVALID_PUBLIC_KEY");
      }
      // 0x04 followed by zeros: (0, 0) is on none of these curves.
      expectKexFailure(
        () => client.computeSharedSecret(concatBytes(new Uint8Array([4]), new Uint8Array(2 * field))),
        "ERR_KEX_INVALID_PUBLIC_KEY",
      );
    });

    test.each(METHODS)("%s: a point off the curve (y flipped by one) is refused", (_n, kex) => {
      const client = kex.createClient(defaultRandomBytes);
      const q = kex.createServer(defaultRandomBytes).publicKey.slice();
      q[q.length - 1] = (q[q.length - 1] as number) ^ 1;
      expectKexFailure(() => client.computeSharedSecret(q), "ERR_KEX_INVALID_PUBLIC_KEY");
    });

    test("a random source that returns the wrong number of bytes is refused", () => {
      expect(() => nistp256.createClient(() => new Uint8Array(32))).toThrow(/random source/);
    });
  });
});

test("without a provider the registry hands out the noble ecdh-sha2-nistp* methods", () => {
  expect(getKex(ECDH_SHA2_NISTP256)).toBe(ecdhSha2Nistp256);
  expect(getKex(ECDH_SHA2_NISTP384)).toBe(ecdhSha2Nistp384);
  expect(getKex(ECDH_SHA2_NISTP521)).toBe(ecdhSha2Nistp521);
});
