/**
 * SOCKS4 and SOCKS4a against a scripted fake proxy: the request bytes, every reply code, a reply
 * split into single bytes, tunnel bytes that arrive with the reply, and malformed replies.
 * @module
 */
import type { Socket } from "node:net";
import { connectViaProxy, encodeSocks4Request, ProxyError, SOCKS4_REPLY } from "@purssh/net";
import { afterEach, describe, expect, test } from "vitest";
import { type FakeProxy, readBytes, type ScriptedPeer, startFakeProxy } from "./proxy-fake.js";

const proxies: FakeProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) {
    expect(p.errors).toEqual([]);
    await p.close();
  }
});

async function fake(script: (peer: ScriptedPeer) => Promise<void> | void): Promise<FakeProxy> {
  const p = await startFakeProxy(script);
  proxies.push(p);
  return p;
}

const reply = (cd: number) => Buffer.from([0, cd, 0x1f, 0x90, 10, 0, 0, 1]);

describe("SOCKS4 CONNECT", () => {
  test("SOCKS4: VN=4 CD=1 DSTPORT DSTIP USERID NUL, then CD 90 opens the tunnel", async () => {
    let request: Buffer | undefined;
    const proxy = await fake(async (peer) => {
      request = await peer.read(8 + "alice".length + 1);
      peer.write(reply(SOCKS4_REPLY.GRANTED));
      peer.echo();
    });
    const sock = await connectViaProxy(
      { type: "socks4", host: "127.0.0.1", port: proxy.port, username: "alice" },
      { host: "192.0.2.7", port: 2222 },
    );
    expect([...request!]).toEqual([4, 1, 0x08, 0xae, 192, 0, 2, 7, ...Buffer.from("alice"), 0]);
    sock.write("ping");
    expect((await readBytes(sock, 4)).toString()).toBe("ping");
    sock.destroy();
  });

  test("SOCKS4: a host name is resolved by the client (SOCKS4 carries only an IPv4 address)", async () => {
    let request: Buffer | undefined;
    const proxy = await fake(async (peer) => {
      request = await peer.read(9);
      peer.write(reply(90));
    });
    const sock = await connectViaProxy(
      { type: "socks4", host: "127.0.0.1", port: proxy.port },
      { host: "localhost", port: 22 },
    );
    expect([...request!]).toEqual([4, 1, 0, 22, 127, 0, 0, 1, 0]);
    sock.destroy();
  });

  test("SOCKS4a: DSTIP 0.0.0.1, then USERID NUL and the host name NUL for the proxy to resolve", async () => {
    let request: Buffer | undefined;
    const proxy = await fake(async (peer) => {
      request = await peer.read(8 + 1 + "ssh.example.org".length + 1);
      peer.write(reply(90));
    });
    const sock = await connectViaProxy(
      { type: "socks4a", host: "127.0.0.1", port: proxy.port },
      { host: "ssh.example.org", port: 22 },
    );
    expect([...request!]).toEqual([4, 1, 0, 22, 0, 0, 0, 1, 0, ...Buffer.from("ssh.example.org"), 0]);
    sock.destroy();
  });

  test("SOCKS4a with an IPv4 literal sends it as an address", () => {
    expect([...encodeSocks4Request({ host: "10.1.2.3", port: 80 }, "", true)]).toEqual([4, 1, 0, 80, 10, 1, 2, 3, 0]);
  });

  test("a reply split into single bytes, with tunnel bytes right behind it, loses nothing", async () => {
    const proxy = await fake(async (peer) => {
      await peer.read(9);
      await peer.writeSplit(Buffer.concat([reply(90), Buffer.from("SSH-2.0-fake\r\n")]));
    });
    const sock = await connectViaProxy(
      { type: "socks4", host: "127.0.0.1", port: proxy.port },
      { host: "127.0.0.1", port: 22 },
    );
    expect((await readBytes(sock, 14)).toString()).toBe("SSH-2.0-fake\r\n");
    sock.destroy();
  });

  test("tunnel bytes in the same write as the reply are handed on", async () => {
    const proxy = await fake(async (peer) => {
      await peer.read(9);
      peer.write(Buffer.concat([reply(90), Buffer.from("SSH-2.0-same-segment\r\n")]));
    });
    const sock = (await connectViaProxy(
      { type: "socks4", host: "127.0.0.1", port: proxy.port },
      { host: "127.0.0.1", port: 22 },
    )) as Socket;
    expect((await readBytes(sock, 22)).toString()).toBe("SSH-2.0-same-segment\r\n");
    sock.destroy();
  });

  test.each([
    [91, /request rejected or failed \(SOCKS4 reply 91\)/],
    [92, /cannot connect to identd on the client \(SOCKS4 reply 92\)/],
    [93, /report different user ids \(SOCKS4 reply 93\)/],
    [94, /unknown reply code 94/],
  ])("reply CD %i is a refusal naming the reason", async (cd, message) => {
    const proxy = await fake(async (peer) => {
      await peer.read(9);
      peer.write(reply(cd));
    });
    const err = await connectViaProxy(
      { type: "socks4", host: "127.0.0.1", port: proxy.port },
      { host: "127.0.0.1", port: 22 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect(err).toMatchObject({ code: "ERR_PROXY_REFUSED", reply: cd });
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain(`socks4 proxy 127.0.0.1:${proxy.port}`);
    expect((err as Error).message).toContain("127.0.0.1:22");
  });

  test("a reply whose VN is not 0 (or 4) is not SOCKS4: protocol error", async () => {
    const proxy = await fake(async (peer) => {
      await peer.read(9);
      peer.write(Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]));
    });
    await expect(
      connectViaProxy({ type: "socks4", host: "127.0.0.1", port: proxy.port }, { host: "127.0.0.1", port: 22 }),
    ).rejects.toMatchObject({ code: "ERR_PROXY_PROTOCOL", message: expect.stringMatching(/version 5/) });
  });

  test("a reply cut short by a close is a protocol error; a close without any reply is a refusal", async () => {
    const short = await fake(async (peer) => {
      await peer.read(9);
      peer.socket.end(Buffer.from([0, 90, 0]));
    });
    await expect(
      connectViaProxy({ type: "socks4", host: "127.0.0.1", port: short.port }, { host: "127.0.0.1", port: 22 }),
    ).rejects.toMatchObject({ code: "ERR_PROXY_PROTOCOL", message: expect.stringMatching(/after 3 of the 8 bytes/) });
    const silent = await fake(async (peer) => {
      await peer.read(9);
      peer.socket.end();
    });
    await expect(
      connectViaProxy({ type: "socks4", host: "127.0.0.1", port: silent.port }, { host: "127.0.0.1", port: 22 }),
    ).rejects.toMatchObject({ code: "ERR_PROXY_REFUSED", message: expect.stringMatching(/closed the connection/) });
  });

  test("SOCKS4 cannot carry an IPv6 target; a user id with NUL cannot be sent", async () => {
    await expect(
      connectViaProxy({ type: "socks4", host: "127.0.0.1", port: 1080 }, { host: "::1", port: 22 }),
    ).rejects.toMatchObject({ code: "ERR_PROXY_INVALID_OPTIONS" });
    await expect(
      connectViaProxy(
        { type: "socks4a", host: "127.0.0.1", port: 1080, username: "a\0b" },
        { host: "example.org", port: 22 },
      ),
    ).rejects.toMatchObject({ code: "ERR_PROXY_INVALID_OPTIONS" });
  });
});
