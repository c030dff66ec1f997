// Channels (ipworks-spec.md §2a, §4): SSHChannelReadyToSend tied to real window/socket
// backpressure, RecordLength records, DataToSend / BytesSent, channel requests from the server,
// DefaultChannelIdleTimeout and WaitForChannelClose.
import type * as net from "node:net";
import { randomBytes, requireSshd, sha256Hex, startEchoServer, withTimeout } from "@purssh/testkit";
import type { SSHChannelRequestEvent, SSHReverseTunnel } from "@purssh/tunnel";
import { afterEach, describe, expect, inject, test } from "vitest";
import { embeddedTunnel, startServer, type TestServer } from "./embedded.js";
import { connectTo, passwordTunnel, roundTrip, sleep, until } from "./helpers.js";

const sshd = inject("sshd");

/** Logs on, asks for an event-mode forwarding, connects one remote client; resolves its channel id. */
async function openEventChannel(
  t: SSHReverseTunnel,
  host: string,
  port: number,
): Promise<{ id: string; remote: net.Socket }> {
  let id = "";
  t.once("SSHChannelOpened", (e) => {
    id = e.channelId;
  });
  await t.SSHLogon(host, port);
  await t.requestForwarding("127.0.0.1", 0, "", 0);
  const remote = await connectTo(Number(t.config("ForwardedPort")));
  remote.on("error", () => {});
  await until(() => id !== "", "SSHChannelOpened");
  return { id, remote };
}

describe.skipIf(!sshd)("channels against OpenSSH sshd", { timeout: 60_000 }, () => {
  test("SSHChannelReadyToSend: readyToSend turns false when the peer stops reading, and the event fires once it reads again", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const events: string[] = [];
    t.on("SSHChannelReadyToSend", (e) => events.push(`ready ${e.channelId}`));
    const { id, remote } = await openEventChannel(t, s.host, s.port);
    try {
      // Right after the open: one SSHChannelReadyToSend (the channel is usable).
      expect(events).toEqual([`ready ${id}`]);
      remote.pause();
      const channel = t.getChannels().find((c) => c.channelId === id)!;
      const data = randomBytes(24 * 1024 * 1024);
      const chunk = 64 * 1024;
      let offset = 0;
      const sends: Promise<void>[] = [];
      // As a seed application does: hand data over while the channel can take it, and again on
      // each SSHChannelReadyToSend.
      const pump = () => {
        while (channel.readyToSend && offset < data.length) {
          sends.push(t.sendChannelData(id, data.subarray(offset, offset + chunk)));
          offset += chunk;
        }
      };
      t.on("SSHChannelReadyToSend", pump);
      pump();
      // The peer reads nothing: once its window and the queues are full, sending stops.
      let last = -1;
      while (offset !== last) {
        last = offset;
        await sleep(500);
      }
      expect(offset).toBeLessThan(data.length);
      expect(channel.readyToSend).toBe(false);
      const readyWhileStalled = events.length;
      await sleep(300);
      expect(events.length).toBe(readyWhileStalled);
      const received: Buffer[] = [];
      let total = 0;
      remote.on("data", (d: Buffer) => {
        received.push(d);
        total += d.length;
      });
      remote.resume();
      await withTimeout(
        until(() => total >= data.length, "all data", 50_000),
        55_000,
        "24 MiB through",
      );
      await Promise.all(sends);
      expect(events.length).toBeGreaterThan(readyWhileStalled);
      expect(sha256Hex(Buffer.concat(received))).toBe(sha256Hex(data));
      expect(channel.bytesSent).toBe(chunk);
    } finally {
      remote.destroy();
      await t.SSHLogoff();
    }
  });

  test("RecordLength: data arrives in records of exactly that size, the size may change inside the event, the rest comes at EOF", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.config("RecordLength=4");
    const records: string[] = [];
    t.on("SSHChannelData", (e) => {
      records.push(e.channelData);
      if (records.length === 1) t.getChannels().find((c) => c.channelId === e.channelId)!.recordLength = 3;
    });
    const eof = new Promise<void>((r) => t.once("SSHChannelEOF", () => r()));
    const { remote } = await openEventChannel(t, s.host, s.port);
    try {
      remote.write("0123456");
      await sleep(100);
      remote.end("789ab");
      await withTimeout(eof, 5000, "EOF");
      expect(records).toEqual(["0123", "456", "789", "ab"]);
    } finally {
      await t.SSHLogoff();
    }
  });

  test("DataToSend sends like sendChannelData; BytesSent tells how much the latest send handed over", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const { id, remote } = await openEventChannel(t, s.host, s.port);
    try {
      let got = "";
      remote.on("data", (d) => (got += d));
      const channel = t.getChannels()[0]!;
      channel.dataToSend = "hello ";
      channel.dataToSendB = new TextEncoder().encode("world");
      await until(() => got === "hello world", "DataToSend bytes");
      expect(channel.bytesSent).toBe(5);
      await t.sendChannelData(id, "0123456789");
      expect(channel.bytesSent).toBe(10);
    } finally {
      remote.destroy();
      await t.SSHLogoff();
    }
  });

  test("DefaultChannelIdleTimeout: a channel with no data either way for that long is closed", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.config("DefaultChannelIdleTimeout=1");
    const closed: number[] = [];
    let started = 0;
    t.on("SSHChannelOpened", () => {
      started = Date.now();
    });
    t.on("SSHChannelClosed", () => closed.push(Date.now()));
    const { remote } = await openEventChannel(t, s.host, s.port);
    const remoteClosed = new Promise<void>((r) => remote.on("close", () => r()));
    try {
      await withTimeout(remoteClosed, 5000, "idle close");
      await until(() => closed.length === 1, "SSHChannelClosed");
      expect(closed[0]! - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await t.SSHLogoff();
    }
  });

  test("MaxTransferRate: channel data moves at most that many bytes per second", async () => {
    const s = requireSshd(sshd);
    const echo = await startEchoServer();
    const t = passwordTunnel(s);
    t.config("MaxTransferRate=1048576");
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
      const data = randomBytes(3 * 1024 * 1024);
      const started = Date.now();
      const back = await withTimeout(roundTrip(Number(t.config("ForwardedPort")), data), 20_000, "limited echo");
      const elapsed = Date.now() - started;
      expect(sha256Hex(back)).toBe(sha256Hex(data));
      // 3 MiB at 1 MiB/s each way: about three seconds, never the fraction of a second it takes unlimited.
      expect(elapsed).toBeGreaterThan(2000);
    } finally {
      await t.SSHLogoff();
      await echo.close();
    }
  });

  test("WaitForChannelClose: closeChannel waits for the server's CLOSE (true, default) or returns at once (false)", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const closed: string[] = [];
    t.on("SSHChannelClosed", (e) => closed.push(e.channelId));
    expect(t.config("WaitForChannelClose")).toBe("true");
    const { id } = await openEventChannel(t, s.host, s.port);
    try {
      await t.closeChannel(id);
      expect(closed).toEqual([id]);
      t.config("WaitForChannelClose=false");
      const second = await connectTo(Number(t.config("ForwardedPort")));
      await until(() => t.getChannels().length === 1, "second channel");
      const id2 = t.getChannels()[0]!.channelId;
      await t.closeChannel(id2);
      expect(closed).toEqual([id]); // the CLOSE reply has not come back yet
      await until(() => closed.length === 2, "second close");
      second.destroy();
    } finally {
      await t.SSHLogoff();
    }
  });
});

describe("channel requests from the server (embedded server)", { timeout: 20_000 }, () => {
  let srv: TestServer | undefined;
  afterEach(async () => {
    await srv?.close();
  });

  test("RFC 4254 §5.4: SSHChannelRequest carries the packet; success picks the reply; SSHChannelRequested follows success", async () => {
    srv = await startServer();
    const t = embeddedTunnel(srv);
    const requests: Omit<SSHChannelRequestEvent, "success">[] = [];
    const requested: string[] = [];
    t.on("SSHChannelRequest", (e) => {
      requests.push({ channelId: e.channelId, requestType: e.requestType, packet: e.packet, packetB: e.packetB });
      e.success = e.requestType === "allow@example.com";
    });
    t.on("SSHChannelRequested", (e) => requested.push(`${e.requestType} ${t.getSSHParam(e.packetB, "RequestData")}`));
    const { id, remote } = await openEventChannel(t, srv.host, srv.port);
    try {
      const serverSide = srv.server.connections[0]!.connection.openChannels.find((c) => c.type === "forwarded-tcpip")!;
      const data = Uint8Array.of(1, 2, 3);
      expect(await serverSide.request("allow@example.com", data)).toBe(true);
      expect(await serverSide.request("deny@example.com", data)).toBe(false);
      // keepalive@openssh.com is answered FAILURE (as OpenSSH does) without an event.
      expect(await serverSide.request("keepalive@openssh.com")).toBe(false);
      // A request type the core knows arrives as sent too (RFC 4254 §6.10 exit-status, no reply wanted).
      serverSide.sendExitStatus(7);
      await until(() => requests.length === 3, "exit-status request");
      expect(t.getSSHParam(requests[2]!.packetB, "ExitStatus")).toBe("7");
      expect(t.getSSHParam(requests[2]!.packetB, "WantsReply")).toBe("false");
      expect(requests.map((r) => r.requestType)).toEqual(["allow@example.com", "deny@example.com", "exit-status"]);
      const p = requests[0]!.packetB;
      expect(t.getSSHParam(p, "ChannelId")).toBe(String(serverSide.remoteId));
      expect(t.getSSHParam(p, "RequestType")).toBe("allow@example.com");
      expect(t.getSSHParam(p, "WantsReply")).toBe("true");
      expect(requests[0]!.channelId).toBe(id);
      expect(requested).toEqual(["allow@example.com 010203"]);
    } finally {
      remote.destroy();
      await t.SSHLogoff();
    }
  });
});
