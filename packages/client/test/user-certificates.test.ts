// OpenSSH user certificates (PROTOCOL.certkeys) against the real sshd: a key that is in no
// authorized_keys file logs in with a certificate from a CA that sshd trusts (TrustedUserCAKeys);
// an expired certificate or one for another principal is refused, and the plain key is tried after.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@purssh/client";
import { requireSshd, type SshdHandle, startSshd } from "@purssh/testkit";
import { Certificate, SSHAuthModes, SSHReverseTunnel } from "@purssh/tunnel";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

const available = inject("sshd");

describe.skipIf(!available)("user certificates against OpenSSH sshd", { timeout: 60_000 }, () => {
  let sshd: SshdHandle;
  let dir: string;
  const keygen = (...args: string[]) => execFileSync("ssh-keygen", ["-q", ...args], { stdio: "pipe" });
  const certFor = (name: string, ...extra: string[]) => {
    keygen("-t", "ed25519", "-N", "", "-C", name, "-f", join(dir, name));
    keygen("-s", join(dir, "ca"), "-I", name, ...extra, join(dir, `${name}.pub`));
    return {
      key: readFileSync(join(dir, name), "utf8"),
      cert: readFileSync(join(dir, `${name}-cert.pub`), "utf8"),
    };
  };
  beforeAll(async () => {
    requireSshd(available);
    dir = mkdtempSync(join(tmpdir(), "purssh-usercert-"));
    keygen("-t", "ecdsa", "-N", "", "-C", "user-ca", "-f", join(dir, "ca"));
    sshd = await startSshd({ name: "usercert", extraConfig: [`TrustedUserCAKeys ${join(dir, "ca.pub")}`] });
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const login = (key: string, certificate: string) =>
    connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: key,
      certificate,
      hostKeys: [sshd.hostKeyPublic],
    });

  test("a certificate for the user's principal logs in although the key is not authorised", async () => {
    const { key, cert } = certFor("valid", "-n", sshd.user, "-V", "-5m:+1h");
    const logs: string[] = [];
    const client = await connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: key,
      certificate: cert,
      hostKeys: [sshd.hostKeyPublic],
      log: (_l, t) => logs.push(t),
    });
    await client.close();
    expect(logs).toContain(`authenticated as ${sshd.user}`);
  });

  test("an expired certificate is refused, and so is the plain key tried after it", async () => {
    const { key, cert } = certFor("expired", "-n", sshd.user, "-V", "20200101:20200102");
    const err = await login(key, cert).catch((e) => e);
    expect(err.code).toBe("ERR_AUTH_FAILED");
    expect(err.message).toMatch(/tried publickey \(ssh-ed25519-cert-v01@openssh\.com\), publickey \(ssh-ed25519\)/);
  });

  test("a certificate for another principal is refused", async () => {
    const { key, cert } = certFor("other", "-n", "somebody-else", "-V", "-5m:+1h");
    await expect(login(key, cert)).rejects.toMatchObject({ code: "ERR_AUTH_FAILED" });
  });

  test("SignedSSHCert on SSHReverseTunnel presents the certificate for SSHCert", async () => {
    const { key, cert } = certFor("tunnel", "-n", sshd.user, "-V", "-5m:+1h");
    const t = new SSHReverseTunnel();
    t.setSSHUser(sshd.user);
    t.setSSHAuthMode(SSHAuthModes.amPublicKey);
    t.setSSHCert(Certificate.fromString(key));
    t.config(`SignedSSHCert=${cert}`);
    t.setSSHAcceptServerHostKey(Certificate.fromString(sshd.hostKeyPublic));
    await t.SSHLogon(sshd.host, sshd.port);
    expect(t.getConnected()).toBe(true);
    await t.SSHLogoff();
    expect(() => t.config("SignedSSHCert=not a certificate")).toThrow(/SignedSSHCert/);
  });
});
