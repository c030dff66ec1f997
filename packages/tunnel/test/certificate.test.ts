// SSHCert loads every key format from a file, with its store password (ipworks-spec.md §2b).
import { fileURLToPath } from "node:url";
import { requireSshd, type SshdHandle, startSshd } from "@purssh/testkit";
import { Certificate, SSHAuthModes, SSHReverseTunnel, SSHTunnelErrorCodes } from "@purssh/tunnel";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

const available = inject("sshd");
const vectors = (f: string) => fileURLToPath(new URL(`../../../test-vectors/keys/${f}`, import.meta.url));
const PASSWORD = "purssh-test-passphrase";
const FILES = ["ppk/rsa-2048.v3.enc.ppk", "pem/ecdsa-p384.enc.pkcs8", "openssh/ed25519.enc", "ppk/ecdsa-p521.v2.ppk"];

describe.skipIf(!available)("Certificate in every key format (amPublicKey)", { timeout: 60_000 }, () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    requireSshd(available);
    sshd = await startSshd({ name: "tunnel-certs" });
    for (const f of FILES) {
      const cert = await Certificate.fromFile(vectors(f), PASSWORD);
      await sshd.addAuthorizedKey(`${cert.keyType} ${Buffer.from(cert.encoded).toString("base64")}`);
    }
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
  });

  for (const f of FILES) {
    test(`${f} logs in`, async () => {
      const t = new SSHReverseTunnel();
      t.setSSHUser(sshd.user);
      t.setSSHAuthMode(SSHAuthModes.amPublicKey);
      t.setSSHCert(await Certificate.fromFile(vectors(f), PASSWORD));
      t.setSSHAcceptServerHostKey(Certificate.fromString(sshd.hostKeyPublic));
      await t.SSHLogon(sshd.host, sshd.port);
      expect(t.getConnected()).toBe(true);
      await t.SSHLogoff();
    });
  }

  test("a wrong store password is a key error naming the problem", async () => {
    const err = await Certificate.fromFile(vectors("ppk/rsa-2048.v3.enc.ppk"), "wrong").catch((e) => e);
    expect(err.code).toBe("ERR_KEY_BAD_PASSPHRASE");
    expect(SSHTunnelErrorCodes.KEY_ERROR).toBe(1060);
  });

  test("a public key alone (RFC 4716 or PEM SPKI) pins a server but cannot authenticate", async () => {
    const pub = await Certificate.fromFile(vectors("rfc4716/ed25519.pub"));
    expect(pub.hasPrivateKey).toBe(false);
    expect(pub.keyType).toBe("ssh-ed25519");
    const spki = await Certificate.fromFile(vectors("spki/rsa-2048.spki.pem"));
    expect(spki.keyType).toBe("ssh-rsa");
  });
});
