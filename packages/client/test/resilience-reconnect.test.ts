// ReconnectingClient against the embedded server (the seed's AutoReconnect / RetryInterval /
// MaxRetryCount / ReconnectAttempt): the server killed mid-transfer and restarted on the same
// port, forwardings re-established (explicit port, port 0 with its old port back, port 0 with the
// old port taken), the event order and the first wait, giving up, and stopping cleanly.
import { spawn } from "node:child_process";
import type { EventEmitter } from "node:events";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { ReconnectingClient, type SshClient } from "@purssh/client";
import {
  freePort,
  randomBytes,
  relayConnections,
  roundTripThrough,
  startEchoServer,
  withTimeout,
} from "@purssh/testkit";
import { SshError } from "@purssh/wire";
import { afterEach, describe, expect, test } from "vitest";
import type { GaveUpReport } from "./resilience-gaveup-worker.js";
import { dial, login, MiB, next, Relay, type RunningServer, readAll, sha256, startServer } from "./resilience-rig.js";

const EVENTS = ["connected", "disconnected", "reconnectAttempt", "forwardRestored", "forwardFailed", "gaveUp"];

interface Recorded {
  name: string;
  at: number;
  arg: unknown;
}

function record(rc: ReconnectingClient): Recorded[] {
  const events: Recorded[] = [];
  const emitter = rc as unknown as EventEmitter;
  for (const name of EVENTS) emitter.on(name, (arg: unknown) => events.push({ name, at: performance.now(), arg }));
  return events;
}

const names = (events: Recorded[]) => events.map((e) => e.name);

/**
 * The order after a loss: connected (start), disconnected, reconnectAttempt — more of them only
 * if the restarted server was not listening yet — then connected and `tail`. Returns the events.
 */
function expectLossThenBack(events: Recorded[], tail: string[]) {
  const n = names(events);
  expect(n.slice(0, 3)).toEqual(["connected", "disconnected", "reconnectAttempt"]);
  const back = n.indexOf("connected", 1);
  expect(back).toBeGreaterThan(2);
  expect(n.slice(2, back).every((x) => x === "reconnectAttempt")).toBe(true);
  expect(n.slice(back)).toEqual(["connected", ...tail]);
  return { disconnected: events[1]!, firstAttempt: events[2]!, connected: events[back]!, last: events.at(-1)! };
}
const mid = () => 0.5; // jitter factor exactly 1

describe("ReconnectingClient ↔ embedded server", { timeout: 30_000 }, () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
  });

  async function server(): Promise<RunningServer> {
    const s = await startServer();
    cleanup.push(() => s.server.close());
    return s;
  }

  async function echo() {
    const e = await startEchoServer();
    cleanup.push(() => e.close());
    return e;
  }

  function reconnecting(...args: ConstructorParameters<typeof ReconnectingClient>): ReconnectingClient {
    const rc = new ReconnectingClient(...args);
    cleanup.push(() => rc.close());
    return rc;
  }

  test("server killed mid-transfer and restarted on its port: back by itself after ≈ retryIntervalMs, same forwarded port, byte-exact", async () => {
    const s = await server();
    const e = await echo();
    const rc = reconnecting(login(s.server, s.port), { retryIntervalMs: 200, random: mid });
    const events = record(rc);
    const first = await rc.start();
    const forwardPort = await freePort();
    const listener = await rc.listen({ host: "127.0.0.1", port: forwardPort });
    expect(listener.port).toBe(forwardPort);
    relayConnections(listener, e.port);

    // A 4 MiB round trip, cut off once data is flowing.
    const sock = await dial(forwardPort);
    const outcome = readAll(sock).then(
      (r) => r.data.length,
      (err: Error) => err,
    );
    const flowing = new Promise<void>((resolve) => {
      let seen = 0;
      sock.on("data", (d: Buffer) => {
        seen += d.length;
        if (seen >= 64 * 1024) resolve();
      });
    });
    sock.end(randomBytes(4 * MiB));
    await withTimeout(flowing, 10_000, "data through the forwarding");
    const restored = next(rc, "forwardRestored");
    await s.server.close();
    await s.server.listen(s.port);

    const cut = await withTimeout(outcome, 10_000, "the interrupted transfer");
    expect(cut instanceof Error || cut < 4 * MiB).toBe(true);
    await withTimeout(restored, 10_000, "forwardRestored");

    const { disconnected, firstAttempt, connected, last: forward } = expectLossThenBack(events, ["forwardRestored"]);
    expect(disconnected.arg).toBeInstanceOf(SshError);
    expect(firstAttempt.arg).toEqual({ attempt: 1, delayMs: 200 });
    expect(connected.at - disconnected.at).toBeGreaterThanOrEqual(195);
    expect(forward.arg).toEqual({ listener, previousPort: forwardPort, port: forwardPort });
    expect(connected.arg).toBe(rc.client);
    expect(rc.client).not.toBe(first);
    expect(first.isClosed).toBe(true);
    expect(rc.connected).toBe(true);
    expect(rc.status).toBe("connected");

    const data = randomBytes(MiB);
    expect(sha256(await roundTripThrough(forwardPort, data))).toBe(sha256(data));
  });

  test("connection dropped without a word (sockets reset), server restarted: a port-0 forward gets its old port back", async () => {
    const s = await server();
    const e = await echo();
    const relay = await Relay.start(s.port);
    cleanup.push(() => relay.close());
    const rc = reconnecting(login(s.server, relay.port), { retryIntervalMs: 300, random: mid });
    const events = record(rc);
    await rc.start();
    const listener = await rc.listen({ port: 0 });
    const oldPort = listener.port;
    relayConnections(listener, e.port);
    const portChanges: number[] = [];
    listener.on("port", (p) => portChanges.push(p));

    const restored = next(rc, "forwardRestored");
    relay.dropAll();
    await s.server.close();
    await s.server.listen(s.port);
    await withTimeout(restored, 10_000, "forwardRestored");

    const { disconnected, last } = expectLossThenBack(events, ["forwardRestored"]);
    expect(disconnected.arg).toMatchObject({ code: "ERR_CONNECTION_CLOSED" });
    expect(last.arg).toEqual({ listener, previousPort: oldPort, port: oldPort });
    expect(listener.port).toBe(oldPort);
    expect(portChanges).toEqual([]);
    const data = randomBytes(256 * 1024);
    expect(sha256(await roundTripThrough(oldPort, data))).toBe(sha256(data));
  });

  test("port 0 whose old port is taken after the restart: a new port, reported by forwardRestored and 'port'", async () => {
    const s = await server();
    const e = await echo();
    const rc = reconnecting(login(s.server, s.port), { retryIntervalMs: 200, random: mid });
    await rc.start();
    const listener = await rc.listen({ port: 0 });
    const oldPort = listener.port;
    relayConnections(listener, e.port);
    const restored = next<[{ previousPort: number; port: number }]>(rc, "forwardRestored");
    const portChanged = next<[number]>(listener, "port");

    await s.server.close();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(oldPort, "127.0.0.1", resolve));
    cleanup.push(() => new Promise((resolve) => squatter.close(resolve)));
    await s.server.listen(s.port);

    const [r] = await withTimeout(restored, 10_000, "forwardRestored");
    expect(r.previousPort).toBe(oldPort);
    expect(r.port).not.toBe(oldPort);
    expect(r.port).toBeGreaterThan(0);
    expect((await withTimeout(portChanged, 1000, "'port'"))[0]).toBe(r.port);
    expect(listener.port).toBe(r.port);
    const data = randomBytes(256 * 1024);
    expect(sha256(await roundTripThrough(r.port, data))).toBe(sha256(data));
  });

  test("an explicit port that cannot be bound again is reported by forwardFailed; the connection stays", async () => {
    const s = await server();
    const rc = reconnecting(login(s.server, s.port), { retryIntervalMs: 100, random: mid });
    await rc.start();
    const forwardPort = await freePort();
    const listener = await rc.listen({ host: "127.0.0.1", port: forwardPort });
    const failed = next<[{ listener: unknown; error: Error }]>(rc, "forwardFailed");
    await s.server.close();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(forwardPort, "127.0.0.1", resolve));
    cleanup.push(() => new Promise((resolve) => squatter.close(resolve)));
    await s.server.listen(s.port);
    const [f] = await withTimeout(failed, 10_000, "forwardFailed");
    expect(f.listener).toBe(listener);
    expect(f.error).toMatchObject({ code: "ERR_REQUEST_DENIED" });
    expect(rc.connected).toBe(true);
    expect(listener.listening).toBe(false);
    expect(listener.closed).toBe(false);
  });

  test("maxRetryCount failed attempts in a row: 'gaveUp' with the last error, backoff doubling, nothing left pending", async () => {
    const s = await server();
    const rc = reconnecting(login(s.server, s.port), { retryIntervalMs: 50, maxRetryCount: 3, random: mid });
    const events = record(rc);
    await rc.start();
    const listener = await rc.listen({ port: 0 });
    const gaveUp = next<[SshError]>(rc, "gaveUp");
    await s.server.close();
    const [error] = await withTimeout(gaveUp, 10_000, "gaveUp");

    expect(names(events)).toEqual([
      "connected",
      "disconnected",
      "reconnectAttempt",
      "reconnectAttempt",
      "reconnectAttempt",
      "gaveUp",
    ]);
    const attempts = events.filter((x) => x.name === "reconnectAttempt").map((x) => x.arg);
    expect(attempts).toMatchObject([
      { attempt: 1, delayMs: 50 },
      { attempt: 2, delayMs: 100, error: { code: "ERR_CONNECT_FAILED" } },
      { attempt: 3, delayMs: 200, error: { code: "ERR_CONNECT_FAILED" } },
    ]);
    expect(error).toMatchObject({ code: "ERR_CONNECT_FAILED" });
    expect(error).not.toBe((attempts[2] as { error: SshError }).error);
    // 'gaveUp' is a state without a timer: no attempt is pending, the forwarding is over.
    expect(rc.status).toBe("gaveUp");
    expect(rc.client).toBeUndefined();
    expect(listener.closed).toBe(true);
    await rc.close();
    expect(rc.status).toBe("closed");
  });

  test("after 'gaveUp' the process exits on its own: no timer or socket is left behind", async () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const worker = fileURLToPath(new URL("./resilience-gaveup-worker.ts", import.meta.url));
    const run = await withTimeout(
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", worker], {
          cwd: root,
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
        });
        child.stderr.on("data", (d: Buffer) => {
          stderr += d.toString();
        });
        child.on("error", reject);
        const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.on("exit", (code) => {
          clearTimeout(killer);
          resolve({ code, stdout, stderr });
        });
      }),
      25_000,
      "the gave-up worker",
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout.trim()) as GaveUpReport;
    expect(report).toEqual({
      status: "gaveUp",
      code: "ERR_CONNECT_FAILED",
      attempts: [1, 2],
      listenerClosed: true,
      clientGone: true,
    });
  });

  test("the first logon is not retried: start() rejects and nothing is scheduled", async () => {
    const port = await freePort();
    const s = await server();
    const rc = reconnecting(login(s.server, port), { retryIntervalMs: 10 });
    const events = record(rc);
    await expect(rc.start()).rejects.toMatchObject({ code: "ERR_CONNECT_FAILED" });
    expect(events).toEqual([]);
    expect(rc.status).toBe("idle");
    await expect(rc.listen({ port: 0 })).rejects.toMatchObject({ code: "ERR_NOT_CONNECTED" });
  });

  test("close() while waiting to retry stops reconnecting and ends the forwardings", async () => {
    const s = await server();
    const rc = reconnecting(login(s.server, s.port), { retryIntervalMs: 60_000 });
    const events = record(rc);
    await rc.start();
    const listener = await rc.listen({ port: 0 });
    const attempt = next<[{ attempt: number; delayMs: number }]>(rc, "reconnectAttempt");
    const listenerClosed = next(listener, "close");
    await s.server.close();
    const [a] = await withTimeout(attempt, 5000, "reconnectAttempt");
    expect(a.attempt).toBe(1);
    expect(a.delayMs).toBeGreaterThanOrEqual(48_000);
    expect(rc.status).toBe("waiting");
    await rc.close();
    expect(rc.status).toBe("closed");
    await withTimeout(listenerClosed, 1000, "the listener's close");
    const iterator = listener[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(names(events)).toEqual(["connected", "disconnected", "reconnectAttempt"]);
  });

  test("AbortSignal: already aborted, aborted during the handshake, and aborted once connected", async () => {
    const s = await server();
    const pre = new AbortController();
    pre.abort();
    const rc1 = reconnecting(login(s.server, s.port, { signal: pre.signal }));
    await expect(rc1.start()).rejects.toMatchObject({ code: "ERR_ABORTED" });

    // A relay that accepts and forwards nothing: the handshake hangs until the abort.
    const relay = await Relay.start(s.port);
    cleanup.push(() => relay.close());
    relay.freeze();
    const during = new AbortController();
    const rc2 = reconnecting(login(s.server, relay.port, { signal: during.signal }));
    const accepted = relay.accepted();
    const starting = rc2.start();
    await withTimeout(accepted, 5000, "the TCP connection to the relay");
    during.abort();
    await expect(withTimeout(starting, 5000, "the aborted start")).rejects.toMatchObject({ code: "ERR_ABORTED" });

    const later = new AbortController();
    const rc3 = reconnecting(login(s.server, s.port, { signal: later.signal }));
    const client: SshClient = await rc3.start();
    later.abort();
    await withTimeout(client.closed, 5000, "the client's close");
    expect(rc3.status).toBe("closed");
  });

  test("`await using` closes the ReconnectingClient and its PersistentListener at the end of the block", async () => {
    const s = await server();
    let port = 0;
    let client: SshClient | undefined;
    {
      await using rc = new ReconnectingClient(login(s.server, s.port));
      client = await rc.start();
      await using listener = await rc.listen({ port: 0 });
      port = listener.port;
      expect(port).toBeGreaterThan(0);
    }
    expect(client.isClosed).toBe(true);
    await expect(dial(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  test("unanswered keepalives count as a loss: disconnected with ERR_KEEPALIVE_TIMEOUT, then back", async () => {
    const s = await server();
    const relay = await Relay.start(s.port);
    cleanup.push(() => relay.close());
    const rc = reconnecting(login(s.server, relay.port, { keepaliveIntervalMs: 100, keepaliveCountMax: 1 }), {
      retryIntervalMs: 100,
      random: mid,
    });
    await rc.start();
    const disconnected = next<[SshError]>(rc, "disconnected");
    const connected = next<[SshClient]>(rc, "connected");
    relay.freeze();
    const [error] = await withTimeout(disconnected, 5000, "disconnected");
    expect(error).toMatchObject({ code: "ERR_KEEPALIVE_TIMEOUT" });
    relay.thaw();
    const [client] = await withTimeout(connected, 5000, "connected again");
    expect(client.isClosed).toBe(false);
    await client.keepalive(2000);
  });
});
