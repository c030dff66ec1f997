import { x25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  defaultRandomBytes,
  getKex,
  MLKEM768_CIPHERTEXT_LENGTH,
  MLKEM768_ENCAPSULATION_KEY_LENGTH,
  MLKEM768X25519_SHA256,
  mlkem768x25519Sha256,
} from "@purssh/crypto";
import { concatBytes, SshError, SshReader, toHex } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { deterministicRandom, expectKexFailure, fixedRandom } from "./kex-helpers.js";
import { hex, loadVectors } from "./vectors.js";

const kat =
  loadVectors<
    Record<
      | "clientMlkemSeed"
      | "clientX25519Secret"
      | "serverMlkemMessage"
      | "serverX25519Secret"
      | "C_INIT"
      | "S_REPLY"
      | "K_PQ"
      | "K_CL"
      | "encodedK"
      | "tamperedReply"
      | "tamperedEncodedK",
      string
    >
  >("mlkem768x25519-kex.json");

interface EncapsCase {
  tcId: number;
  source: string;
  flags: string[];
  result: "valid" | "invalid";
  m: string;
  ek: string;
  c: string;
  K: string;
}
const encaps = loadVectors<{ cases: EncapsCase[] }>("mlkem768-encaps-wycheproof.json").cases;
const zeroSharedSecret = loadVectors<{ zeroSharedSecret: string[] }>("x25519.json").zeroSharedSecret;

const C_INIT_LENGTH = MLKEM768_ENCAPSULATION_KEY_LENGTH + 32;
const S_REPLY_LENGTH = MLKEM768_CIPHERTEXT_LENGTH + 32;

const katClient = () =>
  mlkem768x25519Sha256.createClient(fixedRandom(hex(kat.clientMlkemSeed), hex(kat.clientX25519Secret)));
const katServer = () =>
  mlkem768x25519Sha256.createServer(fixedRandom(hex(kat.serverMlkemMessage), hex(kat.serverX25519Secret)));

/** The 32-byte body of K = string(SHA-256(...)), checking the length prefix. */
function kBody(encodedK: Uint8Array): Uint8Array {
  const r = new SshReader(encodedK);
  const body = r.string();
  r.expectEnd();
  return body;
}

describe("draft-ietf-sshm-mlkem-hybrid-kex: mlkem768x25519-sha256", () => {
  test("client and server agree; C_INIT is 1184 + 32 bytes and S_REPLY 1088 + 32", () => {
    expect(getKex(MLKEM768X25519_SHA256)).toBe(mlkem768x25519Sha256);
    expect(mlkem768x25519Sha256.publicKeyEncoding).toBe("string");
    expect(mlkem768x25519Sha256.groupExchange).toBe(false);
    const client = mlkem768x25519Sha256.createClient(defaultRandomBytes);
    const server = mlkem768x25519Sha256.createServer(defaultRandomBytes);
    expect(client.publicKey).toHaveLength(C_INIT_LENGTH);
    const kServer = server.computeSharedSecret(client.publicKey);
    expect(server.publicKey).toHaveLength(S_REPLY_LENGTH);
    expect(client.computeSharedSecret(server.publicKey)).toEqual(kServer);
  });

  test("known answer with fixed randomness (regression vector cross-checked with OpenSSL ML-KEM)", () => {
    const clientRandom = fixedRandom(hex(kat.clientMlkemSeed), hex(kat.clientX25519Secret));
    const client = mlkem768x25519Sha256.createClient(clientRandom);
    expect(clientRandom.remaining()).toBe(0);
    expect(toHex(client.publicKey)).toBe(kat.C_INIT);
    const server = katServer();
    const kServer = server.computeSharedSecret(client.publicKey);
    expect(toHex(server.publicKey)).toBe(kat.S_REPLY);
    expect(toHex(kServer)).toBe(kat.encodedK);
    expect(toHex(client.computeSharedSecret(server.publicKey))).toBe(kat.encodedK);
  });

  test("C_INIT = ML-KEM encapsulation key ‖ X25519 public key, S_REPLY = ciphertext ‖ X25519 public key", () => {
    const cInit = hex(kat.C_INIT);
    const sReply = hex(kat.S_REPLY);
    expect(toHex(cInit.subarray(MLKEM768_ENCAPSULATION_KEY_LENGTH))).toBe(
      toHex(x25519.getPublicKey(hex(kat.clientX25519Secret))),
    );
    expect(toHex(sReply.subarray(MLKEM768_CIPHERTEXT_LENGTH))).toBe(
      toHex(x25519.getPublicKey(hex(kat.serverX25519Secret))),
    );
  });

  test("K = SHA-256(K_PQ ‖ K_CL), K_CL the raw X25519 output, encoded as a string, not an mpint", () => {
    const k = hex(kat.encodedK);
    expect(k).toHaveLength(36);
    expect(toHex(kBody(k))).toBe(toHex(sha256(concatBytes(hex(kat.K_PQ), hex(kat.K_CL)))));
    expect(toHex(hex(kat.K_CL))).toBe(
      toHex(x25519.getSharedSecret(hex(kat.clientX25519Secret), x25519.getPublicKey(hex(kat.serverX25519Secret)))),
    );
  });

  test("K stays a 32-byte string whatever its first byte (an mpint would add 0x00 or strip zeros)", () => {
    const random = deterministicRandom("mlkem768x25519 string encoding");
    const firstBytes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const client = mlkem768x25519Sha256.createClient(random);
      const server = mlkem768x25519Sha256.createServer(random);
      const k = server.computeSharedSecret(client.publicKey);
      expect(client.computeSharedSecret(server.publicKey)).toEqual(k);
      expect(k).toHaveLength(36);
      expect(toHex(k.subarray(0, 4))).toBe("00000020");
      firstBytes.push(k[4] as number);
    }
    expect(firstBytes.some((b) => b >= 0x80)).toBe(true);
  });

  test("the exchange hash and KDF hash is SHA-256", () => {
    expect(toHex(mlkem768x25519Sha256.hash(new Uint8Array([0x61, 0x62, 0x63])))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  test("the server's S_REPLY does not exist before C_INIT is processed", () => {
    const server = mlkem768x25519Sha256.createServer(defaultRandomBytes);
    expect(() => server.publicKey).toThrow(SshError);
  });
});

describe("draft-ietf-sshm-mlkem-hybrid-kex: bad input ends the exchange", () => {
  test.each([0, 32, MLKEM768_ENCAPSULATION_KEY_LENGTH, C_INIT_LENGTH - 1, C_INIT_LENGTH + 1, S_REPLY_LENGTH])(
    "a %i-byte C_INIT is refused by the server",
    (n) => {
      const server = mlkem768x25519Sha256.createServer(defaultRandomBytes);
      expectKexFailure(() => server.computeSharedSecret(new Uint8Array(n).fill(1)), "ERR_KEX_INVALID_PUBLIC_KEY");
    },
  );

  test.each([0, 32, MLKEM768_CIPHERTEXT_LENGTH, S_REPLY_LENGTH - 1, S_REPLY_LENGTH + 1, C_INIT_LENGTH])(
    "a %i-byte S_REPLY is refused by the client",
    (n) => {
      const client = katClient();
      expectKexFailure(() => client.computeSharedSecret(new Uint8Array(n).fill(1)), "ERR_KEX_INVALID_PUBLIC_KEY");
    },
  );

  test("FIPS 203 §6.3: a tampered ciphertext gives a different K (implicit rejection), not an exception", () => {
    const server = katServer();
    const kServer = server.computeSharedSecret(hex(kat.C_INIT));
    const tampered = server.publicKey.slice();
    tampered[0] = (tampered[0] as number) ^ 0x01;
    expect(toHex(tampered)).toBe(kat.tamperedReply);
    const kClient = katClient().computeSharedSecret(tampered);
    expect(toHex(kClient)).toBe(kat.tamperedEncodedK);
    expect(kClient).not.toEqual(kServer);
    expect(kClient).toHaveLength(36);
  });

  test("FIPS 203 §7.2: an encapsulation key with a coefficient ≥ 3329 fails the modulus check", () => {
    const cInit = hex(kat.C_INIT);
    cInit[0] = 0xff; // first coefficient = 0xfff | (low nibble of byte 1) << 8 ≥ 3329
    cInit[1] = (cInit[1] as number) | 0x0f;
    const server = mlkem768x25519Sha256.createServer(defaultRandomBytes);
    const err = expectKexFailure(() => server.computeSharedSecret(cInit), "ERR_KEX_INVALID_PUBLIC_KEY");
    expect(err.message).toMatch(/modulus check/);
  });

  const invalidKeys = encaps.filter(
    (c) => c.result === "invalid" && c.ek.length === 2 * MLKEM768_ENCAPSULATION_KEY_LENGTH,
  );
  test.each(invalidKeys.map((c) => [c.tcId, c.source, c] as const))(
    "Wycheproof mlkem_768_encaps tcId %i (%s): the encapsulation key is refused",
    (_id, _source, c) => {
      const server = mlkem768x25519Sha256.createServer(fixedRandom(hex(c.m)));
      const cInit = concatBytes(hex(c.ek), x25519.getPublicKey(hex(kat.clientX25519Secret)));
      expectKexFailure(() => server.computeSharedSecret(cInit), "ERR_KEX_INVALID_PUBLIC_KEY");
    },
  );

  test("Wycheproof mlkem_768_encaps: keys of the wrong length are refused", () => {
    const wrong = encaps.filter((c) => c.ek.length !== 2 * MLKEM768_ENCAPSULATION_KEY_LENGTH);
    expect(wrong.length).toBeGreaterThan(10);
    for (const c of wrong) {
      const server = mlkem768x25519Sha256.createServer(defaultRandomBytes);
      const cInit = concatBytes(hex(c.ek), x25519.getPublicKey(hex(kat.clientX25519Secret)));
      expectKexFailure(() => server.computeSharedSecret(cInit), "ERR_KEX_INVALID_PUBLIC_KEY");
    }
  });

  const validKeys = encaps.filter((c) => c.result === "valid");
  test.each(validKeys.map((c) => [c.tcId, c] as const))(
    "Wycheproof mlkem_768_encaps tcId %i: the server's ciphertext and K_PQ match FIPS 203",
    (_id, c) => {
      const serverX25519 = hex(kat.serverX25519Secret);
      const server = mlkem768x25519Sha256.createServer(fixedRandom(hex(c.m), serverX25519));
      const clientX25519Public = x25519.getPublicKey(hex(kat.clientX25519Secret));
      const k = server.computeSharedSecret(concatBytes(hex(c.ek), clientX25519Public));
      expect(toHex(server.publicKey.subarray(0, MLKEM768_CIPHERTEXT_LENGTH))).toBe(c.c);
      const kCl = x25519.getSharedSecret(serverX25519, clientX25519Public);
      expect(toHex(kBody(k))).toBe(toHex(sha256(concatBytes(hex(c.K), kCl))));
    },
  );

  test.each(zeroSharedSecret.map((u) => [u] as const))(
    "RFC 8731 §3: X25519 value %s (all-zero shared secret) is refused by either side",
    (u) => {
      const server = mlkem768x25519Sha256.createServer(defaultRandomBytes);
      const cInit = hex(kat.C_INIT);
      cInit.set(hex(u), MLKEM768_ENCAPSULATION_KEY_LENGTH);
      expectKexFailure(() => server.computeSharedSecret(cInit), "ERR_KEX_INVALID_PUBLIC_KEY");
      const sReply = hex(kat.S_REPLY);
      sReply.set(hex(u), MLKEM768_CIPHERTEXT_LENGTH);
      expectKexFailure(() => katClient().computeSharedSecret(sReply), "ERR_KEX_INVALID_PUBLIC_KEY");
    },
  );

  test("a random source that returns the wrong number of bytes is refused", () => {
    expect(() => mlkem768x25519Sha256.createClient(() => new Uint8Array(32))).toThrow(SshError);
  });
});
