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
import { describe, expect, test } from "vitest";
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
    expect(getCipher(AES128_GCM_OPENSSH)).toBe(aes128GcmOpenSSH);
    expect(getCipher(AES256_GCM_OPENSSH)).toBe(aes256GcmOpenSSH);
    expect(aes128GcmOpenSSH).toMatchObject({ keyLength: 16, ivLength: 12, aead: true });
    expect(aes256GcmOpenSSH).toMatchObject({ keyLength: 32, ivLength: 12, aead: true });
    const c = aes128GcmOpenSSH.create(new Uint8Array(16), new Uint8Array(12), "seal");
    expect(c).toMatchObject({
      name: "aes128-gcm@openssh.com",
      blockSize: 16,
      tagLength: 16,
      firstBlockLength: 4,
      lengthExcludedFromPadding: true,
    });
  });

  test("a key or IV of the wrong length, or a buffer too short for a packet, is a local error", () => {
    expect(() => aes128GcmOpenSSH.create(new Uint8Array(32), new Uint8Array(12), "seal")).toThrow(SshError);
    expect(() => aes256GcmOpenSSH.create(new Uint8Array(16), new Uint8Array(12), "seal")).toThrow(SshError);
    expect(() => aes256GcmOpenSSH.create(new Uint8Array(32), new Uint8Array(16), "seal")).toThrow(SshError);
    const c = aes256GcmOpenSSH.create(new Uint8Array(32), new Uint8Array(12), "open");
    expect(() => c.open(0, new Uint8Array(19))).toThrow(SshError);
    expect(() => c.lengthFromFirstBlock(0, new Uint8Array(3))).toThrow(SshError);
  });
});
