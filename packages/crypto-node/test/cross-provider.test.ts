/**
 * noble and node:crypto against each other (DESIGN.md Testing, layer 2): for random keys, payloads
 * and sequence numbers, both providers must put the same bytes on the wire, and each must open what
 * the other sealed; both key exchanges must derive the same keys and K from the same random bytes;
 * both verifiers must agree on signatures made by @purssh/crypto's signers. fast-check runs stay at
 * 100 or fewer per property.
 */
import { p256, p384, p521 } from "@noble/curves/nist.js";
import {
  type CipherAlgorithm,
  ecdsaPublicKey,
  ecdsaPublicKeyBlob,
  getCipher,
  getKex,
  getMac,
  getSignatureAlgorithm,
  isAeadCipher,
  type MacAlgorithm,
  type PacketCipher,
  type RsaPrivateKey,
  type RsaSignatureAlgorithmName,
  rsaPublicKeyBlob,
  signEcdsa,
  signRsa,
  supportedCiphers,
  supportedMacs,
} from "@purssh/crypto";
import { nodeCryptoProvider, nodeProvidedAlgorithms } from "@purssh/crypto-node";
import { equalBytes, toHex } from "@purssh/wire";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { deterministicRandom } from "../../crypto/test/kex-helpers.js";
import { loadVectors } from "../../crypto/test/vectors.js";

// No provider is installed in this file: the registry's lookups are noble's.
const noble = {
  cipher: (n: string) => getCipher(n)!,
  mac: (n: string) => getMac(n)!,
};
const node = {
  cipher: (n: string) => nodeCryptoProvider.cipher!(n)!,
  mac: (n: string) => nodeCryptoProvider.mac!(n)!,
};

/** As the transport's PacketWriter frames a payload (RFC 4253 §6), with the given padding bytes. */
function frame(c: PacketCipher, payload: Uint8Array, padding: Uint8Array): Uint8Array {
  const align = Math.max(8, c.blockSize);
  const base = (c.lengthExcludedFromPadding ? 1 : 5) + payload.length;
  let pad = align - (base % align);
  if (pad < 4) pad += align;
  const packetLength = 1 + payload.length + pad;
  const out = new Uint8Array(4 + packetLength + c.tagLength);
  new DataView(out.buffer).setUint32(0, packetLength);
  out[4] = pad;
  out.set(payload, 5);
  for (let i = 0; i < pad; i++) out[5 + payload.length + i] = padding[i % padding.length]!;
  return out;
}

interface Keys {
  key: Uint8Array;
  iv: Uint8Array;
  macKey: Uint8Array;
}

/** A sealer and an opener from one implementation of the cipher (and of the MAC, when composed). */
function endpoints(cipher: CipherAlgorithm, mac: MacAlgorithm | undefined, k: Keys) {
  const m = mac && { algorithm: mac, key: k.macKey.subarray(0, mac.keyLength) };
  return { sealer: cipher.create(k.key, k.iv, "seal", m), opener: cipher.create(k.key, k.iv, "open", m) };
}

/** As the transport's PacketReader: the length from the first block, then the whole packet. */
function read(opener: PacketCipher, seq: number, wire: Uint8Array): { length: number; body: Uint8Array } {
  const length = opener.lengthFromFirstBlock(seq, wire.subarray(0, opener.firstBlockLength));
  return { length, body: opener.open(seq, wire) };
}

const AEADS = supportedCiphers().filter(isAeadCipher);
const COMPOSED = supportedCiphers().filter((c) => !isAeadCipher(c));
const PAIRS: [string, string | undefined][] = [
  ...AEADS.map((c): [string, undefined] => [c, undefined]),
  ...COMPOSED.flatMap((c) => supportedMacs().map((m): [string, string] => [c, m])),
];

describe("RFC 4253 §6 packets: the same bytes on the wire from noble and node:crypto, and each opens the other's", () => {
  test("every cipher × MAC pair the registry has is covered, all of them provided by node:crypto here", () => {
    expect(PAIRS).toHaveLength(AEADS.length + COMPOSED.length * supportedMacs().length);
    for (const [c, m] of PAIRS) {
      expect(nodeProvidedAlgorithms().ciphers).toContain(c);
      if (m) expect(nodeProvidedAlgorithms().macs).toContain(m);
    }
  });

  test.each(PAIRS.map(([c, m]) => [`${c}${m ? ` + ${m}` : ""}`, c, m] as const))(
    "%s: noble seal = node seal, noble seal → node open, node seal → noble open (fast-check)",
    (_label, cipherName, macName) => {
      const shape = noble.cipher(cipherName);
      fc.assert(
        fc.property(
          fc.record({
            key: fc.uint8Array({ minLength: shape.keyLength, maxLength: shape.keyLength }),
            iv: fc.uint8Array({ minLength: shape.ivLength, maxLength: shape.ivLength }),
            macKey: fc.uint8Array({ minLength: 64, maxLength: 64 }),
          }),
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 1200 }), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.uint8Array({ minLength: 1, maxLength: 32 }),
          (keys, payloads, seq, padding) => {
            const a = endpoints(shape, macName === undefined ? undefined : noble.mac(macName), keys);
            const b = endpoints(node.cipher(cipherName), macName === undefined ? undefined : node.mac(macName), keys);
            payloads.forEach((payload, i) => {
              const s = (seq + i) >>> 0;
              const plain = frame(a.sealer, payload, padding);
              const expected = plain.subarray(4, plain.length - a.sealer.tagLength).slice();
              const byNoble = a.sealer.seal(s, plain.slice());
              const byNode = b.sealer.seal(s, plain.slice());
              expect(toHex(byNode), `packet ${i}`).toBe(toHex(byNoble));
              const atNode = read(b.opener, s, byNoble);
              const atNoble = read(a.opener, s, byNode);
              expect(atNode.length).toBe(expected.length);
              expect(atNoble.length).toBe(expected.length);
              expect(atNode.body).toEqual(expected);
              expect(atNoble.body).toEqual(expected);
            });
          },
        ),
        { numRuns: macName === undefined ? 100 : 25 },
      );
    },
  );

  test.each([...AEADS, "aes128-ctr", "aes256-cbc"])(
    "%s: a 256 KiB packet (OpenSSH's PACKET_MAX_SIZE) is the same from both, and opens in both",
    (cipherName) => {
      const shape = noble.cipher(cipherName);
      const keys: Keys = {
        key: new Uint8Array(shape.keyLength).map((_, i) => i * 7),
        iv: new Uint8Array(shape.ivLength).map((_, i) => 0xf0 + i),
        macKey: new Uint8Array(64).fill(0x42),
      };
      const mac = isAeadCipher(cipherName) ? undefined : "hmac-sha2-256-etm@openssh.com";
      const a = endpoints(shape, mac && noble.mac(mac), keys);
      const b = endpoints(node.cipher(cipherName), mac && node.mac(mac), keys);
      const payload = new Uint8Array(256 * 1024 - 64).map((_, i) => i * 31);
      const plain = frame(a.sealer, payload, Uint8Array.of(9));
      const byNoble = a.sealer.seal(3, plain.slice());
      const byNode = b.sealer.seal(3, plain.slice());
      // equalBytes: vitest's diffing of 256 KiB arrays would take seconds
      expect(equalBytes(byNode, byNoble)).toBe(true);
      expect(equalBytes(read(a.opener, 3, byNode).body.subarray(1, 1 + payload.length), payload)).toBe(true);
      expect(equalBytes(read(b.opener, 3, byNoble).body.subarray(1, 1 + payload.length), payload)).toBe(true);
    },
  );
});

describe("RFC 4253 §6.4 MACs: node:crypto's createHmac equals noble's HMAC", () => {
  test.each(supportedMacs())("%s (fast-check)", (macName) => {
    const a = noble.mac(macName);
    const b = node.mac(macName);
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: a.keyLength, maxLength: a.keyLength }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ maxLength: 2000 }),
        (key, seq, data) => {
          expect(toHex(b.create(key).compute(seq, data))).toBe(toHex(a.create(key).compute(seq, data)));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("RFC 8731 / RFC 5656 §4 key exchange: the same keys and K from the same random bytes", () => {
  test.each(nodeProvidedAlgorithms().kex)("%s: public values equal, and K agrees across all four pairings", (name) => {
    const a = getKex(name)!;
    const b = nodeCryptoProvider.kex!(name)!;
    fc.assert(
      fc.property(fc.string(), (label) => {
        const clientA = a.createClient(deterministicRandom(`client ${label}`));
        const clientB = b.createClient(deterministicRandom(`client ${label}`));
        const serverA = a.createServer(deterministicRandom(`server ${label}`));
        const serverB = b.createServer(deterministicRandom(`server ${label}`));
        expect(toHex(clientB.publicKey)).toBe(toHex(clientA.publicKey));
        expect(toHex(serverB.publicKey)).toBe(toHex(serverA.publicKey));
        const k = toHex(clientA.computeSharedSecret(serverA.publicKey));
        expect(toHex(clientA.computeSharedSecret(serverB.publicKey))).toBe(k);
        expect(toHex(clientB.computeSharedSecret(serverA.publicKey))).toBe(k);
        expect(toHex(serverB.computeSharedSecret(clientA.publicKey))).toBe(k);
        expect(toHex(serverA.computeSharedSecret(clientB.publicKey))).toBe(k);
      }),
      { numRuns: name.includes("nistp521") ? 10 : 30 },
    );
  });

  test.each(nodeProvidedAlgorithms().kex)("%s: the exchange hash is the same function", (name) => {
    const a = getKex(name)!;
    const b = nodeCryptoProvider.kex!(name)!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
        expect(toHex(b.hash(data))).toBe(toHex(a.hash(data)));
      }),
      { numRuns: 50 },
    );
  });
});

describe("RFC 5656 §3.1 / RFC 8332: both verifiers accept @purssh/crypto's signatures and refuse altered ones", () => {
  const CURVES = { nistp256: p256, nistp384: p384, nistp521: p521 } as const;

  test.each(Object.keys(CURVES) as (keyof typeof CURVES)[])("ecdsa-sha2-%s (fast-check)", (curve) => {
    const name = `ecdsa-sha2-${curve}`;
    const a = getSignatureAlgorithm(name)!;
    const b = nodeCryptoProvider.signature!(name)!;
    const noble = CURVES[curve];
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: noble.lengths.seed!, maxLength: noble.lengths.seed! }),
        fc.uint8Array({ maxLength: 500 }),
        (seed, message) => {
          const d = noble.utils.randomSecretKey(seed);
          const key = ecdsaPublicKeyBlob(curve, ecdsaPublicKey(curve, d));
          const sig = signEcdsa(curve, d, message);
          expect(b.verify(key, sig, message)).toBe(true);
          expect(a.verify(key, sig, message)).toBe(true);
          const other = Uint8Array.of(...message, 0);
          expect(b.verify(key, sig, other)).toBe(false);
          expect(a.verify(key, sig, other)).toBe(false);
          const flipped = sig.slice();
          flipped[flipped.length - 1]! ^= 1;
          expect(b.verify(key, flipped, message)).toBe(a.verify(key, flipped, message));
        },
      ),
      { numRuns: curve === "nistp521" ? 10 : 25 },
    );
  });

  interface OpensslKey {
    name: string;
    bits: number;
    n: string;
    e: string;
    d: string;
    p: string;
    q: string;
  }
  const { keys } = loadVectors<{ keys: OpensslKey[] }>("rsa-openssl.json");
  const rsaCases = keys
    .filter((k) => k.bits === 1024 || k.bits === 2048)
    .flatMap((k) => (["rsa-sha2-256", "rsa-sha2-512", "ssh-rsa"] as const).map((alg) => [k.name, alg, k] as const));

  test.each(rsaCases)("%s with %s (fast-check)", (_keyName, algorithm, k) => {
    const big = (h: string) => BigInt(`0x${h}`);
    const key: RsaPrivateKey = { n: big(k.n), e: big(k.e), d: big(k.d), p: big(k.p), q: big(k.q) };
    const blob = rsaPublicKeyBlob(key.e, key.n);
    const a = getSignatureAlgorithm(algorithm)!;
    const b = nodeCryptoProvider.signature!(algorithm)!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (message) => {
        const sig = signRsa(key, algorithm as RsaSignatureAlgorithmName, message);
        expect(b.verify(blob, sig, message)).toBe(true);
        expect(a.verify(blob, sig, message)).toBe(true);
        const other = Uint8Array.of(...message, 1);
        expect(b.verify(blob, sig, other)).toBe(false);
        expect(a.verify(blob, sig, other)).toBe(false);
      }),
      { numRuns: 8 },
    );
  });

  test("garbage key and signature blobs: both verifiers return false and never throw (fast-check)", () => {
    const names = nodeProvidedAlgorithms().signatures;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (key, sig) => {
        for (const n of names) {
          expect(nodeCryptoProvider.signature!(n)!.verify(key, sig, Uint8Array.of(1))).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });
});
