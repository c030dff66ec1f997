// The quirks table (packages/transport/src/quirks.ts) applied: what our client signs with for
// servers whose server-sig-algs is known to be wrong, and peers the transport refuses outright.
import { serverSigAlgsWithQuirks } from "@purssh/client";
import { quirksFor, Transport } from "@purssh/transport";
import { utf8Encode } from "@purssh/wire";
import { describe, expect, test } from "vitest";

describe("server-sig-algs corrected by version", () => {
  test("OpenSSH 7.4 omits rsa-sha2 from server-sig-algs: both are added back", () => {
    const q = quirksFor("SSH-2.0-OpenSSH_7.4");
    expect(serverSigAlgsWithQuirks(["ssh-ed25519", "ssh-rsa"], q)).toEqual([
      "ssh-ed25519",
      "ssh-rsa",
      "rsa-sha2-512",
      "rsa-sha2-256",
    ]);
  });
  test("a server before rsa-sha2 gets ssh-rsa, never rsa-sha2", () => {
    const q = quirksFor("SSH-2.0-OpenSSH_6.6.1p1 Ubuntu-2ubuntu2");
    const algs = serverSigAlgsWithQuirks(undefined, q)!;
    expect(algs).toContain("ssh-rsa");
    expect(algs.some((a) => a.startsWith("rsa-sha2-"))).toBe(false);
  });
  test("a modern server's list is used as sent", () => {
    const q = quirksFor("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3");
    expect(serverSigAlgsWithQuirks(["ssh-ed25519"], q)).toEqual(["ssh-ed25519"]);
    expect(serverSigAlgsWithQuirks(undefined, q)).toBeUndefined();
  });
});

describe("peers the transport refuses", () => {
  test("an SSH.com 2.0 server (HMAC key bug) ends the connection with PROTOCOL_VERSION_NOT_SUPPORTED", () => {
    let error: { code?: string; message: string } | undefined;
    const t = new Transport(
      { role: "client", verifyHostKey: () => true },
      { output: () => {}, message: () => true, ready: () => {}, close: (e) => (error = e) },
    );
    t.start();
    t.receive(utf8Encode("SSH-2.0-2.0.13 (non-commercial)\r\n"));
    expect(error?.code).toBe("ERR_PEER_NOT_SUPPORTED");
    expect(error?.message).toMatch(/not supported/);
  });
});
