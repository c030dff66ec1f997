// Credit on consumption (DESIGN.md principle 6, RFC 4254 §5.2) against the real sshd: a consumer
// that stops reading bounds what the process holds to the channel window.
import * as net from "node:net";
import { connect, type ForwardedConnection } from "@purssh/client";
import { requireSshd, withTimeout } from "@purssh/testkit";
import { describe, expect, inject, test } from "vitest";

const sshd = inject("sshd");
const WINDOW = 2 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!sshd)("flow control against OpenSSH sshd", { timeout: 60_000 }, () => {
  test("a connection nobody reads holds at most one window in this process, then drains fully when read", async () => {
    const s = requireSshd(sshd);
    const client = await connect({
      host: s.host,
      port: s.port,
      username: s.user,
      password: s.password,
      hostKeys: [s.hostKeyPublic],
    });
    try {
      const listener = await client.listen({ host: "127.0.0.1", port: 0 });
      const accepted = new Promise<ForwardedConnection>((r) => listener.once("connection", r));
      const total = 32 * 1024 * 1024;
      const sender = net.connect(listener.port, "127.0.0.1");
      sender.on("error", () => {});
      let acked = 0;
      const chunk = Buffer.alloc(64 * 1024, 7);
      const pump = () => {
        while (acked < total) {
          acked += chunk.length;
          if (!sender.write(chunk)) {
            sender.once("drain", pump);
            return;
          }
        }
        sender.end();
      };
      pump();
      const conn = await withTimeout(accepted, 10_000, "forwarded connection");
      // Nobody reads: wait until the flow stops growing.
      let last = -1;
      while (conn.channel.bytesReceived !== last) {
        last = conn.channel.bytesReceived;
        await sleep(300);
      }
      const held = conn.channel.bytesReceived;
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThanOrEqual(WINDOW);
      expect(conn.readableLength).toBeLessThanOrEqual(WINDOW);
      expect(conn.channel.receiveWindow.available).toBe(WINDOW - held);
      // Now consume: every byte arrives and the window is credited as we go.
      let got = 0;
      conn.on("data", (d: Buffer) => (got += d.length));
      await withTimeout(new Promise((r) => conn.once("end", r)), 30_000, "drain after reading");
      expect(got).toBe(total);
      conn.destroy();
    } finally {
      await client.close();
    }
  });

  test("relay mode: a local service that stops reading stalls the remote sender instead of growing memory", async () => {
    const s = requireSshd(sshd);
    const sockets: net.Socket[] = [];
    const lazy = net.createServer((sock) => {
      sockets.push(sock);
      sock.on("error", () => {});
      sock.pause(); // never reads
    });
    await new Promise<void>((r) => lazy.listen(0, "127.0.0.1", r));
    const client = await connect({
      host: s.host,
      port: s.port,
      username: s.user,
      password: s.password,
      hostKeys: [s.hostKeyPublic],
    });
    try {
      const listener = await client.listen({ host: "127.0.0.1", port: 0 });
      let relayed: { conn: ForwardedConnection; local: net.Socket } | undefined;
      listener.on("connection", (conn: ForwardedConnection) => {
        const local = net.connect((lazy.address() as net.AddressInfo).port, "127.0.0.1");
        local.on("error", () => {});
        conn.pipe(local);
        local.pipe(conn);
        relayed = { conn, local };
      });
      const sender = net.connect(listener.port, "127.0.0.1");
      sender.on("error", () => {});
      const big = Buffer.alloc(64 * 1024 * 1024, 1);
      sender.write(big);
      let last = -1;
      await sleep(500);
      while (relayed && relayed.conn.channel.bytesReceived !== last) {
        last = relayed.conn.channel.bytesReceived;
        await sleep(300);
      }
      expect(relayed).toBeDefined();
      const { conn, local } = relayed!;
      // What this process holds: bytes received on the channel and not yet accepted by the kernel
      // for the local socket (Node's bytesWritten counts queued bytes too, so add them back).
      const inProcess = conn.channel.bytesReceived - (local.bytesWritten - local.writableLength);
      expect(conn.channel.bytesReceived).toBeLessThan(big.length);
      expect(inProcess).toBeLessThanOrEqual(WINDOW + 64 * 1024);
      sender.destroy();
    } finally {
      await client.close();
      for (const so of sockets) so.destroy();
      lazy.close();
    }
  });
});
