/**
 * HTTP CONNECT (RFC 9110 §9.3.6) against a scripted fake proxy: the request head, Basic
 * credentials (RFC 7617), extra headers (FirewallData), 2xx with tunnel bytes behind the head,
 * 407 and other refusals, interim 1xx, malformed and over-long heads, and split reads.
 * @module
 */
import {
  basicCredentials,
  connectViaProxy,
  MAX_HTTP_HEADER_LINES,
  MAX_HTTP_RESPONSE_HEAD_BYTES,
  ProxyError,
  parseResponseHead,
} from "@purssh/net";
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

const http = (port: number, extra: object = {}) => ({ type: "http" as const, host: "127.0.0.1", port, ...extra });
const target = { host: "ssh.example.org", port: 22 };

/** A proxy that reads the request head and answers with `response` (then echoes when asked). */
async function answering(response: string | Buffer, options: { echo?: boolean; split?: boolean } = {}) {
  const heads: string[] = [];
  const proxy = await fake(async (peer) => {
    heads.push(await peer.readHead());
    if (options.split) await peer.writeSplit(response, 1);
    else peer.write(response);
    if (options.echo) peer.echo();
  });
  return { proxy, heads };
}

describe("RFC 9110 §9.3.6 CONNECT", () => {
  test("request: CONNECT authority HTTP/1.1, Host, then the empty line; 200 opens the tunnel", async () => {
    const { proxy, heads } = await answering("HTTP/1.1 200 Connection established\r\n\r\n", { echo: true });
    const sock = await connectViaProxy(http(proxy.port), target);
    expect(heads[0]).toBe("CONNECT ssh.example.org:22 HTTP/1.1\r\nHost: ssh.example.org:22\r\n\r\n");
    sock.write("hello");
    expect((await readBytes(sock, 5)).toString()).toBe("hello");
    sock.destroy();
  });

  test("an IPv6 target is written in brackets (RFC 3986 authority)", async () => {
    const { proxy, heads } = await answering("HTTP/1.1 200 OK\r\n\r\n");
    (await connectViaProxy(http(proxy.port), { host: "2001:db8::5", port: 2222 })).destroy();
    expect(heads[0]).toMatch(/^CONNECT \[2001:db8::5\]:2222 HTTP\/1\.1\r\nHost: \[2001:db8::5\]:2222\r\n/);
  });

  test("RFC 7617: Proxy-Authorization: Basic base64(user:password); extra headers follow (FirewallData)", async () => {
    const { proxy, heads } = await answering("HTTP/1.0 200 OK\r\n\r\n");
    const sock = await connectViaProxy(
      http(proxy.port, {
        username: "alice",
        password: "pä:ss",
        headers: { "X-Firewall-Data": "token=42; zone=dmz", "User-Agent": "purssh" },
      }),
      target,
    );
    sock.destroy();
    expect(basicCredentials("alice", "pä:ss")).toBe(`Basic ${Buffer.from("alice:pä:ss", "utf8").toString("base64")}`);
    expect(heads[0]).toBe(
      "CONNECT ssh.example.org:22 HTTP/1.1\r\n" +
        "Host: ssh.example.org:22\r\n" +
        `Proxy-Authorization: ${basicCredentials("alice", "pä:ss")}\r\n` +
        "X-Firewall-Data: token=42; zone=dmz\r\n" +
        "User-Agent: purssh\r\n\r\n",
    );
  });

  test("an extra header named like one of ours replaces it rather than repeating it", async () => {
    const { proxy, heads } = await answering("HTTP/1.1 200 OK\r\n\r\n");
    (await connectViaProxy(http(proxy.port, { headers: { host: "front.example:443" } }), target)).destroy();
    expect(heads[0]).toBe("CONNECT ssh.example.org:22 HTTP/1.1\r\nhost: front.example:443\r\n\r\n");
  });

  test("bytes after the head's empty line are the tunnel's; Content-Length of a 2xx is ignored", async () => {
    const { proxy } = await answering(
      "HTTP/1.1 200 Connection established\r\nContent-Length: 5\r\nProxy-agent: fake\r\n\r\nSSH-2.0-OpenSSH_9.2\r\n",
    );
    const sock = await connectViaProxy(http(proxy.port), target);
    expect((await readBytes(sock, 21)).toString()).toBe("SSH-2.0-OpenSSH_9.2\r\n");
    sock.destroy();
  });

  test("a response split into single bytes, head and tunnel bytes, loses nothing", async () => {
    const { proxy } = await answering("HTTP/1.1 200 OK\r\nVia: 1.1 fake\r\n\r\nSSH-2.0-split\r\n", { split: true });
    const sock = await connectViaProxy(http(proxy.port), target);
    expect((await readBytes(sock, 15)).toString()).toBe("SSH-2.0-split\r\n");
    sock.destroy();
  });

  test("RFC 9112 §2.2: a head with bare LF line ends is accepted", async () => {
    const { proxy } = await answering("HTTP/1.1 200 OK\nServer: lf\n\nrest");
    const sock = await connectViaProxy(http(proxy.port), target);
    expect((await readBytes(sock, 4)).toString()).toBe("rest");
    sock.destroy();
  });

  test("RFC 9110 §15.2: an interim 100 response is skipped before the final 200", async () => {
    const { proxy } = await answering("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\ntunnel");
    const sock = await connectViaProxy(http(proxy.port), target);
    expect((await readBytes(sock, 6)).toString()).toBe("tunnel");
    sock.destroy();
  });

  test("407 without credentials: authentication required, quoting the challenge", async () => {
    const { proxy } = await answering(
      'HTTP/1.0 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nConnection: close\r\n\r\n<html>',
    );
    const err = await connectViaProxy(http(proxy.port), target).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect(err).toMatchObject({ code: "ERR_PROXY_AUTH_FAILED", reply: 407 });
    expect((err as Error).message).toBe(
      `http proxy 127.0.0.1:${proxy.port} requires authentication (HTTP 407 Proxy Authentication Required); it asks for: Basic realm="corp"`,
    );
  });

  test("401 to a CONNECT with credentials (tinyproxy's answer to a wrong password) is an authentication failure", async () => {
    const { proxy } = await answering("HTTP/1.1 401 Unauthorized\r\n\r\n");
    await expect(
      connectViaProxy(http(proxy.port, { username: "alice", password: "bad" }), target),
    ).rejects.toMatchObject({
      code: "ERR_PROXY_AUTH_FAILED",
      reply: 401,
      message: `http proxy 127.0.0.1:${proxy.port} rejected the credentials for user "alice" (HTTP 401 Unauthorized)`,
    });
  });

  test("407 with credentials: the credentials were rejected", async () => {
    const { proxy } = await answering("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
    await expect(
      connectViaProxy(http(proxy.port, { username: "alice", password: "bad" }), target),
    ).rejects.toMatchObject({
      code: "ERR_PROXY_AUTH_FAILED",
      message: expect.stringMatching(/rejected the credentials for user "alice" \(HTTP 407/),
    });
  });

  test.each([
    ["HTTP/1.1 403 Access violation\r\n\r\n", 403, "HTTP 403 Access violation"],
    ["HTTP/1.1 500 Unable to connect\r\n\r\n", 500, "HTTP 500 Unable to connect"],
    ["HTTP/1.1 502 \r\n\r\n", 502, "HTTP 502"],
    ["HTTP/1.1 101 Switching Protocols\r\n\r\n", 101, "HTTP 101 Switching Protocols"],
    ["HTTP/1.1 301 Moved Permanently\r\nLocation: /\r\n\r\n", 301, "HTTP 301 Moved Permanently"],
  ])("a non-2xx final status is a refusal quoting it: %j", async (response, status, quoted) => {
    const { proxy } = await answering(response);
    const err = await connectViaProxy(http(proxy.port), target).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ERR_PROXY_REFUSED", reply: status });
    expect((err as Error).message).toBe(
      `http proxy 127.0.0.1:${proxy.port} refused to connect to ssh.example.org:22: ${quoted}`,
    );
  });

  test.each([
    ["SSH-2.0-OpenSSH_9.2\r\n\r\n", /is not an HTTP status line/],
    ["HTTP/1.1 2000 OK\r\n\r\n", /is not an HTTP status line/],
    ["HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", /malformed header line "no colon here"/],
    ["HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", /malformed header line/],
  ])("a malformed head is a protocol error: %j", async (response, message) => {
    const { proxy } = await answering(response);
    await expect(connectViaProxy(http(proxy.port), target)).rejects.toMatchObject({
      code: "ERR_PROXY_PROTOCOL",
      message: expect.stringMatching(message),
    });
  });

  test(`a head longer than MAX_HTTP_RESPONSE_HEAD_BYTES (${MAX_HTTP_RESPONSE_HEAD_BYTES}) is refused, whatever follows`, async () => {
    let proxyClosed = false;
    const proxy = await fake(async (peer) => {
      await peer.readHead();
      peer.socket.on("close", () => {
        proxyClosed = true;
      });
      const line = `X-Filler: ${"a".repeat(1000)}\r\n`;
      peer.write("HTTP/1.1 200 OK\r\n");
      // Keep sending: the client must stop reading at the bound, not buffer without end.
      for (let i = 0; i < 64 && !peer.socket.destroyed; i++) peer.write(line);
    });
    await expect(connectViaProxy(http(proxy.port), target)).rejects.toMatchObject({
      code: "ERR_PROXY_PROTOCOL",
      message: expect.stringMatching(new RegExp(`longer than ${MAX_HTTP_RESPONSE_HEAD_BYTES} bytes`)),
    });
    await proxy.closed(0);
    expect(proxyClosed).toBe(true);
  });

  test(`more than MAX_HTTP_HEADER_LINES (${MAX_HTTP_HEADER_LINES}) header lines is a protocol error`, () => {
    const head = `HTTP/1.1 200 OK\r\n${"A: b\r\n".repeat(MAX_HTTP_HEADER_LINES + 1)}\r\n`;
    expect(() => parseResponseHead(Buffer.from(head), "p")).toThrow(/more than 100 header lines/);
    const ok = parseResponseHead(Buffer.from("HTTP/1.1 200 OK\r\nA: 1\r\na:  2 \r\nB: x\r\n  folded\r\n\r\n"), "p");
    expect(ok.headers.get("a")).toEqual(["1", "2"]);
    expect(ok.headers.get("b")).toEqual(["x folded"]);
  });

  test("a close in the middle of the head is a protocol error; a close before any byte a refusal", async () => {
    const cut = await fake(async (peer) => {
      await peer.readHead();
      peer.socket.end("HTTP/1.1 200 OK\r\nVia: x\r\n");
    });
    await expect(connectViaProxy(http(cut.port), target)).rejects.toMatchObject({
      code: "ERR_PROXY_PROTOCOL",
      message: expect.stringMatching(/closed in the middle of the CONNECT response \(after 25 bytes\)/),
    });
    const silent = await fake(async (peer) => {
      await peer.readHead();
      peer.socket.end();
    });
    await expect(connectViaProxy(http(silent.port), target)).rejects.toMatchObject({ code: "ERR_PROXY_REFUSED" });
  });

  test("header names must be tokens and values free of CR/LF/NUL (no request smuggling)", async () => {
    for (const headers of [{ "X-A": "1\r\nX-Injected: 2" }, { "Bad Name": "v" }, { "X-N": "a\0" }]) {
      await expect(connectViaProxy(http(1, { headers }), target)).rejects.toMatchObject({
        code: "ERR_PROXY_INVALID_OPTIONS",
      });
    }
    await expect(connectViaProxy(http(1, { username: "a:b", password: "p" }), target)).rejects.toMatchObject({
      code: "ERR_PROXY_INVALID_OPTIONS",
      message: expect.stringMatching(/colon/),
    });
    await expect(connectViaProxy(http(1), { host: "evil\r\nX: y", port: 22 })).rejects.toMatchObject({
      code: "ERR_PROXY_INVALID_OPTIONS",
    });
  });
});
