// RFC 4254 §5.1 / §7.2: incoming channel opens on a reverse-tunnel client. Only forwarded-tcpip
// for a port we asked for reaches the application; everything else is refused with the right code.
import { MAX_PENDING_OPENS } from "@purssh/connection";
import {
  ChannelOpen,
  ChannelOpenConfirmation,
  ChannelOpenDirectTcpip,
  ChannelOpenSession,
  concatBytes,
  MSG,
  OPEN_FAILURE,
  SshWriter,
} from "@purssh/wire";
import { describe, expect, test } from "vitest";
import { forward, forwardedTcpipOpen, harness, openFailure, thrown } from "./harness.js";

describe("forwarded-tcpip opens (RFC 4254 §7.2)", () => {
  test("RFC 4254 §7.2: an open for a requested port reaches the application with its addresses", async () => {
    const h = harness();
    const f = await forward(h, "127.0.0.1", 8022);
    h.conn.handle(
      forwardedTcpipOpen({
        senderChannel: 11,
        connectedAddress: "127.0.0.1",
        connectedPort: 8022,
        originatorAddress: "198.51.100.7",
        originatorPort: 60001,
      }),
    );
    expect(h.sent).toEqual([]); // nothing is decided for the application
    expect(h.opens).toHaveLength(1);
    expect(h.opens[0]).toMatchObject({
      connectedAddress: "127.0.0.1",
      connectedPort: 8022,
      originatorAddress: "198.51.100.7",
      originatorPort: 60001,
    });
    expect(h.opens[0]!.forward).toEqual(f);
  });

  test("RFC 4254 §7.2: an open on the port the server chose for a port-0 forwarding is accepted", async () => {
    const h = harness();
    await forward(h, "", 0, 41237);
    h.conn.handle(forwardedTcpipOpen({ connectedAddress: "", connectedPort: 41237 }));
    expect(h.opens).toHaveLength(1);
    expect(h.opens[0]!.forward.requestedPort).toBe(0);
  });

  test("RFC 4254 §5.1: accept() confirms with our channel, a 2 MiB window and 32 KiB packets", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 42, connectedPort: 8022 }));
    const ch = h.opens[0]!.accept();
    expect(h.sent).toHaveLength(1);
    expect(ChannelOpenConfirmation.decode(h.sent[0]!)).toEqual({
      recipientChannel: 42,
      senderChannel: ch.localId,
      initialWindowSize: 2 * 1024 * 1024,
      maximumPacketSize: 32 * 1024,
      channelTypeData: new Uint8Array(0),
    });
    expect(ch.remoteId).toBe(42);
    expect(ch.type).toBe("forwarded-tcpip");
    expect(h.conn.openChannels).toEqual([ch]);
  });

  test("RFC 4254 §5.1: configured window and packet sizes are what the confirmation announces", async () => {
    const h = harness({ windowSize: 65536, maxPacketSize: 16384 });
    await forward(h, "127.0.0.1", 8022);
    h.conn.handle(forwardedTcpipOpen({ connectedPort: 8022 }));
    h.opens[0]!.accept();
    expect(ChannelOpenConfirmation.decode(h.sent[0]!)).toMatchObject({
      initialWindowSize: 65536,
      maximumPacketSize: 16384,
    });
  });

  test("RFC 4254 §5.1: each accepted channel gets its own local channel number", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    for (const sender of [5, 6, 7]) h.conn.handle(forwardedTcpipOpen({ senderChannel: sender, connectedPort: 8022 }));
    const ids = h.opens.map((o) => o.accept().localId);
    expect(new Set(ids).size).toBe(3);
    const confirmations = h.sent.map((p) => ChannelOpenConfirmation.decode(p));
    expect(confirmations.map((c) => [c.recipientChannel, c.senderChannel])).toEqual([
      [5, ids[0]],
      [6, ids[1]],
      [7, ids[2]],
    ]);
  });

  test("RFC 4254 §5.1: reject() sends CHANNEL_OPEN_FAILURE with the reason and description", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 13, connectedPort: 8022 }));
    h.opens[0]!.reject(OPEN_FAILURE.RESOURCE_SHORTAGE, "local service is busy");
    expect(openFailure(h.sent)).toEqual({
      recipientChannel: 13,
      reasonCode: OPEN_FAILURE.RESOURCE_SHORTAGE,
      description: "local service is busy",
      languageTag: "",
    });
    expect(h.conn.openChannels).toEqual([]);
  });

  test("RFC 4254 §5.1: reject() without a reason says CONNECT_FAILED", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 14, connectedPort: 8022 }));
    h.opens[0]!.reject();
    expect(openFailure(h.sent)).toMatchObject({ recipientChannel: 14, reasonCode: OPEN_FAILURE.CONNECT_FAILED });
  });

  test("RFC 4254 §7.2: a forwarded-tcpip open for a port we never requested is refused (MUST)", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 21, connectedAddress: "127.0.0.1", connectedPort: 8023 }));
    expect(h.opens).toEqual([]);
    expect(openFailure(h.sent)).toMatchObject({
      recipientChannel: 21,
      reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
    });
  });

  test("RFC 4254 §7.2: with no forwarding at all, every forwarded-tcpip open is refused", () => {
    const h = harness();
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 22, connectedPort: 22 }));
    expect(h.opens).toEqual([]);
    expect(openFailure(h.sent)).toMatchObject({
      recipientChannel: 22,
      reasonCode: OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED,
    });
  });

  test("RFC 4254 §7.2: a forwarding that was refused does not authorise opens for its port", async () => {
    const h = harness();
    const p = h.conn.requestForwarding("127.0.0.1", 8022);
    h.conn.handle(Uint8Array.of(MSG.REQUEST_FAILURE));
    await expect(p).rejects.toThrow();
    h.take();
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 23, connectedPort: 8022 }));
    expect(h.opens).toEqual([]);
    expect(openFailure(h.sent).reasonCode).toBe(OPEN_FAILURE.ADMINISTRATIVELY_PROHIBITED);
  });

  test("CVE-2026-59843: a maximum packet size of 0 is refused, even for a port we requested", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 31, connectedPort: 8022, maximumPacketSize: 0 }));
    expect(h.opens).toEqual([]);
    const f = openFailure(h.sent);
    expect(f.recipientChannel).toBe(31);
    expect(Object.values(OPEN_FAILURE)).toContain(f.reasonCode);
    expect(h.conn.openChannels).toEqual([]);
  });

  test("DESIGN principle 7: more than MAX_PENDING_OPENS undecided opens are refused with RESOURCE_SHORTAGE", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    for (let i = 0; i < MAX_PENDING_OPENS; i++) {
      h.conn.handle(forwardedTcpipOpen({ senderChannel: 1000 + i, connectedPort: 8022 }));
    }
    expect(h.opens).toHaveLength(MAX_PENDING_OPENS);
    expect(h.sent).toEqual([]);
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 5000, connectedPort: 8022 }));
    expect(h.opens).toHaveLength(MAX_PENDING_OPENS);
    expect(openFailure(h.take())).toMatchObject({ recipientChannel: 5000, reasonCode: OPEN_FAILURE.RESOURCE_SHORTAGE });
    // Deciding one frees a place in the backlog.
    h.opens[0]!.reject();
    h.take();
    h.conn.handle(forwardedTcpipOpen({ senderChannel: 5001, connectedPort: 8022 }));
    expect(h.opens).toHaveLength(MAX_PENDING_OPENS + 1);
    expect(h.sent).toEqual([]);
  });

  test("RFC 4254 §5.1: an open is answered exactly once — accepting (or rejecting) again throws", async () => {
    const h = harness();
    await forward(h, "127.0.0.1", 8022);
    h.conn.handle(forwardedTcpipOpen({ connectedPort: 8022 }));
    const open = h.opens[0]!;
    open.accept();
    expect(thrown(() => open.accept()).code).toBe("ERR_CHANNEL_DECIDED");
    expect(thrown(() => open.reject()).code).toBe("ERR_CHANNEL_DECIDED");
    expect(h.sent.map((p) => p[0])).toEqual([MSG.CHANNEL_OPEN_CONFIRMATION]);
    expect(h.conn.openChannels).toHaveLength(1);
  });
});

describe("other channel types from the server (RFC 4254 §6, §7.2; CVE-2023-38408)", () => {
  const common = { senderChannel: 77, initialWindowSize: 2 * 1024 * 1024, maximumPacketSize: 32 * 1024 };
  const x11Data = new SshWriter().utf8("127.0.0.1").uint32(6010).finish();
  const opens: Record<string, Uint8Array> = {
    session: ChannelOpenSession.encode({ channelType: "session", ...common }),
    x11: ChannelOpen.encode({ channelType: "x11", ...common, channelTypeData: x11Data }),
    "direct-tcpip": ChannelOpenDirectTcpip.encode({
      channelType: "direct-tcpip",
      ...common,
      hostToConnect: "127.0.0.1",
      portToConnect: 8022,
      originatorAddress: "127.0.0.1",
      originatorPort: 5000,
    }),
    "auth-agent@openssh.com": ChannelOpen.encode({
      channelType: "auth-agent@openssh.com",
      ...common,
      channelTypeData: new Uint8Array(0),
    }),
    "forwarded-streamlocal@openssh.com": ChannelOpen.encode({
      channelType: "forwarded-streamlocal@openssh.com",
      ...common,
      channelTypeData: concatBytes(new SshWriter().utf8("/tmp/sock").utf8("").finish()),
    }),
  };

  for (const [type, payload] of Object.entries(opens)) {
    test(`RFC 4254 §5.1: a ${type} open from the server is refused with UNKNOWN_CHANNEL_TYPE`, async () => {
      const h = harness();
      await forward(h, "127.0.0.1", 8022); // holding a forwarding must not make other types acceptable
      h.conn.handle(payload);
      expect(h.opens).toEqual([]);
      expect(openFailure(h.sent)).toMatchObject({
        recipientChannel: 77,
        reasonCode: OPEN_FAILURE.UNKNOWN_CHANNEL_TYPE,
      });
      expect(h.conn.openChannels).toEqual([]);
    });
  }
});
