import {
  CURVE25519_SHA256,
  CURVE25519_SHA256_LIBSSH,
  curve25519Sha256,
  curve25519Sha256Libssh,
  defaultRandomBytes,
  getKex,
  type KexAlgorithm,
} from "@purssh/crypto";
import { DISCONNECT, ProtocolError, SshError, SshReader, toHex } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { forEachProvider } from "./providers.js";
import { hex, loadVectors } from "./vectors.js";

interface MpintCase {
  name: string;
  clientPrivate: string;
  clientPublic: string;
  serverPrivate: string;
  serverPublic: string;
  shared: string;
  encodedK: string;
}
const v = loadVectors<{
  rfc7748Single: { scalar: string; u: string; output: string }[];
  rfc7748Iterated: Record<"1" | "1000", string>;
  rfc7748DiffieHellman: Record<
    "alicePrivate" | "alicePublic" | "bobPrivate" | "bobPublic" | "shared" | "encodedK",
    string
  >;
  mpintEncodings: MpintCase[];
  zeroSharedSecret: string[];
}>("x25519.json");

/** The registry's key exchange of that name: the active provider's, else noble's. */
function registered(name: string): KexAlgorithm {
  const kex = getKex(name);
  if (!kex) throw new Error(`${name} is not registered`);
  return kex;
}

const fixed = (bytes: Uint8Array) => (n: number) => {
  expect(n).toBe(32);
  return bytes;
};

/** The 32-byte big-endian X25519 output back from K = mpint(output) with its length prefix. */
function rawShared(encodedK: Uint8Array): Uint8Array {
  const r = new SshReader(encodedK);
  const body = r.string();
  r.expectEnd();
  const magnitude = body[0] === 0 ? body.subarray(1) : body;
  const out = new Uint8Array(32);
  out.set(magnitude, 32 - magnitude.length);
  return out;
}

/** X25519(k, u) through our key exchange wrapper. */
function x25519Through(kex: KexAlgorithm, k: Uint8Array, u: Uint8Array): Uint8Array {
  return rawShared(kex.createClient(fixed(k)).computeSharedSecret(u));
}

forEachProvider(() => {
  describe("RFC 7748 X25519 through curve25519-sha256", () => {
    test.each(v.rfc7748Single.map((c, i) => [i + 1, c] as const))("RFC 7748 §5.2: test vector %i", (_i, c) => {
      expect(toHex(x25519Through(registered(CURVE25519_SHA256), hex(c.scalar), hex(c.u)))).toBe(c.output);
    });

    test("RFC 7748 §5.2: the iterated function after 1 and 1,000 iterations", () => {
      let k: Uint8Array = new Uint8Array(32);
      k[0] = 9;
      let u: Uint8Array = k.slice();
      for (let i = 1; i <= 1000; i++) {
        const next = x25519Through(registered(CURVE25519_SHA256), k, u);
        u = k;
        k = next;
        if (i === 1) expect(toHex(k)).toBe(v.rfc7748Iterated["1"]);
      }
      expect(toHex(k)).toBe(v.rfc7748Iterated["1000"]);
    });

    test("RFC 7748 §6.1: Alice and Bob compute the same shared secret", () => {
      const dh = v.rfc7748DiffieHellman;
      const alice = registered(CURVE25519_SHA256).createClient(fixed(hex(dh.alicePrivate)));
      const bob = registered(CURVE25519_SHA256).createServer(fixed(hex(dh.bobPrivate)));
      expect(toHex(alice.publicKey)).toBe(dh.alicePublic);
      expect(toHex(bob.publicKey)).toBe(dh.bobPublic);
      const kAlice = alice.computeSharedSecret(bob.publicKey);
      const kBob = bob.computeSharedSecret(alice.publicKey);
      expect(toHex(kAlice)).toBe(dh.encodedK);
      expect(kBob).toEqual(kAlice);
      expect(toHex(rawShared(kAlice))).toBe(dh.shared);
    });
  });

  describe("RFC 8731 §3.1: K is the X25519 output as a big-endian unsigned integer, encoded as an mpint", () => {
    test.each(v.mpintEncodings.map((c) => [c.name, c] as const))("shared secret with %s", (_name, c) => {
      const client = registered(CURVE25519_SHA256).createClient(fixed(hex(c.clientPrivate)));
      const server = registered(CURVE25519_SHA256).createServer(fixed(hex(c.serverPrivate)));
      expect(toHex(client.publicKey)).toBe(c.clientPublic);
      expect(toHex(server.publicKey)).toBe(c.serverPublic);
      const k = client.computeSharedSecret(server.publicKey);
      expect(toHex(k)).toBe(c.encodedK);
      expect(server.computeSharedSecret(client.publicKey)).toEqual(k);
      // A strict mpint reader (minimal encoding, non-negative) gives back the same integer.
      const value = new SshReader(k).mpint();
      expect(value).toBe(BigInt(`0x${c.shared}`));
      expect(value >= 0n).toBe(true);
    });

    test("the edge cases cover a stripped leading zero, two of them, a sign byte and no change", () => {
      const lengths = Object.fromEntries(v.mpintEncodings.map((c) => [c.name, hex(c.encodedK).length - 4]));
      expect(lengths).toEqual({
        "one leading zero byte": 31,
        "leading zero byte then a byte >= 0x80": 32,
        "two leading zero bytes": 30,
        "first byte >= 0x80": 33,
        "first byte 0x01..0x7f": 32,
      });
    });
  });

  describe("RFC 8731 §3: invalid public values abort the exchange", () => {
    const dh = v.rfc7748DiffieHellman;

    test.each(v.zeroSharedSecret.map((u) => [u] as const))(
      "RFC 8731 §3: Q_S = %s gives an all-zero shared secret, which MUST abort",
      (u) => {
        for (const side of ["client", "server"] as const) {
          const ex =
            side === "client"
              ? registered(CURVE25519_SHA256).createClient(fixed(hex(dh.alicePrivate)))
              : registered(CURVE25519_SHA256).createServer(fixed(hex(dh.bobPrivate)));
          let error: unknown;
          try {
            ex.computeSharedSecret(hex(u));
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ProtocolError);
          expect((error as ProtocolError).code).toBe("ERR_KEX_INVALID_PUBLIC_KEY");
          expect((error as ProtocolError).reason).toBe(DISCONNECT.KEY_EXCHANGE_FAILED);
        }
      },
    );

    test.each([0, 1, 31, 33, 64])("RFC 8731 §3: a %i-byte public key is rejected (exactly 32 required)", (n) => {
      const ex = registered(CURVE25519_SHA256).createClient(fixed(hex(dh.alicePrivate)));
      const peer = new Uint8Array(n).fill(9);
      expect(() => ex.computeSharedSecret(peer)).toThrow(ProtocolError);
      try {
        ex.computeSharedSecret(peer);
      } catch (e) {
        expect((e as ProtocolError).code).toBe("ERR_KEX_INVALID_PUBLIC_KEY");
        expect((e as ProtocolError).reason).toBe(DISCONNECT.KEY_EXCHANGE_FAILED);
      }
    });

    test("a random source that returns the wrong number of bytes is refused", () => {
      expect(() => registered(CURVE25519_SHA256).createClient(() => new Uint8Array(31))).toThrow(SshError);
    });
  });

  describe("RFC 8731 method definitions", () => {
    test("RFC 8731 §3: the exchange hash and KDF hash is SHA-256", () => {
      const abc = new Uint8Array([0x61, 0x62, 0x63]);
      const sha256abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
      expect(toHex(registered(CURVE25519_SHA256).hash(abc))).toBe(sha256abc);
      expect(toHex(registered(CURVE25519_SHA256_LIBSSH).hash(abc))).toBe(sha256abc);
    });

    test("RFC 8731 §1: curve25519-sha256@libssh.org is the same method under its older name", () => {
      expect(registered(CURVE25519_SHA256).name).toBe(CURVE25519_SHA256);
      expect(registered(CURVE25519_SHA256_LIBSSH).name).toBe(CURVE25519_SHA256_LIBSSH);
      const dh = v.rfc7748DiffieHellman;
      const a = registered(CURVE25519_SHA256_LIBSSH).createClient(fixed(hex(dh.alicePrivate)));
      expect(toHex(a.computeSharedSecret(hex(dh.bobPublic)))).toBe(dh.encodedK);
    });

    test("ephemeral keys from the default random source differ and agree with each other", () => {
      const client = registered(CURVE25519_SHA256).createClient(defaultRandomBytes);
      const server = registered(CURVE25519_SHA256).createServer(defaultRandomBytes);
      expect(client.publicKey).toHaveLength(32);
      expect(client.publicKey).not.toEqual(server.publicKey);
      expect(client.computeSharedSecret(server.publicKey)).toEqual(server.computeSharedSecret(client.publicKey));
    });
  });
});

test("without a provider the registry hands out the noble curve25519-sha256 methods", () => {
  expect(getKex("curve25519-sha256")).toBe(curve25519Sha256);
  expect(getKex("curve25519-sha256@libssh.org")).toBe(curve25519Sha256Libssh);
});
