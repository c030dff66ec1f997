/**
 * SOCKS5 (RFC 1928) and its username/password method (RFC 1929) against a scripted fake proxy:
 * request bytes for each ATYP, every REP code, every BND.ADDR form in the reply, split reads,
 * tunnel bytes behind the reply, method negotiation failures and malformed answers.
 * @module
 */
import { connectViaProxy, ipv6Bytes, ProxyError, SOCKS5_REPLY, socks5ReplyMessage } from "@purssh/net";
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

const IPV4_SUCCESS = [5, 0, 0, 1, 127, 0, 0, 1, 0x04, 0x38];

/** Reads a no-auth greeting and answers method 0; then reads a CONNECT request of `length` bytes. */
async function noAuthAndRequest(peer: ScriptedPeer, length: number): Promise<Buffer> {
  expect([...(await peer.read(3))]).toEqual([5, 1, 0]);
  peer.write(Buffer.from([5, 0]));
  return peer.read(length);
}

const to = (port: number, extra: object = {}) => ({ type: "socks5" as const, host: "127.0.0.1", port, ...extra });

describe("RFC 1928 SOCKS5 CONNECT", () => {
  test("§3/§4: no-auth greeting, CONNECT by domain name (ATYP 3), tunnel after the reply", async () => {
    let request: Buffer | undefined;
    const proxy = await fake(async (peer) => {
      request = await noAuthAndRequest(peer, 4 + 1 + 11 + 2);
      peer.write(Buffer.from(IPV4_SUCCESS));
      peer.echo();
    });
    const sock = await connectViaProxy(to(proxy.port), { host: "example.com", port: 22 });
    expect([...request!]).toEqual([5, 1, 0, 3, 11, ...Buffer.from("example.com"), 0, 22]);
    sock.write("through");
    expect((await readBytes(sock, 7)).toString()).toBe("through");
    sock.destroy();
  });

  test("§5: an IPv4 literal goes as ATYP 1, an IPv6 literal as ATYP 4 (16 bytes)", async () => {
    const requests: Buffer[] = [];
    const proxy = await fake(async (peer) => {
      const head = await noAuthAndRequest(peer, 4);
      const rest = await peer.read(head[3] === 1 ? 6 : 18);
      requests.push(Buffer.concat([head, rest]));
      peer.write(Buffer.from(IPV4_SUCCESS));
    });
    (await connectViaProxy(to(proxy.port), { host: "198.51.100.9", port: 443 })).destroy();
    (await connectViaProxy(to(proxy.port), { host: "2001:db8::1", port: 22 })).destroy();
    expect([...requests[0]!]).toEqual([5, 1, 0, 1, 198, 51, 100, 9, 1, 187]);
    expect([...requests[1]!]).toEqual([5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1, 0, 22]);
  });

  test("IPv6 text forms (RFC 4291 §2.2) become the right 16 bytes", () => {
    expect([...ipv6Bytes("::1")]).toEqual([...new Array(15).fill(0), 1]);
    expect([...ipv6Bytes("::ffff:192.0.2.1")]).toEqual([...new Array(10).fill(0), 0xff, 0xff, 192, 0, 2, 1]);
    expect([...ipv6Bytes("fe80::1:2%eth0")]).toEqual([0xfe, 0x80, ...new Array(10).fill(0), 0, 1, 0, 2]);
    expect([...ipv6Bytes("1:2:3:4:5:6:7:8")]).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
  });

  test.each([
    ["IPv4", [1, 10, 0, 0, 1]],
    ["IPv6", [4, ...new Array(16).fill(0xab)]],
    ["domain name", [3, 9, ...Buffer.from("proxy.lan")]],
  ])("§6: a reply with a %s BND.ADDR is read to its last byte; the next byte is the tunnel's", async (_n, addr) => {
    const proxy = await fake(async (peer) => {
      await noAuthAndRequest(peer, 10);
      await peer.writeSplit(Buffer.from([5, 0, 0, ...addr, 0x12, 0x34, ...Buffer.from("SSH-2.0-x\r\n")]), 1);
    });
    const sock = await connectViaProxy(to(proxy.port), { host: "10.0.0.2", port: 22 });
    expect((await readBytes(sock, 11)).toString()).toBe("SSH-2.0-x\r\n");
    sock.destroy();
  });

  test.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 255].map((rep) => [rep, socks5ReplyMessage(rep)] as const))(
    "§6: REP %i is a refusal: %s",
    async (rep, text) => {
      const proxy = await fake(async (peer) => {
        await noAuthAndRequest(peer, 10);
        peer.write(Buffer.from([5, rep, 0, 1, 0, 0, 0, 0, 0, 0]));
      });
      const err = await connectViaProxy(to(proxy.port), { host: "10.0.0.2", port: 22 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProxyError);
      expect(err).toMatchObject({ code: "ERR_PROXY_REFUSED", reply: rep });
      expect((err as Error).message).toBe(
        `socks5 proxy 127.0.0.1:${proxy.port} refused to connect to 10.0.0.2:22: ${text} (SOCKS5 reply ${rep})`,
      );
    },
  );

  test("every assigned REP has its RFC 1928 wording", () => {
    expect(socks5ReplyMessage(SOCKS5_REPLY.NOT_ALLOWED_BY_RULESET)).toBe("connection not allowed by ruleset");
    expect(socks5ReplyMessage(SOCKS5_REPLY.CONNECTION_REFUSED)).toBe("connection refused");
    expect(socks5ReplyMessage(SOCKS5_REPLY.ADDRESS_TYPE_NOT_SUPPORTED)).toBe("address type not supported");
    expect(socks5ReplyMessage(42)).toBe("unassigned reply code 42");
  });

  test("a refusal sent as just VER and REP before a close still reports the REP", async () => {
    const proxy = await fake(async (peer) => {
      await noAuthAndRequest(peer, 10);
      peer.socket.end(Buffer.from([5, 4]));
    });
    await expect(connectViaProxy(to(proxy.port), { host: "10.0.0.2", port: 22 })).rejects.toMatchObject({
      code: "ERR_PROXY_REFUSED",
      message: expect.stringContaining("host unreachable"),
    });
  });

  test.each([
    ["a method selection with VER 4", [4, 0], /method selection has version 4/],
    ["an unoffered method (GSSAPI)", [5, 1], /chose GSSAPI, which was not offered/],
    ["username/password chosen though not offered", [5, 2], /chose username\/password, which was not offered/],
  ])("§3: %s is a protocol error", async (_n, selection, message) => {
    const proxy = await fake(async (peer) => {
      await peer.read(3);
      peer.write(Buffer.from(selection));
    });
    await expect(connectViaProxy(to(proxy.port), { host: "10.0.0.2", port: 22 })).rejects.toMatchObject({
      code: "ERR_PROXY_PROTOCOL",
      message: expect.stringMatching(message),
    });
  });

  test.each([
    ["VER 4", [4, 0, 0, 1], /version 4/],
    ["RSV 1", [5, 0, 1, 1], /RSV 1/],
    ["ATYP 2", [5, 0, 0, 2], /address type 2/],
  ])("§6: a reply with %s is a protocol error", async (_n, head, message) => {
    const proxy = await fake(async (peer) => {
      await noAuthAndRequest(peer, 10);
      peer.write(Buffer.from([...head, 0, 0, 0, 0, 0, 0]));
    });
    await expect(connectViaProxy(to(proxy.port), { host: "10.0.0.2", port: 22 })).rejects.toMatchObject({
      code: "ERR_PROXY_PROTOCOL",
      message: expect.stringMatching(message),
    });
  });

  test("a reply cut short inside BND.ADDR is a protocol error naming how far it got", async () => {
    const proxy = await fake(async (peer) => {
      await noAuthAndRequest(peer, 10);
      peer.socket.end(Buffer.from([5, 0, 0, 1, 127, 0]));
    });
    await expect(connectViaProxy(to(proxy.port), { host: "10.0.0.2", port: 22 })).rejects.toMatchObject({
      code: "ERR_PROXY_PROTOCOL",
      message: expect.stringMatching(/after 6 of the 10 bytes of its SOCKS5 CONNECT reply/),
    });
  });
});

describe("RFC 1929 username/password", () => {
  test("§2: offers methods 0 and 2; VER=1 ULEN UNAME PLEN PASSWD; STATUS 0 continues to CONNECT", async () => {
    let greeting: Buffer | undefined;
    let auth: Buffer | undefined;
    const proxy = await fake(async (peer) => {
      greeting = await peer.read(4);
      peer.write(Buffer.from([5, 2]));
      auth = await peer.read(3 + 5 + 6);
      await peer.writeSplit(Buffer.from([1, 0]));
      await peer.read(10);
      peer.write(Buffer.from(IPV4_SUCCESS));
      peer.echo();
    });
    const sock = await connectViaProxy(to(proxy.port, { username: "alice", password: "s3cr3t" }), {
      host: "10.0.0.2",
      port: 22,
    });
    expect([...greeting!]).toEqual([5, 2, 0, 2]);
    expect([...auth!]).toEqual([1, 5, ...Buffer.from("alice"), 6, ...Buffer.from("s3cr3t")]);
    sock.write("ok");
    expect((await readBytes(sock, 2)).toString()).toBe("ok");
    sock.destroy();
  });

  test("§2: a non-zero STATUS is an authentication failure naming the user", async () => {
    const proxy = await fake(async (peer) => {
      await peer.read(4);
      peer.write(Buffer.from([5, 2]));
      await peer.read(3 + 5 + 5);
      peer.write(Buffer.from([1, 1]));
    });
    const err = await connectViaProxy(to(proxy.port, { username: "alice", password: "wrong" }), {
      host: "10.0.0.2",
      port: 22,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_PROXY_AUTH_FAILED", reply: 1 });
    expect((err as Error).message).toMatch(/rejected the username and password for user "alice"/);
  });

  test("RFC 1928 §3: method X'FF' (no acceptable methods) is an authentication failure", async () => {
    const proxy = await fake(async (peer) => {
      await peer.read(3);
      peer.write(Buffer.from([5, 0xff]));
    });
    await expect(connectViaProxy(to(proxy.port), { host: "10.0.0.2", port: 22 })).rejects.toMatchObject({
      code: "ERR_PROXY_AUTH_FAILED",
      message: expect.stringMatching(
        /accepts none of the authentication methods offered \(no authentication\).*username/,
      ),
    });
  });

  test("a proxy that picks no-auth although we have credentials is followed", async () => {
    const proxy = await fake(async (peer) => {
      await peer.read(4);
      peer.write(Buffer.from([5, 0]));
      await peer.read(10);
      peer.write(Buffer.from(IPV4_SUCCESS));
    });
    const sock = await connectViaProxy(to(proxy.port, { username: "u", password: "p" }), {
      host: "10.0.0.2",
      port: 22,
    });
    sock.destroy();
  });

  test("a status with a version other than 1 (or 5) is a protocol error", async () => {
    const proxy = await fake(async (peer) => {
      await peer.read(4);
      peer.write(Buffer.from([5, 2]));
      await peer.read(5);
      peer.write(Buffer.from([2, 0]));
    });
    await expect(
      connectViaProxy(to(proxy.port, { username: "u", password: "p" }), { host: "10.0.0.2", port: 22 }),
    ).rejects.toMatchObject({ code: "ERR_PROXY_PROTOCOL", message: expect.stringMatching(/version 2, not 1/) });
  });

  test("field lengths are one octet: a 256-byte user, password or domain name is refused before sending", async () => {
    const long = "x".repeat(256);
    for (const [proxy, host] of [
      [to(1, { username: long, password: "p" }), "h"],
      [to(1, { username: "u", password: long }), "h"],
      [to(1), long],
      [to(1, { username: "u" }), "h"],
    ] as const) {
      await expect(connectViaProxy(proxy, { host, port: 22 })).rejects.toMatchObject({
        code: "ERR_PROXY_INVALID_OPTIONS",
      });
    }
  });
});
