// AutoReconnect, RetryInterval, MaxRetryCount and ReconnectAttempt (ipworks-spec.md §8.6), and
// SSHKeepAliveInterval / SSHKeepAliveCountMax, with the embedded server: it is killed
// mid-transfer and started again on the same port; a frozen TCP relay plays a silent server.
import { randomBytes, sha256Hex, startEchoServer, withTimeout } from "@purssh/testkit";
import { SSHTunnelErrorCodes } from "@purssh/tunnel";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { embeddedTunnel, startServer, type TestServer } from "./embedded.js";
import { refused, roundTrip, roundTripText, sleep, until } from "./helpers.js";
import { startTcpRelay, type TcpRelay } from "./tcp-relay.js";

let echo: Awaited<ReturnType<typeof startEchoServer>>;
const cleanup: (() => Promise<unknown>)[] = [];
beforeAll(async () => {
  echo = await startEchoServer();
});
afterAll(async () => {
  await echo?.close();
});
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

function track(srv: TestServer): TestServer {
  cleanup.push(() => srv.close());
  return srv;
}

describe("AutoReconnect", { timeout: 60_000 }, () => {
  test("the server dies mid-transfer and comes back on its port: the tunnel reconnects, both forwardings return, new connections work", async () => {
    const first = track(await startServer());
    const t = embeddedTunnel(first);
    cleanup.push(() => t.SSHLogoff());
    t.config("AutoReconnect=true");
    t.config("RetryInterval=1");
    const order: string[] = [];
    t.on("Disconnected", (e) => order.push(`Disconnected ${e.statusCode}`));
    t.on("ReconnectAttempt", (e) => order.push(`ReconnectAttempt ${e.attempt} ${e.statusCode}`));
    t.on("Connected", (e) => order.push(`Connected ${e.statusCode}`));
    t.on("SSHChannelData", (e) => void t.sendChannelData(e.channelId, `event:${e.channelData}`));
    t.on("SSHChannelEOF", (e) => void t.closeChannel(e.channelId).catch(() => {}));
    await t.SSHLogon(first.host, first.port);
    await t.requestForwarding("127.0.0.1", 0, "127.0.0.1", echo.port);
    const relayPort = Number(t.config("ForwardedPort"));
    await t.requestForwarding("127.0.0.1", 0, "", 0);
    const eventPort = Number(t.config("ForwardedPort"));
    order.length = 0;

    // A large transfer is under way when the server goes away.
    const inFlight = roundTrip(relayPort, randomBytes(64 * 1024 * 1024)).catch(() => Buffer.alloc(0));
    await sleep(100);
    await first.close();
    const lost = await inFlight;
    expect(lost.length).toBeLessThan(64 * 1024 * 1024);
    expect(t.getConnected()).toBe(false);

    const second = track(await startServer({ port: first.port, hostKey: first.hostKey }));
    await until(() => t.getConnected(), "reconnected", 15_000);
    await until(() => second.server.connections[0]?.forwardListeners.length === 2, "forwardings restored");
    expect(order.slice(0, 3)).toEqual([
      `Disconnected ${SSHTunnelErrorCodes.CONNECTION_CLOSED}`,
      `ReconnectAttempt 1 ${SSHTunnelErrorCodes.CONNECTION_CLOSED}`,
      "Connected 0",
    ]);
    // The ports are where they were; new connections work in both modes.
    expect(t.config("ForwardedPort")).toBe(String(eventPort));
    const data = randomBytes(2 * 1024 * 1024);
    const back = await withTimeout(roundTrip(relayPort, data), 20_000, "relay after reconnect");
    expect(sha256Hex(back)).toBe(sha256Hex(data));
    expect(await roundTripText(eventPort, "again")).toBe("event:again");
    await t.SSHLogoff();
    await sleep(100);
    expect(await refused(relayPort)).toBe(true);
  });

  test("MaxRetryCount: after that many failed attempts, Error 1052 and no more tries; each attempt fires Connected with the failure", async () => {
    const srv = track(await startServer());
    const t = embeddedTunnel(srv);
    t.config("AutoReconnect=true");
    t.config("RetryInterval=0");
    t.config("MaxRetryCount=3");
    const attempts: number[] = [];
    const connected: number[] = [];
    const errors: number[] = [];
    t.on("ReconnectAttempt", (e) => {
      attempts.push(e.attempt);
      expect(e.maxRetryCount).toBe(3);
      expect(e.delayMs).toBe(0);
    });
    t.on("Error", (e) => errors.push(e.errorCode));
    await t.SSHLogon(srv.host, srv.port);
    t.on("Connected", (e) => connected.push(e.statusCode));
    await srv.close();
    await until(() => errors.includes(SSHTunnelErrorCodes.RECONNECT_FAILED), "giving up");
    await sleep(200);
    expect(attempts).toEqual([1, 2, 3]);
    expect(connected).toEqual([
      SSHTunnelErrorCodes.CONNECT_FAILED,
      SSHTunnelErrorCodes.CONNECT_FAILED,
      SSHTunnelErrorCodes.CONNECT_FAILED,
    ]);
    expect(t.getConnected()).toBe(false);
  });

  test("SSHLogoff during the wait before a retry stops AutoReconnect", async () => {
    const srv = track(await startServer());
    const t = embeddedTunnel(srv);
    t.config("AutoReconnect=true");
    t.config("RetryInterval=2");
    let attempts = 0;
    let connected = 0;
    t.on("ReconnectAttempt", () => attempts++);
    await t.SSHLogon(srv.host, srv.port);
    t.on("Connected", () => connected++);
    await srv.close();
    await until(() => attempts === 1, "first ReconnectAttempt");
    await t.SSHLogoff();
    await sleep(3000);
    expect(attempts).toBe(1);
    expect(connected).toBe(0);
  });

  test("without AutoReconnect (the default) a lost connection stays down", async () => {
    const srv = track(await startServer());
    const t = embeddedTunnel(srv);
    expect(t.config("AutoReconnect")).toBe("false");
    expect(t.config("RetryInterval")).toBe("5");
    expect(t.config("MaxRetryCount")).toBe("0");
    let attempts = 0;
    t.on("ReconnectAttempt", () => attempts++);
    await t.SSHLogon(srv.host, srv.port);
    await srv.close();
    await until(() => !t.getConnected(), "disconnected");
    await sleep(300);
    expect(attempts).toBe(0);
  });
});

describe("SSHKeepAliveInterval / SSHKeepAliveCountMax", { timeout: 30_000 }, () => {
  let relay: TcpRelay | undefined;
  afterEach(async () => {
    await relay?.close();
  });

  test("a server that goes silent (a frozen relay) is detected within interval × (countMax + 1)", async () => {
    const srv = track(await startServer());
    relay = await startTcpRelay(srv.port);
    const t = embeddedTunnel(srv);
    t.config("SSHKeepAliveInterval=1");
    t.config("SSHKeepAliveCountMax=2");
    const disconnected: { code: number; at: number }[] = [];
    t.on("Disconnected", (e) => disconnected.push({ code: e.statusCode, at: Date.now() }));
    await t.SSHLogon("127.0.0.1", relay.port);
    await sleep(1500); // keepalives are answered while the relay moves bytes
    expect(t.getConnected()).toBe(true);
    relay.freeze();
    const frozenAt = Date.now();
    await until(() => disconnected.length > 0, "keepalive timeout", 10_000);
    const elapsed = disconnected[0]!.at - frozenAt;
    expect(disconnected[0]!.code).toBe(SSHTunnelErrorCodes.KEEPALIVE_TIMEOUT);
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThanOrEqual(1000 * (2 + 1) + 750);
  });
});
