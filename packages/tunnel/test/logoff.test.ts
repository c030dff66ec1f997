// SSHLogoff (ipworks-spec.md §8.5) and the settings that shape it: WaitForChannelClose (channels
// first), WaitForServerDisconnect, Linger / LingerTime — seen from a TCP relay in front of the
// server, which tells a graceful FIN from a reset.
import { afterEach, describe, expect, test } from "vitest";
import { embeddedTunnel, startServer, type TestServer } from "./embedded.js";
import { connectTo, until } from "./helpers.js";
import { startTcpRelay, type TcpRelay } from "./tcp-relay.js";

let srv: TestServer | undefined;
let relay: TcpRelay | undefined;
afterEach(async () => {
  await relay?.close();
  await srv?.close();
});

async function setup() {
  srv = await startServer();
  relay = await startTcpRelay(srv.port);
  return { srv, relay, t: embeddedTunnel(srv) };
}

describe("SSHLogoff", { timeout: 20_000 }, () => {
  test("Linger true (default): the connection ends with a FIN; Disconnected 0 OK", async () => {
    const { relay, t } = await setup();
    expect([t.config("Linger"), t.config("LingerTime")]).toEqual(["true", "0"]);
    const disconnected: string[] = [];
    t.on("Disconnected", (e) => disconnected.push(`${e.statusCode} ${e.description}`));
    await t.SSHLogon("127.0.0.1", relay.port);
    await t.SSHLogoff();
    await until(() => relay.clients[0]?.ending !== "open", "relay sees the end");
    expect(relay.clients[0]?.ending).toBe("end");
    expect(disconnected).toEqual(["0 OK"]);
  });

  test("Linger false: the connection is reset (RST) right after DISCONNECT", async () => {
    const { relay, t } = await setup();
    t.config("Linger=false");
    await t.SSHLogon("127.0.0.1", relay.port);
    await t.SSHLogoff();
    await until(() => relay.clients[0]?.ending !== "open", "relay sees the end");
    expect(relay.clients[0]?.ending).toBe("reset");
  });

  test("WaitForServerDisconnect: SSHLogoff resolves only after the server has closed its side", async () => {
    const { srv, relay, t } = await setup();
    t.config("WaitForServerDisconnect=true");
    t.config("LingerTime=2");
    expect(t.config("WaitForServerDisconnect")).toBe("true");
    await t.SSHLogon("127.0.0.1", relay.port);
    const serverSide = srv.server.connections[0]!;
    let serverClosed = false;
    serverSide.once("close", () => {
      serverClosed = true;
    });
    await t.SSHLogoff();
    expect(serverClosed).toBe(true);
  });

  test("WaitForChannelClose (default true): open channels get their CLOSE answered before DISCONNECT", async () => {
    const { srv, t } = await setup();
    const events: string[] = [];
    t.on("SSHChannelClosed", () => events.push("SSHChannelClosed"));
    t.on("Disconnected", () => events.push("Disconnected"));
    await t.SSHLogon(srv.host, srv.port);
    await t.requestForwarding("127.0.0.1", 0, "", 0);
    const port = Number(t.config("ForwardedPort"));
    const clients = await Promise.all([connectTo(port), connectTo(port)]);
    for (const c of clients) c.on("error", () => {});
    await until(() => t.getChannels().length === 2, "two channels");
    await t.SSHLogoff();
    expect(events).toEqual(["SSHChannelClosed", "SSHChannelClosed", "Disconnected"]);
    for (const c of clients) c.destroy();
  });
});
