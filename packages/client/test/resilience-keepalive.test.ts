// Keepalive as OpenSSH's ServerAliveInterval / ServerAliveCountMax: the monitor's schedule on a
// fake clock, then our client against the embedded server behind a relay that freezes (a server
// that stops answering without closing TCP), and a healthy idle connection that stays up.
import { connect, KeepaliveMonitor, type SshClient } from "@purssh/client";
import { withTimeout } from "@purssh/testkit";
import type { SshError } from "@purssh/wire";
import { afterEach, describe, expect, test, vi } from "vitest";
import { login, Relay, type RunningServer, startServer } from "./resilience-rig.js";

describe("KeepaliveMonitor (ssh clientloop.c server_alive_check)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function monitor(countMax: number | undefined) {
    vi.useFakeTimers();
    const sent: number[] = [];
    const timeouts: SshError[] = [];
    const m = new KeepaliveMonitor({
      intervalMs: 1000,
      ...(countMax !== undefined ? { countMax } : {}),
      now: () => Date.now(),
      send: () => sent.push(Date.now()),
      timeout: (e) => timeouts.push(e),
    });
    const t0 = Date.now();
    m.start();
    return { m, sent, timeouts, t0 };
  }

  test("ServerAliveCountMax 3 (default): keepalives after 1, 2 and 3 silent intervals, dead after the 4th", () => {
    const { sent, timeouts, t0, m } = monitor(undefined);
    vi.advanceTimersByTime(3999);
    expect(sent.map((t) => t - t0)).toEqual([1000, 2000, 3000]);
    expect(timeouts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(timeouts).toHaveLength(1);
    expect(timeouts[0]).toMatchObject({
      code: "ERR_KEEPALIVE_TIMEOUT",
      message: "the server did not answer 3 keepalives (interval 1000 ms)",
    });
    expect(m.active).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("anything received resets the count, and the next keepalive waits a full silent interval", () => {
    const { m, sent, timeouts, t0 } = monitor(2);
    vi.advanceTimersByTime(1500); // keepalive 1 at 1000
    m.received(); // the answer, at 1500
    expect(m.unansweredKeepalives).toBe(0);
    vi.advanceTimersByTime(999); // 2499: still within the interval since 1500
    expect(sent.map((t) => t - t0)).toEqual([1000]);
    vi.advanceTimersByTime(1); // 2500: silent for an interval again
    expect(sent.map((t) => t - t0)).toEqual([1000, 2500]);
    vi.advanceTimersByTime(1000 + 1000); // 3500 keepalive 3; 4500 dead (2 unanswered + silent interval)
    expect(sent.map((t) => t - t0)).toEqual([1000, 2500, 3500]);
    expect(timeouts).toHaveLength(1);
  });

  test("ServerAliveCountMax 0: gives up after one silent interval without probing", () => {
    const { sent, timeouts } = monitor(0);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([]);
    expect(timeouts).toHaveLength(1);
  });

  test("invalid settings are rejected", () => {
    const base = { send() {}, timeout() {} };
    expect(() => new KeepaliveMonitor({ ...base, intervalMs: 0 })).toThrow(RangeError);
    expect(() => new KeepaliveMonitor({ ...base, intervalMs: 100, countMax: 1.5 })).toThrow(RangeError);
  });
});

describe("keepalive over TCP (our client ↔ embedded server)", { timeout: 20_000 }, () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
  });

  async function setup(): Promise<{ s: RunningServer; relay: Relay }> {
    const s = await startServer();
    cleanup.push(() => s.server.close());
    const relay = await Relay.start(s.port);
    cleanup.push(() => relay.close());
    return { s, relay };
  }

  test("a server that stops answering without closing TCP is detected within interval × (countMax + 1)", async () => {
    const { s, relay } = await setup();
    const intervalMs = 200;
    const countMax = 2;
    const logs: string[] = [];
    const client = await connect(
      login(s.server, relay.port, {
        keepaliveIntervalMs: intervalMs,
        keepaliveCountMax: countMax,
        log: (_l, t) => logs.push(t),
      }),
    );
    cleanup.push(() => client.close());
    relay.freeze();
    const frozenAt = performance.now();
    const sentBefore = logs.filter((t) => t.includes("keepalive@openssh.com")).length;
    const error = await withTimeout(client.closed, 5000, "keepalive timeout");
    const elapsed = performance.now() - frozenAt;
    expect(error).toMatchObject({
      code: "ERR_KEEPALIVE_TIMEOUT",
      message: `the server did not answer ${countMax} keepalives (interval ${intervalMs} ms)`,
    });
    expect(client.isClosed).toBe(true);
    // countMax probes went out into the silence before the verdict…
    expect(logs.filter((t) => t.includes("keepalive@openssh.com")).length - sentBefore).toBe(countMax);
    // …which came no later than (countMax + 1) silent intervals (plus event-loop slack under a
    // loaded test run), and not early.
    expect(elapsed).toBeLessThanOrEqual(intervalMs * (countMax + 1) + 300);
    expect(elapsed).toBeGreaterThanOrEqual(intervalMs * countMax);
  });

  test("a healthy idle connection answers its keepalives and stays up for many intervals", async () => {
    const { s, relay } = await setup();
    const intervalMs = 100;
    let sent = 0;
    let reached: () => void = () => {};
    const sixSent = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const client: SshClient = await connect(
      login(s.server, relay.port, {
        keepaliveIntervalMs: intervalMs,
        // The strictest setting: one unanswered probe and a silent interval end it.
        keepaliveCountMax: 1,
        log: (_l, t) => {
          if (t.includes("keepalive@openssh.com") && ++sent === 6) reached();
        },
      }),
    );
    cleanup.push(() => client.close());
    await withTimeout(sixSent, 5000, "six keepalives");
    expect(client.isClosed).toBe(false);
    // Every probe was answered: the connection still carries requests.
    await client.keepalive(1000);
    expect(client.isClosed).toBe(false);
    expect(s.server.connections).toHaveLength(1);
  });

  test("keepalive settings are validated before connecting", async () => {
    await expect(
      connect({ host: "127.0.0.1", port: 1, username: "u", hostKeys: [], keepaliveIntervalMs: -1 }),
    ).rejects.toBeInstanceOf(RangeError);
  });
});
