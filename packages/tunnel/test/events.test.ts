// requestForwarding in event mode: connections arrive as events, data goes both ways.
import * as net from "node:net";
import { requireSshd, withTimeout } from "@purssh/testkit";
import type { SSHChannelOpenRequestEvent } from "@purssh/tunnel";
import { describe, expect, inject, test } from "vitest";
import { passwordTunnel, sleep } from "./helpers.js";

const sshd = inject("sshd");

function connectTo(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, "127.0.0.1", () => resolve(c));
    c.on("error", reject);
  });
}

describe.skipIf(!sshd)("event mode (empty forwardingHost)", { timeout: 30_000 }, () => {
  test("SSHChannelOpenRequest carries origin and connected address; data flows via SSHChannelData / sendChannelData; EOF then closeChannel", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const seen: string[] = [];
    let request: SSHChannelOpenRequestEvent | undefined;
    t.on("SSHChannelOpenRequest", (e) => {
      request = { ...e };
      seen.push("open-request");
    });
    t.on("SSHChannelOpened", (e) => seen.push(`opened ${e.channelId}`));
    t.on("SSHChannelData", (e) => {
      seen.push(`data ${e.channelData}`);
      void t.sendChannelData(e.channelId, e.channelData.toUpperCase());
    });
    t.on("SSHChannelEOF", (e) => {
      seen.push("eof");
      // The remote client is done sending; the application ends the conversation.
      void t.closeChannel(e.channelId);
    });
    t.on("SSHChannelClosed", () => seen.push("closed"));
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "", 0);
      const port = Number(t.config("ForwardedPort"));
      const c = await connectTo(port);
      const reply = await withTimeout(
        new Promise<string>((resolve) => {
          let got = "";
          c.on("data", (d) => {
            got += d;
            if (got.length >= 12) resolve(got);
          });
          c.write("hello tunnel");
        }),
        10_000,
        "event-mode reply",
      );
      expect(reply).toBe("HELLO TUNNEL");
      expect(request?.service).toBe("forwarded-tcpip");
      expect(request?.originAddress).toBe("127.0.0.1");
      expect(request?.originPort).toBe(c.localPort);
      expect(request?.connectedPort).toBe(port);
      expect(request?.connectedAddress).toBe("127.0.0.1");
      expect(request?.accept).toBe(true);
      c.end();
      await withTimeout(
        (async () => {
          while (!seen.includes("closed")) await sleep(20);
        })(),
        10_000,
        "channel close",
      );
      expect(seen).toEqual(["open-request", `opened ${request!.channelId}`, "data hello tunnel", "eof", "closed"]);
    } finally {
      await t.SSHLogoff();
    }
  });

  test("accept = false refuses the connection: the client is closed without data and no channel opens", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    let opened = 0;
    t.on("SSHChannelOpenRequest", (e) => {
      e.accept = false;
    });
    t.on("SSHChannelOpened", () => opened++);
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "", 0);
      const c = await connectTo(Number(t.config("ForwardedPort")));
      const outcome = await withTimeout(
        new Promise<string>((resolve) => {
          let got = "";
          c.on("data", (d) => (got += d));
          c.on("close", () => resolve(got));
          c.write("anyone?");
        }),
        10_000,
        "refused connection close",
      );
      expect(outcome).toBe("");
      expect(opened).toBe(0);
      expect(t.getConnected()).toBe(true);
    } finally {
      await t.SSHLogoff();
    }
  });

  test("with no SSHChannelOpenRequest listener the channel is accepted and data still raises SSHChannelData", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const got: Uint8Array[] = [];
    t.on("SSHChannelData", (e) => got.push(e.channelDataB));
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "", 0);
      const c = await connectTo(Number(t.config("ForwardedPort")));
      c.write(Uint8Array.of(0, 1, 2, 255));
      await withTimeout(
        (async () => {
          while (got.length === 0) await sleep(20);
        })(),
        10_000,
        "data event",
      );
      expect([...got[0]!]).toEqual([0, 1, 2, 255]);
      c.destroy();
    } finally {
      await t.SSHLogoff();
    }
  });

  test("closeChannel closes the remote client's connection and fires SSHChannelClosed", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    let id = "";
    const closed: string[] = [];
    t.on("SSHChannelOpened", (e) => {
      id = e.channelId;
    });
    t.on("SSHChannelClosed", (e) => closed.push(e.channelId));
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "", 0);
      const c = await connectTo(Number(t.config("ForwardedPort")));
      const ended = new Promise<void>((r) => c.on("close", () => r()));
      c.on("error", () => {});
      await withTimeout(
        (async () => {
          while (!id) await sleep(20);
        })(),
        10_000,
        "channel open",
      );
      await t.closeChannel(id);
      await withTimeout(ended, 10_000, "remote client close");
      expect(closed).toEqual([id]);
      await expect(t.sendChannelData(id, "late")).rejects.toMatchObject({ code: 1097 });
    } finally {
      await t.SSHLogoff();
    }
  });
});
