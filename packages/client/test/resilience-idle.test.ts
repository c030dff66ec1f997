// channelIdleTimeoutMs (the seed's DefaultChannelIdleTimeout, OpenSSH's ChannelTimeout): a
// forwarded connection with no data either way is closed after the timeout, one with traffic is
// not, and a quiet session channel is left alone.
import { ChannelIdleWatch, connect, type ForwardedConnection } from "@purssh/client";
import type { Channel } from "@purssh/connection";
import { withTimeout } from "@purssh/testkit";
import { afterEach, describe, expect, test } from "vitest";
import { dial, login, next, startServer } from "./resilience-rig.js";

describe("ChannelIdleWatch", () => {
  function fakeChannel(type: string) {
    const ch = { type, localId: 1, closed: false, bytesSent: 0, bytesReceived: 0, close: () => {} };
    ch.close = () => {
      ch.closed = true;
    };
    return ch;
  }

  test("closes a forwarding channel after idleMs without bytes; traffic restarts the clock; sessions are exempt", () => {
    let now = 0;
    const forwarded = fakeChannel("forwarded-tcpip");
    const direct = fakeChannel("direct-tcpip");
    const session = fakeChannel("session");
    const all = [forwarded, direct, session] as unknown as Channel[];
    const watch = new ChannelIdleWatch(
      () => all,
      1000,
      undefined,
      () => now,
    );
    expect(watch.scan()).toBe(0); // first sight at 0
    now = 900;
    direct.bytesReceived = 10; // activity at 900
    expect(watch.scan()).toBe(0);
    now = 1000;
    expect(watch.scan()).toBe(1);
    expect(forwarded.closed).toBe(true);
    expect(direct.closed).toBe(false);
    now = 1899;
    expect(watch.scan()).toBe(0);
    now = 1900;
    expect(watch.scan()).toBe(1);
    expect(direct.closed).toBe(true);
    now = 100_000;
    expect(watch.scan()).toBe(0);
    expect(session.closed).toBe(false);
  });
});

describe("channelIdleTimeoutMs (our client ↔ embedded server)", { timeout: 20_000 }, () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
  });

  async function tunnel(channelIdleTimeoutMs: number) {
    const s = await startServer({
      exec: (req) => {
        // A quiet command: silent for three idle timeouts, then one line.
        setTimeout(() => {
          req.stream.write("done\n");
          req.exit(0);
        }, 3 * channelIdleTimeoutMs);
      },
    });
    cleanup.push(() => s.server.close());
    const client = await connect(login(s.server, s.port, { channelIdleTimeoutMs }));
    cleanup.push(() => client.close());
    const listener = await client.listen({ host: "127.0.0.1", port: 0 });
    return { client, listener };
  }

  test("a forwarded connection idle for the timeout is closed, not before", async () => {
    const idleMs = 300;
    const { listener } = await tunnel(idleMs);
    const arrived = next<[ForwardedConnection]>(listener, "connection");
    const sock = await dial(listener.port);
    const [conn] = await withTimeout(arrived, 5000, "the forwarded connection");
    conn.on("data", (d: Buffer) => conn.write(d));
    const echoed = next<[Buffer]>(sock, "data");
    sock.write("ping");
    expect(String((await withTimeout(echoed, 5000, "echo"))[0])).toBe("ping");
    const lastByte = performance.now();
    const ended = new Promise<void>((resolve) => sock.once("end", resolve));
    await withTimeout(ended, 5000, "the idle channel's close");
    const idleFor = performance.now() - lastByte;
    // The echo reached `sock` a little after the channel's last byte: allow that much.
    expect(idleFor).toBeGreaterThanOrEqual(idleMs - 100);
    expect(idleFor).toBeLessThan(idleMs * 1.25 + 1000);
    expect(conn.channel.closed).toBe(true);
    sock.destroy();
  });

  test("a forwarded connection with traffic more often than the timeout stays open", async () => {
    const idleMs = 400;
    const { listener } = await tunnel(idleMs);
    const arrived = next<[ForwardedConnection]>(listener, "connection");
    const sock = await dial(listener.port);
    const [conn] = await withTimeout(arrived, 5000, "the forwarded connection");
    let received = 0;
    conn.on("data", (d: Buffer) => {
      received += d.length;
    });
    for (let i = 0; i < 25; i++) {
      const through = next(conn, "data");
      sock.write("x");
      await withTimeout(through, 2000, "a byte through the tunnel");
      // The next byte follows 60 ms later: 25 of them span four timeouts.
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(received).toBe(25);
    expect(conn.channel.closed).toBe(false);
    expect(sock.destroyed).toBe(false);
    sock.destroy();
  });

  test("a session channel quiet for longer than the timeout is not an idle forwarding", async () => {
    const idleMs = 100;
    const { client } = await tunnel(idleMs);
    const result = await withTimeout(client.exec("sleep-then-print"), 5000, "exec");
    expect(new TextDecoder().decode(result.stdout)).toBe("done\n");
    expect(result.exitStatus).toBe(0);
  });
});
