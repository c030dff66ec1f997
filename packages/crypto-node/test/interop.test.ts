import { connect } from "@purssh/client";
import { isAeadCipher, useCryptoProvider } from "@purssh/crypto";
import { nodeCryptoProvider, nodeProvidedAlgorithms } from "@purssh/crypto-node";
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
const provided = nodeProvidedAlgorithms();

describe.skipIf(!available)("nodeCryptoProvider against OpenSSH sshd", { timeout: 120_000 }, () => {
  let sshd: SshdHandle;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  beforeAll(async () => {
    requireSshd(available);
    sshd = await startSshd({
      name: "crypto-node",
      extraHostKeyTypes: ["ecdsa", "ecdsa384", "ecdsa521", "rsa"],
      extraConfig: [
        "Ciphers +aes128-cbc,aes192-cbc,aes256-cbc,3des-cbc",
        "MACs +hmac-md5,hmac-sha1-96,hmac-md5-etm@openssh.com",
        "HostKeyAlgorithms +ssh-rsa",
      ],
    });
    echo = await startEchoServer();
    useCryptoProvider(nodeCryptoProvider);
  }, 60_000);
  afterAll(async () => {
    useCryptoProvider(undefined);
    await sshd?.stop();
    await echo?.close();
  });

  /** Logs in with these algorithms, forwards a port to the echo server and round-trips 256 KiB. */
  async function roundTrip(algorithms: Partial<AlgorithmPreferences>): Promise<string> {
    const client = await connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      password: sshd.password,
      hostKeys: sshd.hostKeys.map((k) => k.publicKey),
      algorithms,
      timeoutMs: 30_000,
    });
    try {
      const listener = await client.listen({ host: "127.0.0.1", port: 0 });
      relayConnections(listener, echo.port);
      const data = Buffer.alloc(256 * 1024);
      for (let i = 0; i < data.length; i++) data[i] = (i * 131) & 0xff;
      const back = await roundTripThrough(listener.port, data);
      expect(back.equals(data)).toBe(true);
      const a = client.algorithms!;
      return `${a.kex} ${a.hostKey} ${a.cipherClientToServer} ${a.macClientToServer || "(aead)"}`;
    } finally {
      await client.close();
    }
  }

  test.each(provided.kex)("RFC 8731 / RFC 5656 §4: KEX %s with node:crypto", async (kex) => {
    expect(await roundTrip({ kex: [kex] })).toMatch(new RegExp(`^${kex} `));
  });

  test.each(provided.signatures)("RFC 4253 §8: the host key signature %s verified by node:crypto", async (hostKey) => {
    expect(await roundTrip({ hostKey: [hostKey] })).toMatch(new RegExp(`^\\S+ ${hostKey} `));
  });

  test.each(provided.ciphers)("RFC 4253 §6: cipher %s from node:crypto", async (cipher) => {
    const mac = "hmac-sha2-256-etm@openssh.com";
    const got = await roundTrip({ cipher: [cipher], mac: [mac] });
    expect(got).toContain(` ${cipher} ${isAeadCipher(cipher) ? "(aead)" : mac}`);
  });

  test.each(provided.macs)("RFC 4253 §6.4: MAC %s from node:crypto, with aes128-ctr and aes256-cbc", async (mac) => {
    for (const cipher of ["aes128-ctr", "aes256-cbc"]) {
      expect(await roundTrip({ cipher: [cipher], mac: [mac] })).toContain(` ${cipher} ${mac}`);
    }
  });
});
