import { CHACHA20_POLY1305_OPENSSH, chacha20Poly1305OpenSSH, getCipher } from "@purssh/crypto";
import { DISCONNECT, ProtocolError, SshError, toHex } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { forEachProvider } from "./providers.js";
import { hex, loadVectors, withTagArea } from "./vectors.js";

interface ChachaVector {
  name: string;
  key: string;
  seq: string;
  plaintext: string;
  sealed: string;
}
const { vectors } = loadVectors<{ vectors: ChachaVector[] }>("chacha20-poly1305-openssh.json");

/** Sequence numbers above 2^53 (the libssh KAT) only exist as bigints. */
const seqOf = (v: ChachaVector): number | bigint => {
  const s = BigInt(v.seq);
  return s <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s) : s;
};
/** The PacketCipher methods with the bigint sequence numbers both implementations accept. */
interface ChachaCipher {
  lengthFromFirstBlock(seq: number | bigint, firstBlock: Uint8Array): number;
  seal(seq: number | bigint, packet: Uint8Array): Uint8Array;
  open(seq: number | bigint, packet: Uint8Array): Uint8Array;
}
/** The registry's chacha20-poly1305@openssh.com, from the provider installed for the test. */
function registered() {
  const alg = getCipher(CHACHA20_POLY1305_OPENSSH);
  if (!alg) throw new Error(`${CHACHA20_POLY1305_OPENSSH} is not registered`);
  return alg;
}
const cipherOf = (key: Uint8Array) => registered().create(key, new Uint8Array(0), "seal") as unknown as ChachaCipher;
const cipherFor = (v: ChachaVector) => cipherOf(hex(v.key));

function openError(fn: () => unknown): ProtocolError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return e as ProtocolError;
  }
  throw new Error("open accepted a forged packet");
}

forEachProvider(() => {
  describe("chacha20-poly1305@openssh.com known answers (Python cryptography, libssh KAT)", () => {
    test("the vectors cover sequence numbers 0, 1, 7, 2^32 − 1 and the libssh 64-bit one", () => {
      expect(new Set(vectors.map((v) => v.seq))).toEqual(
        new Set(["0", "1", "7", "4294967295", String(1234567890n * 98765431n)]),
      );
    });

    test.each(vectors.map((v) => [v.name, v] as const))(
      "PROTOCOL.chacha20poly1305: seal of %s matches the independent implementation",
      (_n, v) => {
        const packet = withTagArea(hex(v.plaintext), 16);
        const out = cipherFor(v).seal(seqOf(v), packet);
        expect(out).toBe(packet);
        expect(toHex(packet)).toBe(v.sealed);
      },
    );

    test.each(vectors.map((v) => [v.name, v] as const))(
      "PROTOCOL.chacha20poly1305: %s — the length decrypts with K_1 alone, open recovers the payload",
      (_n, v) => {
        const plaintext = hex(v.plaintext);
        const sealed = hex(v.sealed);
        const cipher = cipherFor(v);
        const length = cipher.lengthFromFirstBlock(seqOf(v), sealed.subarray(0, 4));
        expect(length).toBe(plaintext.length - 4);
        // the first block is not consumed: the same bytes go to open next
        expect(toHex(sealed)).toBe(v.sealed);
        const body = cipher.open(seqOf(v), sealed);
        expect(toHex(body)).toBe(toHex(plaintext.subarray(4)));
        // decrypted in place: a view of the packet buffer
        expect(body.buffer).toBe(sealed.buffer);
      },
    );

    test("the libssh KAT starts ac2e4c54f69775b4 and ends 2591e1dc01c75ca9", () => {
      const libssh = vectors.find((v) => v.name.startsWith("libssh")) as ChachaVector;
      expect(libssh.sealed.slice(0, 16)).toBe("ac2e4c54f69775b4");
      expect(libssh.sealed.slice(-16)).toBe("2591e1dc01c75ca9");
      expect(BigInt(libssh.seq)).toBe(0x01b13114ab0d839en);
      expect(toHex(hex(libssh.key))).toBe(toHex(Uint8Array.from({ length: 64 }, (_, i) => i)));
    });
  });

  describe("PROTOCOL.chacha20poly1305: the tag is verified before anything is decrypted", () => {
    const libssh = vectors.find((v) => v.name.startsWith("libssh")) as ChachaVector;
    const sealed = hex(libssh.sealed);
    const cases: [string, number][] = [
      ["the encrypted length (byte 1)", 1],
      ["the body (byte 100)", 100],
      ["the tag (last byte)", sealed.length - 1],
      ["the padding-length byte (byte 4)", 4],
    ];

    test.each(cases)("flipping a bit in %s makes open throw MAC_ERROR and leaves the buffer alone", (_what, i) => {
      const forged = sealed.slice();
      forged[i] = (forged[i] as number) ^ 1;
      const before = forged.slice();
      const error = openError(() => cipherFor(libssh).open(seqOf(libssh), forged));
      expect(error.reason).toBe(DISCONNECT.MAC_ERROR);
      expect(error.code).toBe("ERR_MAC_VERIFICATION_FAILED");
      expect(forged).toEqual(before);
    });

    test("the right packet under the wrong sequence number does not open", () => {
      const v = vectors.find((x) => x.seq === "7" && hex(x.plaintext).length > 20) as ChachaVector;
      for (const seq of [6, 8, 7 + 2 ** 32]) {
        const error = openError(() => cipherFor(v).open(seq, hex(v.sealed)));
        expect(error.reason).toBe(DISCONNECT.MAC_ERROR);
      }
      expect(toHex(cipherFor(v).open(7, hex(v.sealed)))).toBe(v.plaintext.slice(8));
    });

    test("a zeroed tag does not open", () => {
      const forged = sealed.slice();
      forged.fill(0, forged.length - 16);
      expect(openError(() => cipherFor(libssh).open(seqOf(libssh), forged)).reason).toBe(DISCONNECT.MAC_ERROR);
    });
  });

  describe("PROTOCOL.chacha20poly1305: key layout and parameters", () => {
    test("64 bytes of key: K_2 (payload) is the first half and K_1 (length) the second", () => {
      const v = vectors.find((x) => x.seq === "1" && hex(x.plaintext).length === 39) as ChachaVector;
      const key = hex(v.key);
      const swapped = new Uint8Array(64);
      swapped.set(key.subarray(32), 0);
      swapped.set(key.subarray(0, 32), 32);
      const packet = withTagArea(hex(v.plaintext), 16);
      cipherOf(swapped).seal(1, packet);
      expect(toHex(packet)).not.toBe(v.sealed);
      // the length bytes depend only on K_1: with K_2 replaced they are unchanged
      const otherPayloadKey = key.slice();
      otherPayloadKey.fill(0xaa, 0, 32);
      const p2 = withTagArea(hex(v.plaintext), 16);
      cipherOf(otherPayloadKey).seal(1, p2);
      expect(toHex(p2.subarray(0, 4))).toBe(v.sealed.slice(0, 8));
      expect(toHex(p2.subarray(4))).not.toBe(v.sealed.slice(8));
    });

    test("registry entry: keyLength 64, ivLength 0, AEAD; cipher: block 8, tag 16, first block 4", () => {
      expect(registered()).toMatchObject({ keyLength: 64, ivLength: 0, aead: true });
      const c = registered().create(new Uint8Array(64), new Uint8Array(0), "seal");
      expect(c).toMatchObject({
        name: "chacha20-poly1305@openssh.com",
        blockSize: 8,
        tagLength: 16,
        firstBlockLength: 4,
        lengthExcludedFromPadding: true,
      });
    });

    test("a key that is not 64 bytes, a bad sequence number or a too-short buffer is a local error", () => {
      expect(() => registered().create(new Uint8Array(32), new Uint8Array(0), "seal")).toThrow(SshError);
      const c = cipherOf(new Uint8Array(64));
      expect(() => c.seal(-1, new Uint8Array(32))).toThrow(SshError);
      expect(() => c.seal(1.5, new Uint8Array(32))).toThrow(SshError);
      expect(() => c.seal(2n ** 64n, new Uint8Array(32))).toThrow(SshError);
      expect(() => c.seal(0, new Uint8Array(19))).toThrow(SshError);
      expect(() => c.lengthFromFirstBlock(0, new Uint8Array(3))).toThrow(SshError);
    });
  });
});

test("without a provider the registry hands out the noble chacha20-poly1305@openssh.com", () => {
  expect(getCipher(CHACHA20_POLY1305_OPENSSH)).toBe(chacha20Poly1305OpenSSH);
});
