// The fifteen methods of SSHReverseTunnel (ipworks-spec.md §3) against the real sshd (which runs
// with GatewayPorts clientspecified, so the bind address is the one we ask for).
import { requireSshd, type SshdHandle, startEchoServer, startSshd, withTimeout } from "@purssh/testkit";
import { SSHTunnelErrorCodes } from "@purssh/tunnel";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { connectTo, listenLocal, passwordTunnel, refused, roundTripText, sleep, until } from "./helpers.js";

const sshd = inject("sshd");

/** Whether a connection to host:port reaches the tunnel (event mode answers "ok"). */
async function reaches(port: number, host: string): Promise<boolean> {
  try {
    return (await withTimeout(roundTripText(port, "x", host), 5000, `${host}:${port}`)) === "ok";
  } catch {
    return false;
  }
}

describe.skipIf(!sshd)("methods against OpenSSH sshd", { timeout: 60_000 }, () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  /** An sshd that may bind forwardings on both address families (the default one is IPv4 only). */
  let dualStack: SshdHandle;
  beforeAll(async () => {
    requireSshd(sshd);
    echo = await startEchoServer();
    dualStack = await startSshd({ name: "tunnel-addresses", extraConfig: ["AddressFamily any"] });
  });
  afterAll(async () => {
    await echo?.close();
    await dualStack?.stop();
  });

  test("requestForwarding, both modes on one connection: relay to a local service, and events", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.on("SSHChannelData", (e) => void t.sendChannelData(e.channelId, `events:${e.channelData}`));
    t.on("SSHChannelEOF", (e) => void t.closeChannel(e.channelId));
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
      const relayPort = Number(t.config("ForwardedPort"));
      await t.requestForwarding("127.0.0.1", 0, "", 0);
      const eventPort = Number(t.config("ForwardedPort"));
      expect(eventPort).not.toBe(relayPort);
      expect(await roundTripText(relayPort, "relayed")).toBe("relayed");
      expect(await roundTripText(eventPort, "hi")).toBe("events:hi");
    } finally {
      await t.SSHLogoff();
    }
  });

  test('RFC 4254 §7.1 address conventions: "" all, 0.0.0.0 IPv4, :: IPv6, localhost both loopbacks, 127.0.0.1, ::1', async () => {
    const s = dualStack;
    const t = passwordTunnel(s);
    t.on("SSHChannelData", (e) => void t.sendChannelData(e.channelId, "ok").then(() => t.closeChannel(e.channelId)));
    await t.SSHLogon(s.host, s.port);
    const cases: [string, { v4: boolean; v6: boolean }][] = [
      ["", { v4: true, v6: true }],
      ["0.0.0.0", { v4: true, v6: false }],
      ["::", { v4: false, v6: true }],
      ["localhost", { v4: true, v6: true }],
      ["127.0.0.1", { v4: true, v6: false }],
      ["::1", { v4: false, v6: true }],
    ];
    try {
      for (const [address, want] of cases) {
        await t.requestForwarding(address, 0, "", 0);
        const port = Number(t.config("ForwardedPort"));
        expect(port, address).toBeGreaterThan(0);
        const got = { v4: await reaches(port, "127.0.0.1"), v6: await reaches(port, "::1") };
        expect(got, `bind address ${JSON.stringify(address)}`).toEqual(want);
        await t.cancelForwarding(address, port);
      }
    } finally {
      await t.SSHLogoff();
    }
  });

  test("port 0: the server chooses, ForwardedPort reports each grant, and cancelForwarding(addr, 0) cancels the latest", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    expect(t.config("ForwardedPort")).toBe("0");
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
      const first = Number(t.config("ForwardedPort"));
      await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
      const second = Number(t.config("ForwardedPort"));
      expect(first).toBeGreaterThan(1023);
      expect(second).not.toBe(first);
      await t.cancelForwarding("127.0.0.1", 0);
      await sleep(100);
      expect(await refused(second)).toBe(true);
      expect(await roundTripText(first, "first")).toBe("first");
    } finally {
      await t.SSHLogoff();
    }
  });

  test("an explicit port, and asking for the same bind twice is refused with 1098", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
      const port = Number(t.config("ForwardedPort"));
      await t.cancelForwarding("127.0.0.1", port);
      await sleep(100);
      await t.requestForwarding("127.0.0.1", port, "127.0.0.1", echo.port);
      expect(t.config("ForwardedPort")).toBe(String(port));
      const err = await t.requestForwarding("127.0.0.1", port, "", 0).catch((e) => e);
      expect(err.code).toBe(SSHTunnelErrorCodes.FORWARDING_DENIED);
      expect(err.cause.code).toBe("ERR_REQUEST_DENIED");
      expect(t.getConnected()).toBe(true);
      expect(await roundTripText(port, "still the first")).toBe("still the first");
    } finally {
      await t.SSHLogoff();
    }
  });

  test("four forwards cancelled in random order: each cancel closes exactly its port", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    await t.SSHLogon(s.host, s.port);
    try {
      const ports: number[] = [];
      for (let i = 0; i < 4; i++) {
        await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
        ports.push(Number(t.config("ForwardedPort")));
      }
      expect(new Set(ports).size).toBe(4);
      const order = [...ports].sort(() => Math.random() - 0.5);
      const open = new Set(ports);
      for (const port of order) {
        await t.cancelForwarding("127.0.0.1", port);
        open.delete(port);
        await sleep(50);
        expect(await refused(port), `cancelled ${port}`).toBe(true);
        for (const other of open) expect(await roundTripText(other, `on ${other}`)).toBe(`on ${other}`);
      }
      const err = await t.cancelForwarding("127.0.0.1", ports[0]!).catch((e) => e);
      expect(err.code).toBe(SSHTunnelErrorCodes.INVALID_ARGUMENT);
    } finally {
      await t.SSHLogoff();
    }
  });

  test("sendChannelData resolves once taken; closeChannel closes; exchangeKeys rekeys mid-stream; doEvents yields", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    let id = "";
    t.on("SSHChannelOpened", (e) => {
      id = e.channelId;
    });
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "", 0);
      const c = await connectTo(Number(t.config("ForwardedPort")));
      let got = "";
      c.on("data", (d) => (got += d));
      const ended = new Promise<void>((r) => c.on("end", () => r()));
      await until(() => id !== "", "channel open");
      await t.sendChannelData(id, "one ");
      await t.exchangeKeys();
      await t.sendChannelData(id, new TextEncoder().encode("two"));
      await t.doEvents();
      await t.closeChannel(id);
      await withTimeout(ended, 5000, "remote end");
      expect(got).toBe("one two");
      c.destroy();
    } finally {
      await t.SSHLogoff();
    }
  });

  test("reset drops the connection and restores every property and setting to its default", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const disconnected: number[] = [];
    t.on("Disconnected", (e) => disconnected.push(e.statusCode));
    t.config("Timeout=7");
    t.config("RecordLength=10");
    t.getFirewall().host = "proxy.example";
    await t.SSHLogon(s.host, s.port);
    await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
    const port = Number(t.config("ForwardedPort"));
    t.reset();
    expect(t.getConnected()).toBe(false);
    expect(disconnected).toEqual([0]);
    expect(t.getSSHHost()).toBe("");
    expect(t.getSSHPort()).toBe(22);
    expect(t.getSSHUser()).toBe("");
    expect(t.getSSHPassword()).toBe("");
    expect(t.getSSHAcceptServerHostKey()).toBeUndefined();
    expect(t.config("Timeout")).toBe("60");
    expect(t.config("RecordLength")).toBe("0");
    expect(t.config("ForwardedPort")).toBe("0");
    expect(t.getFirewall().host).toBe("");
    await sleep(200);
    expect(await refused(port)).toBe(true);
    // The object is usable again.
    t.setSSHUser(s.user);
    t.setSSHPassword(s.password);
    t.config("SSHAcceptAnyServerHostKey=true");
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
  });

  test("ForwardingLocalHost: relay mode dials the local service from that address", async () => {
    const s = requireSshd(sshd);
    const sources: string[] = [];
    const service = await listenLocal((sock) => {
      sources.push(sock.remoteAddress ?? "");
      sock.end("served");
    });
    const t = passwordTunnel(s);
    t.config("ForwardingLocalHost=127.0.0.2");
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", service.port);
      expect(await roundTripText(Number(t.config("ForwardedPort")), "")).toBe("served");
      expect(sources).toEqual(["127.0.0.2"]);
    } finally {
      await t.SSHLogoff();
      service.close();
    }
  });

  test("await using: the tunnel logs off when its scope ends", async () => {
    const s = requireSshd(sshd);
    let disconnected = 0;
    {
      await using t = passwordTunnel(s);
      t.on("Disconnected", () => disconnected++);
      await t.SSHLogon(s.host, s.port);
    }
    expect(disconnected).toBe(1);
  });

  test("network methods need a connection; SSHLogon twice is ALREADY_CONNECTED", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    await expect(t.exchangeKeys()).rejects.toMatchObject({ code: SSHTunnelErrorCodes.NOT_CONNECTED });
    await t.SSHLogon(s.host, s.port);
    try {
      await expect(t.SSHLogon(s.host, s.port)).rejects.toMatchObject({ code: SSHTunnelErrorCodes.ALREADY_CONNECTED });
      await expect(t.closeChannel("42")).rejects.toMatchObject({ code: SSHTunnelErrorCodes.UNKNOWN_CHANNEL });
    } finally {
      await t.SSHLogoff();
    }
    await expect(t.requestForwarding("", 0, "", 0)).rejects.toMatchObject({ code: SSHTunnelErrorCodes.NOT_CONNECTED });
  });
});
