import * as purssh from "@purssh/crypto";
import {
  DEFAULT_CIPHERS,
  DEFAULT_HOST_KEY_ALGORITHMS,
  DEFAULT_KEX_ALGORITHMS,
  DEFAULT_MACS,
  getCipher,
  getKex,
  getMac,
  getSignatureAlgorithm,
  isAeadCipher,
  isInsecure,
  supportedCiphers,
  supportedHostKeyAlgorithms,
  supportedKexAlgorithms,
  supportedMacs,
  supportedSignatureAlgorithms,
} from "@purssh/crypto";
import { describe, expect, test } from "vitest";

describe("algorithm registry (RFC 4253 §7.1 name-lists)", () => {
  test("every default name resolves to an implementation of that name", () => {
    for (const name of DEFAULT_KEX_ALGORITHMS) expect(getKex(name)?.name).toBe(name);
    for (const name of DEFAULT_CIPHERS) expect(getCipher(name)?.name).toBe(name);
    for (const name of DEFAULT_MACS) expect(getMac(name)?.name).toBe(name);
    for (const name of DEFAULT_HOST_KEY_ALGORITHMS) expect(getSignatureAlgorithm(name)?.name).toBe(name);
  });

  test("the defaults are the ones agreed for this slice, in order of preference", () => {
    // OpenSSH 10's KEX_CLIENT_KEX (myproposal.h) without sntrup761x25519-sha512; see kex-registry.test.ts
    expect(DEFAULT_KEX_ALGORITHMS).toEqual([
      "mlkem768x25519-sha256",
      "curve25519-sha256",
      "curve25519-sha256@libssh.org",
      "ecdh-sha2-nistp256",
      "ecdh-sha2-nistp384",
      "ecdh-sha2-nistp521",
      "diffie-hellman-group-exchange-sha256",
      "diffie-hellman-group16-sha512",
      "diffie-hellman-group18-sha512",
      "diffie-hellman-group14-sha256",
    ]);
    // OpenSSH 10's KEX_DEFAULT_PK_ALG order among what we implement (certificates come later).
    expect(DEFAULT_HOST_KEY_ALGORITHMS).toEqual([
      "ssh-ed25519",
      "ecdsa-sha2-nistp256",
      "ecdsa-sha2-nistp384",
      "ecdsa-sha2-nistp521",
      "sk-ssh-ed25519@openssh.com",
      "sk-ecdsa-sha2-nistp256@openssh.com",
      "rsa-sha2-512",
      "rsa-sha2-256",
    ]);
  });

  test("ciphers and MACs: OpenSSH 10's KEX_CLIENT_ENCRYPT and KEX_CLIENT_MAC (myproposal.h) without umac", () => {
    expect(DEFAULT_CIPHERS).toEqual([
      "chacha20-poly1305@openssh.com",
      "aes128-gcm@openssh.com",
      "aes256-gcm@openssh.com",
      "aes128-ctr",
      "aes192-ctr",
      "aes256-ctr",
    ]);
    expect(DEFAULT_MACS).toEqual([
      "hmac-sha2-256-etm@openssh.com",
      "hmac-sha2-512-etm@openssh.com",
      "hmac-sha1-etm@openssh.com",
      "hmac-sha2-256",
      "hmac-sha2-512",
      "hmac-sha1",
    ]);
  });

  test("the default lists cannot be changed by a caller", () => {
    expect(Object.isFrozen(DEFAULT_CIPHERS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_KEX_ALGORITHMS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_HOST_KEY_ALGORITHMS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_MACS)).toBe(true);
  });

  test("unknown names resolve to undefined, and lookups are exact (RFC 4251 §6: names are case-sensitive)", () => {
    for (const name of ["", "none", "arcfour256", "AES256-CTR", "AES256-GCM@OPENSSH.COM", "umac-64@openssh.com"]) {
      expect(getCipher(name)).toBeUndefined();
      expect(getMac(name)).toBeUndefined();
      expect(getKex(name)).toBeUndefined();
      expect(getSignatureAlgorithm(name)).toBeUndefined();
      expect(isInsecure(name)).toBe(false);
    }
    expect(getCipher("toString")).toBeUndefined();
    expect(getMac("constructor")).toBeUndefined();
    expect(getKex("__proto__")).toBeUndefined();
  });

  test("OpenSSH PROTOCOL §1.6: the AEADs ignore the MAC; CTR and CBC need one (RFC 4253 §6.4)", () => {
    expect(supportedCiphers().filter(isAeadCipher)).toEqual([
      "chacha20-poly1305@openssh.com",
      "aes128-gcm@openssh.com",
      "aes256-gcm@openssh.com",
    ]);
    expect(supportedCiphers().filter((n) => !isAeadCipher(n))).toEqual([
      "aes128-ctr",
      "aes192-ctr",
      "aes256-ctr",
      "aes128-cbc",
      "aes192-cbc",
      "aes256-cbc",
      "3des-cbc",
    ]);
    expect(isAeadCipher("hmac-sha2-256")).toBe(false);
    expect(supportedMacs()).toEqual([...DEFAULT_MACS, "hmac-sha1-96", "hmac-md5", "hmac-md5-etm@openssh.com"]);
    for (const name of supportedMacs()) expect(getMac(name)?.etm).toBe(name.endsWith("-etm@openssh.com"));
  });

  test("supported lists contain the defaults and host-key algorithms are signature algorithms", () => {
    expect(supportedCiphers()).toEqual(expect.arrayContaining([...DEFAULT_CIPHERS]));
    expect(supportedKexAlgorithms()).toEqual(expect.arrayContaining([...DEFAULT_KEX_ALGORITHMS]));
    expect(supportedMacs()).toEqual(expect.arrayContaining([...DEFAULT_MACS]));
    expect(supportedSignatureAlgorithms()).toEqual(expect.arrayContaining([...DEFAULT_HOST_KEY_ALGORITHMS]));
    expect(supportedHostKeyAlgorithms()).toEqual(supportedSignatureAlgorithms());
    // callers get a copy
    const ciphers = supportedCiphers().length;
    supportedCiphers().pop();
    supportedMacs().pop();
    expect(supportedCiphers()).toHaveLength(ciphers);
    expect(supportedMacs()).toHaveLength(9);
  });

  test("DESIGN.md principle 5: weak algorithms are opt-in only, never in a default list", () => {
    const defaults = [...DEFAULT_KEX_ALGORITHMS, ...DEFAULT_HOST_KEY_ALGORITHMS, ...DEFAULT_CIPHERS, ...DEFAULT_MACS];
    expect(defaults.filter(isInsecure)).toEqual([]);
    expect(defaults.filter((n) => /none|arcfour|cbc|3des|md5|-96|group1-/.test(n))).toEqual([]);
    // the weak ciphers and MACs are registered and flagged as such
    const weak = [...supportedCiphers(), ...supportedMacs()].filter((n) => /cbc|3des|md5|-96$/.test(n));
    expect(weak).toEqual([
      "aes128-cbc",
      "aes192-cbc",
      "aes256-cbc",
      "3des-cbc",
      "hmac-sha1-96",
      "hmac-md5",
      "hmac-md5-etm@openssh.com",
    ]);
    for (const name of weak) expect(isInsecure(name), name).toBe(true);
    for (const name of [...DEFAULT_CIPHERS, ...DEFAULT_MACS]) expect(isInsecure(name), name).toBe(false);
  });

  test("DESIGN.md principle 5: an exported algorithm is weak exactly when its identifier says `insecure`", () => {
    const algorithms = Object.entries(purssh).filter(
      ([, v]) => typeof v === "object" && v !== null && typeof (v as { name?: unknown }).name === "string",
    ) as [string, { name: string }][];
    expect(algorithms.length).toBeGreaterThan(20);
    for (const [identifier, algorithm] of algorithms) {
      expect(/insecure/i.test(identifier), `${identifier} (${algorithm.name})`).toBe(isInsecure(algorithm.name));
    }
  });
});
