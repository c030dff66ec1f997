// RFC 4254 §5.2 (data transfer and flow control) and §5.3 (EOF and CLOSE) on one accepted channel,
// with DESIGN.md principle 6: credit on consumption, never on arrival.
import { CHANNEL_WRITE_HIGH_WATER, MAX_CHANNELS } from "@purssh/connection";
import {
  ChannelClose,
  ChannelEof,
  ChannelExtendedData,
  ChannelFailure,
  ChannelOpenConfirmation,
  ChannelRequestExitStatus,
  ChannelRequestKeepalive,
  ChannelSuccess,
  concatBytes,
  EXTENDED_DATA,
  MSG,
  OPEN_FAILURE,
  ProtocolError,
  SshError,
} from "@purssh/wire";
import { describe, expect, test, vi } from "vitest";
import {
  acceptedChannel,
  dataPackets,
  forward,
  forwardedTcpipOpen,
  harness,
  openFailure,
  pattern,
  peerData,
  peerWindowAdjust,
  thrown,
  windowAdjusts,
} from "./harness.js";

const MiB = 1024 * 1024;
const KiB = 1024;

function fatal(fn: () => unknown): ProtocolError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(ProtocolError);
  return e as ProtocolError;
}

describe("sending within the peer's window and packet size (RFC 4254 §5.2)", () => {
  test("RFC 4254 §5.2: writes are split into packets of at most the peer's maximum packet size", async () => {
    const { h, ch, remoteId } = await acceptedChannel({ maximumPacketSize: 1000 });
    const data = pattern(2500);
    expect(ch.write(data)).toBe(true);
    const packets = dataPackets(h.sent);
    expect(packets.map((p) => p.data.length)).toEqual([1000, 1000, 500]);
    expect(packets.every((p) => p.recipientChannel === remoteId)).toBe(true);
    expect(concatBytes(...packets.map((p) => p.data))).toEqual(data);
    expect(ch.queued).toBe(0);
  });

  test("RFC 4254 §5.2: sending stops at the peer's window and WINDOW_ADJUST resumes it", async () => {
    const { h, ch, remoteId } = await acceptedChannel({ initialWindowSize: 1500, maximumPacketSize: 1000 });
    const data = pattern(4000);
    ch.write(data);
    expect(dataPackets(h.take()).map((p) => p.data.length)).toEqual([1000, 500]);
    expect(ch.queued).toBe(2500);

    h.conn.handle(peerWindowAdjust(ch.localId, 700));
    expect(dataPackets(h.take()).map((p) => p.data.length)).toEqual([700]);

    h.conn.handle(peerWindowAdjust(ch.localId, 100_000));
    const rest = dataPackets(h.take());
    expect(rest.map((p) => p.data.length)).toEqual([1000, 800]);
    expect(rest.every((p) => p.recipientChannel === remoteId)).toBe(true);
    expect(ch.queued).toBe(0);
    expect(ch.bytesSent).toBe(4000);
  });

  test("RFC 4254 §5.2: a peer window of 0 sends nothing until credit arrives", async () => {
    const { h, ch } = await acceptedChannel({ initialWindowSize: 0 });
    ch.write(pattern(10));
    expect(h.sent).toEqual([]);
    h.conn.handle(peerWindowAdjust(ch.localId, 4));
    expect(dataPackets(h.sent).map((p) => p.data)).toEqual([pattern(4)]);
  });

  test("RFC 4254 §5.2 / russh GHSA-h5rc-j5f5-3gcm: a window adjusted to exactly 2^32-1 is fine, one more is fatal", async () => {
    const { h, ch } = await acceptedChannel({ initialWindowSize: 0xffffffff - 10 });
    h.conn.handle(peerWindowAdjust(ch.localId, 10));
    const e = fatal(() => h.conn.handle(peerWindowAdjust(ch.localId, 1)));
    expect(e.code).toBe("ERR_CHANNEL_WINDOW_OVERFLOW");
  });

  test("RFC 4254 §5.2: a single WINDOW_ADJUST of 2^32-1 on a non-empty window is fatal", async () => {
    const { h, ch } = await acceptedChannel({ initialWindowSize: 1 });
    const e = fatal(() => h.conn.handle(peerWindowAdjust(ch.localId, 0xffffffff)));
    expect(e.code).toBe("ERR_CHANNEL_WINDOW_OVERFLOW");
    expect(e.reason).toBe(2); // DISCONNECT.PROTOCOL_ERROR
  });

  test("principle 3: while canSendData() is false data waits, and resume() sends it", async () => {
    const { h, ch } = await acceptedChannel();
    h.writable = false;
    ch.write(pattern(100));
    h.conn.handle(peerWindowAdjust(ch.localId, 1000)); // credit alone must not bypass the transport
    expect(dataPackets(h.sent)).toEqual([]);
    expect(ch.queued).toBe(100);
    h.conn.resume(); // still not writable
    expect(dataPackets(h.sent)).toEqual([]);
    h.writable = true;
    h.conn.resume();
    expect(dataPackets(h.sent).map((p) => p.data)).toEqual([pattern(100)]);
    expect(ch.queued).toBe(0);
  });

  test("backpressure: write() returns false above CHANNEL_WRITE_HIGH_WATER and drain fires when it falls below", async () => {
    const { h, ch } = await acceptedChannel({ initialWindowSize: 0 });
    const drain = vi.fn();
    ch.events.drain = drain;
    expect(ch.write(new Uint8Array(CHANNEL_WRITE_HIGH_WATER - 1))).toBe(true);
    expect(ch.writable).toBe(true);
    expect(ch.write(new Uint8Array(1))).toBe(false);
    expect(ch.writable).toBe(false);
    expect(ch.write(new Uint8Array(100))).toBe(false); // still accepted (queued), still above
    expect(ch.queued).toBe(CHANNEL_WRITE_HIGH_WATER + 100);
    h.conn.handle(peerWindowAdjust(ch.localId, 100));
    expect(drain).not.toHaveBeenCalled(); // at the mark is not below it
    h.conn.handle(peerWindowAdjust(ch.localId, 1));
    expect(drain).toHaveBeenCalledTimes(1);
    expect(ch.writable).toBe(true);
    expect(dataPackets(h.sent).reduce((n, p) => n + p.data.length, 0)).toBe(101);
  });
});

describe("fixes from review", () => {
  test("backpressure: drain fires only after write() returned false, not for a big write sent at once", async () => {
    const { ch } = await acceptedChannel({ initialWindowSize: 4 * CHANNEL_WRITE_HIGH_WATER });
    const drain = vi.fn();
    ch.events.drain = drain;
    expect(ch.write(new Uint8Array(2 * CHANNEL_WRITE_HIGH_WATER))).toBe(true);
    expect(ch.queued).toBe(0);
    expect(drain).not.toHaveBeenCalled();
  });

  test("principle 6: consume() beyond what arrived grants no extra credit to the peer", async () => {
    const { h, ch } = await acceptedChannel();
    ch.events.data = () => {};
    h.conn.handle(peerData(ch.localId, pattern(1000)));
    ch.consume(10 * MiB);
    expect(windowAdjusts(h.sent)).toEqual([]);
    expect(ch.receiveWindow.available).toBe(2 * MiB - 1000);
  });

  test("RFC 4254 §5.3: closeWhenDrained() sends EOF then CLOSE only after the queued data", async () => {
    const { h, ch } = await acceptedChannel({ initialWindowSize: 100 });
    ch.write(pattern(300));
    ch.closeWhenDrained();
    expect(h.take().map((p) => p[0])).toEqual([MSG.CHANNEL_DATA]);
    h.conn.handle(peerWindowAdjust(ch.localId, 200));
    expect(h.take().map((p) => p[0])).toEqual([MSG.CHANNEL_DATA, MSG.CHANNEL_EOF, MSG.CHANNEL_CLOSE]);
  });
});

describe("receiving: window debit on arrival, credit on consumption (RFC 4254 §5.2, principle 6)", () => {
  test("RFC 4254 §5.2: data is delivered in order and no WINDOW_ADJUST is sent on arrival", async () => {
    const { h, ch } = await acceptedChannel();
    const got: Uint8Array[] = [];
    ch.events.data = (d) => got.push(d.slice());
    const chunk = pattern(32 * KiB);
    for (let i = 0; i < 64; i++) h.conn.handle(peerData(ch.localId, chunk)); // the whole 2 MiB window
    expect(got).toHaveLength(64);
    expect(got[63]).toEqual(chunk);
    expect(ch.bytesReceived).toBe(2 * MiB);
    expect(h.sent).toEqual([]);
  });

  test("RFC 4254 §5.2: DATA beyond our window is fatal (ERR_CHANNEL_WINDOW_EXCEEDED)", async () => {
    const { h, ch } = await acceptedChannel();
    ch.events.data = () => {}; // the application holds on to everything
    const chunk = new Uint8Array(32 * KiB);
    for (let i = 0; i < 64; i++) h.conn.handle(peerData(ch.localId, chunk));
    const e = fatal(() => h.conn.handle(peerData(ch.localId, new Uint8Array(1))));
    expect(e.code).toBe("ERR_CHANNEL_WINDOW_EXCEEDED");
    expect(e.reason).toBe(2);
  });

  test("RFC 4254 §5.2: DATA larger than our maximum packet size is fatal even with window left", async () => {
    const { h, ch } = await acceptedChannel();
    ch.events.data = () => {};
    h.conn.handle(peerData(ch.localId, new Uint8Array(32 * KiB))); // exactly the maximum is fine
    const e = fatal(() => h.conn.handle(peerData(ch.localId, new Uint8Array(32 * KiB + 1))));
    expect(e.code).toBe("ERR_CHANNEL_PACKET_TOO_LARGE");
  });

  test("principle 6: WINDOW_ADJUST only after consume() of half the window, for exactly what was consumed", async () => {
    const { h, ch, remoteId } = await acceptedChannel();
    ch.events.data = () => {};
    const chunk = new Uint8Array(32 * KiB);
    for (let i = 0; i < 64; i++) h.conn.handle(peerData(ch.localId, chunk));
    ch.consume(MiB - 1);
    expect(h.sent).toEqual([]);
    ch.consume(1);
    expect(windowAdjusts(h.take())).toEqual([{ recipientChannel: remoteId, bytesToAdd: MiB }]);
    // The credit is real: one more MiB fits, one byte more does not.
    for (let i = 0; i < 32; i++) h.conn.handle(peerData(ch.localId, chunk));
    expect(fatal(() => h.conn.handle(peerData(ch.localId, new Uint8Array(1)))).code).toBe(
      "ERR_CHANNEL_WINDOW_EXCEEDED",
    );
  });

  test("principle 6: consumption past the threshold is credited in full, including the overshoot", async () => {
    const { h, ch, remoteId } = await acceptedChannel();
    ch.events.data = () => {};
    const chunk = new Uint8Array(32 * KiB);
    for (let i = 0; i < 40; i++) h.conn.handle(peerData(ch.localId, chunk));
    ch.consume(700 * KiB);
    expect(h.sent).toEqual([]);
    ch.consume(580 * KiB);
    expect(windowAdjusts(h.take())).toEqual([{ recipientChannel: remoteId, bytesToAdd: 1280 * KiB }]);
  });

  test("principle 6: with no data listener, arriving data counts as consumed and is credited", async () => {
    const { h, ch, remoteId } = await acceptedChannel();
    const chunk = new Uint8Array(32 * KiB);
    for (let i = 0; i < 31; i++) h.conn.handle(peerData(ch.localId, chunk));
    expect(h.sent).toEqual([]);
    h.conn.handle(peerData(ch.localId, chunk));
    expect(windowAdjusts(h.sent)).toEqual([{ recipientChannel: remoteId, bytesToAdd: MiB }]);
  });

  test("RFC 4254 §5.2: CHANNEL_EXTENDED_DATA is debited from the window and credited back", async () => {
    const { h, ch, remoteId } = await acceptedChannel({}, { windowSize: 1000, maxPacketSize: 1000 });
    const stderr = (n: number) =>
      ChannelExtendedData.encode({
        recipientChannel: ch.localId,
        dataTypeCode: EXTENDED_DATA.STDERR,
        data: new Uint8Array(n),
      });
    h.conn.handle(stderr(500));
    expect(windowAdjusts(h.take())).toEqual([{ recipientChannel: remoteId, bytesToAdd: 500 }]);
    // Debited: DATA the application holds plus stderr cannot exceed the window together.
    ch.events.data = () => {};
    h.conn.handle(peerData(ch.localId, new Uint8Array(900)));
    expect(fatal(() => h.conn.handle(stderr(101))).code).toBe("ERR_CHANNEL_WINDOW_EXCEEDED");
  });

  test("RFC 4254 §5.2: CHANNEL_EXTENDED_DATA larger than our maximum packet size is fatal", async () => {
    const { h, ch } = await acceptedChannel();
    const big = ChannelExtendedData.encode({
      recipientChannel: ch.localId,
      dataTypeCode: EXTENDED_DATA.STDERR,
      data: new Uint8Array(32 * KiB + 1),
    });
    expect(fatal(() => h.conn.handle(big)).code).toBe("ERR_CHANNEL_PACKET_TOO_LARGE");
  });

  test("RFC 4254 §5.2: DATA, WINDOW_ADJUST, EOF, CLOSE or a request for an unknown channel is fatal", async () => {
    const { h, ch } = await acceptedChannel();
    const other = ch.localId + 1;
    for (const payload of [
      peerData(other, new Uint8Array(1)),
      peerWindowAdjust(other, 1),
      ChannelEof.encode({ recipientChannel: other }),
      ChannelClose.encode({ recipientChannel: other }),
      ChannelRequestKeepalive.encode({
        recipientChannel: other,
        requestType: "keepalive@openssh.com",
        wantReply: true,
      }),
    ]) {
      expect(fatal(() => h.conn.handle(payload)).code).toBe("ERR_UNKNOWN_CHANNEL");
    }
    expect(h.sent).toEqual([]);
  });

  test("RFC 4254 §5.3: EOF from the peer fires eof and leaves the channel open for our data", async () => {
    const { h, ch } = await acceptedChannel();
    const eof = vi.fn();
    ch.events.eof = eof;
    h.conn.handle(ChannelEof.encode({ recipientChannel: ch.localId }));
    expect(eof).toHaveBeenCalledTimes(1);
    expect(ch.eofReceived).toBe(true);
    expect(ch.closed).toBe(false);
    ch.write(pattern(3));
    expect(dataPackets(h.sent).map((p) => p.data)).toEqual([pattern(3)]);
  });
});

describe("EOF and CLOSE (RFC 4254 §5.3)", () => {
  test("RFC 4254 §5.3: end() sends EOF only after the queued data has been sent", async () => {
    const { h, ch, remoteId } = await acceptedChannel({ initialWindowSize: 100 });
    ch.write(pattern(300));
    ch.end();
    expect(h.take().map((p) => p[0])).toEqual([MSG.CHANNEL_DATA]);
    h.conn.handle(peerWindowAdjust(ch.localId, 150));
    expect(h.take().map((p) => p[0])).toEqual([MSG.CHANNEL_DATA]);
    h.conn.handle(peerWindowAdjust(ch.localId, 50));
    const last = h.take();
    expect(last.map((p) => p[0])).toEqual([MSG.CHANNEL_DATA, MSG.CHANNEL_EOF]);
    expect(ChannelEof.decode(last[1]!)).toEqual({ recipientChannel: remoteId });
    // EOF is sent once, and nothing may be written after it.
    ch.end();
    h.conn.handle(peerWindowAdjust(ch.localId, 50));
    expect(h.sent).toEqual([]);
    expect(thrown(() => ch.write(pattern(1))).code).toBe("ERR_CHANNEL_CLOSED");
  });

  test("RFC 4254 §5.3: a received CLOSE is answered with one CLOSE, fires close and releases the channel", async () => {
    const { h, ch, remoteId } = await acceptedChannel();
    const close = vi.fn();
    ch.events.close = close;
    h.conn.handle(ChannelClose.encode({ recipientChannel: ch.localId }));
    expect(h.sent).toHaveLength(1);
    expect(ChannelClose.decode(h.take()[0]!)).toEqual({ recipientChannel: remoteId });
    expect(close).toHaveBeenCalledTimes(1);
    expect(ch.closed).toBe(true);
    expect(h.conn.openChannels).toEqual([]);
    // The id is free: anything more for it is a message for an unknown channel, and no 2nd CLOSE.
    expect(fatal(() => h.conn.handle(ChannelClose.encode({ recipientChannel: ch.localId }))).code).toBe(
      "ERR_UNKNOWN_CHANNEL",
    );
    expect(h.sent).toEqual([]);
    expect(close).toHaveBeenCalledTimes(1);
  });

  test("RFC 4254 §5.3: our close() then the peer's CLOSE releases the channel without a second CLOSE", async () => {
    const { h, ch, remoteId } = await acceptedChannel({ initialWindowSize: 10 });
    const close = vi.fn();
    ch.events.close = close;
    ch.write(pattern(50)); // 40 bytes stay queued and are dropped by close()
    h.take();
    ch.close();
    expect(h.sent.map((p) => ChannelClose.decode(p))).toEqual([{ recipientChannel: remoteId }]);
    expect(ch.queued).toBe(0); // the unsent bytes are released, not kept until the peer's CLOSE
    h.take();
    expect(close).not.toHaveBeenCalled();
    expect(h.conn.openChannels).toEqual([ch]); // still waiting for the peer's CLOSE
    ch.close(); // idempotent
    h.conn.handle(peerWindowAdjust(ch.localId, 1000)); // no data flows after CLOSE
    expect(h.sent).toEqual([]);
    h.conn.handle(ChannelClose.encode({ recipientChannel: ch.localId }));
    expect(h.sent).toEqual([]);
    expect(close).toHaveBeenCalledTimes(1);
    expect(h.conn.openChannels).toEqual([]);
  });

  test("CVE-2026-59850: DATA arriving after we sent CLOSE is dropped, not delivered", async () => {
    const { h, ch } = await acceptedChannel();
    const data = vi.fn();
    const eof = vi.fn();
    ch.events.data = data;
    ch.events.eof = eof;
    ch.close();
    h.take();
    h.conn.handle(peerData(ch.localId, pattern(10))); // legal race (§5.3), not an error
    h.conn.handle(ChannelEof.encode({ recipientChannel: ch.localId }));
    expect(data).not.toHaveBeenCalled();
    expect(eof).not.toHaveBeenCalled();
    expect(ch.bytesReceived).toBe(0);
    expect(h.sent).toEqual([]); // and no credit for it either
    h.conn.handle(ChannelClose.encode({ recipientChannel: ch.localId }));
    // Once released, DATA for that number is a protocol error.
    expect(fatal(() => h.conn.handle(peerData(ch.localId, pattern(1)))).code).toBe("ERR_UNKNOWN_CHANNEL");
  });

  test("RFC 4254 §5.3: no WINDOW_ADJUST goes out after our CLOSE, even when the application consumes late", async () => {
    const { h, ch } = await acceptedChannel();
    ch.events.data = () => {};
    const chunk = new Uint8Array(32 * KiB);
    for (let i = 0; i < 40; i++) h.conn.handle(peerData(ch.localId, chunk));
    ch.close();
    h.take();
    ch.consume(40 * 32 * KiB);
    expect(h.sent).toEqual([]);
  });

  test("CVE-2026-59850: DATA after CLOSE still respects the window (a peer cannot flood a closing channel)", async () => {
    const { h, ch } = await acceptedChannel({}, { windowSize: 100, maxPacketSize: 100 });
    ch.close();
    h.conn.handle(peerData(ch.localId, new Uint8Array(100)));
    expect(fatal(() => h.conn.handle(peerData(ch.localId, new Uint8Array(1)))).code).toBe(
      "ERR_CHANNEL_WINDOW_EXCEEDED",
    );
  });

  test("RFC 4254 §5.3: a released channel frees its slot — with MAX_CHANNELS open, a CLOSE makes room", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    const channels = [];
    for (let i = 0; i < MAX_CHANNELS; i++) {
      h.conn.handle(forwardedTcpipOpen({ senderChannel: i, connectedPort: 8022 }));
      channels.push(h.opens.pop()!.accept());
    }
    expect(new Set(channels.map((c) => c.localId)).size).toBe(MAX_CHANNELS);
    h.take();
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 90_000, connectedPort: 8022 }));
    expect(h.opens).toEqual([]);
    expect(openFailure(h.take())).toMatchObject({
      recipientChannel: 90_000,
      reasonCode: OPEN_FAILURE.RESOURCE_SHORTAGE,
    });

    const victim = channels[123]!;
    h.conn.handle(ChannelClose.encode({ recipientChannel: victim.localId }));
    h.take();
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 90_001, connectedPort: 8022 }));
    expect(h.opens).toHaveLength(1);
    const reused = h.opens[0]!.accept();
    const conf = ChannelOpenConfirmation.decode(h.take()[0]!);
    expect(conf.recipientChannel).toBe(90_001);
    expect(conf.senderChannel).toBe(reused.localId);
    const live = new Set(h.conn.openChannels.map((c) => c.localId));
    expect(live.size).toBe(MAX_CHANNELS);
    expect(live.has(reused.localId)).toBe(true);
  });
});

describe("channel requests (RFC 4254 §5.4)", () => {
  test("RFC 4254 §5.4: keepalive@openssh.com with want-reply is answered with CHANNEL_FAILURE", async () => {
    const { h, ch, remoteId } = await acceptedChannel();
    h.conn.handle(
      ChannelRequestKeepalive.encode({
        recipientChannel: ch.localId,
        requestType: "keepalive@openssh.com",
        wantReply: true,
      }),
    );
    expect(h.sent).toHaveLength(1);
    expect(ChannelFailure.decode(h.sent[0]!)).toEqual({ recipientChannel: remoteId });
  });

  test("RFC 4254 §5.4: a request without want-reply gets no answer", async () => {
    const { h, ch } = await acceptedChannel();
    h.conn.handle(
      ChannelRequestExitStatus.encode({
        recipientChannel: ch.localId,
        requestType: "exit-status",
        wantReply: false,
        exitStatus: 0,
      }),
    );
    expect(h.sent).toEqual([]);
  });

  test("RFC 4254 §5.4: CHANNEL_SUCCESS / FAILURE when we asked nothing is a protocol error", async () => {
    const { h, ch } = await acceptedChannel();
    expect(fatal(() => h.conn.handle(ChannelSuccess.encode({ recipientChannel: ch.localId }))).code).toBe(
      "ERR_UNEXPECTED_MESSAGE",
    );
    expect(fatal(() => h.conn.handle(ChannelFailure.encode({ recipientChannel: ch.localId }))).code).toBe(
      "ERR_UNEXPECTED_MESSAGE",
    );
  });

  test("RFC 4254 §5.1: CHANNEL_OPEN_CONFIRMATION for a channel we never opened is a protocol error", () => {
    const h = harness();
    const confirmation = ChannelOpenConfirmation.encode({
      recipientChannel: 0,
      senderChannel: 1,
      initialWindowSize: 1,
      maximumPacketSize: 1,
      channelTypeData: new Uint8Array(0),
    });
    expect(fatal(() => h.conn.handle(confirmation)).code).toBe("ERR_UNEXPECTED_MESSAGE");
  });

  test("principle 2: handle() returns false for numbers outside the connection protocol", () => {
    const h = harness();
    expect(h.conn.handle(Uint8Array.of(MSG.USERAUTH_SUCCESS))).toBe(false);
    expect(h.conn.handle(Uint8Array.of(MSG.KEXINIT))).toBe(false);
    expect(h.conn.handle(Uint8Array.of(127))).toBe(false);
    expect(h.sent).toEqual([]);
  });
});

describe("end(error) and channels", () => {
  test("DESIGN principle 8: end() aborts every channel (close fires once) and clears the forwardings", async () => {
    const { h, ch } = await acceptedChannel();
    const close = vi.fn();
    ch.events.close = close;
    h.conn.end(new SshError("ERR_TEST_LOST", "connection lost"));
    expect(close).toHaveBeenCalledTimes(1);
    expect(ch.closed).toBe(true);
    expect(h.conn.openChannels).toEqual([]);
    expect(h.conn.activeForwards).toEqual([]);
    expect(h.sent).toEqual([]); // no CLOSE goes out on a dead connection
    expect(thrown(() => ch.write(pattern(1))).code).toBe("ERR_CHANNEL_CLOSED");
    h.conn.end(new SshError("ERR_TEST_LOST", "again"));
    expect(close).toHaveBeenCalledTimes(1);
  });

  test("DESIGN principle 8: accepting an open that was pending when the connection ended throws", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    h.conn.handle(forwardedTcpipOpen({ connectedPort: 8022 }));
    const cause = new SshError("ERR_TEST_LOST", "connection lost");
    h.conn.end(cause);
    expect(thrown(() => h.opens[0]!.accept())).toBe(cause);
    expect(h.sent).toEqual([]);
  });
});
