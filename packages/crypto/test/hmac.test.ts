import { createHmac } from "node:crypto";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import {
  getMac,
  hmacSha1,
  hmacSha1Etm,
  hmacSha256,
  hmacSha256Etm,
  hmacSha512,
  hmacSha512Etm,
  insecureHmacMd5,
  insecureHmacMd5Etm,
  insecureHmacSha1_96,
  type MacAlgorithm,
  ReusableHmac,
} from "@purssh/crypto";
import { SshError, toHex } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { forEachProvider } from "./providers.js";
import { hex, loadVectors } from "./vectors.js";

interface HmacVector {
  source: string;
  hash: "md5" | "sha1" | "sha256" | "sha512";
  key: string;
  data: string;
  truncateTo: number | null;
  mac: string;
}
const { vectors } = loadVectors<{ vectors: HmacVector[] }>("hmac-rfc2202-rfc4231.json");
const HASHES = { md5, sha1, sha256, sha512 } as const;

/** Every MAC we register, with the hash node:crypto calls it by. */
const ALL: readonly [MacAlgorithm, string][] = [
  [hmacSha256, "sha256"],
  [hmacSha512, "sha512"],
  [hmacSha1, "sha1"],
  [hmacSha256Etm, "sha256"],
  [hmacSha512Etm, "sha512"],
  [hmacSha1Etm, "sha1"],
  [insecureHmacSha1_96, "sha1"],
  [insecureHmacMd5, "md5"],
  [insecureHmacMd5Etm, "md5"],
];

/** The registry's MAC of that name: the active provider's, else noble's. */
function registered(name: string): MacAlgorithm {
  const mac = getMac(name);
  if (!mac) throw new Error(`${name} is not registered`);
  return mac;
}

const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

describe("HMAC known answers (RFC 2202, RFC 4231) through the keyed, reusable HMAC", () => {
  test.each(
    vectors.map((v) => [`${v.source} HMAC-${v.hash}${v.truncateTo ? `-${8 * v.truncateTo}` : ""}`, v] as const),
  )("%s", (_name, v) => {
    const h = new ReusableHmac(HASHES[v.hash], hex(v.key));
    const out = new Uint8Array(h.outputLength);
    // twice: the keyed state must survive its first use
    for (let i = 0; i < 2; i++) {
      h.macInto(out, hex(v.data));
      expect(toHex(out.subarray(0, v.truncateTo ?? out.length))).toBe(v.mac);
    }
  });

  test("the vectors cover all four hashes, keys longer than a hash block, and truncation", () => {
    expect(new Set(vectors.map((v) => v.hash))).toEqual(new Set(["md5", "sha1", "sha256", "sha512"]));
    expect(vectors.some((v) => v.key.length / 2 > 128)).toBe(true);
    expect(vectors.filter((v) => v.truncateTo !== null)).toHaveLength(4);
  });

  test("a message split into parts gives the MAC of their concatenation", () => {
    const v = vectors.find((x) => x.hash === "sha512" && x.data.length > 100) as HmacVector;
    const data = hex(v.data);
    const h = new ReusableHmac(sha512, hex(v.key));
    const out = new Uint8Array(64);
    h.macInto(out, data.subarray(0, 7), data.subarray(7, 7), data.subarray(7));
    expect(toHex(out)).toBe(v.mac);
  });
});

forEachProvider(() => {
  describe("RFC 4253 §6.4: mac = MAC(key, uint32 sequence_number ‖ data) through the SSH MAC objects", () => {
    // Where an RFC key has the SSH key length, its data read as seq ‖ rest is a known answer for
    // the SSH MAC itself: the first four data bytes are the big-endian sequence number.
    const fits: [MacAlgorithm, HmacVector][] = [];
    for (const v of vectors) {
      for (const alg of [hmacSha1, hmacSha1Etm, insecureHmacSha1_96, insecureHmacMd5, insecureHmacMd5Etm]) {
        const hash = alg.name.includes("md5") ? "md5" : "sha1";
        if (
          v.hash === hash &&
          v.key.length / 2 === alg.keyLength &&
          (v.truncateTo ?? v.mac.length / 2) === alg.macLength
        ) {
          fits.push([alg, v]);
        }
      }
    }

    test.each(fits.map(([alg, v]) => [alg.name, v.source, alg, v] as const))(
      "%s: %s with its first four data bytes as the sequence number",
      (_n, _s, alg, v) => {
        const data = hex(v.data);
        const seq = new DataView(data.buffer, data.byteOffset).getUint32(0);
        expect(toHex(registered(alg.name).create(hex(v.key)).compute(seq, data.subarray(4)))).toBe(v.mac);
      },
    );

    test("RFC 2202 reaches hmac-sha1, hmac-sha1-96 and hmac-md5 this way (test cases 1, 3, 5 and 5-96)", () => {
      expect(fits.filter(([a]) => a === hmacSha1).map(([, v]) => v.source)).toEqual([
        "RFC 2202 §3 test case 1",
        "RFC 2202 §3 test case 3",
        "RFC 2202 §3 test case 5",
      ]);
      expect(fits.filter(([a]) => a === insecureHmacSha1_96).map(([, v]) => v.source)).toEqual([
        "RFC 2202 §3 test case 5",
      ]);
      expect(fits.filter(([a]) => a === insecureHmacMd5)).toHaveLength(3);
    });

    test.each(ALL.map(([alg, hash]) => [alg.name, alg, hash] as const))(
      "%s equals node:crypto HMAC over be32(seq) ‖ data, truncated to macLength (fast-check)",
      (_n, alg, hash) => {
        fc.assert(
          fc.property(
            fc.uint8Array({ minLength: alg.keyLength, maxLength: alg.keyLength }),
            fc.integer({ min: 0, max: 0xffffffff }),
            fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 3 }),
            (key, seq, messages) => {
              const mac = registered(alg.name).create(key);
              // several packets through one keyed instance, with consecutive sequence numbers
              messages.forEach((data, i) => {
                const s = (seq + i) >>> 0;
                const expected = createHmac(hash, key).update(be32(s)).update(data).digest().subarray(0, alg.macLength);
                expect(toHex(mac.compute(s, data))).toBe(toHex(expected));
              });
            },
          ),
          { numRuns: 100 },
        );
      },
    );

    test("the returned MAC is the caller's: computing the next one does not change it", () => {
      for (const [{ name }] of ALL) {
        const alg = registered(name);
        const mac = alg.create(new Uint8Array(alg.keyLength).fill(7));
        const first = mac.compute(1, Uint8Array.of(1, 2, 3));
        const copy = first.slice();
        mac.compute(2, Uint8Array.of(4, 5, 6));
        expect(first).toEqual(copy);
      }
    });

    test("the sequence number is part of the MAC, and every value of it counts", () => {
      const mac = registered(hmacSha256.name).create(new Uint8Array(32));
      const data = Uint8Array.of(0, 0, 0, 12, 10, 0x15);
      const seen = new Set(
        [0, 1, 0x100, 0x10000, 0x1000000, 0x7fffffff, 0xffffffff].map((s) => toHex(mac.compute(s, data))),
      );
      expect(seen.size).toBe(7);
    });
  });

  describe("SSH MAC objects: local errors and independence", () => {
    test("a key of the wrong length is a local error with a stable code", () => {
      for (const [{ name }] of ALL) {
        const alg = registered(name);
        for (const length of [0, alg.keyLength - 1, alg.keyLength + 1]) {
          let error: unknown;
          try {
            alg.create(new Uint8Array(length));
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(SshError);
          expect((error as SshError).code).toBe("ERR_CRYPTO_KEY_LENGTH");
        }
      }
    });

    test("a sequence number outside uint32 is a local error", () => {
      const mac = registered(hmacSha1.name).create(new Uint8Array(20));
      for (const seq of [-1, 2 ** 32, 1.5, Number.NaN]) {
        expect(() => mac.compute(seq, new Uint8Array(1))).toThrow(SshError);
      }
    });

    test("two keyed instances do not share state", () => {
      const a = registered(hmacSha512.name).create(new Uint8Array(64).fill(1));
      const b = registered(hmacSha512.name).create(new Uint8Array(64).fill(2));
      const data = new Uint8Array(200).fill(9);
      const fromA = toHex(a.compute(5, data));
      b.compute(5, data);
      expect(toHex(a.compute(5, data))).toBe(fromA);
      expect(toHex(b.compute(5, data))).not.toBe(fromA);
    });
  });
});

describe("MAC parameters (RFC 4253 §6.4, RFC 6668 §2, OpenSSH PROTOCOL §1.5)", () => {
  test.each([
    ["hmac-sha2-256", 32, 32, false],
    ["hmac-sha2-512", 64, 64, false],
    ["hmac-sha1", 20, 20, false],
    ["hmac-sha1-96", 20, 12, false],
    ["hmac-md5", 16, 16, false],
    ["hmac-sha2-256-etm@openssh.com", 32, 32, true],
    ["hmac-sha2-512-etm@openssh.com", 64, 64, true],
    ["hmac-sha1-etm@openssh.com", 20, 20, true],
    ["hmac-md5-etm@openssh.com", 16, 16, true],
  ] as const)("%s: key %i bytes (the digest length), MAC %i bytes, etm %s", (name, keyLength, macLength, etm) => {
    const alg = getMac(name);
    expect(alg).toMatchObject({ name, keyLength, macLength, etm });
    expect(ALL.map(([a]) => a)).toContain(alg);
    expect(Object.isFrozen(alg)).toBe(true);
  });
});
