// The fifteen properties of SSHReverseTunnel (ipworks-spec.md §2), against the real sshd where a
// server is needed. SSHAuthMode: auth-modes.test.ts; SSHCert: certificate.test.ts; Timeout's
// behaviour: timeouts.test.ts.
import { lookup } from "node:dns/promises";
import { freePort, requireSshd, withTimeout } from "@purssh/testkit";
import { Certificate, Firewall, FirewallTypes, SSHTunnelErrorCodes } from "@purssh/tunnel";
import { afterEach, describe, expect, inject, test } from "vitest";
import { connectTo, passwordTunnel, until } from "./helpers.js";
import { startTcpRelay, type TcpRelay } from "./tcp-relay.js";

const sshd = inject("sshd");
const relays: TcpRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

describe("properties without a server", () => {
  test("Firewall: a live object whose fields are the Firewall* config settings", () => {
    const t = passwordTunnel({ user: "u", password: "p", hostKeyPublic: ED25519 } as never);
    const fw = t.getFirewall();
    expect({ ...fw }).toEqual({ autoDetect: false, firewallType: 0, host: "", port: 0, user: "", password: "" });
    t.setFirewall({
      firewallType: FirewallTypes.fwSOCKS5,
      host: "proxy.example",
      port: 1081,
      user: "me",
      password: "pw",
    });
    expect(t.config("FirewallType")).toBe("3");
    expect(t.config("FirewallHost")).toBe("proxy.example");
    expect(t.config("FirewallPort")).toBe("1081");
    expect(t.config("FirewallUser")).toBe("me");
    expect(t.config("FirewallPassword")).toBe("pw");
    t.config("FirewallType=TUNNEL");
    t.config("FirewallAutoDetect=true");
    expect(t.getFirewall()).toBe(fw);
    expect(fw.firewallType).toBe(FirewallTypes.fwTunnel);
    expect(fw.autoDetect).toBe(true);
    expect(() => t.config("FirewallType=7")).toThrow(/FirewallType must be/);
    expect(() => t.setFirewall({ port: 70000 })).toThrow(/0..65535/);
    expect(new Firewall({ host: "h" }).host).toBe("h");
  });

  test("SSHHost, SSHPort, SSHUser, SSHPassword, Timeout, LocalHost, LocalPort read back; bad values are refused", () => {
    const t = passwordTunnel({ user: "u", password: "p", hostKeyPublic: ED25519 } as never);
    t.setSSHHost("example.com");
    t.setSSHPort(2222);
    t.setSSHUser("deploy");
    t.setSSHPassword("pw");
    t.setTimeout(5);
    t.setLocalHost("127.0.0.1");
    t.setLocalPort(40000);
    expect([t.getSSHHost(), t.getSSHPort(), t.getSSHUser(), t.getSSHPassword(), t.getTimeout()]).toEqual([
      "example.com",
      2222,
      "deploy",
      "pw",
      5,
    ]);
    expect([t.getLocalHost(), t.getLocalPort(), t.config("LocalHost"), t.config("LocalPort")]).toEqual([
      "127.0.0.1",
      40000,
      "127.0.0.1",
      "40000",
    ]);
    expect(() => t.setLocalPort(-1)).toThrow(/LocalPort/);
    expect(() => t.setTimeout(-1)).toThrow(/Timeout/);
    expect(t.getChannels()).toEqual([]);
    expect(t.getConnected()).toBe(false);
  });
});

describe.skipIf(!sshd)("properties against OpenSSH sshd", { timeout: 30_000 }, () => {
  test("Channels: one SSHChannel per open connection with id, service, readyToSend, recordLength; gone after close", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.config("RecordLength=4");
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "", 0);
      const port = Number(t.config("ForwardedPort"));
      const a = await connectTo(port);
      const b = await connectTo(port);
      await until(() => t.getChannels().length === 2, "two channels");
      const [c1, c2] = t.getChannels();
      expect(c1!.channelId).not.toBe(c2!.channelId);
      for (const c of [c1!, c2!]) {
        expect(c.service).toBe("forwarded-tcpip");
        expect(c.readyToSend).toBe(true);
        expect(c.recordLength).toBe(4);
        expect(c.bytesSent).toBe(0);
        expect(c.dataToSend).toBe("");
      }
      c1!.recordLength = 0;
      expect(() => {
        c1!.recordLength = -1;
      }).toThrow(/RecordLength/);
      await t.closeChannel(c1!.channelId);
      expect(t.getChannels().map((c) => c.channelId)).toEqual([c2!.channelId]);
      expect(c1!.readyToSend).toBe(false);
      // In event mode the remote client's EOF is the application's cue to close (sshd waits for it).
      const eof = new Promise<string>((r) => t.once("SSHChannelEOF", (e) => r(e.channelId)));
      a.destroy();
      b.end();
      expect(await eof).toBe(c2!.channelId);
      await t.closeChannel(c2!.channelId);
      expect(t.getChannels()).toEqual([]);
    } finally {
      await t.SSHLogoff();
    }
  });

  test("Connected: setting true logs on to SSHHost:SSHPort, false logs off; a failure also raises Error", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const errors: number[] = [];
    t.on("Error", (e) => errors.push(e.errorCode));
    t.setSSHHost(s.host);
    t.setSSHPort(s.port);
    await t.setConnected(true);
    expect(t.getConnected()).toBe(true);
    expect(() => t.setSSHHost("elsewhere")).toThrow(/cannot change while connected/);
    expect(() => t.setSSHPort(1)).toThrow(/cannot change while connected/);
    await t.setConnected(true); // already on: nothing happens
    await t.setConnected(false);
    expect(t.getConnected()).toBe(false);
    t.setSSHPassword("wrong");
    void t.setConnected(true).catch(() => {});
    await until(() => errors.length > 0, "Error event");
    expect(errors).toEqual([SSHTunnelErrorCodes.AUTH_FAILED]);
  });

  test("LocalHost and LocalPort bind the outgoing SSH connection (as the server sees it)", async () => {
    const s = requireSshd(sshd);
    const relay = await startTcpRelay(s.port);
    relays.push(relay);
    const t = passwordTunnel(s);
    const localPort = await freePort();
    t.setLocalHost("127.0.0.2");
    t.setLocalPort(localPort);
    await t.SSHLogon("127.0.0.1", relay.port);
    await t.SSHLogoff();
    expect(relay.clients[0]).toMatchObject({ remoteAddress: "127.0.0.2", remotePort: localPort });
  });

  test("InBufferSize / OutBufferSize size the SSH socket's queues; TcpNoDelay, TCPKeepAlive, KeepAliveTime are accepted", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.config("InBufferSize=32768");
    t.config("OutBufferSize=131072");
    t.config("TcpNoDelay=false");
    t.config("TCPKeepAlive=true");
    t.config("KeepAliveTime=15000");
    await t.SSHLogon(s.host, s.port);
    try {
      // White-box: the socket the session runs on.
      const socket = (t as unknown as { session: { socket: import("node:net").Socket } }).session.socket;
      expect([socket.readableHighWaterMark, socket.writableHighWaterMark]).toEqual([32768, 131072]);
    } finally {
      await t.SSHLogoff();
    }
  });

  test("UseIPv6: host names resolve to IPv6 addresses only; the connection goes over IPv6", async () => {
    const s = requireSshd(sshd);
    const relay = await startTcpRelay(s.port, "::1");
    relays.push(relay);
    const t = passwordTunnel(s);
    t.config("UseIPv6=true");
    expect(t.config("UseIPv6")).toBe("true");
    const localhostHasIPv6 = await lookup("localhost", { family: 6 }).then(
      () => true,
      () => false,
    );
    if (localhostHasIPv6) {
      await t.SSHLogon("localhost", relay.port);
      await t.SSHLogoff();
    } else {
      // This host's localhost is IPv4 only: with UseIPv6 the name does not resolve.
      const err = await t.SSHLogon("localhost", relay.port).catch((e) => e);
      expect(err.code).toBe(SSHTunnelErrorCodes.CONNECT_FAILED);
      expect(err.message).toMatch(/cannot connect to localhost/);
      await t.SSHLogon("::1", relay.port);
      await t.SSHLogoff();
    }
    expect(relay.clients[0]?.remoteAddress).toBe("::1");
    t.config("UseIPv6=false");
    await t.SSHLogon("localhost", s.port);
    await t.SSHLogoff();
  });

  test("SSHCompressionAlgorithms: zlib@openssh.com is negotiated with sshd and data still flows", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const logs: string[] = [];
    t.on("Log", (e) => logs.push(e.message));
    t.setSSHCompressionAlgorithms("zlib@openssh.com,none");
    await t.SSHLogon(s.host, s.port);
    try {
      expect(logs.find((l) => l.startsWith("negotiated"))).toContain("compression zlib@openssh.com");
      await t.requestForwarding("127.0.0.1", 0, "", 0);
      t.on("SSHChannelData", (e) => void t.sendChannelData(e.channelId, e.channelDataB));
      const c = await connectTo(Number(t.config("ForwardedPort")));
      const text = "compressible ".repeat(5000);
      const back = await withTimeout(
        new Promise<string>((resolve) => {
          let got = "";
          c.on("data", (d) => {
            got += d;
            if (got.length >= text.length) resolve(got);
          });
          c.write(text);
        }),
        10_000,
        "echo through compression",
      );
      expect(back).toBe(text);
      c.destroy();
    } finally {
      await t.SSHLogoff();
    }
  });

  test("SSHAcceptServerHostKey pins the key: accepted silently when it matches", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    expect(t.getSSHAcceptServerHostKey()?.keyType).toBe("ssh-ed25519");
    t.setSSHAcceptServerHostKey(Certificate.fromString(s.hostKeyPublic));
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
  });
});

const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDcE2GYf0jXvxYu/uzeezn9E8iLD4ySp6RUpFX3WibDT x";
