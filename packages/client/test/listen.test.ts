// connect() and listen() against the real OpenSSH sshd: host-key policies, key and password
// logins, remote listeners as events and async iterators, and their lifetimes.
import { readFileSync } from "node:fs";
import * as net from "node:net";
import { connect, type ForwardedConnection, type HostKeyCheck } from "@purssh/client";
import { requireSshd, type SshdInfo, withTimeout } from "@purssh/testkit";
import { describe, expect, inject, test } from "vitest";

const sshd = inject("sshd");

const login = (s: SshdInfo, extra: Partial<Parameters<typeof connect>[0]> = {}) =>
  connect({
    host: s.host,
    port: s.port,
    username: s.user,
    password: s.password,
    hostKeys: [s.hostKeyPublic],
    ...extra,
  });

function dial(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, "127.0.0.1", () => resolve(c));
    c.on("error", reject);
  });
}

function exchange(sock: net.Socket, text: string): Promise<string> {
  return new Promise((resolve) => {
    sock.once("data", (d) => resolve(String(d)));
    sock.write(text);
  });
}

function upperCaseEcho(conn: ForwardedConnection): void {
  conn.on("data", (d: Buffer) => conn.write(d.toString().toUpperCase()));
  conn.on("end", () => conn.end());
}

describe.skipIf(!sshd)("connect()", { timeout: 30_000 }, () => {
  test("RFC 4251 §4.1: connecting without a host-key policy is an error before any connection", async () => {
    const s = requireSshd(sshd);
    await expect(
      connect({ host: s.host, port: s.port, username: s.user, password: s.password } as never),
    ).rejects.toMatchObject({
      code: "ERR_HOST_KEY_POLICY_MISSING",
    });
  });

  test("host keys can be pinned by public-key line, by SHA256 fingerprint or by a callback", async () => {
    const s = requireSshd(sshd);
    await (await login(s, { hostKeys: [s.hostKeyPublic] })).close();
    await (await login(s, { hostKeys: [s.hostKeyFingerprint] })).close();
    let seen: HostKeyCheck | undefined;
    await (
      await login(s, {
        hostKeys: (check) => {
          seen = check;
          return check.fingerprint === s.hostKeyFingerprint;
        },
      })
    ).close();
    expect(seen).toMatchObject({
      algorithm: "ssh-ed25519",
      host: s.host,
      port: s.port,
      fingerprint: s.hostKeyFingerprint,
    });
  });

  test("a key that matches no pinned entry is rejected", async () => {
    const s = requireSshd(sshd);
    await expect(login(s, { hostKeys: [s.userPublicKey] })).rejects.toMatchObject({ code: "ERR_HOST_KEY_REJECTED" });
    await expect(login(s, { hostKeys: () => false })).rejects.toMatchObject({ code: "ERR_HOST_KEY_REJECTED" });
  });

  test("logs in with the text of an OpenSSH private key (publickey before password)", async () => {
    const s = requireSshd(sshd);
    const logs: string[] = [];
    const client = await connect({
      host: s.host,
      port: s.port,
      username: s.user,
      privateKey: readFileSync(s.userKeyPath, "utf8"),
      hostKeys: [s.hostKeyPublic],
      log: (_l, t) => logs.push(t),
    });
    expect(client.serverVersion).toMatch(/^SSH-2\.0-OpenSSH/);
    expect(client.algorithms?.kex).toBe("curve25519-sha256");
    await client.close();
    expect(logs).toContain(`authenticated as ${s.user}`);
  });
});

describe.skipIf(!sshd)("listen() → RemoteListener", { timeout: 30_000 }, () => {
  test("async iteration yields each connection as a Duplex with its origin", async () => {
    const s = requireSshd(sshd);
    const client = await login(s);
    try {
      const listener = await client.listen({ host: "127.0.0.1", port: 0 });
      expect(listener.port).toBeGreaterThan(0);
      const sock = await dial(listener.port);
      const reply = exchange(sock, "abc");
      for await (const conn of listener) {
        expect(conn.originAddress).toBe("127.0.0.1");
        expect(conn.originPort).toBe(sock.localPort);
        expect(conn.connectedPort).toBe(listener.port);
        upperCaseEcho(conn);
        break;
      }
      expect(await withTimeout(reply, 10_000, "reply")).toBe("ABC");
      sock.destroy();
    } finally {
      await client.close();
    }
  });

  test("close() cancels the forwarding; connections already open keep working (RFC 4254 §7.1)", async () => {
    const s = requireSshd(sshd);
    const client = await login(s);
    try {
      const listener = await client.listen({ host: "127.0.0.1", port: 0 });
      listener.on("connection", upperCaseEcho);
      const sock = await dial(listener.port);
      expect(await exchange(sock, "one")).toBe("ONE");
      await listener.close();
      expect(listener.closed).toBe(true);
      expect(await exchange(sock, "two")).toBe("TWO");
      const refused = await new Promise<boolean>((r) => {
        const c = net.connect(listener.port, "127.0.0.1");
        c.on("connect", () => {
          c.destroy();
          r(false);
        });
        c.on("error", () => r(true));
      });
      expect(refused).toBe(true);
      sock.destroy();
    } finally {
      await client.close();
    }
  });

  test("an accept hook can refuse a connection before its channel opens", async () => {
    const s = requireSshd(sshd);
    const client = await login(s);
    try {
      let asked = 0;
      const listener = await client.listen({
        host: "127.0.0.1",
        port: 0,
        accept: (info) => {
          asked++;
          return info.originAddress !== "127.0.0.1";
        },
      });
      let opened = 0;
      listener.on("connection", () => opened++);
      const sock = await dial(listener.port);
      await withTimeout(new Promise((r) => sock.on("close", r)), 10_000, "refused close");
      expect(asked).toBe(1);
      expect(opened).toBe(0);
    } finally {
      await client.close();
    }
  });

  test("when the connection closes, listeners end and their iterators finish", async () => {
    const s = requireSshd(sshd);
    const client = await login(s);
    const listener = await client.listen({ host: "127.0.0.1", port: 0 });
    const iteration = (async () => {
      let n = 0;
      for await (const _ of listener) n++;
      return n;
    })();
    const closed = client.closed;
    await client.close();
    expect(await withTimeout(iteration, 5000, "iterator end")).toBe(0);
    expect(await closed).toBeUndefined();
    expect(listener.closed).toBe(true);
    await expect(client.listen({ port: 0 })).rejects.toMatchObject({ code: "ERR_CONNECTION_CLOSED" });
  });

  test("`await using` disposes the listener and the client", async () => {
    const s = requireSshd(sshd);
    let port = 0;
    let c: Awaited<ReturnType<typeof login>> | undefined;
    {
      await using client = await login(s);
      c = client;
      await using listener = await client.listen({ host: "127.0.0.1", port: 0 });
      port = listener.port;
    }
    expect(c?.isClosed).toBe(true);
    expect(port).toBeGreaterThan(0);
  });
});
