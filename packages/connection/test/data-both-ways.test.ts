// RFC 4254 §5.2 (data, extended data, windows) and §5.3 (EOF, CLOSE) between two Connections:
// byte-exact transfer both ways through direct-tcpip, forwarded-tcpip and session channels, flow
// control with data far larger than the window, and what happens to data that comes too late.
import {
  ChannelExtendedData,
  DISCONNECT,
  EXTENDED_DATA,
  encodeChannelData,
  MSG,
  ProtocolError,
  SshError,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { directTcpip, expectSameBytes, numbers, pair, pattern, sink, takeOpen } from "./pair.js";

const KiB = 1024;
const MiB = 1024 * KiB;

describe("data both ways (RFC 4254 §5.2)", () => {
  test("RFC 4254 §5.2: 1 MiB each way through direct-tcpip with a 64 KiB window arrives byte-exact", async () => {
    const small = { windowSize: 64 * KiB, maxPacketSize: 16 * KiB };
    const p = pair({ client: small, server: small });
    const { client, server, clientSink, serverSink } = await directTcpip(p);
    const up = pattern(MiB, 0);
    const down = pattern(MiB, 100);
    client.write(up);
    server.write(down);
    await p.settle();
    expect(p.failure).toBeUndefined(); // an overrun would have been ERR_CHANNEL_WINDOW_EXCEEDED
    expectSameBytes(serverSink.bytes(), up);
    expectSameBytes(clientSink.bytes(), down);
    // No packet exceeded the receiver's 16 KiB maximum, and the window was replenished repeatedly.
    const sizes = p.client.sent.filter((m) => m[0] === MSG.CHANNEL_DATA).map((m) => m.length - 9);
    expect(Math.max(...sizes)).toBe(16 * KiB);
    expect(p.server.sent.filter((m) => m[0] === MSG.CHANNEL_WINDOW_ADJUST).length).toBeGreaterThanOrEqual(30);
  });

  test("principle 6: a consumer that does not consume stops the sender at exactly the window; consuming resumes it", async () => {
    const small = { windowSize: 64 * KiB, maxPacketSize: 16 * KiB };
    const p = pair({ client: small, server: small });
    const { client, server, serverSink } = await directTcpip(p, { consumeServer: false });
    const up = pattern(300 * KiB, 3);
    client.write(up);
    await p.settle();
    expect(serverSink.bytes().length).toBe(64 * KiB);
    expect(client.queued).toBe(300 * KiB - 64 * KiB);
    expect(client.sendWindow.available).toBe(0);
    // Nothing more arrives until the application consumes; then it flows again, window by window.
    await p.settle();
    expect(serverSink.bytes().length).toBe(64 * KiB);
    let consumed = 0;
    for (let round = 0; round < 100 && serverSink.bytes().length < up.length; round++) {
      const delivered = serverSink.bytes().length;
      server.consume(delivered - consumed);
      consumed = delivered;
      await p.settle();
    }
    expectSameBytes(serverSink.bytes(), up);
    expect(client.queued).toBe(0);
  });

  test("RFC 4254 §7.2: a forwarded-tcpip channel the server opens carries bytes both ways exactly", async () => {
    const p = pair({
      client: { onForwardedTcpip: (o) => p.client.opens.push(o) },
      server: { answerGlobalRequest: (r) => (r.kind === "tcpip-forward" ? 40404 : false) },
    });
    const listening = p.client.conn.requestForwarding("", 0);
    await p.settle();
    expect((await listening).port).toBe(40404);
    const serverSink = sink(() => serverEnd);
    let serverEnd: Awaited<ReturnType<typeof p.server.conn.openForwardedTcpip>> | undefined;
    const opening = p.server.conn.openForwardedTcpip(
      { connectedAddress: "", connectedPort: 40404, originatorAddress: "203.0.113.5", originatorPort: 1234 },
      serverSink.events,
    );
    await p.settle();
    const open = takeOpen(p.client);
    const clientEnd = open.accept();
    const clientSink = sink(() => clientEnd);
    Object.assign(clientEnd.events, clientSink.events);
    await p.settle();
    serverEnd = await opening;
    const request = pattern(200 * KiB, 9);
    const response = pattern(3 * MiB, 77);
    serverEnd.write(request);
    clientEnd.write(response);
    await p.settle();
    expectSameBytes(clientSink.bytes(), request);
    expectSameBytes(serverSink.bytes(), response);
  });

  test("RFC 4254 §5.2: extended data (stderr) shares the window and arrives with its type code", async () => {
    const small = { windowSize: 10 * KiB, maxPacketSize: 4 * KiB };
    const p = pair({ client: small, server: small });
    const { client, server, clientSink } = await directTcpip(p, { consumeClient: false });
    const codes: number[] = [];
    const extended = clientSink.events.extendedData!;
    client.events.extendedData = (d, code) => {
      codes.push(code);
      extended(d, code);
    };
    server.write(pattern(6 * KiB));
    server.writeExtended(pattern(6 * KiB, 1)); // only 4 KiB of window left
    await p.settle();
    expect(clientSink.bytes().length).toBe(6 * KiB);
    expect(clientSink.stderrBytes().length).toBe(4 * KiB);
    expect(server.queued).toBe(2 * KiB);
    client.consume(10 * KiB);
    await p.settle();
    expectSameBytes(clientSink.stderrBytes(), pattern(6 * KiB, 1));
    expect(new Set(codes)).toEqual(new Set([EXTENDED_DATA.STDERR]));
    // A custom type code travels too.
    server.writeExtended(Uint8Array.of(42), 7);
    await p.settle();
    expect(codes.at(-1)).toBe(7);
  });

  test("RFC 4254 §5.2: without an extendedData handler, extended data is credited as consumed", async () => {
    const small = { windowSize: 8 * KiB, maxPacketSize: 4 * KiB };
    const p = pair({ client: small, server: small });
    const { client, server } = await directTcpip(p);
    client.events.extendedData = undefined;
    server.writeExtended(pattern(20 * KiB));
    await p.settle();
    expect(server.queued).toBe(0); // 20 KiB through an 8 KiB window: credit came back
    expect(p.failure).toBeUndefined();
  });

  test("principle 3: while canSendData() is false channel data waits; resume() sends it", async () => {
    const p = pair();
    const { client, serverSink } = await directTcpip(p);
    p.client.writable = false;
    client.write(pattern(1000));
    await p.settle();
    expect(serverSink.bytes().length).toBe(0);
    expect(client.queued).toBe(1000);
    p.client.writable = true;
    p.client.conn.resume();
    await p.settle();
    expectSameBytes(serverSink.bytes(), pattern(1000));
  });
});

describe("ordering on one channel (RFC 4254 §5.2, §5.4, §5.3)", () => {
  test("data, extended data, requests and EOF leave in the order issued, even when the window holds data back", async () => {
    const p = pair({ client: { windowSize: 100, maxPacketSize: 100 } });
    const { client, server } = await directTcpip(p, { consumeClient: false });
    const before = p.server.sent.length;
    server.write(pattern(150)); // 50 bytes must wait for window
    server.writeExtended(pattern(10));
    server.sendExitStatus(3);
    server.end();
    const sentNow = numbers(p.server.sent.slice(before));
    expect(sentNow).toEqual([MSG.CHANNEL_DATA]); // everything else waits behind the held data
    await p.settle();
    client.consume(100);
    await p.settle();
    expect(numbers(p.server.sent.slice(before))).toEqual([
      MSG.CHANNEL_DATA,
      MSG.CHANNEL_DATA,
      MSG.CHANNEL_EXTENDED_DATA,
      MSG.CHANNEL_REQUEST,
      MSG.CHANNEL_EOF,
    ]);
    expect(client.exitStatus).toBe(3);
  });
});

describe("EOF and CLOSE (RFC 4254 §5.3)", () => {
  test("RFC 4254 §5.3: after end() no data may be written; the peer sees eof and may still send", async () => {
    const p = pair();
    const { client, server, clientSink, serverSink } = await directTcpip(p);
    client.write(pattern(10));
    client.end();
    expect(() => client.write(pattern(1))).toThrow(expect.objectContaining({ code: "ERR_CHANNEL_CLOSED" }));
    expect(() => client.writeExtended(pattern(1))).toThrow(expect.objectContaining({ code: "ERR_CHANNEL_CLOSED" }));
    await p.settle();
    expect(serverSink.eof).toBe(true);
    expect(server.eofReceived).toBe(true);
    server.write(pattern(20, 5)); // the other direction stays open
    await p.settle();
    expectSameBytes(clientSink.bytes(), pattern(20, 5));
  });

  test("RFC 4254 §5.3: EOF each way, then closeWhenDrained gives CLOSE after the data and releases both channels", async () => {
    const p = pair({ client: { windowSize: 1000, maxPacketSize: 500 } });
    const { client, server, clientSink, serverSink } = await directTcpip(p);
    client.end(); // half-close: the client will send no more
    client.events.eof = () => {
      clientSink.eof = true;
      client.closeWhenDrained(); // the server's EOF: nothing more either way
    };
    server.write(pattern(5000)); // 5 windows' worth, after the client's EOF
    server.closeWhenDrained();
    await p.settle();
    expectSameBytes(clientSink.bytes(), pattern(5000));
    expect([clientSink.eof, serverSink.eof, clientSink.closed, serverSink.closed]).toEqual([true, true, true, true]);
    expect(p.client.conn.openChannels).toEqual([]);
    expect(p.server.conn.openChannels).toEqual([]);
    const serverTail = numbers(p.server.sent).filter((n) => n === MSG.CHANNEL_EOF || n === MSG.CHANNEL_CLOSE);
    expect(serverTail).toEqual([MSG.CHANNEL_EOF, MSG.CHANNEL_CLOSE]);
    expect(numbers(p.client.sent).filter((n) => n === MSG.CHANNEL_CLOSE)).toHaveLength(1);
  });

  test("RFC 4254 §5.3: close() from one side is answered by one CLOSE and releases the channel on both", async () => {
    const p = pair();
    const { client, clientSink, serverSink } = await directTcpip(p);
    client.close();
    client.close();
    await p.settle();
    expect(serverSink.closed && clientSink.closed).toBe(true);
    expect(numbers(p.server.sent).filter((n) => n === MSG.CHANNEL_CLOSE)).toHaveLength(1);
    expect(numbers(p.client.sent).filter((n) => n === MSG.CHANNEL_CLOSE)).toHaveLength(1);
    expect(p.client.conn.openChannels).toEqual([]);
    expect(p.server.conn.openChannels).toEqual([]);
  });

  test("OpenSSH channel_input_data: data after the peer's EOF is dropped, and its window is credited back", async () => {
    const p = pair({ client: { windowSize: 1000, maxPacketSize: 1000 } });
    const { client, server, clientSink } = await directTcpip(p);
    server.end();
    await p.settle();
    expect(clientSink.eof).toBe(true);
    const before = p.client.sent.length;
    // A misbehaving peer keeps sending after its EOF (the server's Channel would refuse to).
    p.client.conn.handle(encodeChannelData(client.localId, pattern(600)));
    p.client.conn.handle(
      ChannelExtendedData.encode({ recipientChannel: client.localId, dataTypeCode: 1, data: pattern(400) }),
    );
    expect(clientSink.bytes().length).toBe(0);
    expect(clientSink.stderrBytes().length).toBe(0);
    // Not a deadlock: the 1000 bytes were credited (WINDOW_ADJUST past half the window).
    const adjusts = p.client.sent.slice(before).filter((m) => m[0] === MSG.CHANNEL_WINDOW_ADJUST);
    expect(adjusts.map((m) => new DataView(m.buffer, m.byteOffset).getUint32(5))).toEqual([600]);
    expect(client.receiveWindow.available).toBe(600); // 400 of stderr wait for the half-window threshold
    // Still bounded by the window: 601 bytes at once is an overrun.
    expect(() => p.client.conn.handle(encodeChannelData(client.localId, pattern(601)))).toThrow(ProtocolError);
    void server;
  });

  test("RFC 4254 §5.2: a peer overrunning our window ends the connection with ERR_CHANNEL_WINDOW_EXCEEDED", async () => {
    const p = pair({ client: { windowSize: 1000, maxPacketSize: 1000 } });
    const { client } = await directTcpip(p, { consumeClient: false });
    p.client.conn.handle(encodeChannelData(client.localId, pattern(999)));
    let error: unknown;
    try {
      p.client.conn.handle(encodeChannelData(client.localId, pattern(2)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: "ERR_CHANNEL_WINDOW_EXCEEDED", reason: DISCONNECT.PROTOCOL_ERROR });
  });

  test("RFC 4254 §5.3: data for a channel after its CLOSE exchange names a released channel and is fatal", async () => {
    const p = pair();
    const { client } = await directTcpip(p);
    const id = client.localId;
    client.close();
    await p.settle();
    expect(() => p.client.conn.handle(encodeChannelData(id, pattern(1)))).toThrow(
      expect.objectContaining({ code: "ERR_UNKNOWN_CHANNEL" }),
    );
  });

  test("DESIGN principle 8: end() aborts channels on both sides of a dead link (close fires once, nothing sent)", async () => {
    const p = pair();
    const { client, clientSink } = await directTcpip(p);
    const before = p.client.sent.length;
    const cause = new SshError("ERR_TEST_LOST", "lost");
    p.client.conn.end(cause);
    expect(clientSink.closed).toBe(true);
    expect(client.closed).toBe(true);
    expect(p.client.sent.length).toBe(before);
    expect(p.client.conn.openChannels).toEqual([]);
  });
});
