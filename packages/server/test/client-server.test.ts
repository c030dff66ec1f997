// Our client against our embedded server over loopback TCP (DESIGN.md testing layer 4): logins,
// remote forwarding with port 0 and explicit ports, byte-exact relays, cancel, and the server
// closing listeners when the connection dies.

import * as net from "node:net";
import { connect } from "@purssh/client";
import { generateKey } from "@purssh/keys";
import { createServer, type SshServer } from "@purssh/server";
import { randomBytes, relayConnections, roundTripThrough, startEchoServer } from "@purssh/testkit";
import { afterEach, describe, expect, test } from "vitest";

const hostKey = generateKey({ type: "ed25519" });
const servers: SshServer[] = [];

async function start(overrides: Partial<Parameters<typeof createServer>[0]> = {}) {
  const server = createServer({
    hostKeys: [hostKey],
    auth: { password: (ctx, pw) => ctx.username === "alice" && pw === "secret" },
    ...overrides,
  });
  servers.push(server);
  const { port } = await server.listen(0);
  return { server, port };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe("our client ↔ embedded server", () => {
  test("password login, port-0 forwarding, 4 MiB byte-exact through the tunnel", async () => {
    const { port, server } = await start();
    const client = await connect({
      host: "127.0.0.1",
      port,
      username: "alice",
      password: "secret",
      hostKeys: server.fingerprints,
    });
    const echo = await startEchoServer();
    const listener = await client.listen({ port: 0 });
    expect(listener.port).toBeGreaterThan(0);
    relayConnections(listener, echo.port);
    const data = randomBytes(4 * 1024 * 1024);
    const back = await roundTripThrough(listener.port, data);
    expect(Buffer.compare(back, Buffer.from(data))).toBe(0);
    await listener.close();
    await expect(roundTripThrough(listener.port, data)).rejects.toThrow();
    await client.close();
    await echo.close();
  });

  test("wrong password fails cleanly", async () => {
    const { port, server } = await start();
    await expect(
      connect({ host: "127.0.0.1", port, username: "alice", password: "nope", hostKeys: server.fingerprints }),
    ).rejects.toMatchObject({ code: "ERR_AUTH_FAILED" });
  });

  test("listeners close when the connection dies", async () => {
    const { port, server } = await start();
    const client = await connect({
      host: "127.0.0.1",
      port,
      username: "alice",
      password: "secret",
      hostKeys: server.fingerprints,
    });
    const listener = await client.listen({ port: 0 });
    const p = listener.port;
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(p, "127.0.0.1", () => {
        s.destroy();
        resolve();
      });
      s.on("error", reject);
    });
    const conn = server.connections[0]!;
    await client.close();
    await conn.closed;
    await expect(
      new Promise((resolve, reject) => {
        const s = net.connect(p, "127.0.0.1", () => resolve(s));
        s.on("error", reject);
      }),
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
