import { gcm } from "@noble/ciphers/aes.js";
import {
  AES128_GCM_OPENSSH,
  AES256_GCM_OPENSSH,
  aes128GcmOpenSSH,
  aes256GcmOpenSSH,
  type CipherAlgorithm,
  getCipher,
  type PacketCipher,
} from "@purssh/crypto";
import { DISCONNECT, ProtocolError, SshError, toHex } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { forEachProvider } from "./providers.js";
import { hex, loadVectors, withTagArea } from "./vectors.js";

interface GcmStream {
  name: string;
  cipher: string;
  key: string;
  iv: string;
  packets: { nonce: string; plaintext: string; sealed: string }[];
}
const { streams } = loadVectors<{ streams: GcmStream[] }>("aes-gcm-openssh.json");

function algorithm(name: string): CipherAlgorithm {
  const alg = getCipher(name);
  if (!alg) throw new Error(`${name} is not registered`);
  return alg;
}
const create = (s: GcmStream, direction: "seal" | "open") =>
  algorithm(s.cipher).create(hex(s.key), hex(s.iv), direction);

function expectMacError(fn: () => unknown): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).reason).toBe(DISCONNECT.MAC_ERROR);
  expect((error as ProtocolError).code).toBe("ERR_MAC_VERIFICATION_FAILED");
}

const sealNext = (c: PacketCipher, seq: number, plaintext: Uint8Array) => c.seal(seq, withTagArea(plaintext, 16));

forEachProvider(() => {
  describe("aes-gcm@openssh.com known answers (Python cryptography AESGCM)", () => {
    test.each(streams.map((s) => [s.name, s] as const))(
      "RFC 5647 §7: %s — each packet sealed in order matches, with the invocation counter advancing",
      (_n, s) => {
        const sealer = create(s, "seal");
        s.packets.forEach((p, i) => {
          expect(toHex(sealNext(sealer, i, hex(p.plaintext))), `packet ${i}`).toBe(p.sealed);
        });
      },
    );

    test.each(streams.map((s) => [s.name, s] as const))(
      "RFC 5647 §7.3: %s — the length is read in clear and open recovers each payload in order",
      (_n, s) => {
        const opener = create(s, "open");
        s.packets.forEach((p, i) => {
          const sealed = hex(p.sealed);
          const plaintext = hex(p.plaintext);
          expect(opener.lengthFromFirstBlock(i, sealed.subarray(0, 4))).toBe(plaintext.length - 4);
          expect(toHex(opener.open(i, sealed))).toBe(toHex(plaintext.subarray(4)));
        });
      },
    );

    test("the vectors cover a carry into the high word and a wrap of the 64-bit invocation counter", () => {
      const nonces = streams.flatMap((s) => s.packets.map((p) => p.nonce.slice(8)));
      expect(nonces).toContain("0000000100000000");
      expect(nonces).toContain("0000000000000000");
    });
  });

  describe("RFC 5647 §7.1: the invocation counter advances once per packet", () => {
    const s = streams.find((x) => x.cipher === AES256_GCM_OPENSSH) as GcmStream;
    const plaintext = hex(s.packets[0]?.plaintext ?? "");

    test("the same packet sealed twice gives two different ciphertexts and tags", () => {
      const sealer = create(s, "seal");
      const first = sealNext(sealer, 0, plaintext);
      const second = sealNext(sealer, 1, plaintext);
      expect(toHex(first.subarray(0, 4))).toBe(toHex(second.subarray(0, 4)));
      expect(toHex(first.subarray(4))).not.toBe(toHex(second.subarray(4)));
    });

    test("packets opened out of order fail; in order they open", () => {
      const sealer = create(s, "seal");
      const first = sealNext(sealer, 0, plaintext);
      const second = sealNext(sealer, 1, plaintext);
      const opener = create(s, "open");
      expectMacError(() => opener.open(1, second.slice()));
      expect(opener.open(0, first.slice())).toEqual(plaintext.subarray(4));
      expect(opener.open(1, second.slice())).toEqual(plaintext.subarray(4));
      // a replay of the first packet is now out of order too
      expectMacError(() => opener.open(2, first.slice()));
    });

    test("the sequence number plays no part in the nonce", () => {
      const a = sealNext(create(s, "seal"), 0, plaintext);
      const b = sealNext(create(s, "seal"), 12345, plaintext);
      expect(a).toEqual(b);
    });
  });

  describe("CVE-2026-59847 (libssh): a forged AES-GCM tag is rejected", () => {
    for (const cipherName of [AES128_GCM_OPENSSH, AES256_GCM_OPENSSH]) {
      const s = streams.find((x) => x.cipher === cipherName && x.packets.length === 3) as GcmStream;
      const sealed = hex(s.packets[0]?.sealed ?? "");
      const forgeries: [string, (p: Uint8Array) => void][] = [
        ["last tag byte flipped", (p) => (p[p.length - 1] = (p[p.length - 1] as number) ^ 0x80)],
        ["all-zero tag", (p) => p.fill(0, p.length - 16)],
        ["ciphertext byte flipped", (p) => (p[4] = (p[4] as number) ^ 1)],
        ["packet length (the AAD) changed", (p) => (p[3] = (p[3] as number) ^ 1)],
      ];
      test.each(forgeries)(`${cipherName}: %s → MAC_ERROR`, (_what, forge) => {
        const forged = sealed.slice();
        forge(forged);
        expectMacError(() => create(s, "open").open(0, forged));
      });
    }
  });

  describe("aes-gcm@openssh.com parameters", () => {
    test("registry entries: 16/32-byte keys, 12-byte IV, AEAD; cipher: block 16, tag 16, first block 4", () => {
      expect(algorithm(AES128_GCM_OPENSSH)).toMatchObject({ keyLength: 16, ivLength: 12, aead: true });
      expect(algorithm(AES256_GCM_OPENSSH)).toMatchObject({ keyLength: 32, ivLength: 12, aead: true });
      const c = algorithm(AES128_GCM_OPENSSH).create(new Uint8Array(16), new Uint8Array(12), "seal");
      expect(c).toMatchObject({
        name: "aes128-gcm@openssh.com",
        blockSize: 16,
        tagLength: 16,
        firstBlockLength: 4,
        lengthExcludedFromPadding: true,
      });
    });

    test("a key or IV of the wrong length, or a buffer too short for a packet, is a local error", () => {
      const aes128GcmOpenSSH = algorithm(AES128_GCM_OPENSSH);
      const aes256GcmOpenSSH = algorithm(AES256_GCM_OPENSSH);
      expect(() => aes128GcmOpenSSH.create(new Uint8Array(32), new Uint8Array(12), "seal")).toThrow(SshError);
      expect(() => aes256GcmOpenSSH.create(new Uint8Array(16), new Uint8Array(12), "seal")).toThrow(SshError);
      expect(() => aes256GcmOpenSSH.create(new Uint8Array(32), new Uint8Array(16), "seal")).toThrow(SshError);
      const c = aes256GcmOpenSSH.create(new Uint8Array(32), new Uint8Array(12), "open");
      expect(() => c.open(0, new Uint8Array(19))).toThrow(SshError);
      expect(() => c.lengthFromFirstBlock(0, new Uint8Array(3))).toThrow(SshError);
    });
  });

  describe("the per-key fast path agrees with noble's gcm() per packet (fast-check)", () => {
    const TWO_64 = 1n << 64n;
    /** Invocation counters anywhere, and next to the 2^32 carry and the 2^64 wrap. */
    const invocation = fc.oneof(
      fc.bigInt({ min: 0n, max: TWO_64 - 1n }),
      fc.bigInt({ min: 0xffff_fff0n, max: 0x1_0000_0004n }),
      fc.bigInt({ min: TWO_64 - 6n, max: TWO_64 - 1n }),
    );

    test.each([
      [AES128_GCM_OPENSSH, 16],
      [AES256_GCM_OPENSSH, 32],
    ] as const)(
      "%s: each packet of a stream equals gcm(key, fixed ‖ counter, length).encrypt(body)",
      (name, keyLength) => {
        fc.assert(
          fc.property(
            fc.uint8Array({ minLength: keyLength, maxLength: keyLength }),
            fc.uint8Array({ minLength: 4, maxLength: 4 }),
            invocation,
            fc.array(fc.uint8Array({ maxLength: 2100 }), { minLength: 1, maxLength: 5 }),
            (key, fixed, counter, bodies) => {
              const iv = new Uint8Array(12);
              iv.set(fixed);
              new DataView(iv.buffer).setBigUint64(4, counter);
              const alg = algorithm(name);
              const sealer = alg.create(key, iv, "seal");
              const opener = alg.create(key, iv, "open");
              bodies.forEach((body, i) => {
                const plaintext = new Uint8Array(4 + body.length);
                new DataView(plaintext.buffer).setUint32(0, body.length);
                plaintext.set(body, 4);
                // the reference nonce: the invocation counter advanced i times, modulo 2^64
                const nonce = iv.slice();
                new DataView(nonce.buffer).setBigUint64(4, (counter + BigInt(i)) % TWO_64);
                const expected = gcm(key, nonce, plaintext.subarray(0, 4)).encrypt(body);
                const sealed = sealNext(sealer, i, plaintext);
                expect(toHex(sealed.subarray(4)), `packet ${i}`).toBe(toHex(expected));
                expect(opener.open(i, sealed)).toEqual(body);
              });
            },
          ),
          { numRuns: 200 },
        );
      },
    );

    test("a failed open does not advance the invocation counter; the next genuine packet still opens", () => {
      const s = streams.find((x) => x.cipher === AES128_GCM_OPENSSH && x.packets.length === 3) as GcmStream;
      const opener = create(s, "open");
      const first = hex(s.packets[0]?.sealed ?? "");
      const forged = first.slice();
      forged[5] = (forged[5] as number) ^ 1;
      const before = forged.slice();
      expectMacError(() => opener.open(0, forged));
      expect(forged).toEqual(before); // nothing was decrypted
      expect(toHex(opener.open(0, first.slice()))).toBe(s.packets[0]?.plaintext.slice(8));
    });
  });

  describe("keys and IVs handed in as Node Buffers (pooled memory)", () => {
    test("the invocation counter lives in the cipher's own memory, not in the caller's pool", () => {
      for (const alg of [algorithm(AES128_GCM_OPENSSH), algorithm(AES256_GCM_OPENSSH)]) {
        // Small Buffer.from() calls share one pool slab: the IV is a view at a non-zero offset.
        const pad = Buffer.from([1, 2, 3]);
        const key = Buffer.from(Array.from({ length: alg.keyLength }, (_, i) => i));
        const iv = Buffer.from(Array.from({ length: 12 }, (_, i) => 100 + i));
        const keyBefore = Buffer.from(key);
        const sealer = alg.create(key, iv, "seal");
        const opener = alg.create(new Uint8Array(keyBefore), new Uint8Array(iv), "open");
        for (let seq = 0; seq < 3; seq++) {
          const packet = withTagArea(Uint8Array.of(0, 0, 0, 16, 4, ...new Uint8Array(11).fill(seq), 9, 9, 9, 9), 16);
          const sealed = sealer.seal(seq, packet);
          expect(toHex(opener.open(seq, sealed.slice()).subarray(1, 12))).toBe(toHex(new Uint8Array(11).fill(seq)));
        }
        expect(key.equals(keyBefore)).toBe(true);
        expect([...pad]).toEqual([1, 2, 3]);
      }
    });
  });
});

test("without a provider the registry hands out the noble aes-gcm@openssh.com ciphers", () => {
  expect(getCipher(AES128_GCM_OPENSSH)).toBe(aes128GcmOpenSSH);
  expect(getCipher(AES256_GCM_OPENSSH)).toBe(aes256GcmOpenSSH);
});
