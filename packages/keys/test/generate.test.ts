/**
 * Key generation: Ed25519 and ECDSA keys (generateKey) and RSA keys (generateRsaKey, bigint
 * Miller–Rabin over a sieve), checked by signing, by our parsers and by ssh-keygen.
 */
import {
  ecdsaSha2Nistp256,
  ecdsaSha2Nistp384,
  ecdsaSha2Nistp521,
  rsaSha2512,
  type SignatureAlgorithm,
  sshEd25519,
} from "@purssh/crypto";
import {
  decodePublicKey,
  formatOpenSshPrivateKey,
  formatPublicKey,
  generateKey,
  generateRsaKey,
  parseOpenSshPrivateKey,
  publicKeyBits,
} from "@purssh/keys";
import { utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { isProbablePrime, randomPrime } from "../src/rsa-keygen.js";
import { keyErrorOf, skipInterop, sshKeygen, withTempDir, writePrivateKeyFile } from "./helpers.js";

const MESSAGE = utf8Encode("data");

describe("generateKey", () => {
  test.each([
    [{ type: "ed25519" } as const, "ssh-ed25519", sshEd25519, 256],
    [{ type: "ecdsa" } as const, "ecdsa-sha2-nistp256", ecdsaSha2Nistp256, 256],
    [{ type: "ecdsa", curve: "nistp384" } as const, "ecdsa-sha2-nistp384", ecdsaSha2Nistp384, 384],
    [{ type: "ecdsa", curve: "nistp521" } as const, "ecdsa-sha2-nistp521", ecdsaSha2Nistp521, 521],
  ] as const)("%o: a %s key that signs, round-trips and differs each time", (options, type, verifier, bits) => {
    const a = generateKey({ ...options, comment: "gen" });
    const b = generateKey(options);
    expect(a.type).toBe(type);
    expect(a.signatureAlgorithms).toEqual([type]);
    expect(a.publicKey.comment).toBe("gen");
    expect(publicKeyBits(a.publicKey)).toBe(bits);
    expect(a.publicKey.blob).not.toEqual(b.publicKey.blob);
    expect((verifier as SignatureAlgorithm).verify(a.publicKey.blob, a.sign(MESSAGE), MESSAGE)).toBe(true);
    expect(parseOpenSshPrivateKey(formatOpenSshPrivateKey(a)).publicKey).toEqual(a.publicKey);
  });

  test("unknown curves and types from untyped code are ERR_KEY_INVALID_ARGUMENT", () => {
    expect(keyErrorOf(() => generateKey({ type: "ecdsa", curve: "secp256k1" as never })).code).toBe(
      "ERR_KEY_INVALID_ARGUMENT",
    );
    expect(keyErrorOf(() => generateKey({ type: "dsa" } as never)).code).toBe("ERR_KEY_INVALID_ARGUMENT");
  });
});

describe("Miller–Rabin and prime search", () => {
  test("known primes are prime", () => {
    for (const p of [
      3n,
      65537n,
      2n ** 127n - 1n,
      2n ** 521n - 1n,
      0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn, // P-256 field prime
    ]) {
      expect(isProbablePrime(p), String(p)).toBe(true);
    }
  });

  test("composites, Carmichael numbers and strong pseudoprimes to small bases are not", () => {
    for (const n of [
      1n,
      9n,
      561n,
      41041n,
      825265n,
      321197185n,
      3215031751n, // strong pseudoprime to bases 2, 3, 5, 7
      3825123056546413051n, // strong pseudoprime to every prime base up to 23
      (2n ** 127n - 1n) * (2n ** 89n - 1n),
    ]) {
      expect(isProbablePrime(n), String(n)).toBe(false);
    }
  });

  test("randomPrime(bits): exactly `bits` bits, top two bits set, p − 1 coprime to 65537", () => {
    for (let i = 0; i < 3; i++) {
      const p = randomPrime(512);
      expect(p.toString(2).length).toBe(512);
      expect(p >> 510n).toBe(3n);
      expect((p - 1n) % 65537n).not.toBe(0n);
      expect(isProbablePrime(p, 20)).toBe(true);
    }
  });
});

describe("generateRsaKey", () => {
  test.each([2048, 3072])("%i bits: exact modulus size, e = 65537, signs with rsa-sha2-512", (bits) => {
    const started = performance.now();
    const key = generateRsaKey(bits, "rsa");
    console.info(`generateRsaKey(${bits}): ${Math.round(performance.now() - started)} ms`);
    const params = decodePublicKey(key.publicKey);
    if (params.kind !== "rsa") throw new Error("not an RSA key");
    expect(params.e).toBe(65537n);
    expect(params.n.toString(2).length).toBe(bits);
    expect(key.signatureAlgorithms).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    expect(rsaSha2512.verify(key.publicKey.blob, key.sign(MESSAGE), MESSAGE)).toBe(true);
    expect(parseOpenSshPrivateKey(formatOpenSshPrivateKey(key)).publicKey).toEqual(key.publicKey);
  });

  test("sizes outside 1,024…16,384 bits are ERR_KEY_INVALID_ARGUMENT", () => {
    for (const bits of [512, 1023, 16385, 2048.5]) {
      expect(keyErrorOf(() => generateRsaKey(bits)).code).toBe("ERR_KEY_INVALID_ARGUMENT");
    }
  });
});

describe.skipIf(skipInterop)("ssh-keygen accepts generated keys", () => {
  test.each([
    () => generateKey({ type: "ed25519", comment: "g" }),
    () => generateKey({ type: "ecdsa", curve: "nistp384", comment: "g" }),
    () => generateRsaKey(2048, "g"),
  ])("generated key %#: ssh-keygen -y prints our public key and -l our size", (make) => {
    withTempDir((dir) => {
      const key = make();
      const path = writePrivateKeyFile(dir, "id", formatOpenSshPrivateKey(key, { passphrase: "pass phrase" }));
      const out = sshKeygen(["-y", "-P", "pass phrase", "-f", path]);
      expect(out.status, out.stderr).toBe(0);
      expect(out.stdout.trim()).toBe(formatPublicKey(key.publicKey));
      const listed = sshKeygen(["-l", "-P", "pass phrase", "-f", path]);
      expect(listed.stdout.split(" ")[0]).toBe(String(publicKeyBits(key.publicKey)));
    });
  });
});
