// Errors (DESIGN.md "Errors"): every failure is an SSHTunnelError with a numeric code from the
// README table and the core error as `cause`. The codes not shown elsewhere are provoked here;
// the README table is checked against SSHTunnelErrorCodes.
import { readFileSync } from "node:fs";
import type * as net from "node:net";
import { fileURLToPath } from "node:url";
import { requireSshd } from "@purssh/testkit";
import { SSHReverseTunnel, SSHTunnelError, SSHTunnelErrorCodes } from "@purssh/tunnel";
import { SshError } from "@purssh/wire";
import { afterEach, describe, expect, inject, test } from "vitest";
import { connectTo, listenLocal, passwordTunnel, until } from "./helpers.js";

const sshd = inject("sshd");
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");

/** A fake proxy that answers each client with `answer(greeting)` (or never, for undefined). */
async function fakeProxy(answer: (first: Buffer, sock: net.Socket) => void): Promise<number> {
  const srv = await listenLocal((sock) => sock.once("data", (d: Buffer) => answer(d, sock)));
  servers.push(srv);
  return srv.port;
}

function tunnelVia(type: number, port: number): SSHReverseTunnel {
  const t = new SSHReverseTunnel();
  t.setSSHUser("u");
  t.setSSHPassword("p");
  t.config("SSHAcceptAnyServerHostKey=true");
  t.setFirewall({ firewallType: type as 0, host: "127.0.0.1", port });
  return t;
}

describe("numeric error codes", { timeout: 30_000 }, () => {
  test("the README's error table lists every code with its number, and nothing else", () => {
    const rows = [...readme.matchAll(/^\| (\d{4}) \| ([A-Z_]+) \|/gm)].map((m) => [m[2], Number(m[1])]);
    expect(Object.fromEntries(rows)).toEqual(SSHTunnelErrorCodes);
  });

  test("core codes map to facade numbers, with the core error as cause", () => {
    const cases: [string, number][] = [
      ["ERR_REQUEST_DENIED", 1098],
      ["ERR_KEEPALIVE_TIMEOUT", 1051],
      ["ERR_PROXY_REFUSED", 1071],
      ["ERR_PROXY_TIMEOUT", 1074],
      ["ERR_KEY_BAD_PASSPHRASE", 1060],
      ["ERR_KEX_NO_COMMON_ALGORITHM", 1021],
      ["ERR_SOMETHING_NEW", 1099],
    ];
    for (const [core, number] of cases) {
      const cause = new SshError(core as never, "x");
      const e = SSHTunnelError.from(cause);
      expect([core, e.code, e.cause === cause, e.name]).toEqual([core, number, true, "SSHTunnelError"]);
    }
  });

  test("1071 / 1073 / 1074: the firewall refuses the target, answers garbage, or never answers", async () => {
    // SOCKS5: "no authentication" accepted, then reply 5 (connection refused), RFC 1928 §6.
    const refusing = await fakeProxy((_greeting, sock) => {
      sock.write(Uint8Array.of(5, 0));
      sock.once("data", () => sock.end(Uint8Array.of(5, 5, 0, 1, 0, 0, 0, 0, 0, 0)));
    });
    const refused = await tunnelVia(3, refusing)
      .SSHLogon("127.0.0.1", 22)
      .catch((e) => e);
    expect([refused.code, refused.cause.code]).toEqual([SSHTunnelErrorCodes.FIREWALL_REFUSED, "ERR_PROXY_REFUSED"]);
    const garbage = await fakeProxy((_g, sock) => sock.end("HTTP/1.1 200 OK\r\n\r\n"));
    const bad = await tunnelVia(3, garbage)
      .SSHLogon("127.0.0.1", 22)
      .catch((e) => e);
    expect(bad.code).toBe(SSHTunnelErrorCodes.FIREWALL_PROTOCOL);
    const mute = await fakeProxy(() => {});
    const t = tunnelVia(1, mute);
    t.config("ConnectionTimeout=1");
    const late = await t.SSHLogon("127.0.0.1", 22).catch((e) => e);
    expect([late.code, late.cause.code]).toEqual([SSHTunnelErrorCodes.FIREWALL_TIMEOUT, "ERR_PROXY_TIMEOUT"]);
  });

  test("1060: a SignedSSHCert that is not a certificate; 1001: bad arguments", () => {
    const t = new SSHReverseTunnel();
    expect(() => t.config("SignedSSHCert=ssh-ed25519-cert-v01@openssh.com AAAA")).toThrow(
      expect.objectContaining({ code: SSHTunnelErrorCodes.KEY_ERROR }),
    );
    expect(() => t.setSSHPort(0)).toThrow(expect.objectContaining({ code: SSHTunnelErrorCodes.INVALID_ARGUMENT }));
    expect(() => t.config("MaxLineLength=100")).toThrow(
      expect.objectContaining({ code: SSHTunnelErrorCodes.UNSUPPORTED }),
    );
    expect(() => t.config("KeepAliveInterval=1000")).toThrow(
      expect.objectContaining({ code: SSHTunnelErrorCodes.UNSUPPORTED }),
    );
  });

  test.skipIf(!sshd)("1041: a server whose identification string does not match SSHVersionPattern", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    let asked = 0;
    t.on("SSHServerAuthentication", () => asked++);
    expect(t.config("SSHVersionPattern")).toBe("*SSH-1.99-*,*SSH-2.0-*");
    t.config("SSHVersionPattern=*SSH-2.0-Dropbear*");
    const err = await t.SSHLogon(s.host, s.port).catch((e) => e);
    expect(err.code).toBe(SSHTunnelErrorCodes.VERSION_MISMATCH);
    expect(err.message).toMatch(/"SSH-2\.0-OpenSSH_[^"]*" does not match SSHVersionPattern/);
    expect(asked).toBe(0);
    t.config("SSHVersionPattern=*OpenSSH*");
    await t.SSHLogon(s.host, s.port);
    await t.SSHLogoff();
  });

  test.skipIf(!sshd)("1096: sending on a channel after its EOF was sent; 1097: an unknown channel id", async () => {
    const s = requireSshd(sshd);
    const t = passwordTunnel(s);
    let id = "";
    t.on("SSHChannelOpened", (e) => {
      id = e.channelId;
    });
    t.config("WaitForChannelClose=false");
    await t.SSHLogon(s.host, s.port);
    try {
      await t.requestForwarding("127.0.0.1", 0, "", 0);
      const remote = await connectTo(Number(t.config("ForwardedPort")));
      await until(() => id !== "", "channel");
      await t.closeChannel(id);
      const err = await t.sendChannelData(id, "late").catch((e) => e);
      expect(err.code).toBe(SSHTunnelErrorCodes.CHANNEL_CLOSED);
      await expect(t.sendChannelData("no-such", "x")).rejects.toMatchObject({
        code: SSHTunnelErrorCodes.UNKNOWN_CHANNEL,
      });
      remote.destroy();
    } finally {
      await t.SSHLogoff();
    }
  });
});
