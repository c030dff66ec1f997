import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  DEFAULT_CIPHERS,
  DEFAULT_HOST_KEY_ALGORITHMS,
  DEFAULT_KEX_ALGORITHMS,
  DEFAULT_MACS,
  getCipher,
  getKex,
  getMac,
  getSignatureAlgorithm,
  supportedCiphers,
  supportedKexAlgorithms,
  supportedMacs,
  supportedSignatureAlgorithms,
  useCryptoProvider,
} from "@purssh/crypto";
import { nodeCryptoProvider, nodeProvidedAlgorithms } from "@purssh/crypto-node";
import { afterEach, describe, expect, test } from "vitest";

afterEach(() => useCryptoProvider(undefined));

const provided = nodeProvidedAlgorithms();

describe("nodeCryptoProvider: what it accelerates", () => {
  test("on this Node every cipher, MAC, ECDH exchange and RSA/ECDSA verifier it knows is available", () => {
    expect(provided).toEqual({
      ciphers: [
        "chacha20-poly1305@openssh.com",
        "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
        "aes128-ctr",
        "aes192-ctr",
        "aes256-ctr",
        "aes128-cbc",
        "aes192-cbc",
        "aes256-cbc",
        "3des-cbc",
      ],
      macs: [
        "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com",
        "hmac-sha1-etm@openssh.com",
        "hmac-sha2-256",
        "hmac-sha2-512",
        "hmac-sha1",
        "hmac-sha1-96",
        "hmac-md5",
        "hmac-md5-etm@openssh.com",
      ],
      kex: [
        "curve25519-sha256",
        "curve25519-sha256@libssh.org",
        "ecdh-sha2-nistp256",
        "ecdh-sha2-nistp384",
        "ecdh-sha2-nistp521",
      ],
      signatures: [
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "rsa-sha2-512",
        "rsa-sha2-256",
        "ssh-rsa",
      ],
    });
  });

  test("every name it provides is a registered name, and it provides every cipher and MAC the registry has", () => {
    expect(supportedCiphers()).toEqual(expect.arrayContaining(provided.ciphers));
    expect(provided.ciphers).toEqual(expect.arrayContaining(supportedCiphers()));
    expect(provided.macs).toEqual(expect.arrayContaining(supportedMacs()));
    expect(supportedKexAlgorithms()).toEqual(expect.arrayContaining(provided.kex));
    expect(supportedSignatureAlgorithms()).toEqual(expect.arrayContaining(provided.signatures));
  });

  test("each provided algorithm has the noble one's name and wire parameters", () => {
    for (const n of provided.ciphers) {
      const { keyLength, ivLength, blockSize, aead } = getCipher(n)!;
      expect(nodeCryptoProvider.cipher?.(n), n).toMatchObject({ name: n, keyLength, ivLength, blockSize, aead });
    }
    for (const n of provided.macs) {
      const { keyLength, macLength, etm } = getMac(n)!;
      expect(nodeCryptoProvider.mac?.(n), n).toMatchObject({ name: n, keyLength, macLength, etm });
    }
    for (const n of provided.kex) {
      const { publicKeyEncoding, groupExchange } = getKex(n)!;
      expect(nodeCryptoProvider.kex?.(n), n).toMatchObject({ name: n, publicKeyEncoding, groupExchange });
    }
    for (const n of provided.signatures) {
      const { keyType } = getSignatureAlgorithm(n)!;
      expect(nodeCryptoProvider.signature?.(n), n).toMatchObject({ name: n, keyType });
    }
  });

  test("installed, it answers the registry's lookups for its names; noble answers the rest", () => {
    const noble = {
      ed25519: getSignatureAlgorithm("ssh-ed25519"),
      mlkem: getKex("mlkem768x25519-sha256"),
      dh: getKex("diffie-hellman-group14-sha256"),
      gex: getKex("diffie-hellman-group-exchange-sha256"),
    };
    useCryptoProvider(nodeCryptoProvider);
    for (const n of provided.ciphers) expect(getCipher(n), n).toBe(nodeCryptoProvider.cipher?.(n));
    for (const n of provided.macs) expect(getMac(n), n).toBe(nodeCryptoProvider.mac?.(n));
    for (const n of provided.kex) expect(getKex(n), n).toBe(nodeCryptoProvider.kex?.(n));
    for (const n of provided.signatures) expect(getSignatureAlgorithm(n), n).toBe(nodeCryptoProvider.signature?.(n));
    expect(getSignatureAlgorithm("ssh-ed25519")).toBe(noble.ed25519);
    expect(getKex("mlkem768x25519-sha256")).toBe(noble.mlkem);
    expect(getKex("diffie-hellman-group14-sha256")).toBe(noble.dh);
    expect(getKex("diffie-hellman-group-exchange-sha256")).toBe(noble.gex);
    expect(nodeCryptoProvider.cipher?.("rijndael-cbc@lysator.liu.se")).toBeUndefined();
  });

  test("the default name-lists are the same with the provider installed: it changes speed, not what is offered", () => {
    const before = [DEFAULT_CIPHERS, DEFAULT_MACS, DEFAULT_KEX_ALGORITHMS, DEFAULT_HOST_KEY_ALGORITHMS].map((l) => [
      ...l,
    ]);
    useCryptoProvider(nodeCryptoProvider);
    expect([DEFAULT_CIPHERS, DEFAULT_MACS, DEFAULT_KEX_ALGORITHMS, DEFAULT_HOST_KEY_ALGORITHMS]).toEqual(before);
    for (const n of DEFAULT_CIPHERS) expect(getCipher(n)?.name).toBe(n);
    for (const n of DEFAULT_MACS) expect(getMac(n)?.name).toBe(n);
    for (const n of DEFAULT_KEX_ALGORITHMS) expect(getKex(n)?.name).toBe(n);
    for (const n of DEFAULT_HOST_KEY_ALGORITHMS) expect(getSignatureAlgorithm(n)?.name).toBe(n);
  });

  test("the provider and its algorithm objects are frozen", () => {
    expect(Object.isFrozen(nodeCryptoProvider)).toBe(true);
    for (const n of provided.ciphers) expect(Object.isFrozen(nodeCryptoProvider.cipher?.(n)), n).toBe(true);
    for (const n of provided.macs) expect(Object.isFrozen(nodeCryptoProvider.mac?.(n)), n).toBe(true);
    for (const n of provided.kex) expect(Object.isFrozen(nodeCryptoProvider.kex?.(n)), n).toBe(true);
    for (const n of provided.signatures) expect(Object.isFrozen(nodeCryptoProvider.signature?.(n)), n).toBe(true);
  });
});

describe("DESIGN.md layout rules for @purssh/crypto-node", () => {
  const src = fileURLToPath(new URL("../src", import.meta.url));
  const files = readdirSync(src).filter((f) => f.endsWith(".ts"));

  test.each(files)("%s stays under 600 lines and starts with a module comment", (file) => {
    const text = readFileSync(join(src, file), "utf8");
    expect(text.split("\n").length).toBeLessThan(600);
    expect(text.trimStart().startsWith("/**")).toBe(true);
    expect(text).toMatch(/@module/);
  });
});
