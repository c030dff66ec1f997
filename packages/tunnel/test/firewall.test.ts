// Firewall (ipworks-spec.md §2, §5c, §5d): the SSH connection through each proxy type — SOCKS4
// (Dante), SOCKS4a (ssh -D, for a host name), SOCKS5 with username/password (Dante), HTTP
// CONNECT with Basic auth (tinyproxy) — carrying a reverse tunnel's 10 MiB byte-exact; the
// proxies' refusals as numbered errors; FirewallData headers; FirewallAutoDetect and
// ProxyExceptionsList.
import * as net from "node:net";
import {
  type ProxyServerHandle,
  proxyServerAvailable,
  randomBytes,
  requireSshd,
  sha256Hex,
  startDante,
  startEchoServer,
  startSshSocksProxy,
  startTinyproxy,
  TEST_PASSWORD,
  TEST_USER,
  withTimeout,
} from "@purssh/testkit";
import { FirewallTypes, type SSHReverseTunnel, SSHTunnelErrorCodes } from "@purssh/tunnel";
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from "vitest";
import { listenLocal, passwordTunnel, roundTrip } from "./helpers.js";

const sshd = inject("sshd");
const haveAll = !!sshd && proxyServerAvailable("danted") && proxyServerAvailable("tinyproxy");

/** Logs on through the configured firewall, forwards a port to an echo server, sends 10 MiB. */
async function tenMiBThrough(
  t: SSHReverseTunnel,
  host: string,
  port: number,
  echoPort: number,
  proxyType: string,
): Promise<void> {
  const status: string[] = [];
  t.on("ConnectionStatus", (e) => status.push(`${e.connectionEvent}: ${e.description}`));
  await t.SSHLogon(host, port);
  try {
    expect(status[0]).toMatch(new RegExp(`^Firewall connection complete: ${proxyType} proxy `));
    expect(status[1]).toMatch(/^Remote host connection complete/);
    await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echoPort);
    const data = randomBytes(10 * 1024 * 1024);
    const back = await withTimeout(roundTrip(Number(t.config("ForwardedPort")), data), 50_000, "10 MiB echo");
    expect(back.length).toBe(data.length);
    expect(sha256Hex(back)).toBe(sha256Hex(data));
  } finally {
    await t.SSHLogoff();
  }
}

describe.skipIf(!haveAll)("the SSH connection through each firewall type", { timeout: 90_000 }, () => {
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  let socks: ProxyServerHandle;
  let socksAuth: ProxyServerHandle;
  let http: ProxyServerHandle;
  let sshSocks: ProxyServerHandle;
  beforeAll(async () => {
    const s = requireSshd(sshd);
    [echo, socks, socksAuth, http, sshSocks] = await Promise.all([
      startEchoServer(),
      startDante({ auth: "none" }),
      startDante({ auth: "username" }),
      startTinyproxy({ basicAuth: { user: "proxyuser", password: "proxypass" } }),
      startSshSocksProxy(s),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([echo?.close(), socks?.stop(), socksAuth?.stop(), http?.stop(), sshSocks?.stop()]);
  });

  test("SOCKS4 (fwSOCKS4 = 2), Dante, no authentication: 10 MiB byte-exact", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.setFirewall({ firewallType: FirewallTypes.fwSOCKS4, host: socks.host, port: socks.port, user: "anyone" });
    await tenMiBThrough(t, s.host, s.port, echo.port, "socks4");
  });

  test("SOCKS4a: a SOCKS4 firewall given a host name lets the proxy resolve it (ssh -D)", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.config("FirewallType=2");
    t.config(`FirewallHost=${sshSocks.host}`);
    t.config(`FirewallPort=${sshSocks.port}`);
    await tenMiBThrough(t, "localhost", s.port, echo.port, "socks4a");
  });

  test("SOCKS5 (fwSOCKS5 = 3), Dante with RFC 1929 username/password: 10 MiB byte-exact", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.setFirewall({
      firewallType: FirewallTypes.fwSOCKS5,
      host: socksAuth.host,
      port: socksAuth.port,
      user: TEST_USER,
      password: TEST_PASSWORD,
    });
    await tenMiBThrough(t, s.host, s.port, echo.port, "socks5");
  });

  test("TUNNEL (fwTunnel = 1), tinyproxy HTTP CONNECT with Basic auth: 10 MiB byte-exact", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    t.setFirewall({ firewallType: FirewallTypes.fwTunnel, host: http.host, port: http.port });
    t.config("FirewallUser=proxyuser");
    t.config("FirewallPassword=proxypass");
    await tenMiBThrough(t, s.host, s.port, echo.port, "http");
  });

  test("refusals are numbered: bad SOCKS5 password 1072, HTTP 407 1072, nothing listening 1070", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    const connected: number[] = [];
    t.on("Connected", (e) => connected.push(e.statusCode));
    t.setFirewall({ firewallType: 3, host: socksAuth.host, port: socksAuth.port, user: TEST_USER, password: "wrong" });
    const bad = await t.SSHLogon(s.host, s.port).catch((e) => e);
    expect(bad.code).toBe(SSHTunnelErrorCodes.FIREWALL_AUTH_FAILED);
    expect(bad.cause.code).toBe("ERR_PROXY_AUTH_FAILED");
    t.setFirewall({ firewallType: 1, host: http.host, port: http.port, user: "", password: "" });
    const noAuth = await t.SSHLogon(s.host, s.port).catch((e) => e);
    expect(noAuth.code).toBe(SSHTunnelErrorCodes.FIREWALL_AUTH_FAILED);
    const dead = await listenLocal(() => {});
    const deadPort = dead.port;
    await new Promise<void>((r) => dead.close(() => r()));
    t.setFirewall({ firewallType: 3, host: "127.0.0.1", port: deadPort });
    const unreachable = await t.SSHLogon(s.host, s.port).catch((e) => e);
    expect(unreachable.code).toBe(SSHTunnelErrorCodes.FIREWALL_CONNECT_FAILED);
    expect(connected).toEqual([
      SSHTunnelErrorCodes.FIREWALL_AUTH_FAILED,
      SSHTunnelErrorCodes.FIREWALL_AUTH_FAILED,
      SSHTunnelErrorCodes.FIREWALL_CONNECT_FAILED,
    ]);
  });
});

describe.skipIf(!sshd)("FirewallData, FirewallAutoDetect, ProxyExceptionsList", { timeout: 30_000 }, () => {
  const proxies: net.Server[] = [];
  const saved = { ALL_PROXY: process.env.ALL_PROXY, NO_PROXY: process.env.NO_PROXY };
  afterEach(() => {
    for (const p of proxies.splice(0)) p.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  /** A minimal HTTP CONNECT proxy that records each request head, then pipes. */
  async function connectProxy(heads: string[]): Promise<number> {
    const srv = await listenLocal((client) => {
      let head = "";
      const onData = (d: Buffer) => {
        head += d.toString("latin1");
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        client.off("data", onData);
        heads.push(head.slice(0, end));
        const [, target] = /^CONNECT (\S+) /.exec(head) ?? [];
        const [h, p] = [
          target!.slice(0, target!.lastIndexOf(":")),
          Number(target!.slice(target!.lastIndexOf(":") + 1)),
        ];
        const upstream = net.connect(p, h, () => {
          client.write("HTTP/1.1 200 Connection established\r\n\r\n");
          const rest = Buffer.from(head.slice(end + 4), "latin1");
          if (rest.length > 0) upstream.write(rest);
          client.pipe(upstream);
          upstream.pipe(client);
        });
        upstream.on("error", () => client.destroy());
      };
      client.on("data", onData);
    });
    proxies.push(srv);
    return srv.port;
  }

  test("FirewallData: its header lines go with the CONNECT request", async () => {
    const s = requireSshd(sshd);
    const heads: string[] = [];
    const port = await connectProxy(heads);
    const t = passwordTunnel(s);
    t.setFirewall({ firewallType: FirewallTypes.fwTunnel, host: "127.0.0.1", port });
    t.config("FirewallData=X-Tunnel-Id: 42\r\nX-Team: blue");
    expect(() => t.config("FirewallData=no colon here")).toThrow(/FirewallData/);
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatch(new RegExp(`^CONNECT 127\\.0\\.0\\.1:${s.port} HTTP/1\\.1`));
    expect(heads[0]).toMatch(/\r\nX-Tunnel-Id: 42(\r\n|$)/);
    expect(heads[0]).toMatch(/\r\nX-Team: blue(\r\n|$)/);
  });

  test("FirewallAutoDetect takes ALL_PROXY; ProxyExceptionsList (and NO_PROXY) bypass it", async () => {
    const s = requireSshd(sshd);
    const heads: string[] = [];
    const port = await connectProxy(heads);
    process.env.ALL_PROXY = `http://127.0.0.1:${port}`;
    delete process.env.NO_PROXY;
    const t = passwordTunnel(s);
    t.config("FirewallAutoDetect=true");
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
    expect(heads).toHaveLength(1);
    t.config("ProxyExceptionsList=example.com;127.0.0.*");
    expect(t.config("ProxyExceptionsList")).toBe("example.com;127.0.0.*");
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
    t.config("ProxyExceptionsList=");
    process.env.NO_PROXY = "127.0.0.1";
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
    expect(heads).toHaveLength(1); // both later logons went direct
  });
});
