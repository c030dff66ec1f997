// Servers that misbehave at each stage of the logon: each gives a typed error with a clear
// message, and nothing hangs (Timeout bounds the silent one).
import * as net from "node:net";
import { FakeServer, type FakeServerOptions, withTimeout } from "@purssh/testkit";
import { SSHReverseTunnel, SSHTunnelErrorCodes } from "@purssh/tunnel";
import { MSG } from "@purssh/wire";
import { afterEach, describe, expect, test } from "vitest";

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(onConnection: (sock: net.Socket) => void): Promise<number> {
  const srv = net.createServer((sock) => {
    sock.on("error", () => {});
    onConnection(sock);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return (srv.address() as net.AddressInfo).port;
}

/** A FakeServer (a scriptable in-memory SSH server) behind a real TCP port. */
function serveFake(options: (sock: net.Socket) => FakeServerOptions): Promise<number> {
  return serve((sock) => {
    const server = new FakeServer((b) => {
      if (!sock.destroyed) sock.write(b);
    }, options(sock));
    sock.on("data", (b) => server.receive(new Uint8Array(b)));
    server.start();
  });
}

function tunnel(): SSHReverseTunnel {
  const t = new SSHReverseTunnel();
  t.setSSHUser("u");
  t.setSSHPassword("p");
  t.config("SSHAcceptAnyServerHostKey=true");
  return t;
}

async function logonError(
  port: number,
  t = tunnel(),
): Promise<{ code: number; message: string; cause: { code: string } }> {
  return withTimeout(
    t.SSHLogon("127.0.0.1", port).then(
      () => {
        throw new Error("logon unexpectedly succeeded");
      },
      (e) => e,
    ),
    15_000,
    "logon failure",
  );
}

describe("misbehaving servers give typed errors, never hangs", { timeout: 20_000 }, () => {
  test("garbage instead of a version line", async () => {
    const port = await serve((sock) => sock.write(Buffer.alloc(9000, 0xab)));
    const err = await logonError(port);
    expect(err.code).toBe(SSHTunnelErrorCodes.PROTOCOL_ERROR);
    expect(err.cause.code).toBe("ERR_VERSION_GARBAGE");
    expect(err.message).toMatch(/instead of an SSH identification line/);
  });

  test("a server that stays silent hits Timeout", async () => {
    const port = await serve(() => {});
    const t = tunnel();
    t.setTimeout(1);
    const started = Date.now();
    const err = await logonError(port, t);
    expect(err.code).toBe(SSHTunnelErrorCodes.TIMEOUT);
    expect(err.message).toMatch(
      /SSHLogon \(waiting for the server's identification line\) timed out: no data moved for 1 s/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("a server that closes mid-version", async () => {
    const port = await serve((sock) => sock.end("SSH-2.0-Half"));
    const err = await logonError(port);
    expect(err.code).toBe(SSHTunnelErrorCodes.CONNECTION_CLOSED);
    expect(err.message).toMatch(/before the server sent its SSH identification line \(it sent: "SSH-2.0-Half"\)/);
  });

  test("a server that closes mid-KEX", async () => {
    const port = await serve((sock) => {
      sock.write("SSH-2.0-Closer\r\n");
      sock.once("data", () => setTimeout(() => sock.destroy(), 10));
    });
    const err = await logonError(port);
    expect(err.code).toBe(SSHTunnelErrorCodes.CONNECTION_CLOSED);
    expect(err.message).toMatch(/during key exchange/);
  });

  test("a server that closes mid-auth", async () => {
    const port = await serveFake((sock) => ({
      onMessage: (p, server) => {
        if (p[0] === MSG.SERVICE_REQUEST)
          server.send(Uint8Array.of(MSG.SERVICE_ACCEPT, 0, 0, 0, 12, ...Buffer.from("ssh-userauth")));
        else sock.destroy();
      },
    }));
    const err = await logonError(port);
    expect(err.code).toBe(SSHTunnelErrorCodes.CONNECTION_CLOSED);
    expect(err.message).toMatch(/during user authentication/);
  });

  test("a server whose host-key signature does not verify", async () => {
    const port = await serveFake(() => ({ corruptSignature: true }));
    const err = await logonError(port);
    expect(err.code).toBe(SSHTunnelErrorCodes.KEY_EXCHANGE_FAILED);
    expect(err.cause.code).toBe("ERR_HOST_KEY_SIGNATURE");
  });

  test("nothing listening: the TCP connect error is reported with the target", async () => {
    const port = await serve(() => {});
    servers.pop()?.close();
    await new Promise((r) => setTimeout(r, 50));
    const t = tunnel();
    const connected: number[] = [];
    t.on("Connected", (e) => connected.push(e.statusCode));
    const err = await logonError(port, t);
    expect(err.code).toBe(SSHTunnelErrorCodes.CONNECT_FAILED);
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(connected).toEqual([SSHTunnelErrorCodes.CONNECT_FAILED]);
  });

  test("after a failed logon the process holds no connection: a second logon can run", async () => {
    const port = await serve((sock) => sock.end("SSH-2.0-Half"));
    const t = tunnel();
    await logonError(port, t);
    expect(t.getConnected()).toBe(false);
    const err = await logonError(port, t);
    expect(err.code).toBe(SSHTunnelErrorCodes.CONNECTION_CLOSED);
  });
});
