/**
 * connectViaProxy as a whole: an unreachable proxy, a proxy that never answers (timeout), an
 * abort, the socket handed over clean, and parseProxyUrl.
 * @module
 */
import { createServer, type Server, type Socket } from "node:net";
import { connectTcp, connectViaProxy, DEFAULT_SOCKS_PORT, ProxyError, parseProxyUrl } from "@purssh/net";
import { SshError } from "@purssh/wire";
import { afterEach, describe, expect, test } from "vitest";
import { type FakeProxy, startFakeProxy } from "./proxy-fake.js";

const proxies: FakeProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
});

/** A port with nothing listening (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv: Server = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A proxy that accepts and reads, but never answers. */
async function mute(): Promise<FakeProxy> {
  const p = await startFakeProxy(() => {});
  proxies.push(p);
  return p;
}

describe("connectViaProxy", () => {
  test("a proxy nobody listens on: ERR_PROXY_CONNECT_FAILED naming the proxy and the cause", async () => {
    const port = await closedPort();
    const err = await connectViaProxy({ type: "socks5", host: "127.0.0.1", port }, { host: "x", port: 22 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProxyError);
    expect(err).toBeInstanceOf(SshError);
    expect(err).toMatchObject({ code: "ERR_PROXY_CONNECT_FAILED" });
    expect((err as Error).message).toMatch(
      new RegExp(`cannot reach the socks5 proxy 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });

  test.each(["socks4", "socks4a", "socks5", "http"] as const)(
    "%s: a proxy that never answers times out with ERR_PROXY_TIMEOUT and the socket is closed",
    async (type) => {
      const proxy = await mute();
      const started = Date.now();
      const err = await connectViaProxy(
        { type, host: "127.0.0.1", port: proxy.port },
        { host: "127.0.0.1", port: 22 },
        { timeoutMs: 150 },
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "ERR_PROXY_TIMEOUT" });
      expect((err as Error).message).toMatch(/within 150 ms \(waiting for the proxy's answer\)/);
      expect(Date.now() - started).toBeLessThan(5000);
      await proxy.closed(0); // the client destroyed its side
    },
  );

  test("an abort ends the handshake with ERR_ABORTED and closes the socket", async () => {
    const proxy = await mute();
    const ac = new AbortController();
    const pending = connectViaProxy(
      { type: "socks5", host: "127.0.0.1", port: proxy.port },
      { host: "127.0.0.1", port: 22 },
      { signal: ac.signal },
    );
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: "ERR_ABORTED" });
    await proxy.closed(0);
  });

  test("an already aborted signal fails before connecting", async () => {
    const proxy = await mute();
    await expect(
      connectViaProxy(
        { type: "http", host: "127.0.0.1", port: proxy.port },
        { host: "h", port: 22 },
        { signal: AbortSignal.abort() },
      ),
    ).rejects.toMatchObject({ code: "ERR_ABORTED" });
  });

  test("the socket comes back without handshake listeners, and starts flowing for its next reader", async () => {
    const proxy = await startFakeProxy(async (peer) => {
      await peer.read(3);
      peer.write(Buffer.from([5, 0]));
      await peer.read(10);
      peer.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x53, 0x53, 0x48]));
    });
    proxies.push(proxy);
    const sock = (await connectViaProxy(
      { type: "socks5", host: "127.0.0.1", port: proxy.port },
      { host: "10.0.0.1", port: 22 },
    )) as Socket;
    // Exactly the listeners a fresh socket has (net.Socket keeps one "end" listener of its own).
    const fresh = await connectTcp({ host: "127.0.0.1", port: proxy.port });
    for (const event of ["readable", "data", "end", "close", "error"]) {
      expect(sock.listenerCount(event), event).toBe(fresh.listenerCount(event));
    }
    fresh.destroy();
    // Attach later, as the SSH socket pump does: nothing was lost meanwhile.
    await new Promise((r) => setTimeout(r, 20));
    const first = await new Promise<Buffer>((resolve) => sock.once("data", resolve));
    expect(first.toString()).toBe("SSH");
    sock.destroy();
  });

  test("invalid proxy or target options are rejected before any connection", async () => {
    const bad = [
      [
        { type: "socks6", host: "h", port: 1 },
        { host: "t", port: 1 },
      ],
      [
        { type: "socks5", host: "", port: 1 },
        { host: "t", port: 1 },
      ],
      [
        { type: "socks5", host: "h", port: 0 },
        { host: "t", port: 1 },
      ],
      [
        { type: "socks5", host: "h", port: 1 },
        { host: "t", port: 70000 },
      ],
      [
        { type: "http", host: "h", port: 1, password: "p" },
        { host: "t", port: 1 },
      ],
    ] as const;
    for (const [proxy, target] of bad) {
      await expect(connectViaProxy(proxy as never, target)).rejects.toMatchObject({
        code: "ERR_PROXY_INVALID_OPTIONS",
      });
    }
  });
});

describe("parseProxyUrl", () => {
  test.each([
    [
      "socks5://user:pw@proxy.example:1080",
      { type: "socks5", host: "proxy.example", port: 1080, username: "user", password: "pw" },
    ],
    ["socks5h://proxy.example", { type: "socks5", host: "proxy.example", port: DEFAULT_SOCKS_PORT }],
    ["socks4://10.0.0.1:9050", { type: "socks4", host: "10.0.0.1", port: 9050 }],
    ["socks4a://me@tor.lan:9050", { type: "socks4a", host: "tor.lan", port: 9050, username: "me" }],
    [
      "http://a%40b:p%3Aw%20d@[::1]:3128/",
      { type: "http", host: "::1", port: 3128, username: "a@b", password: "p:w d" },
    ],
    ["http://proxy", { type: "http", host: "proxy", port: 8080 }],
    ["socks5://user:@h:1", { type: "socks5", host: "h", port: 1, username: "user", password: "" }],
  ])("%s", (url, expected) => {
    expect(parseProxyUrl(url)).toEqual(expected);
  });

  test.each(["https://proxy:443", "ftp://x", "socks5://h:1/path", "not a url", "socks5://h:1?x=1"])(
    "rejects %s",
    (url) => {
      expect(() => parseProxyUrl(url)).toThrow(ProxyError);
      try {
        parseProxyUrl(url);
      } catch (e) {
        expect(e).toMatchObject({ code: "ERR_PROXY_INVALID_OPTIONS" });
      }
    },
  );
});
