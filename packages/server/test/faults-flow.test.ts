// The embedded server's flow control against a misbehaving client over an in-memory pipe (DESIGN.md
// principle 6, testing layer 3): channel data beyond the window or the maximum packet size, a
// client that stops reading (socket backpressure) or never credits its window, and a forwarding
// cancelled while one of its connections is still open.
import * as net from "node:net";
import { CHANNEL_WRITE_HIGH_WATER } from "@purssh/connection";
import type { ExecRequest } from "@purssh/server";
import { withTimeout } from "@purssh/testkit";
import {
  ChannelOpenConfirmation,
  ChannelOpenForwardedTcpip,
  DISCONNECT,
  decodeChannelData,
  encodeChannelData,
  GlobalRequestCancelTcpipForward,
  MSG,
  RequestSuccessTcpipForward,
} from "@purssh/wire";
import { beforeEach, describe, expect, test } from "vitest";
import { expectCleanEnd, keepalive, openExec, refTimers, scriptedSession, tcpipForward } from "./fault-rig.js";

let timersBefore = 0;
beforeEach(() => {
  timersBefore = refTimers();
});

const KiB = 1024;

/** Resolves once `sample()` has returned the same value `times` polls in a row (bounded). */
async function plateau(sample: () => number, what: string, times = 10, everyMs = 20, ms = 10_000): Promise<number> {
  const deadline = Date.now() + ms;
  let last = sample();
  let same = 0;
  while (same < times) {
    if (Date.now() > deadline) throw new Error(`${what} still changing after ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
    const now = sample();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

/** An exec handler that writes as fast as its stream accepts, counting what it produced. */
function endlessWriter(): { exec(request: ExecRequest): void; produced: number } {
  const state = {
    produced: 0,
    exec(request: ExecRequest) {
      const chunk = new Uint8Array(32 * KiB).fill(0x42);
      const pump = () => {
        // Bounded so that a stream that never pushes back cannot spin this loop forever.
        while (!request.stream.destroyed && !request.channel.closed && state.produced < 64 * 1024 * KiB) {
          state.produced += chunk.length;
          if (!request.stream.write(chunk)) {
            request.stream.once("drain", pump);
            return;
          }
        }
      };
      pump();
    },
  };
  return state;
}

describe("channel windows and packet sizes (RFC 4254 §5.2)", () => {
  test("CHANNEL_DATA up to the window is accepted; one byte beyond is DISCONNECT PROTOCOL_ERROR", async () => {
    const side = scriptedSession({ exec: () => {} });
    await side.client.authenticate("alice", "secret");
    const channel = await openExec(side.client);
    const window = channel.initialWindowSize;
    for (let sent = 0; sent < window; sent += channel.maximumPacketSize) {
      const n = Math.min(channel.maximumPacketSize, window - sent);
      side.client.send(encodeChannelData(channel.senderChannel, new Uint8Array(n)));
    }
    // A round trip proves the full window was taken without complaint.
    const reply = side.client.next(MSG.REQUEST_FAILURE, "keepalive reply");
    side.client.send(keepalive());
    await reply;
    expect(side.client.isClosed).toBe(false);
    side.client.send(encodeChannelData(channel.senderChannel, new Uint8Array(1)));
    await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
    expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    expect(side.conn.closeError?.code).toBe("ERR_CHANNEL_WINDOW_EXCEEDED");
    await expectCleanEnd(side, timersBefore);
  });

  test("CHANNEL_DATA larger than the announced maximum packet size is DISCONNECT PROTOCOL_ERROR", async () => {
    const side = scriptedSession({ exec: () => {} });
    await side.client.authenticate("alice", "secret");
    const channel = await openExec(side.client);
    side.client.send(encodeChannelData(channel.senderChannel, new Uint8Array(channel.maximumPacketSize + 1)));
    await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
    expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    expect(side.conn.closeError?.code).toBe("ERR_CHANNEL_PACKET_TOO_LARGE");
    await expectCleanEnd(side, timersBefore);
  });
});

describe("a client that does not read (DESIGN.md principle 6; CVE-2025-22869 class)", () => {
  test("socket backpressure stops the server's output near the pipe's capacity; ClientAlive drops it", async () => {
    const capacity = 64 * KiB;
    const writer = endlessWriter();
    const side = scriptedSession(
      { exec: writer.exec, clientAliveIntervalMs: 300, clientAliveCountMax: 2 },
      {},
      { capacity },
    );
    await side.client.authenticate("alice", "secret");
    // A 16 MiB window: only the socket can stop the server.
    await openExec(side.client, 16 * 1024 * KiB);
    side.clientEnd.pause();
    const inPipe = await plateau(() => side.serverEnd.delivered + side.serverEnd.pending, "bytes in the pipe");
    const serverChannel = side.conn.connection.openChannels[0]!;
    console.log(
      `never-reading client: ${(inPipe / KiB).toFixed(0)} KiB in the pipe (capacity ${capacity / KiB} KiB), ` +
        `${(serverChannel.queued / KiB).toFixed(0)} KiB queued, ${(writer.produced / KiB).toFixed(0)} KiB produced`,
    );
    expect(inPipe).toBeLessThan(capacity + 256 * KiB);
    expect(serverChannel.queued).toBeLessThanOrEqual(CHANNEL_WRITE_HIGH_WATER + 32 * KiB);
    expect(writer.produced).toBeLessThan(inPipe + CHANNEL_WRITE_HIGH_WATER + 128 * KiB);
    expect(serverChannel.sendWindow.available).toBeGreaterThan(15 * 1024 * KiB);
    // ClientAliveInterval × ClientAliveCountMax later the server gives up on it.
    await withTimeout(side.conn.closed, 5000, "ClientAlive disconnect");
    side.clientEnd.resume();
    await side.client.until(() => side.client.isClosed, "the server's DISCONNECT");
    expect(side.client.receivedDisconnect?.reasonCode).toBe(DISCONNECT.CONNECTION_LOST);
    await expectCleanEnd(side, timersBefore);
  });

  test("a window never credited stops the server's output at exactly the window", async () => {
    const window = 256 * KiB;
    const writer = endlessWriter();
    // The pipe never pushes back: only the window can stop the server.
    const side = scriptedSession({ exec: writer.exec }, {}, { capacity: 64 * 1024 * KiB });
    await side.client.authenticate("alice", "secret");
    const before = side.serverEnd.delivered;
    await openExec(side.client, window);
    const received = () =>
      side.client.messages(MSG.CHANNEL_DATA).reduce((n, p) => n + decodeChannelData(p).data.length, 0);
    const data = await plateau(received, "channel data received");
    const serverChannel = side.conn.connection.openChannels[0]!;
    expect(data).toBe(window);
    expect(serverChannel.sendWindow.available).toBe(0);
    expect(serverChannel.queued).toBeLessThanOrEqual(CHANNEL_WRITE_HIGH_WATER + 32 * KiB);
    expect(side.serverEnd.delivered - before).toBeLessThan(window * 1.05 + 4 * KiB);
    expect(writer.produced).toBeLessThan(window + CHANNEL_WRITE_HIGH_WATER + 128 * KiB);
    side.conn.close();
    await expectCleanEnd(side, timersBefore);
  });
});

describe("remote forwarding (RFC 4254 §7.1)", () => {
  test("cancel-tcpip-forward is answered while a forwarded connection is still open (sshd does)", async () => {
    const side = scriptedSession();
    await side.client.authenticate("alice", "secret");
    const granted = side.client.next(MSG.REQUEST_SUCCESS, "tcpip-forward reply");
    side.client.send(tcpipForward(0));
    const { boundPort } = RequestSuccessTcpipForward.decode(await granted);
    // One connection to the forwarded port, its channel confirmed and left open.
    const opened = side.client.next(MSG.CHANNEL_OPEN, "forwarded-tcpip open");
    const socket = net.connect(boundPort, "127.0.0.1");
    socket.on("error", () => {});
    const open = ChannelOpenForwardedTcpip.decode(await opened);
    expect(open.connectedPort).toBe(boundPort);
    side.client.send(
      ChannelOpenConfirmation.encode({
        recipientChannel: open.senderChannel,
        senderChannel: 1,
        initialWindowSize: 2 * 1024 * KiB,
        maximumPacketSize: 32 * KiB,
        channelTypeData: new Uint8Array(0),
      }),
    );
    const cancelled = side.client.next(MSG.REQUEST_SUCCESS, "cancel-tcpip-forward reply", 3000);
    side.client.send(
      GlobalRequestCancelTcpipForward.encode({
        requestName: "cancel-tcpip-forward",
        wantReply: true,
        addressToBind: "127.0.0.1",
        portToBind: boundPort,
      }),
    );
    try {
      await cancelled;
      expect(side.conn.forwardListeners).toHaveLength(0);
    } finally {
      socket.destroy();
      side.conn.close();
      await expectCleanEnd(side, timersBefore);
    }
  });
});
