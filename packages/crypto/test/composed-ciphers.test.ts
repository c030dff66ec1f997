import {
  CBC_CAMOUFLAGE_PACKET_LENGTH,
  type CipherAlgorithm,
  getCipher,
  getMac,
  isAeadCipher,
  type MacAlgorithm,
  type PacketCipher,
  supportedCiphers,
  supportedMacs,
} from "@purssh/crypto";
import { DISCONNECT, ProtocolError, SshError, toHex } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { forEachProvider } from "./providers.js";
import { hex, loadVectors, withTagArea } from "./vectors.js";

interface PacketStream {
  name?: string;
  cipher: string;
  mac: string;
  key: string;
  iv: string;
  macKey: string;
  packets: { seq: number; payload: string; plaintext: string; wire: string }[];
}
const { streams } = loadVectors<{ streams: PacketStream[] }>("ssh-packets-cbc-ctr.json");

const COMPOSED = supportedCiphers().filter((n) => !isAeadCipher(n));
const MACS = supportedMacs();

function cipherNamed(name: string): CipherAlgorithm {
  const c = getCipher(name);
  if (!c) throw new Error(`${name} is not registered`);
  return c;
}
function macNamed(name: string): MacAlgorithm {
  const m = getMac(name);
  if (!m) throw new Error(`${name} is not registered`);
  return m;
}

function create(s: PacketStream, direction: "seal" | "open"): PacketCipher {
  return cipherNamed(s.cipher).create(hex(s.key), hex(s.iv), direction, {
    algorithm: macNamed(s.mac),
    key: hex(s.macKey),
  });
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

function expectMacError(fn: () => unknown): ProtocolError {
  const error = caught(fn);
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).reason).toBe(DISCONNECT.MAC_ERROR);
  expect((error as ProtocolError).code).toBe("ERR_MAC_VERIFICATION_FAILED");
  return error as ProtocolError;
}

/** As the transport's PacketWriter frames a payload (RFC 4253 §6): minimal padding of at least 4. */
function frame(c: PacketCipher, payload: Uint8Array, padByte = 0x5a): Uint8Array {
  const align = Math.max(8, c.blockSize);
  const base = (c.lengthExcludedFromPadding ? 1 : 5) + payload.length;
  let pad = align - (base % align);
  if (pad < 4) pad += align;
  const packetLength = 1 + payload.length + pad;
  const out = new Uint8Array(4 + packetLength + c.tagLength);
  new DataView(out.buffer).setUint32(0, packetLength);
  out[4] = pad;
  out.set(payload, 5);
  out.fill(padByte, 5 + payload.length, 4 + packetLength);
  return out;
}

/** As the transport's PacketReader reads one packet: the length from the first block, then open. */
function read(c: PacketCipher, seq: number, wire: Uint8Array): { length: number; plain: Uint8Array } {
  const length = c.lengthFromFirstBlock(seq, wire.subarray(0, c.firstBlockLength));
  return { length, plain: c.open(seq, wire) };
}

const label = (s: PacketStream) => `${s.cipher} + ${s.mac}${s.name ? ` (${s.name})` : ""}`;

forEachProvider(() => {
  describe("SSH packets sealed by Python cryptography + hmac (RFC 4253 §6, OpenSSH PROTOCOL §1.5)", () => {
    test("every CTR/CBC cipher × every MAC has a stream, and the streams cross the sequence number wrap", () => {
      const pairs = new Set(streams.map((s) => `${s.cipher} ${s.mac}`));
      for (const c of COMPOSED) for (const m of MACS) expect(pairs.has(`${c} ${m}`), `${c} ${m}`).toBe(true);
      expect(COMPOSED).toHaveLength(7);
      expect(MACS).toHaveLength(9);
      const seqs = streams.flatMap((s) => s.packets.map((p) => p.seq));
      expect(seqs).toContain(0xffffffff);
      expect(seqs).toContain(0);
    });

    test.each(streams.map((s) => [label(s), s] as const))(
      "%s: seal, packet by packet, matches byte for byte",
      (_n, s) => {
        const sealer = create(s, "seal");
        for (const p of s.packets) {
          const packet = withTagArea(hex(p.plaintext), sealer.tagLength);
          expect(toHex(sealer.seal(p.seq, packet)), `seq ${p.seq}`).toBe(p.wire);
        }
      },
    );

    test.each(streams.map((s) => [label(s), s] as const))(
      "%s: the length comes from the first block and open recovers each packet",
      (_n, s) => {
        const opener = create(s, "open");
        for (const p of s.packets) {
          const plaintext = hex(p.plaintext);
          const { length, plain } = read(opener, p.seq, hex(p.wire));
          expect(length).toBe(plaintext.length - 4);
          expect(toHex(plain)).toBe(toHex(plaintext.subarray(4)));
          expect(toHex(plain.subarray(1, 1 + p.payload.length / 2))).toBe(p.payload);
        }
      },
    );

    test.each(streams.filter((s) => !s.name).map((s) => [label(s), s] as const))(
      "%s: every single-bit flip of the first packet is rejected with MAC_ERROR",
      (_n, s) => {
        const p = s.packets[0]!;
        const wire = hex(p.wire);
        for (let bit = 0; bit < wire.length * 8; bit++) {
          const forged = wire.slice();
          forged[bit >> 3]! ^= 1 << (bit & 7);
          expectMacError(() => create(s, "open").open(p.seq, forged));
        }
      },
    );

    test.each(streams.filter((s) => !s.name).map((s) => [label(s), s] as const))(
      "%s: a packet replayed, dropped or reordered in transit meets the wrong sequence number and is rejected",
      (_n, s) => {
        const [first, second] = s.packets as [PacketStream["packets"][0], PacketStream["packets"][0]];
        // replayed: the receiver already counted it
        expectMacError(() => create(s, "open").open((first.seq + 1) >>> 0, hex(first.wire)));
        // the first one dropped: the second arrives where the first was expected
        expectMacError(() => create(s, "open").open(first.seq, hex(second.wire)));
      },
    );
  });

  describe.each(COMPOSED.map((c) => [c] as const))("%s with each MAC", (cipherName) => {
    /** Key, IV and block lengths: the same whichever provider implements the cipher. */
    const lengths = cipherNamed(cipherName);
    /** The active provider's implementation, looked up when a test runs. */
    const create: CipherAlgorithm["create"] = (...args) => cipherNamed(cipherName).create(...args);

    test("registry entry: not an AEAD, and the key, IV and block lengths of RFC 4253 §6.3 / RFC 4344 §4", () => {
      const expected = {
        "aes128-ctr": [16, 16, 16],
        "aes192-ctr": [24, 16, 16],
        "aes256-ctr": [32, 16, 16],
        "aes128-cbc": [16, 16, 16],
        "aes192-cbc": [24, 16, 16],
        "aes256-cbc": [32, 16, 16],
        "3des-cbc": [24, 8, 8],
      }[cipherName];
      const alg = cipherNamed(cipherName);
      expect([alg.keyLength, alg.ivLength, alg.blockSize]).toEqual(expected);
      expect(alg.aead).toBe(false);
      expect(Object.isFrozen(alg)).toBe(true);
    });

    test.each(MACS.map((m) => [m] as const))(
      "%s: the PacketCipher's shape follows the MAC (etm: length in clear and outside the padding)",
      (macName) => {
        const mac = macNamed(macName);
        const c = create(new Uint8Array(lengths.keyLength), new Uint8Array(lengths.ivLength), "seal", {
          algorithm: mac,
          key: new Uint8Array(mac.keyLength),
        });
        expect(c).toMatchObject({
          name: cipherName,
          blockSize: lengths.blockSize,
          tagLength: mac.macLength,
          firstBlockLength: mac.etm ? 4 : lengths.blockSize,
          lengthExcludedFromPadding: mac.etm,
        });
      },
    );

    test("RFC 4253 §6.4: without the negotiated MAC there is no packet cipher", () => {
      const error = caught(() => create(new Uint8Array(lengths.keyLength), new Uint8Array(lengths.ivLength), "seal"));
      expect(error).toBeInstanceOf(SshError);
      expect((error as SshError).code).toBe("ERR_CRYPTO_MAC_REQUIRED");
    });

    test("a key, IV or MAC key of the wrong length is a local error", () => {
      const mac = { algorithm: macNamed("hmac-sha2-256"), key: new Uint8Array(32) };
      const k = new Uint8Array(lengths.keyLength);
      const iv = new Uint8Array(lengths.ivLength);
      for (const make of [
        () => create(new Uint8Array(lengths.keyLength + 1), iv, "seal", mac),
        () => create(k, new Uint8Array(lengths.ivLength - 1), "open", mac),
        () => create(k, iv, "open", { ...mac, key: new Uint8Array(20) }),
      ]) {
        expect((caught(make) as SshError).code).toBe("ERR_CRYPTO_KEY_LENGTH");
      }
    });

    const keys = fc.record({
      key: fc.uint8Array({ minLength: lengths.keyLength, maxLength: lengths.keyLength }),
      iv: fc.uint8Array({ minLength: lengths.ivLength, maxLength: lengths.ivLength }),
      macKey: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    });
    const pair = (macName: string, k: { key: Uint8Array; iv: Uint8Array; macKey: Uint8Array }) => {
      const algorithm = macNamed(macName);
      const mac = { algorithm, key: k.macKey.subarray(0, algorithm.keyLength) };
      return [create(k.key, k.iv, "seal", mac), create(k.key, k.iv, "open", mac)] as const;
    };

    test.each(MACS.map((m) => [m] as const))(
      "%s: packets framed as the transport does round-trip in order, for any payloads and sequence numbers (fast-check)",
      (macName) => {
        fc.assert(
          fc.property(
            keys,
            fc.array(fc.uint8Array({ minLength: 1, maxLength: 600 }), { minLength: 1, maxLength: 3 }),
            fc.integer({ min: 0, max: 0xffffffff }),
            (k, payloads, seq) => {
              const [sealer, opener] = pair(macName, k);
              payloads.forEach((payload, i) => {
                const s = (seq + i) >>> 0;
                const packet = frame(sealer, payload);
                const before = packet.slice(0, packet.length - sealer.tagLength);
                const sealed = sealer.seal(s, packet);
                const { length, plain } = read(opener, s, sealed);
                expect(length).toBe(before.length - 4);
                expect(plain).toEqual(before.subarray(4));
              });
            },
          ),
          { numRuns: 100 },
        );
      },
    );

    test.each(MACS.map((m) => [m] as const))(
      "%s: a single-bit flip anywhere, in any packet of a stream, is rejected with MAC_ERROR (fast-check)",
      (macName) => {
        fc.assert(
          fc.property(
            keys,
            fc.array(fc.uint8Array({ minLength: 1, maxLength: 100 }), { minLength: 1, maxLength: 3 }),
            fc.integer({ min: 0, max: 0xffffffff }),
            fc.nat(),
            (k, payloads, seq, where) => {
              const [sealer, opener] = pair(macName, k);
              payloads.forEach((payload, i) => {
                const s = (seq + i) >>> 0;
                const sealed = sealer.seal(s, frame(sealer, payload));
                if (i < payloads.length - 1) {
                  opener.open(s, sealed);
                  return;
                }
                const bit = where % (sealed.length * 8);
                sealed[bit >> 3]! ^= 1 << (bit & 7);
                expectMacError(() => opener.open(s, sealed));
              });
            },
          ),
          { numRuns: 100 },
        );
      },
    );
  });

  describe("cipher state across packets (RFC 4344 §4 running counter, RFC 4253 §6.3 running chain)", () => {
    const byPair = (c: string, m: string) => streams.find((s) => s.cipher === c && s.mac === m && !s.name)!;

    test.each(COMPOSED.map((c) => [c] as const))(
      "%s: lengthFromFirstBlock consumes no state, however often it is called",
      (cipherName) => {
        const s = byPair(cipherName, "hmac-sha2-256");
        const opener = create(s, "open");
        for (const p of s.packets) {
          const wire = hex(p.wire);
          const first = wire.subarray(0, opener.firstBlockLength);
          const length = opener.lengthFromFirstBlock(p.seq, first);
          expect(opener.lengthFromFirstBlock(p.seq, first)).toBe(length);
          expect(opener.lengthFromFirstBlock(p.seq, wire)).toBe(length); // a longer view reads the same
          expect(toHex(opener.open(p.seq, wire))).toBe(p.plaintext.slice(8));
        }
      },
    );

    test.each(COMPOSED.map((c) => [c] as const))(
      "%s: open works without lengthFromFirstBlock, and after a peek at some other block",
      (cipherName) => {
        const s = byPair(cipherName, "hmac-sha1");
        const opener = create(s, "open");
        s.packets.forEach((p, i) => {
          if (i === 1) opener.lengthFromFirstBlock(p.seq, new Uint8Array(opener.firstBlockLength).fill(0xee));
          expect(toHex(opener.open(p.seq, hex(p.wire)))).toBe(p.plaintext.slice(8));
        });
      },
    );

    test.each(COMPOSED.map((c) => [c] as const))(
      "%s with an -etm MAC: a forged packet moves no state, so the genuine one still opens",
      (cipherName) => {
        const s = byPair(cipherName, "hmac-sha2-512-etm@openssh.com");
        const opener = create(s, "open");
        const p = s.packets[0]!;
        const forged = hex(p.wire);
        forged[6]! ^= 0x40;
        const before = forged.slice();
        expectMacError(() => opener.open(p.seq, forged));
        expect(forged).toEqual(before); // nothing was decrypted
        for (const q of s.packets) expect(toHex(opener.open(q.seq, hex(q.wire)))).toBe(q.plaintext.slice(8));
      },
    );

    test("a buffer that cannot be whole blocks is a local error, not a MAC error", () => {
      const s = byPair("aes128-ctr", "hmac-sha2-256");
      const sealer = create(s, "seal");
      const error = caught(() => sealer.seal(0, new Uint8Array(4 + 13 + 32)));
      expect(error).toBeInstanceOf(SshError);
      expect(error).not.toBeInstanceOf(ProtocolError);
      expect((error as SshError).code).toBe("ERR_CRYPTO_PACKET_ALIGNMENT");
      expect((caught(() => sealer.seal(0, new Uint8Array(20))) as SshError).code).toBe("ERR_CRYPTO_PACKET_TOO_SHORT");
      const etm = create(byPair("aes128-ctr", "hmac-sha1-etm@openssh.com"), "open");
      expect((caught(() => etm.open(0, new Uint8Array(4 + 17 + 20))) as SshError).code).toBe(
        "ERR_CRYPTO_PACKET_ALIGNMENT",
      );
      expect((caught(() => etm.lengthFromFirstBlock(0, new Uint8Array(3))) as SshError).code).toBe(
        "ERR_CRYPTO_PACKET_TOO_SHORT",
      );
    });
  });

  describe("CVE-2008-5161: CBC with encrypt-and-MAC does not reveal an implausible length", () => {
    const CBC = COMPOSED.filter((n) => n.endsWith("-cbc"));
    const stream = (c: string, m: string) => streams.find((s) => s.cipher === c && s.mac === m && !s.name)!;

    /** A first block whose decryption under the opener's current state has the given length field. */
    function injectedBlock(c: PacketCipher, wantImplausible: boolean): Uint8Array {
      for (let i = 1; ; i++) {
        const block = new Uint8Array(c.firstBlockLength).map((_, j) => (i * 131 + j * 7) & 0xff);
        const probe = c.lengthFromFirstBlock(0, block);
        if ((probe === CBC_CAMOUFLAGE_PACKET_LENGTH) === wantImplausible) return block;
      }
    }

    test.each(CBC.map((c) => [c] as const))(
      "%s: an injected block with an implausible length reports the 256 KiB camouflage length, then fails like a forged MAC",
      (cipherName) => {
        const s = stream(cipherName, "hmac-sha2-256");
        const opener = create(s, "open");
        const block = injectedBlock(opener, true);
        const length = opener.lengthFromFirstBlock(0, block);
        expect(length).toBe(256 * 1024 - 4);
        expect((length + 4) % opener.blockSize).toBe(0); // the transport's alignment check passes
        const wire = new Uint8Array(4 + length + opener.tagLength);
        wire.set(block);
        const camouflaged = expectMacError(() => opener.open(0, wire));
        const forged = hex(s.packets[0]!.wire);
        forged[forged.length - 1]! ^= 1;
        const bad = expectMacError(() => create(s, "open").open(s.packets[0]!.seq, forged));
        expect(camouflaged.message.replace(/packet \d+/, "")).toBe(bad.message.replace(/packet \d+/, ""));
      },
    );

    test.each(CBC.map((c) => [c] as const))(
      "%s: a genuine packet after lengthFromFirstBlock still opens (the camouflage only triggers on implausible lengths)",
      (cipherName) => {
        const s = stream(cipherName, "hmac-md5");
        const opener = create(s, "open");
        for (const p of s.packets) expect(read(opener, p.seq, hex(p.wire)).length).toBe(p.plaintext.length / 2 - 4);
      },
    );

    test("CTR and -etm compositions report the length as it is: they give no such oracle", () => {
      const ctr = create(stream("aes256-ctr", "hmac-sha2-256"), "open");
      const lengths = Array.from({ length: 8 }, (_, i) =>
        ctr.lengthFromFirstBlock(0, new Uint8Array(16).fill(i * 31 + 1)),
      );
      expect(lengths).not.toContain(CBC_CAMOUFLAGE_PACKET_LENGTH);
      const etm = create(stream("aes256-cbc", "hmac-sha2-256-etm@openssh.com"), "open");
      expect(etm.lengthFromFirstBlock(0, Uint8Array.of(0xff, 0xff, 0xff, 0xff))).toBe(0xffffffff);
    });
  });
});
