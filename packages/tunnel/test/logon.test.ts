// SSHLogon against the real OpenSSH sshd: key and password logins, host-key checks, ciphers.
import { createHash } from "node:crypto";
import { requireSshd } from "@purssh/testkit";
import { Certificate, SSHAuthModes, SSHReverseTunnel, SSHTunnelErrorCodes } from "@purssh/tunnel";
import { describe, expect, inject, test } from "vitest";
import { passwordTunnel } from "./helpers.js";

const sshd = inject("sshd");
const gcmOnly = inject("sshdAes256Gcm");

describe.skipIf(!sshd)("SSHLogon against OpenSSH sshd", { timeout: 30_000 }, () => {
  test("RFC 4252 §7: logs in with an ed25519 key from a file (amPublicKey)", async () => {
    const s = requireSshd(sshd);
    const t = new SSHReverseTunnel();
    t.setSSHUser(s.user);
    t.setSSHAuthMode(SSHAuthModes.amPublicKey);
    t.setSSHCert(await Certificate.fromFile(s.userKeyPath));
    t.on("SSHServerAuthentication", (e) => {
      e.accept = true;
    });
    await t.SSHLogon(s.host, s.port);
    expect(t.getConnected()).toBe(true);
    expect(t.getSSHHost()).toBe(s.host);
    expect(t.getSSHPort()).toBe(s.port);
    expect(t.config("ServerSSHVersionString")).toMatch(/^SSH-2\.0-OpenSSH_/);
    await t.SSHLogoff();
    expect(t.getConnected()).toBe(false);
  });

  test("RFC 4252 §8: logs in with a password (amPassword, the default mode)", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    expect(t.getSSHAuthMode()).toBe(SSHAuthModes.amPassword);
    const events: string[] = [];
    t.on("Connected", (e) => events.push(`Connected ${e.statusCode}`));
    t.on("Disconnected", (e) => events.push(`Disconnected ${e.statusCode} ${e.description}`));
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
    expect(events).toEqual(["Connected 0", "Disconnected 0 OK"]);
  });

  test("a wrong password fails with the auth error code and a message naming the user", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.setSSHPassword("not-the-password");
    const err = await t.SSHLogon(s.host, s.port).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.AUTH_FAILED);
    expect(err.message).toContain(`"${s.user}"`);
    expect(err.cause.code).toBe("ERR_AUTH_FAILED");
    expect(t.getConnected()).toBe(false);
  });

  test("SSHServerAuthentication carries the key, its SHA-256 colon-hex fingerprint and the algorithm", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    let seen: { fingerprint: string; keyAlgorithm: string; accept: boolean; hostKeyB: Uint8Array } | undefined;
    t.on("SSHServerAuthentication", (e) => {
      seen = { fingerprint: e.fingerprint, keyAlgorithm: e.keyAlgorithm, accept: e.accept, hostKeyB: e.hostKeyB };
    });
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
    const pinned = Certificate.fromString(s.hostKeyPublic);
    const digest = createHash("sha256").update(pinned.encoded).digest("hex").match(/../g)!.join(":");
    expect(seen?.fingerprint).toBe(digest);
    expect(seen?.keyAlgorithm).toBe("ssh-ed25519");
    expect(seen?.accept).toBe(true); // pre-set because SSHAcceptServerHostKey matches
    expect(Buffer.from(seen!.hostKeyB).equals(Buffer.from(pinned.encoded))).toBe(true);
    expect(t.config("SSHFingerprintSHA256")).toBe(digest);
    expect(`SHA256:${createHash("sha256").update(pinned.encoded).digest("base64").replace(/=+$/, "")}`).toBe(
      s.hostKeyFingerprint,
    );
  });

  test("a host key that matches nothing is rejected: accept stays false and logon fails", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.setSSHAcceptServerHostKey(Certificate.fromString(s.userPublicKey)); // some other key
    let preset: boolean | undefined;
    t.on("SSHServerAuthentication", (e) => {
      preset = e.accept;
    });
    const err = await t.SSHLogon(s.host, s.port).catch((e) => e);
    expect(preset).toBe(false);
    expect(err.code).toBe(SSHTunnelErrorCodes.HOST_KEY_REJECTED);
    expect(err.cause.code).toBe("ERR_HOST_KEY_REJECTED");
  });

  test("with no host-key decision at all the connection is refused (secure by default)", async () => {
    const s = requireSshd(sshd);
    const t = new SSHReverseTunnel();
    t.setSSHUser(s.user);
    t.setSSHPassword(s.password);
    const err = await t.SSHLogon(s.host, s.port).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.HOST_KEY_REJECTED);
  });

  test("SSHAcceptServerHostKeyFingerPrint accepts the key by its SHA256: fingerprint", async () => {
    const s = requireSshd(sshd);
    const t = new SSHReverseTunnel();
    t.setSSHUser(s.user);
    t.setSSHPassword(s.password);
    t.config(`SSHAcceptServerHostKeyFingerPrint=${s.hostKeyFingerprint}`);
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
  });

  for (const cipher of ["chacha20-poly1305@openssh.com", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com"]) {
    test(`setSSHEncryptionAlgorithms selects ${cipher} against sshd`, async () => {
      const s = requireSshd(sshd);
      const t = passwordTunnel(s);
      t.config("LogLevel=1");
      const logs: string[] = [];
      t.on("Log", (e) => logs.push(e.message));
      t.setSSHEncryptionAlgorithms(cipher);
      expect(t.getSSHEncryptionAlgorithms()).toBe(cipher);
      await t.SSHLogon(s.host, s.port);
      await t.SSHLogoff();
      expect(logs.find((l) => l.startsWith("negotiated"))).toContain(`ciphers ${cipher}/${cipher}`);
    });
  }

  test("SSHKeyExchangeAlgorithms and PreferredDHGroupBits drive RFC 4419 group exchange", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const logs: string[] = [];
    t.on("Log", (e) => logs.push(e.message));
    t.config("SSHKeyExchangeAlgorithms=diffie-hellman-group-exchange-sha256");
    t.config("PreferredDHGroupBits=2048");
    expect(t.config("PreferredDHGroupBits")).toBe("2048");
    expect(() => t.config("PreferredDHGroupBits=1024")).toThrow(/outside 2048..8192/);
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
    expect(logs.find((l) => l.startsWith("negotiated"))).toContain("kex diffie-hellman-group-exchange-sha256");
  });

  test("SSHMacAlgorithms picks the MAC for a non-AEAD cipher", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const logs: string[] = [];
    t.on("Log", (e) => logs.push(e.message));
    t.setSSHEncryptionAlgorithms("aes256-ctr");
    t.config("SSHMacAlgorithms=hmac-sha2-512-etm@openssh.com");
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
    expect(logs.find((l) => l.startsWith("negotiated"))).toContain(
      "ciphers aes256-ctr/aes256-ctr, MACs hmac-sha2-512-etm@openssh.com",
    );
  });

  test("an sshd offering only aes256-gcm@openssh.com negotiates it with the default list", async () => {
    const s = requireSshd(gcmOnly);
    const t = passwordTunnel(s);
    const logs: string[] = [];
    t.on("Log", (e) => logs.push(e.message));
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
    expect(logs.find((l) => l.startsWith("negotiated"))).toContain(
      "ciphers aes256-gcm@openssh.com/aes256-gcm@openssh.com",
    );
  });

  test("a cipher the server does not offer fails with both sides' lists in the message", async () => {
    const s = requireSshd(gcmOnly);
    const t = passwordTunnel(s);
    t.setSSHEncryptionAlgorithms("chacha20-poly1305@openssh.com");
    const err = await t.SSHLogon(s.host, s.port).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.KEY_EXCHANGE_FAILED);
    expect(err.message).toMatch(
      /we offered \[chacha20-poly1305@openssh.com\], the server offered \[aes256-gcm@openssh.com\]/,
    );
  });
});
