// RFC 4254 §5.1 / §6.1 / §7.2 and OpenSSH PROTOCOL §2.2, §2.4 between two Connections: opens we
// make (promises resolved by CONFIRMATION, rejected by FAILURE) and the peer's opens of every type,
// decoded, routed to the application and refused with the right reason code.
import { ChannelOpenError, MAX_PENDING_OPENS } from "@purssh/connection";
import {
  ChannelOpen,
  ChannelOpenConfirmation,
  ChannelOpenDirectStreamlocal,
  ChannelOpenDirectTcpip,
  ChannelOpenFailure,
  ChannelOpenForwardedStreamlocal,
  ChannelOpenForwardedTcpip,
  ChannelOpenSession,
  MSG,
  OPEN_FAILURE,
  ProtocolError,
  SshError,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { numbers, pair, pattern, sink, takeOpen, track } from "./pair.js";

const WINDOW = 2 * 1024 * 1024;
const PACKET = 32 * 1024;

/** The error `p` rejects with; attach it when the promise is made (no unhandled rejection). */
function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

describe("opens we make (RFC 4254 §5.1)", () => {
  test("RFC 4254 §6.1: openSession() sends CHANNEL_OPEN 'session' with our channel, window and packet size", async () => {
    const p = pair();
    const opening = p.client.conn.openSession();
    expect(ChannelOpenSession.decode(p.client.sent[0]!)).toEqual({
      channelType: "session",
      senderChannel: 0,
      initialWindowSize: WINDOW,
      maximumPacketSize: PACKET,
    });
    await p.settle();
    const open = takeOpen(p.server);
    expect(open).toMatchObject({ kind: "session", type: "session", senderChannel: 0, initialWindowSize: WINDOW });
    const server = open.accept();
    await p.settle();
    const client = await opening;
    expect(client.type).toBe("session");
    expect(client.remoteId).toBe(server.localId);
    expect(server.remoteId).toBe(client.localId);
    expect(p.client.conn.openChannels).toEqual([client]);
    expect(p.server.conn.openChannels).toEqual([server]);
  });

  test("RFC 4254 §7.2: openDirectTcpip() carries host, port and originator; the server sees them decoded", async () => {
    const p = pair();
    void p.client.conn.openDirectTcpip({
      host: "db.internal",
      port: 5432,
      originatorAddress: "192.0.2.1",
      originatorPort: 40000,
    });
    expect(ChannelOpenDirectTcpip.decode(p.client.sent[0]!)).toMatchObject({
      channelType: "direct-tcpip",
      hostToConnect: "db.internal",
      portToConnect: 5432,
      originatorAddress: "192.0.2.1",
      originatorPort: 40000,
    });
    await p.settle();
    expect(takeOpen(p.server)).toMatchObject({
      kind: "direct-tcpip",
      type: "direct-tcpip",
      host: "db.internal",
      port: 5432,
      originatorAddress: "192.0.2.1",
      originatorPort: 40000,
    });
  });

  test("OpenSSH PROTOCOL §2.4: openDirectStreamlocal() sends the path, an empty reserved string and a 0 reserved uint32", async () => {
    const p = pair();
    void p.client.conn.openDirectStreamlocal("/run/app.sock");
    expect(ChannelOpenDirectStreamlocal.decode(p.client.sent[0]!)).toMatchObject({
      channelType: "direct-streamlocal@openssh.com",
      socketPath: "/run/app.sock",
      reservedString: "",
      reservedUint32: 0,
    });
    await p.settle();
    expect(takeOpen(p.server)).toMatchObject({
      kind: "direct-streamlocal@openssh.com",
      socketPath: "/run/app.sock",
    });
  });

  test("RFC 4254 §5.1: openChannel() of an unknown type reaches the peer as kind 'other' with its raw data", async () => {
    const p = pair();
    void p.client.conn.openChannel("x-test@example.com", Uint8Array.of(1, 2, 3));
    expect(ChannelOpen.decode(p.client.sent[0]!)).toMatchObject({
      channelType: "x-test@example.com",
      channelTypeData: Uint8Array.of(1, 2, 3),
    });
    await p.settle();
    const open = takeOpen(p.server);
    expect(open.kind).toBe("other");
    expect(open.type).toBe("x-test@example.com");
    expect(open.kind === "other" && open.data).toEqual(Uint8Array.of(1, 2, 3));
  });

  test("RFC 4254 §5.1: each pending open reserves its own local channel number", async () => {
    const p = pair();
    void p.client.conn.openSession();
    void p.client.conn.openSession();
    void p.client.conn.openDirectStreamlocal("/s");
    expect(p.client.sent.map((m) => ChannelOpen.decode(m).senderChannel)).toEqual([0, 1, 2]);
    await p.settle();
    const chans = p.server.opens.splice(0).map((o) => o.accept());
    expect(chans.map((c) => c.remoteId)).toEqual([0, 1, 2]);
  });

  test("RFC 4254 §5.1: a refusal rejects with ChannelOpenError carrying the reason code, its name and the description", async () => {
    const p = pair();
    const opening = rejection(
      p.client.conn.openDirectTcpip({ host: "10.0.0.1", port: 25, originatorAddress: "", originatorPort: 0 }),
    );
    await p.settle();
    takeOpen(p.server).reject(OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED, "port 25 is not permitted");
    await p.settle();
    const e = await opening;
    expect(e).toBeInstanceOf(ChannelOpenError);
    expect(e).toMatchObject({
      code: "ERR_CHANNEL_OPEN_FAILED",
      channelType: "direct-tcpip",
      reasonCode: 1,
      reasonName: "ADMINISTRATIVELY_PROHIBITED",
      description: "port 25 is not permitted",
    });
    expect(p.client.conn.openChannels).toEqual([]);
    expect(p.failure).toBeUndefined();
  });

  test("RFC 4254 §5.1: reject() without arguments is CONNECT_FAILED 'connection refused'", async () => {
    const p = pair();
    const opening = rejection(p.client.conn.openSession());
    await p.settle();
    takeOpen(p.server).reject();
    await p.settle();
    expect(await opening).toMatchObject({ reasonCode: OPEN_FAILURE.CONNECT_FAILED, reasonName: "CONNECT_FAILED" });
  });

  test("RFC 4254 §5.1: a reason code outside the RFC's table is reported as UNKNOWN(n), not dropped", async () => {
    const p = pair();
    const opening = rejection(p.client.conn.openSession());
    p.client.conn.handle(
      ChannelOpenFailure.encode({ recipientChannel: 0, reasonCode: 99, description: "", languageTag: "" }),
    );
    expect(await opening).toMatchObject({ reasonCode: 99, reasonName: "UNKNOWN(99)" });
  });

  test("RFC 4254 §5.1: a CONFIRMATION or FAILURE for a channel we are not opening is a protocol error", async () => {
    const p = pair();
    const opening = track(p.client.conn.openSession());
    const stray = ChannelOpenConfirmation.encode({
      recipientChannel: 5,
      senderChannel: 9,
      initialWindowSize: 1,
      maximumPacketSize: 1,
      channelTypeData: new Uint8Array(0),
    });
    const e = (() => {
      try {
        p.client.conn.handle(stray);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe("ERR_UNEXPECTED_MESSAGE");
    // Answering our open twice is just as wrong: the second answer finds nothing pending.
    p.client.conn.handle(
      ChannelOpenFailure.encode({ recipientChannel: 0, reasonCode: 2, description: "", languageTag: "" }),
    );
    expect(() =>
      p.client.conn.handle(
        ChannelOpenFailure.encode({ recipientChannel: 0, reasonCode: 2, description: "", languageTag: "" }),
      ),
    ).toThrow(ProtocolError);
    await Promise.resolve();
    expect(opening.state).toBe("rejected");
  });

  test("CVE-2026-59843 class: a CONFIRMATION with maximum packet size 0 is fatal (nothing could ever be sent)", () => {
    const p = pair();
    void p.client.conn.openSession().catch(() => {});
    const zero = ChannelOpenConfirmation.encode({
      recipientChannel: 0,
      senderChannel: 3,
      initialWindowSize: 1000,
      maximumPacketSize: 0,
      channelTypeData: new Uint8Array(0),
    });
    expect(() => p.client.conn.handle(zero)).toThrow(expect.objectContaining({ code: "ERR_CHANNEL_ZERO_PACKET_SIZE" }));
  });

  test("RFC 4254 §5.1: the send window and packet size come from the peer's CONFIRMATION", async () => {
    const p = pair({ server: { windowSize: 1000, maxPacketSize: 300 } });
    const opening = p.client.conn.openSession();
    await p.settle();
    takeOpen(p.server).accept();
    await p.settle();
    const ch = await opening;
    expect(ch.sendWindow.available).toBe(1000);
    expect(ch.sendWindow.maxPacket).toBe(300);
    ch.write(pattern(1000));
    expect(p.client.sent.filter((m) => m[0] === MSG.CHANNEL_DATA).map((m) => m.length - 9)).toEqual([
      300, 300, 300, 100,
    ]);
  });

  test("events given to openChannel are installed before data that shares the CONFIRMATION's read", async () => {
    const p = pair();
    const s = sink(() => undefined);
    const opening = p.client.conn.openDirectTcpip(
      { host: "h", port: 22, originatorAddress: "", originatorPort: 0 },
      s.events,
    );
    await p.settle();
    const server = takeOpen(p.server).accept();
    server.write(pattern(10)); // same burst as the CONFIRMATION: an SSH banner, say
    await p.settle();
    await opening;
    expect(s.bytes()).toEqual(pattern(10));
  });

  test("DESIGN principle 8: end(error) rejects every pending open with that error", async () => {
    const p = pair();
    const a = p.client.conn.openSession();
    const b = p.client.conn.openDirectStreamlocal("/x");
    const cause = new SshError("ERR_TEST_LOST", "connection lost");
    p.client.conn.end(cause);
    expect(await Promise.allSettled([a, b])).toEqual([
      { status: "rejected", reason: cause },
      { status: "rejected", reason: cause },
    ]);
    await expect(p.client.conn.openSession()).rejects.toBe(cause);
  });
});

describe("the peer's opens (RFC 4254 §5.1, §7.2)", () => {
  test("RFC 4254 §5.1: without onChannelOpen every type is refused with UNKNOWN_CHANNEL_TYPE", async () => {
    const p = pair();
    const opening = rejection(p.server.conn.openSession());
    await p.settle();
    expect(await opening).toMatchObject({
      reasonCode: OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE,
      description: "channel type session is not accepted",
    });
  });

  test("RFC 4254 §7.2: the server's openForwardedTcpip reaches the client only for a port it requested", async () => {
    const p = pair({
      client: { onChannelOpen: (o) => p.client.opens.push(o) },
      server: { answerGlobalRequest: (r) => (r.kind === "tcpip-forward" ? 41000 : false) },
    });
    const listening = p.client.conn.requestForwarding("", 0);
    await p.settle();
    const fwd = await listening;
    const params = {
      connectedAddress: "",
      connectedPort: 41000,
      originatorAddress: "198.51.100.2",
      originatorPort: 6000,
    };
    const good = p.server.conn.openForwardedTcpip(params);
    expect(ChannelOpenForwardedTcpip.decode(p.server.sent.at(-1)!)).toMatchObject(params);
    const bad = rejection(p.server.conn.openForwardedTcpip({ ...params, connectedPort: 41001 }));
    await p.settle();
    expect(await bad).toMatchObject({
      reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
      description: "no forwarding was requested for port 41001",
    });
    const open = takeOpen(p.client);
    expect(open).toMatchObject({ kind: "forwarded-tcpip", ...params, forward: fwd });
    open.accept();
    await p.settle();
    expect((await good).type).toBe("forwarded-tcpip");
  });

  test("RFC 4254 §7.2: onForwardedTcpip takes forwarded-tcpip opens ahead of onChannelOpen", async () => {
    const routed: string[] = [];
    const p = pair({
      client: {
        onForwardedTcpip: (o) => routed.push(`forwarded:${o.connectedPort}`),
        onChannelOpen: (o) => routed.push(`generic:${o.type}`),
      },
      server: { answerGlobalRequest: () => true },
    });
    const listening = p.client.conn.requestForwarding("127.0.0.1", 8022);
    await p.settle();
    await listening;
    void p.server.conn.openForwardedTcpip({
      connectedAddress: "127.0.0.1",
      connectedPort: 8022,
      originatorAddress: "",
      originatorPort: 0,
    });
    void p.server.conn.openDirectTcpip({ host: "h", port: 1, originatorAddress: "", originatorPort: 0 });
    await p.settle();
    expect(routed).toEqual(["forwarded:8022", "generic:direct-tcpip"]);
  });

  test("OpenSSH PROTOCOL §2.4: forwarded-streamlocal is accepted only for a socket we asked the peer to listen on", async () => {
    const p = pair({
      client: { onChannelOpen: (o) => p.client.opens.push(o) },
      server: { answerGlobalRequest: (r) => r.kind === "streamlocal-forward@openssh.com" },
    });
    const listening = p.client.conn.requestStreamlocalForward("/tmp/agent.sock");
    await p.settle();
    expect(await listening).toEqual({ socketPath: "/tmp/agent.sock" });
    const good = p.server.conn.openForwardedStreamlocal("/tmp/agent.sock");
    expect(ChannelOpenForwardedStreamlocal.decode(p.server.sent.at(-1)!)).toMatchObject({
      socketPath: "/tmp/agent.sock",
      reserved: "",
    });
    const bad = rejection(p.server.conn.openForwardedStreamlocal("/etc/other.sock"));
    await p.settle();
    expect(await bad).toMatchObject({
      reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
      description: "no forwarding was requested for socket /etc/other.sock",
    });
    const open = takeOpen(p.client);
    expect(open).toMatchObject({
      kind: "forwarded-streamlocal@openssh.com",
      socketPath: "/tmp/agent.sock",
      forward: { socketPath: "/tmp/agent.sock" },
    });
    open.accept();
    await p.settle();
    expect((await good).type).toBe("forwarded-streamlocal@openssh.com");
  });

  test("OpenSSH PROTOCOL §2.4: after cancel-streamlocal-forward the socket's opens are refused again", async () => {
    const p = pair({
      client: { onChannelOpen: (o) => p.client.opens.push(o) },
      server: { answerGlobalRequest: () => true },
    });
    const listening = p.client.conn.requestStreamlocalForward("/s");
    await p.settle();
    await listening;
    const cancelling = p.client.conn.cancelStreamlocalForward("/s");
    await p.settle();
    await cancelling;
    expect(p.client.conn.activeStreamlocalForwards).toEqual([]);
    const late = rejection(p.server.conn.openForwardedStreamlocal("/s"));
    await p.settle();
    expect(await late).toMatchObject({ reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED });
    expect(p.client.opens).toEqual([]);
  });

  test("CVE-2026-59843: an open with maximum packet size 0 is refused before the handler sees it", async () => {
    const p = pair();
    p.server.conn.handle(
      ChannelOpenSession.encode({
        channelType: "session",
        senderChannel: 4,
        initialWindowSize: 10,
        maximumPacketSize: 0,
      }),
    );
    expect(p.server.opens).toEqual([]);
    expect(ChannelOpenFailure.decode(p.server.sent[0]!)).toMatchObject({
      recipientChannel: 4,
      reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
    });
  });

  test("DESIGN principle 7: past MAX_PENDING_OPENS undecided opens the peer's next one is refused RESOURCE_SHORTAGE", async () => {
    const p = pair();
    const openings = Array.from({ length: MAX_PENDING_OPENS + 1 }, () => track(p.client.conn.openSession()));
    await p.settle();
    expect(p.server.opens).toHaveLength(MAX_PENDING_OPENS);
    expect(openings.slice(0, -1).every((o) => o.state === "pending")).toBe(true);
    expect(openings.at(-1)!.error).toMatchObject({ reasonCode: OPEN_FAILURE.RESOURCE_SHORTAGE });
    // Deciding one makes room again.
    p.server.opens.shift()!.reject();
    const again = track(p.client.conn.openSession());
    await p.settle();
    expect(p.server.opens).toHaveLength(MAX_PENDING_OPENS);
    expect(again.state).toBe("pending");
  });

  test("RFC 4254 §5.1: a late accept() after end() throws the connection's error and sends nothing", async () => {
    const p = pair();
    void p.client.conn.openSession().catch(() => {});
    await p.settle();
    const open = takeOpen(p.server);
    const cause = new SshError("ERR_TEST_LOST", "lost");
    p.server.conn.end(cause);
    const before = p.server.sent.length;
    expect(() => open.accept()).toThrow(cause);
    expect(p.server.sent.length).toBe(before);
  });
});

describe("no-more-sessions@openssh.com (OpenSSH PROTOCOL §2.2)", () => {
  test("OpenSSH PROTOCOL §2.2: after the client's no-more-sessions, its session opens are refused; other types still open", async () => {
    const p = pair();
    const first = p.client.conn.openSession();
    await p.settle();
    takeOpen(p.server).accept();
    await p.settle();
    await first;
    p.client.conn.sendNoMoreSessions();
    expect(numbers(p.client.sent.slice(-1))).toEqual([MSG.GLOBAL_REQUEST]);
    await p.settle();
    expect(p.server.conn.noMoreSessionsReceived).toBe(true);
    // Our own later openSession() refuses locally; direct-tcpip is unaffected.
    await expect(p.client.conn.openSession()).rejects.toMatchObject({ code: "ERR_NO_MORE_SESSIONS" });
    await expect(p.client.conn.openChannel("session")).rejects.toMatchObject({ code: "ERR_NO_MORE_SESSIONS" });
    void p.client.conn.openDirectTcpip({ host: "h", port: 1, originatorAddress: "", originatorPort: 0 });
    await p.settle();
    expect(takeOpen(p.server).kind).toBe("direct-tcpip");
    // A hijacked client (or a buggy one) opening a session anyway is refused, not given a shell.
    p.server.conn.handle(
      ChannelOpenSession.encode({
        channelType: "session",
        senderChannel: 9,
        initialWindowSize: 100,
        maximumPacketSize: 100,
      }),
    );
    expect(ChannelOpenFailure.decode(p.server.sent.at(-1)!)).toMatchObject({
      recipientChannel: 9,
      reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
      description: "no-more-sessions@openssh.com was received",
    });
    expect(p.server.opens).toEqual([]);
    expect(p.failure).toBeUndefined();
  });
});
