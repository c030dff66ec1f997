// The transfer gate (a rate limit's hook, transfer-gate.ts) on one accepted channel: sending
// waits for the gate as it waits for window (RFC 4254 §5.2), received data is held — never more
// than the window — and delivered in order with the EOF, requests and CLOSE behind it (§5.3).
import type { TransferDirection, TransferGate } from "@purssh/connection";
import { ChannelClose, ChannelEof, ChannelRequestExitStatus, concatBytes, MSG } from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { acceptedChannel, dataPackets, pattern, peerData, peerWindowAdjust, windowAdjusts } from "./harness.js";

const KiB = 1024;

/** A gate with a budget per direction that the test tops up by hand. */
function manualGate(send = 0, receive = 0) {
  const budget: Record<TransferDirection, number> = { send, receive };
  const spent: Record<TransferDirection, number> = { send: 0, receive: 0 };
  const gate: TransferGate = {
    allowance: (d) => budget[d],
    spend: (d, n) => {
      if (n > budget[d]) throw new Error(`spent ${n} of a ${budget[d]} allowance`);
      budget[d] -= n;
      spent[d] += n;
    },
  };
  return { gate, budget, spent };
}

describe("sending through the transfer gate", () => {
  test("RFC 4254 §5.2: data leaves only as the gate allows, split to fit it, and resume() sends the rest", async () => {
    const g = manualGate(1500);
    const { h, ch } = await acceptedChannel({ maximumPacketSize: 1000 }, { transferGate: g.gate });
    const data = pattern(4000);
    ch.write(data);
    expect(dataPackets(h.take()).map((p) => p.data.length)).toEqual([1000, 500]);
    expect(ch.queued).toBe(2500);
    h.conn.resume(); // nothing allowed yet: nothing moves
    expect(dataPackets(h.take())).toEqual([]);
    g.budget.send = 10_000;
    h.conn.resume();
    const rest = dataPackets(h.take());
    expect(rest.map((p) => p.data.length)).toEqual([1000, 1000, 500]);
    expect(g.spent.send).toBe(4000);
    expect(concatBytes(...rest.map((p) => p.data))).toEqual(data.subarray(1500));
  });

  test("bytes the gate holds back are copied: the caller may reuse its buffer at once", async () => {
    const g = manualGate(100);
    const { h, ch } = await acceptedChannel({}, { transferGate: g.gate });
    const buffer = pattern(300);
    const original = buffer.slice();
    ch.write(buffer);
    buffer.fill(0);
    g.budget.send = 1000;
    h.conn.resume();
    expect(concatBytes(...dataPackets(h.sent).map((p) => p.data))).toEqual(original);
  });
});

describe("receiving through the transfer gate", () => {
  test("data beyond the allowance is held, delivered in order on resume(), and credited only once consumed", async () => {
    const g = manualGate(0, 10 * KiB);
    const { h, ch, remoteId } = await acceptedChannel({}, { windowSize: 64 * KiB, transferGate: g.gate });
    const got: Uint8Array[] = [];
    ch.events.data = (d) => {
      got.push(d.slice());
      ch.consume(d.length);
    };
    const data = pattern(64 * KiB);
    for (let off = 0; off < data.length; off += 16 * KiB)
      h.conn.handle(peerData(ch.localId, data.subarray(off, off + 16 * KiB)));
    // The whole window arrived; only the allowance reached the application, and no credit went out.
    expect(got.reduce((n, d) => n + d.length, 0)).toBe(10 * KiB);
    expect(windowAdjusts(h.take())).toEqual([]);
    g.budget.receive = 30 * KiB;
    h.conn.resume();
    expect(got.reduce((n, d) => n + d.length, 0)).toBe(40 * KiB);
    // Principle 6 as ever: credit once half the window (32 KiB) has been delivered and consumed.
    expect(windowAdjusts(h.take())).toEqual([{ recipientChannel: remoteId, bytesToAdd: 32 * KiB }]);
    g.budget.receive = 1_000_000;
    h.conn.resume();
    expect(concatBytes(...got)).toEqual(data);
    expect(g.spent.receive).toBe(64 * KiB);
  });

  test("RFC 4254 §5.3: the EOF, an exit-status and the CLOSE that arrived after held data wait behind it", async () => {
    const g = manualGate(0, 0);
    const { h, ch } = await acceptedChannel({}, { transferGate: g.gate });
    const seen: string[] = [];
    ch.events.data = (d) => seen.push(`data ${d.length}`);
    ch.events.eof = () => seen.push("eof");
    ch.events.request = (r) => seen.push(`request ${r.type}`);
    ch.events.close = () => seen.push("close");
    h.conn.handle(peerData(ch.localId, pattern(100)));
    h.conn.handle(
      ChannelRequestExitStatus.encode({
        recipientChannel: ch.localId,
        requestType: "exit-status",
        wantReply: false,
        exitStatus: 3,
      }),
    );
    h.conn.handle(ChannelEof.encode({ recipientChannel: ch.localId }));
    h.conn.handle(ChannelClose.encode({ recipientChannel: ch.localId }));
    expect(seen).toEqual([]);
    expect(ch.eofReceived).toBe(false);
    expect(ch.closed).toBe(false);
    g.budget.receive = 60;
    h.conn.resume();
    expect(seen).toEqual(["data 60"]);
    g.budget.receive = 1000;
    h.conn.resume();
    expect(seen).toEqual(["data 60", "data 40", "request exit-status", "eof", "close"]);
    expect(ch.exitStatus).toBe(3);
    expect(h.conn.openChannels).toEqual([]);
    expect(h.take().map((p) => p[0])).toEqual([MSG.CHANNEL_CLOSE]);
  });

  test("our CLOSE drops held data, but the peer's CLOSE held behind it still completes the handshake", async () => {
    const g = manualGate(0, 0);
    const { h, ch } = await acceptedChannel({}, { transferGate: g.gate });
    const delivered: number[] = [];
    let closed = 0;
    ch.events.data = (d) => delivered.push(d.length);
    ch.events.close = () => closed++;
    h.conn.handle(peerData(ch.localId, pattern(500)));
    h.conn.handle(ChannelClose.encode({ recipientChannel: ch.localId }));
    ch.close();
    expect(delivered).toEqual([]);
    expect(closed).toBe(1);
    expect(h.conn.openChannels).toEqual([]);
    // Window adjustments never follow our CLOSE.
    g.budget.receive = 10_000;
    h.conn.resume();
    expect(windowAdjusts(h.sent)).toEqual([]);
  });

  test("the peer's WINDOW_ADJUST is not held: sending goes on while receiving waits", async () => {
    const g = manualGate(10_000, 0);
    const { h, ch } = await acceptedChannel({ initialWindowSize: 100 }, { transferGate: g.gate });
    ch.events.data = () => {};
    h.conn.handle(peerData(ch.localId, pattern(50)));
    ch.write(pattern(300));
    expect(dataPackets(h.take()).map((p) => p.data.length)).toEqual([100]);
    h.conn.handle(peerWindowAdjust(ch.localId, 1000));
    expect(dataPackets(h.take()).map((p) => p.data.length)).toEqual([200]);
  });
});
