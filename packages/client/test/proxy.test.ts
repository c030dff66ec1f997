/**
 * connect({ proxy }) end to end: our client reaches the real OpenSSH sshd through real proxy
 * servers started by the tests — Dante (SOCKS4, SOCKS5 without and with RFC 1929 authentication),
 * OpenSSH's own `ssh -D` (SOCKS4a: the host name goes to the proxy) and tinyproxy (HTTP CONNECT,
 * with Basic authentication and extra headers) — and carries 10 MiB byte-exact both ways through a
 * reverse tunnel (sshd listens, our client relays to an echo server). Refusals by each proxy reject
 * connect() with a ProxyError saying why.
 * @module
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { connect, type SshClient } from "@purssh/client";
import { ProxyError, type ProxyOptions } from "@purssh/net";
import {
  freePort,
  type ProxyServerHandle,
  proxyServerAvailable,
  randomBytes,
  relayConnections,
  requireSshd,
  roundTripThrough,
  type SshdInfo,
  sha256Hex,
  startDante,
  startEchoServer,
  startSshSocksProxy,
  startTinyproxy,
  TEST_PASSWORD,
  TEST_USER,
} from "@purssh/testkit";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";

const sshd = inject("sshd");
const haveDante = proxyServerAvailable("danted");
const haveTinyproxy = proxyServerAvailable("tinyproxy");
const haveSsh = proxyServerAvailable("ssh");
const TUNNEL_BYTES = 10 * 1024 * 1024;

function login(s: SshdInfo, proxy: ProxyOptions, overrides: { host?: string; port?: number } = {}): Promise<SshClient> {
  return connect({
    host: overrides.host ?? s.host,
    port: overrides.port ?? s.port,
    username: s.user,
    password: s.password,
    hostKeys: [s.hostKeyPublic],
    proxy,
    timeoutMs: 30_000,
  });
}

/** Reverse tunnel: sshd listens on a port-0 forward, we relay to an echo server; 10 MiB there and back. */
async function carryThroughReverseTunnel(client: SshClient): Promise<void> {
  const echo = await startEchoServer();
  try {
    const listener = await client.listen({ host: "127.0.0.1", port: 0 });
    relayConnections(listener, echo.port);
    const data = randomBytes(TUNNEL_BYTES);
    const back = await roundTripThrough(listener.port, data);
    expect(back.length).toBe(TUNNEL_BYTES);
    expect(sha256Hex(back)).toBe(sha256Hex(data));
    expect(echo.connections).toBe(1);
    await listener.close();
  } finally {
    await client.close();
    await echo.close();
  }
}

async function rejection(p: Promise<SshClient>): Promise<ProxyError> {
  const e = await p.then(
    async (c) => {
      await c.close();
      throw new Error("connect() succeeded but should have been refused");
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ProxyError);
  return e as ProxyError;
}

describe.skipIf(!sshd || !haveDante)("through Dante (SOCKS4, SOCKS5)", { timeout: 120_000 }, () => {
  let open: ProxyServerHandle & { users: string[]; password: string };
  let withAuth: ProxyServerHandle & { users: string[]; password: string };
  let blockedPort: number;
  beforeAll(async () => {
    requireSshd(sshd);
    blockedPort = await freePort();
    [open, withAuth] = await Promise.all([
      startDante({ auth: "none", blockPorts: [blockedPort] }),
      startDante({ auth: "username" }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([open?.stop(), withAuth?.stop()]);
  });

  test("SOCKS4: login and 10 MiB byte-exact through a reverse tunnel", async () => {
    const s = requireSshd(sshd);
    await carryThroughReverseTunnel(
      await login(s, { type: "socks4", host: open.host, port: open.port, username: "purssh" }),
    );
    expect(open.readLog()).toMatch(new RegExp(`pass\\(\\d+\\): tcp/connect \\[.* 127\\.0\\.0\\.1\\.${s.port}$`, "m"));
  });

  test("SOCKS5 without authentication, target by name (ATYP 3): 10 MiB byte-exact", async () => {
    const s = requireSshd(sshd);
    await carryThroughReverseTunnel(
      await login(s, { type: "socks5", host: open.host, port: open.port }, { host: "localhost" }),
    );
  });

  test("SOCKS5 with RFC 1929 username/password (a system user): 10 MiB byte-exact", async () => {
    const s = requireSshd(sshd);
    const proxy: ProxyOptions = {
      type: "socks5",
      host: withAuth.host,
      port: withAuth.port,
      username: TEST_USER,
      password: TEST_PASSWORD,
    };
    await carryThroughReverseTunnel(await login(s, proxy));
    expect(withAuth.readLog()).toMatch(new RegExp(`username%${TEST_USER}@127\\.0\\.0\\.1`));
  });

  test("a wrong password: ERR_PROXY_AUTH_FAILED naming the user", async () => {
    const s = requireSshd(sshd);
    const e = await rejection(
      login(s, { type: "socks5", host: withAuth.host, port: withAuth.port, username: TEST_USER, password: "wrong" }),
    );
    expect(e.code).toBe("ERR_PROXY_AUTH_FAILED");
    expect(e.message).toMatch(
      new RegExp(
        `socks5 proxy 127\\.0\\.0\\.1:${withAuth.port} rejected the username and password for user "${TEST_USER}"`,
      ),
    );
  });

  test("no credentials where the proxy demands them: ERR_PROXY_AUTH_FAILED (no acceptable methods)", async () => {
    const s = requireSshd(sshd);
    const e = await rejection(login(s, { type: "socks5", host: withAuth.host, port: withAuth.port }));
    expect(e.code).toBe("ERR_PROXY_AUTH_FAILED");
    expect(e.message).toMatch(/accepts none of the authentication methods offered/);
  });

  test("a `socks block` rule: SOCKS5 reply 2 and SOCKS4 reply 91, each a clear ERR_PROXY_REFUSED", async () => {
    const s = requireSshd(sshd);
    const five = await rejection(login(s, { type: "socks5", host: open.host, port: open.port }, { port: blockedPort }));
    expect(five).toMatchObject({ code: "ERR_PROXY_REFUSED", reply: 2 });
    expect(five.message).toBe(
      `socks5 proxy 127.0.0.1:${open.port} refused to connect to 127.0.0.1:${blockedPort}: connection not allowed by ruleset (SOCKS5 reply 2)`,
    );
    const four = await rejection(login(s, { type: "socks4", host: open.host, port: open.port }, { port: blockedPort }));
    expect(four).toMatchObject({ code: "ERR_PROXY_REFUSED", reply: 91 });
    expect(four.message).toMatch(/request rejected or failed \(SOCKS4 reply 91\)/);
  });

  test("a closed target port: ERR_PROXY_REFUSED, SOCKS5 reply 5 (connection refused)", async () => {
    const s = requireSshd(sshd);
    const closed = await freePort();
    const e = await rejection(login(s, { type: "socks5", host: open.host, port: open.port }, { port: closed }));
    expect(e).toMatchObject({ code: "ERR_PROXY_REFUSED", reply: 5 });
    expect(e.message).toBe(
      `socks5 proxy 127.0.0.1:${open.port} refused to connect to 127.0.0.1:${closed}: connection refused (SOCKS5 reply 5)`,
    );
  });
});

describe.skipIf(!sshd || !haveSsh)("through OpenSSH's dynamic forwarding (SOCKS4a)", { timeout: 120_000 }, () => {
  let socks: ProxyServerHandle;
  beforeAll(async () => {
    socks = await startSshSocksProxy(requireSshd(sshd));
  }, 60_000);
  afterAll(async () => {
    await socks?.stop();
  });

  test("SOCKS4a: the proxy resolves the name; 10 MiB byte-exact through a reverse tunnel", async () => {
    const s = requireSshd(sshd);
    await carryThroughReverseTunnel(
      await login(
        s,
        { type: "socks4a", host: socks.host, port: socks.port, username: "purssh" },
        { host: "localhost" },
      ),
    );
    // sshd logs the direct-tcpip request ssh -D made for us, with the name we sent (LogLevel DEBUG1).
    expect(readFileSync(s.logPath, "utf8")).toMatch(new RegExp(`target localhost port ${s.port}\\b`));
  });
});

describe.skipIf(!sshd || !haveTinyproxy)("through tinyproxy (HTTP CONNECT)", { timeout: 120_000 }, () => {
  const basicAuth = { user: "tunnel", password: "t0p-s3cret" };
  let plain: ProxyServerHandle;
  let authed: ProxyServerHandle;
  let portLimited: ProxyServerHandle;
  let denying: ProxyServerHandle;
  beforeAll(async () => {
    requireSshd(sshd);
    [plain, authed, portLimited, denying] = await Promise.all([
      startTinyproxy(),
      startTinyproxy({ basicAuth }),
      startTinyproxy({ connectPorts: [443] }),
      startTinyproxy({ allow: ["192.0.2.0/24"] }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([plain, authed, portLimited, denying].map((p) => p?.stop()));
  });

  test("HTTP CONNECT: 10 MiB byte-exact through a reverse tunnel", async () => {
    const s = requireSshd(sshd);
    await carryThroughReverseTunnel(await login(s, { type: "http", host: plain.host, port: plain.port }));
    expect(plain.readLog()).toContain(`CONNECT 127.0.0.1:${s.port} HTTP/1.1`);
  });

  test("HTTP CONNECT with Basic authentication and extra headers: 10 MiB byte-exact", async () => {
    const s = requireSshd(sshd);
    const proxy: ProxyOptions = {
      type: "http",
      host: authed.host,
      port: authed.port,
      username: basicAuth.user,
      password: basicAuth.password,
      headers: { "X-Firewall-Data": "purssh-e2e", "User-Agent": "purssh" },
    };
    await carryThroughReverseTunnel(await login(s, proxy));
  });

  test("tinyproxy receives the extra headers (it relays them to its upstream) and consumes the credentials", async () => {
    const s = requireSshd(sshd);
    const upstream = await recordingUpstream();
    const chained = await startTinyproxy({ basicAuth, upstream: { host: "127.0.0.1", port: upstream.port } });
    try {
      const client = await login(s, {
        type: "http",
        host: chained.host,
        port: chained.port,
        username: basicAuth.user,
        password: basicAuth.password,
        headers: { "X-Firewall-Data": "zone=dmz; token=42" },
      });
      await client.close();
      expect(upstream.heads).toHaveLength(1);
      expect(upstream.heads[0]).toMatch(new RegExp(`^CONNECT 127\\.0\\.0\\.1:${s.port} HTTP/1\\.1\\r\\n`));
      expect(upstream.heads[0]).toContain("\r\nX-Firewall-Data: zone=dmz; token=42\r\n");
      expect(upstream.heads[0]).toContain("tinyproxy"); // its Via header: the head went through tinyproxy
      expect(upstream.heads[0]).not.toMatch(/Proxy-Authorization/i);
    } finally {
      await chained.stop();
      await upstream.close();
    }
  });

  test("a wrong Basic password: ERR_PROXY_AUTH_FAILED with the 407 status", async () => {
    const s = requireSshd(sshd);
    const e = await rejection(
      login(s, { type: "http", host: authed.host, port: authed.port, username: basicAuth.user, password: "nope" }),
    );
    // tinyproxy answers a wrong password with 401 (no credentials at all: 407).
    expect(e).toMatchObject({ code: "ERR_PROXY_AUTH_FAILED", reply: 401 });
    expect(e.message).toMatch(/rejected the credentials for user "tunnel" \(HTTP 401 Unauthorized\)/);
    const none = await rejection(login(s, { type: "http", host: authed.host, port: authed.port }));
    expect(none).toMatchObject({ code: "ERR_PROXY_AUTH_FAILED", reply: 407 });
    expect(none.message).toMatch(
      /requires authentication \(HTTP 407 Proxy Authentication Required\); it asks for: Basic realm="Tinyproxy"/,
    );
  });

  test("ConnectPort: a port the proxy does not allow is ERR_PROXY_REFUSED quoting 403", async () => {
    const s = requireSshd(sshd);
    const e = await rejection(login(s, { type: "http", host: portLimited.host, port: portLimited.port }));
    expect(e).toMatchObject({ code: "ERR_PROXY_REFUSED", reply: 403 });
    expect(e.message).toBe(
      `http proxy 127.0.0.1:${portLimited.port} refused to connect to 127.0.0.1:${s.port}: HTTP 403 Access violation`,
    );
  });

  test("Allow/Deny: a client address the proxy does not allow is ERR_PROXY_REFUSED", async () => {
    const s = requireSshd(sshd);
    const e = await rejection(login(s, { type: "http", host: denying.host, port: denying.port }));
    expect(e.code).toBe("ERR_PROXY_REFUSED");
    expect(e.message).toMatch(/refused to connect to 127\.0\.0\.1:\d+: HTTP 403|closed the connection/);
  });

  test("a closed target port: ERR_PROXY_REFUSED quoting tinyproxy's 500", async () => {
    const s = requireSshd(sshd);
    const closed = await freePort();
    const e = await rejection(login(s, { type: "http", host: plain.host, port: plain.port }, { port: closed }));
    expect(e).toMatchObject({ code: "ERR_PROXY_REFUSED", reply: 500 });
    expect(e.message).toMatch(
      new RegExp(`refused to connect to 127\\.0\\.0\\.1:${closed}: HTTP 500 Unable to connect`),
    );
  });
});

describe.skipIf(!sshd)("an unreachable proxy", () => {
  test("connect() rejects with ERR_PROXY_CONNECT_FAILED before any SSH", async () => {
    const s = requireSshd(sshd);
    const port = await freePort();
    for (const type of ["socks4", "socks4a", "socks5", "http"] as const) {
      const e = await rejection(login(s, { type, host: "127.0.0.1", port }));
      expect(e.code).toBe("ERR_PROXY_CONNECT_FAILED");
      expect(e.message).toMatch(new RegExp(`cannot reach the ${type} proxy 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    }
  });
});

/** A minimal HTTP CONNECT upstream for tinyproxy that records each request head, then tunnels. */
async function recordingUpstream(): Promise<{ port: number; heads: string[]; close(): Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => {});
    let seen = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      seen = Buffer.concat([seen, d]);
      const end = seen.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      const head = seen.subarray(0, end + 4).toString("latin1");
      heads.push(head);
      const [, host, port] = /^CONNECT (\S+):(\d+) /.exec(head) ?? [];
      const target = tcpConnect(Number(port), host!, () => {
        client.write("HTTP/1.1 200 Connection established\r\n\r\n");
        if (seen.length > end + 4) target.write(seen.subarray(end + 4));
        client.pipe(target);
        target.pipe(client);
      });
      sockets.add(target);
      target.on("close", () => sockets.delete(target));
      target.on("error", () => client.destroy());
    };
    client.on("data", onData);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as { port: number }).port,
    heads,
    close: () =>
      new Promise<void>((r) => {
        for (const sock of sockets) sock.destroy();
        server.close(() => r());
      }),
  };
}
