import * as purssh from "@purssh/crypto";
import {
  DEFAULT_CIPHERS,
  DEFAULT_HOST_KEY_ALGORITHMS,
  DEFAULT_KEX_ALGORITHMS,
  DEFAULT_MACS,
  getCipher,
  getKex,
  getSignatureAlgorithm,
  isAeadCipher,
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
    for (const name of DEFAULT_HOST_KEY_ALGORITHMS) expect(getSignatureAlgorithm(name)?.name).toBe(name);
  });

  test("the defaults are the ones agreed for this slice, in order of preference", () => {
    expect(DEFAULT_KEX_ALGORITHMS).toEqual(["curve25519-sha256", "curve25519-sha256@libssh.org"]);
    expect(DEFAULT_CIPHERS).toEqual([
      "chacha20-poly1305@openssh.com",
      "aes256-gcm@openssh.com",
      "aes128-gcm@openssh.com",
    ]);
    expect(DEFAULT_HOST_KEY_ALGORITHMS).toEqual(["ssh-ed25519"]);
  });

  test("the default lists cannot be changed by a caller", () => {
    expect(Object.isFrozen(DEFAULT_CIPHERS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_KEX_ALGORITHMS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_HOST_KEY_ALGORITHMS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_MACS)).toBe(true);
  });

  test("unknown names resolve to undefined, and lookups are exact (RFC 4251 §6: names are case-sensitive)", () => {
    for (const name of ["", "none", "aes256-ctr", "AES256-GCM@OPENSSH.COM", "ssh-rsa", "diffie-hellman-group1-sha1"]) {
      expect(getCipher(name)).toBeUndefined();
      expect(getKex(name)).toBeUndefined();
      expect(getSignatureAlgorithm(name)).toBeUndefined();
    }
    expect(getCipher("toString")).toBeUndefined();
    expect(getKex("__proto__")).toBeUndefined();
  });

  test("OpenSSH PROTOCOL §1.6: every registered cipher is an AEAD, so no MAC is needed or listed", () => {
    for (const name of supportedCiphers()) expect(isAeadCipher(name)).toBe(true);
    expect(isAeadCipher("hmac-sha2-256")).toBe(false);
    expect(supportedMacs()).toEqual([]);
    expect(DEFAULT_MACS).toEqual([]);
  });

  test("supported lists contain the defaults and host-key algorithms are signature algorithms", () => {
    expect(supportedCiphers()).toEqual(expect.arrayContaining([...DEFAULT_CIPHERS]));
    expect(supportedKexAlgorithms()).toEqual(expect.arrayContaining([...DEFAULT_KEX_ALGORITHMS]));
    expect(supportedSignatureAlgorithms()).toEqual(["ssh-ed25519"]);
    expect(supportedHostKeyAlgorithms()).toEqual(supportedSignatureAlgorithms());
    // callers get a copy
    supportedCiphers().pop();
    expect(supportedCiphers()).toHaveLength(3);
  });

  test("DESIGN.md principle 5: nothing insecure is offered, and anything weak would say so in its name", () => {
    const everything = [...supportedCiphers(), ...supportedKexAlgorithms(), ...supportedSignatureAlgorithms()];
    expect(everything.filter((n) => /insecure|none|arcfour|cbc|md5|sha1$|group1-/.test(n))).toEqual([]);
    const exportNames = Object.keys(purssh);
    expect(exportNames.filter((n) => /insecure/i.test(n))).toEqual([]);
  });
});
