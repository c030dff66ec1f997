// Key re-exchange with the real sshd (RFC 4253 §9): the server rekeys on its own (RekeyLimit),
// and exchangeKeys() starts one; data keeps flowing byte-exact through both.
import { randomBytes, requireSshd, type SshdHandle, sha256Hex, startEchoServer, startSshd } from "@purssh/testkit";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { passwordTunnel, roundTrip, until } from "./helpers.js";

const available = inject("sshd");

describe.skipIf(!available)("key re-exchange against OpenSSH sshd", { timeout: 60_000 }, () => {
  let sshd: SshdHandle;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  beforeAll(async () => {
    requireSshd(available);
    sshd = await startSshd({ name: "rekey", extraConfig: ["RekeyLimit 1M"] });
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await sshd?.stop();
    await echo?.close();
  });

  test("a server that rekeys every 1 MiB is answered each time and 8 MiB arrive byte-exact", async () => {
    const t = passwordTunnel(sshd);
    const logs: string[] = [];
    t.on("Log", (e) => logs.push(e.message));
    await t.SSHLogon(sshd.host, sshd.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
      const data = randomBytes(8 * 1024 * 1024);
      const back = await roundTrip(Number(t.config("ForwardedPort")), data);
      expect(sha256Hex(back)).toBe(sha256Hex(data));
      expect(logs.filter((l) => l === "key re-exchange complete").length).toBeGreaterThanOrEqual(4);
    } finally {
      await t.SSHLogoff();
    }
  });

  test("exchangeKeys() resolves after NEWKEYS both ways and reports progress through SSHStatus", async () => {
    const t = passwordTunnel(sshd);
    const status: string[] = [];
    t.on("SSHStatus", (e) => status.push(e.message));
    await t.SSHLogon(sshd.host, sshd.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
      const port = Number(t.config("ForwardedPort"));
      const data = randomBytes(3 * 1024 * 1024);
      const [back] = await Promise.all([roundTrip(port, data), t.exchangeKeys(), t.exchangeKeys()]);
      expect(sha256Hex(back)).toBe(sha256Hex(data));
      expect(status).toContain("key re-exchange complete");
    } finally {
      await t.SSHLogoff();
    }
  });
});

describe.skipIf(!available)("SSHKeyRenegotiate", { timeout: 30_000 }, () => {
  test('config("SSHKeyRenegotiate=true") starts a key re-exchange like exchangeKeys()', async () => {
    const s = requireSshd(available);
    const t = passwordTunnel(s);
    const status: string[] = [];
    t.on("SSHStatus", (e) => status.push(e.message));
    await t.SSHLogon(s.host, s.port);
    try {
      expect(t.config("SSHKeyRenegotiate=true")).toBe("");
      await until(() => status.includes("key re-exchange complete"), "rekey");
      expect(t.getConnected()).toBe(true);
    } finally {
      await t.SSHLogoff();
    }
  });
});
