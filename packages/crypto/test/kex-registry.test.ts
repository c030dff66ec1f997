import {
  chooseGexGroup,
  DEFAULT_KEX_ALGORITHMS,
  DH_GEX_DEFAULT,
  defaultRandomBytes,
  getKex,
  isInsecure,
  supportedKexAlgorithms,
} from "@purssh/crypto";
import { describe, expect, test } from "vitest";

/** OpenSSH 10's KEX_CLIENT_KEX (myproposal.h, openssh-portable 0ef0f5a8, 2026-08-21). */
const OPENSSH_10_CLIENT_KEX = [
  "mlkem768x25519-sha256",
  "sntrup761x25519-sha512",
  "sntrup761x25519-sha512@openssh.com",
  "curve25519-sha256",
  "curve25519-sha256@libssh.org",
  "ecdh-sha2-nistp256",
  "ecdh-sha2-nistp384",
  "ecdh-sha2-nistp521",
  "diffie-hellman-group-exchange-sha256",
  "diffie-hellman-group16-sha512",
  "diffie-hellman-group18-sha512",
  "diffie-hellman-group14-sha256",
];

const LEGACY_SHA1 = ["diffie-hellman-group14-sha1", "diffie-hellman-group-exchange-sha1", "diffie-hellman-group1-sha1"];

describe("RFC 4253 §7.1 kex_algorithms: what we implement and offer", () => {
  test("supportedKexAlgorithms() lists every method, preferred first, legacy SHA-1 last", () => {
    expect(supportedKexAlgorithms()).toEqual([
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
      ...LEGACY_SHA1,
    ]);
  });

  test("the default list is OpenSSH 10's client list minus what we lack (sntrup761)", () => {
    const implemented = OPENSSH_10_CLIENT_KEX.filter((n) => getKex(n) !== undefined);
    expect(DEFAULT_KEX_ALGORITHMS).toEqual(implemented);
    expect(OPENSSH_10_CLIENT_KEX.filter((n) => getKex(n) === undefined)).toEqual([
      "sntrup761x25519-sha512",
      "sntrup761x25519-sha512@openssh.com",
    ]);
  });

  test("RFC 9142: the SHA-1 methods are registered, flagged insecure and never offered by default", () => {
    for (const name of LEGACY_SHA1) {
      expect(getKex(name)?.name).toBe(name);
      expect(isInsecure(name), name).toBe(true);
      expect(DEFAULT_KEX_ALGORITHMS).not.toContain(name);
    }
    for (const name of DEFAULT_KEX_ALGORITHMS) expect(isInsecure(name), name).toBe(false);
  });

  test("every registered method has the shape the transport relies on and completes an exchange", () => {
    for (const name of supportedKexAlgorithms()) {
      const kex = getKex(name);
      expect(kex?.name).toBe(name);
      if (kex === undefined) continue;
      expect(Object.isFrozen(kex)).toBe(true);
      const dh = name.startsWith("diffie-hellman-");
      expect(kex.publicKeyEncoding, name).toBe(dh ? "mpint" : "string");
      expect(kex.groupExchange, name).toBe(name.startsWith("diffie-hellman-group-exchange-"));
      if (name.endsWith("group18-sha512") || name.endsWith("group16-sha512")) continue; // slow; dh.test.ts
      const group = kex.groupExchange ? chooseGexGroup(DH_GEX_DEFAULT.min, 2048, DH_GEX_DEFAULT.max) : undefined;
      const client = kex.createClient(defaultRandomBytes, group);
      const server = kex.createServer(defaultRandomBytes, group);
      const k = server.computeSharedSecret(client.publicKey);
      expect(client.computeSharedSecret(server.publicKey), name).toEqual(k);
    }
  });
});
