// maxTransferRate (the seed's MaxTransferRate): the token bucket on a fake clock, then 4 MiB at
// 1 MiB/s through a reverse tunnel to and from the embedded server in each direction, a rate far
// below one packet per burst that must still finish, and the server held by our window (not by
// our buffering) while we accept slowly.

import { connect, type ForwardedConnection, TokenBucket, TransferRateLimiter } from "@purssh/client";
import type { Channel } from "@purssh/connection";
import { randomBytes, withTimeout } from "@purssh/testkit";
import { afterEach, describe, expect, test, vi } from "vitest";
import { dial, login, MiB, next, readAll, sha256, startServer } from "./resilience-rig.js";

describe("TokenBucket and TransferRateLimiter", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("a bucket starts full, refills at the rate and never holds more than its capacity", () => {
    let now = 0;
    const b = new TokenBucket(1000, 100, () => now);
    expect(b.available()).toBe(100);
    b.take(100);
    expect(b.available()).toBe(0);
    now = 50;
    expect(b.available()).toBe(50);
    expect(b.msUntil(80)).toBe(30);
    now = 10_000;
    expect(b.available()).toBe(100);
  });

  test("each direction has its own bucket; a refused direction wakes the connection once a chunk has refilled", () => {
    vi.useFakeTimers();
    let wakes = 0;
    const limiter = new TransferRateLimiter(
      100_000,
      () => wakes++,
      () => Date.now(),
    );
    // Burst: 100 ms of the rate = 10,000 bytes; the chunk waited for is the whole burst here.
    expect(limiter.minChunk).toBe(10_000);
    expect(limiter.allowance("send")).toBe(10_000);
    limiter.spend("send", 10_000);
    expect(limiter.allowance("send")).toBe(0);
    expect(limiter.allowance("receive")).toBe(10_000);
    expect(limiter.waiting).toBe(true);
    vi.advanceTimersByTime(99);
    expect(wakes).toBe(0);
    vi.advanceTimersByTime(1);
    expect(wakes).toBe(1);
    expect(limiter.allowance("send")).toBe(10_000);
    limiter.spend("send", 10_000);
    expect(limiter.allowance("send")).toBe(0);
    limiter.stop();
    expect(limiter.waiting).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("rates that are not positive finite numbers are rejected", () => {
    expect(() => new TransferRateLimiter(0, () => {})).toThrow(RangeError);
    expect(() => new TransferRateLimiter(Number.POSITIVE_INFINITY, () => {})).toThrow(RangeError);
  });
});

describe("maxTransferRate through a reverse tunnel (our client ↔ embedded server)", { timeout: 40_000 }, () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
  });

  async function tunnel(maxTransferRate: number) {
    const s = await startServer();
    cleanup.push(() => s.server.close());
    const client = await connect(login(s.server, s.port, { maxTransferRate }));
    cleanup.push(() => client.close());
    const listener = await client.listen({ host: "127.0.0.1", port: 0 });
    return { s, client, listener };
  }

  test("accepting: 4 MiB at 1 MiB/s takes about 4 s, byte-exact, and the server waits on our window", async () => {
    const { s, listener } = await tunnel(MiB);
    const data = randomBytes(4 * MiB);
    const arrived = next<[ForwardedConnection]>(listener, "connection");
    const sender = await dial(listener.port);
    const started = performance.now();
    sender.end(data);
    const [conn] = await withTimeout(arrived, 5000, "the forwarded connection");
    // The server's side of the channel: its send window runs dry while we accept slowly.
    let serverWindowExhausted = false;
    const sampler = setInterval(() => {
      for (const c of s.server.connections) {
        for (const ch of c.connection.openChannels as Channel[]) {
          if (ch.sendWindow.available === 0 && ch.queued > 0) serverWindowExhausted = true;
        }
      }
    }, 20);
    try {
      const { data: got, at } = await withTimeout(readAll(conn), 20_000, "4 MiB accepted at 1 MiB/s");
      expect(got.length).toBe(data.length);
      expect(sha256(got)).toBe(sha256(data));
      expect(at - started).toBeGreaterThanOrEqual(3000);
      expect(serverWindowExhausted).toBe(true);
    } finally {
      clearInterval(sampler);
      conn.destroy();
      sender.destroy();
    }
  });

  test("sending: 4 MiB at 1 MiB/s takes about 4 s, byte-exact", async () => {
    const { listener } = await tunnel(MiB);
    const data = randomBytes(4 * MiB);
    const arrived = next<[ForwardedConnection]>(listener, "connection");
    const receiver = await dial(listener.port);
    const received = readAll(receiver);
    const [conn] = await withTimeout(arrived, 5000, "the forwarded connection");
    const started = performance.now();
    conn.end(Buffer.from(data));
    const { data: got, at } = await withTimeout(received, 20_000, "4 MiB sent at 1 MiB/s");
    expect(sha256(got)).toBe(sha256(data));
    expect(at - started).toBeGreaterThanOrEqual(3000);
    receiver.destroy();
  });

  test("a rate below one packet per burst still moves everything, both ways at once", async () => {
    // 10,000 B/s: the bucket holds 1,000 bytes, a thirty-second of a 32 KiB packet.
    const { listener } = await tunnel(10_000);
    const data = randomBytes(15_000);
    listener.on("connection", (conn: ForwardedConnection) => conn.pipe(conn));
    const sock = await dial(listener.port);
    const started = performance.now();
    const echoed = readAll(sock);
    sock.end(data);
    const { data: got, at } = await withTimeout(echoed, 15_000, "15 kB echoed at 10 kB/s");
    expect(sha256(got)).toBe(sha256(data));
    // Each way is limited separately, so the two directions overlap: about 1.5 s, not 3 s.
    expect(at - started).toBeGreaterThanOrEqual(1200);
  });
});
