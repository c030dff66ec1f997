import {
  CERTIFICATE_ALGORITHMS,
  certifiedKeyBlob,
  DEFAULT_HOST_KEY_ALGORITHMS,
  ecdsaSha2Nistp256,
  ecdsaSha2Nistp384,
  ecdsaSha2Nistp521,
  ed25519PublicKeyBlob,
  getSignatureAlgorithm,
  insecureSshRsaSha1,
  isInsecure,
  rsaSha2256,
  rsaSha2512,
  signEd25519,
  skEcdsaSha2Nistp256OpenSSH,
  skSshEd25519OpenSSH,
  sshEd25519,
  supportedHostKeyAlgorithms,
  supportedSignatureAlgorithms,
} from "@purssh/crypto";
import { describe, expect, test } from "vitest";

describe("signature algorithms in the registry (RFC 4253 §6.6, RFC 5656, RFC 8332, PROTOCOL.u2f)", () => {
  test("every implemented name resolves to its object, and the object carries that name", () => {
    const all = [
      sshEd25519,
      ecdsaSha2Nistp256,
      ecdsaSha2Nistp384,
      ecdsaSha2Nistp521,
      skSshEd25519OpenSSH,
      skEcdsaSha2Nistp256OpenSSH,
      rsaSha2512,
      rsaSha2256,
      insecureSshRsaSha1,
    ];
    for (const alg of all) expect(getSignatureAlgorithm(alg.name)).toBe(alg);
    const certificates = CERTIFICATE_ALGORITHMS.map((c) => c.name);
    expect(new Set(supportedSignatureAlgorithms())).toEqual(new Set([...all.map((a) => a.name), ...certificates]));
    expect(supportedHostKeyAlgorithms()).toEqual(supportedSignatureAlgorithms());
  });

  test("OpenSSH 10 KEX_DEFAULT_PK_ALG order (myproposal.h), restricted to what we implement, without certificates", () => {
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
    for (const name of DEFAULT_HOST_KEY_ALGORITHMS) expect(getSignatureAlgorithm(name)?.name).toBe(name);
  });

  test("DESIGN.md principle 5: SHA-1 ssh-rsa is registered (wire name 'ssh-rsa') as insecureSshRsaSha1, never by default", () => {
    expect(insecureSshRsaSha1.name).toBe("ssh-rsa");
    expect(getSignatureAlgorithm("ssh-rsa")).toBe(insecureSshRsaSha1);
    expect(DEFAULT_HOST_KEY_ALGORITHMS).not.toContain("ssh-rsa");
  });

  test("RFC 8332 §3: rsa-sha2-* use the ssh-rsa key type; every other algorithm's key type is its own name", () => {
    expect([rsaSha2256.keyType, rsaSha2512.keyType, insecureSshRsaSha1.keyType]).toEqual([
      "ssh-rsa",
      "ssh-rsa",
      "ssh-rsa",
    ]);
    for (const alg of [
      ecdsaSha2Nistp256,
      ecdsaSha2Nistp384,
      ecdsaSha2Nistp521,
      skSshEd25519OpenSSH,
      skEcdsaSha2Nistp256OpenSSH,
    ]) {
      expect(alg.keyType).toBe(alg.name);
    }
  });

  test("the algorithm objects are frozen", () => {
    for (const name of supportedSignatureAlgorithms()) expect(Object.isFrozen(getSignatureAlgorithm(name))).toBe(true);
  });

  test("names that are not implemented resolve to undefined (webauthn, DSA, case variants)", () => {
    for (const name of [
      "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
      "ssh-dss-cert-v01@openssh.com",
      "ssh-dss",
      "ecdsa-sha2-nistp192",
      "RSA-SHA2-256",
      "rsa-sha2-384",
    ]) {
      expect(getSignatureAlgorithm(name)).toBeUndefined();
    }
  });
});

describe("PROTOCOL.certkeys: certificate host-key algorithms", () => {
  test("verification uses the certified key: a signature by the certified key verifies, another key's does not", async () => {
    const { ed25519 } = await import("@noble/curves/ed25519.js");
    const { SshWriter } = await import("@purssh/wire");
    const seed = new Uint8Array(32).fill(7);
    const pk = ed25519.getPublicKey(seed);
    // A syntactically complete certificate; the CA signature is the policy's business, not this one's.
    const cert = new SshWriter(512)
      .utf8("ssh-ed25519-cert-v01@openssh.com")
      .string(new Uint8Array(32))
      .string(pk)
      .uint64(1n)
      .uint32(2)
      .utf8("host")
      .string(new Uint8Array(0))
      .uint64(0n)
      .uint64(0xffffffffffffffffn)
      .string(new Uint8Array(0))
      .string(new Uint8Array(0))
      .string(new Uint8Array(0))
      .string(new Uint8Array(0))
      .string(new Uint8Array(0))
      .finish();
    expect(certifiedKeyBlob(cert)).toEqual(ed25519PublicKeyBlob(pk));
    const alg = getSignatureAlgorithm("ssh-ed25519-cert-v01@openssh.com")!;
    expect(alg.keyType).toBe("ssh-ed25519-cert-v01@openssh.com");
    const data = new Uint8Array([1, 2, 3]);
    expect(alg.verify(cert, signEd25519(seed, data), data)).toBe(true);
    expect(alg.verify(cert, signEd25519(new Uint8Array(32).fill(8), data), data)).toBe(false);
    expect(alg.verify(ed25519PublicKeyBlob(pk), signEd25519(seed, data), data)).toBe(false);
    expect(getSignatureAlgorithm("rsa-sha2-512-cert-v01@openssh.com")?.keyType).toBe("ssh-rsa-cert-v01@openssh.com");
    expect(isInsecure("ssh-rsa-cert-v01@openssh.com")).toBe(true);
  });
});
