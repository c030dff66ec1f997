// Timeout and AbsoluteTimeout (ipworks-spec.md §2 Timeout, §5d): an inactivity limit by default
// (the window restarts whenever bytes move), a hard deadline with AbsoluteTimeout, no limit at 0.
import type * as net from "node:net";
import { requireSshd } from "@purssh/testkit";
import { SSHReverseTunnel, SSHTunnelErrorCodes } from "@purssh/tunnel";
import { afterEach, describe, expect, inject, test } from "vitest";
import { connectTo, listenLocal, passwordTunnel, sleep, until } from "./helpers.js";

const sshd = inject("sshd");
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server that sends its identification line one byte every `everyMs`, then falls silent. */
async function tricklingServer(everyMs: number): Promise<number> {
  const line = "SSH-2.0-Slow\r\n";
  const srv = await listenLocal((sock) => {
    let i = 0;
    const timer = setInterval(() => {
      if (i < line.length - 2 && !sock.destroyed) sock.write(line[i++]!);
      else clearInterval(timer);
    }, everyMs);
    sock.on("close", () => clearInterval(timer));
  });
  servers.push(srv);
  return srv.port;
}

function tunnel(): SSHReverseTunnel {
  const t = new SSHReverseTunnel();
  t.setSSHUser("u");
  t.setSSHPassword("p");
  t.config("SSHAcceptAnyServerHostKey=true");
  return t;
}

describe("Timeout semantics", { timeout: 30_000 }, () => {
  test("inactivity (default): a server that keeps sending a byte now and then is not timed out until it stops", async () => {
    const port = await tricklingServer(300); // 12 bytes over ~3.6 s, then silence
    const t = tunnel();
    t.setTimeout(1);
    expect(t.config("AbsoluteTimeout")).toBe("false");
    const started = Date.now();
    const err = await t.SSHLogon("127.0.0.1", port).catch((e) => e);
    const elapsed = Date.now() - started;
    expect(err.code).toBe(SSHTunnelErrorCodes.TIMEOUT);
    expect(err.message).toMatch(/no data moved for 1 s/);
    expect(elapsed).toBeGreaterThan(3500);
  });

  test("AbsoluteTimeout: the same server fails after Timeout seconds however much it sends", async () => {
    const port = await tricklingServer(300);
    const t = tunnel();
    t.setTimeout(1);
    t.config("AbsoluteTimeout=true");
    const started = Date.now();
    const err = await t.SSHLogon("127.0.0.1", port).catch((e) => e);
    const elapsed = Date.now() - started;
    expect(err.code).toBe(SSHTunnelErrorCodes.TIMEOUT);
    expect(err.message).toMatch(/timed out after 1 s \(Timeout, AbsoluteTimeout\)/);
    expect(elapsed).toBeLessThan(2500);
  });

  test("Timeout 0: no limit; SSHLogoff cancels the waiting SSHLogon (ABORTED, 1012)", async () => {
    const srv = await listenLocal(() => {});
    servers.push(srv);
    const t = tunnel();
    t.setTimeout(0);
    const logon = t.SSHLogon("127.0.0.1", srv.port).catch((e) => e);
    await sleep(1200);
    await t.SSHLogoff();
    const err = await logon;
    expect(err.code).toBe(SSHTunnelErrorCodes.ABORTED);
  });

  test.skipIf(!sshd)(
    "sendChannelData under Timeout: a peer that stops reading makes a waiting send fail with 1011",
    async () => {
      const s = requireSshd(sshd);
      const t = passwordTunnel(s);
      let id = "";
      t.on("SSHChannelOpened", (e) => {
        id = e.channelId;
      });
      await t.SSHLogon(s.host, s.port);
      try {
        await t.requestForwarding("127.0.0.1", 0, "", 0);
        const remote = await connectTo(Number(t.config("ForwardedPort")));
        remote.pause();
        await until(() => id !== "", "channel");
        t.setTimeout(1);
        const chunk = new Uint8Array(256 * 1024);
        let err: { code: number; message: string } | undefined;
        for (let i = 0; i < 400 && !err; i++) {
          err = await t.sendChannelData(id, chunk).then(
            () => undefined,
            (e) => e,
          );
        }
        expect(err?.code).toBe(SSHTunnelErrorCodes.TIMEOUT);
        expect(err?.message).toMatch(/sendChannelData on channel 1 timed out: no data moved for 1 s/);
        remote.destroy();
      } finally {
        await t.SSHLogoff();
      }
    },
  );
});
