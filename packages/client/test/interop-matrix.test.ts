import { connect, knownHosts } from "@purssh/client";
import {
  isAeadCipher,
  supportedCiphers,
  supportedHostKeyAlgorithms,
  supportedKexAlgorithms,
  supportedMacs,
} from "@purssh/crypto";
import {
  relayConnections,
  requireSshd,
  roundTripThrough,
  type SshdHandle,
  startEchoServer,
  startSshd,
} from "@purssh/testkit";
import type { AlgorithmPreferences } from "@purssh/transport";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

const available = inject("sshd");
/** sshd 9.2 (Debian 12) predates ML-KEM; that method is covered client ↔ embedded server later. */
const NOT_IN_OPENSSH_9_2 = new Set(["mlkem768x25519-sha256"]);
/** sk-* host keys need a hardware token on the server side; verified with fixtures in crypto. */
const NEEDS_TOKEN = (alg: string) => alg.startsWith("sk-");

describe.skipIf(!available)("interop matrix against OpenSSH sshd", { timeout: 120_000 }, () => {
  let sshd: SshdHandle;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  beforeAll(async () => {
    requireSshd(available);
    const legacyKex = supportedKexAlgorithms().filter((k) => k.includes("sha1"));
    sshd = await startSshd({
      name: "matrix",
      extraHostKeyTypes: ["ecdsa", "ecdsa384", "ecdsa521", "rsa"],
      hostCertificates: true,
      extraConfig: [
        `KexAlgorithms +${legacyKex.join(",")}`,
        "Ciphers +aes128-cbc,aes192-cbc,aes256-cbc,3des-cbc",
        "MACs +hmac-md5,hmac-sha1-96,hmac-md5-etm@openssh.com",
        "HostKeyAlgorithms +ssh-rsa,ssh-rsa-cert-v01@openssh.com",
      ],
    });
    echo = await startEchoServer();
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    await echo?.close();
  });

  /** Logs in with these algorithms, forwards a port to the echo server and round-trips 64 KiB. */
  async function roundTrip(algorithms: Partial<AlgorithmPreferences>): Promise<string> {
    const client = await connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      password: sshd.password,
      // known_hosts as a user keeps it: the plain keys, and the CA that certifies them.
      hostKeys: knownHosts(
        [
          ...sshd.hostKeys.map((k) => `[127.0.0.1]:${sshd.port} ${k.publicKey}`),
          `@cert-authority [127.0.0.1]:${sshd.port} ${sshd.hostCaPublic}`,
        ].join("\n"),
      ),
      algorithms,
      timeoutMs: 30_000,
    });
    try {
      const listener = await client.listen({ host: "127.0.0.1", port: 0 });
      relayConnections(listener, echo.port);
      const data = Buffer.alloc(64 * 1024, 0x5a);
      const back = await roundTripThrough(listener.port, data);
      expect(back.equals(data)).toBe(true);
      const a = client.algorithms!;
      return `${a.kex} ${a.hostKey} ${a.cipherClientToServer} ${a.macClientToServer || "(aead)"}`;
    } finally {
      await client.close();
    }
  }

  const kexes = supportedKexAlgorithms().filter((k) => !NOT_IN_OPENSSH_9_2.has(k));
  const hostKeyAlgorithms = supportedHostKeyAlgorithms().filter((a) => !NEEDS_TOKEN(a));

  test("a host certificate whose CA is not trusted is not accepted as a certificate", async () => {
    const err = await connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      password: sshd.password,
      hostKeys: knownHosts(`@cert-authority [127.0.0.1]:${sshd.port} ${sshd.userPublicKey}`),
      algorithms: { hostKey: ["ssh-ed25519-cert-v01@openssh.com"] },
    }).catch((e) => e);
    expect(err.code).toBe("ERR_HOST_KEY_REJECTED");
  });

  test("the matrix covers every algorithm the registry offers (nothing silently left out)", () => {
    expect(kexes.length + NOT_IN_OPENSSH_9_2.size).toBe(supportedKexAlgorithms().length);
    expect(hostKeyAlgorithms).toEqual(expect.arrayContaining(["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"]));
    expect(supportedCiphers().length).toBeGreaterThanOrEqual(10);
    expect(supportedMacs().length).toBeGreaterThanOrEqual(6);
  });

  for (const kex of kexes) {
    test(`KEX ${kex} × every host-key algorithm`, async () => {
      for (const hostKey of hostKeyAlgorithms) {
        const got = await roundTrip({ kex: [kex], hostKey: [hostKey] });
        expect(got).toMatch(new RegExp(`^${kex} ${hostKey} `));
      }
    });
  }

  for (const cipher of supportedCiphers()) {
    const macs = isAeadCipher(cipher) ? [supportedMacs()[0]!] : supportedMacs();
    test(`cipher ${cipher} × ${isAeadCipher(cipher) ? "(AEAD: MAC not negotiated)" : "every MAC"}`, async () => {
      for (const mac of macs) {
        const got = await roundTrip({ cipher: [cipher], mac: [mac] });
        expect(got).toContain(` ${cipher} ${isAeadCipher(cipher) ? "(aead)" : mac}`);
      }
    });
  }
});
