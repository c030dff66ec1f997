// Our client (`connect` over an in-memory pipe) against a scripted server that misbehaves
// (FakeServer; DESIGN.md testing layer 3): unknown message numbers before and after logon,
// messages out of phase, and channel data beyond the window or the maximum packet size. Each test
// decodes the DISCONNECT the client sends, checks the typed error, and that no ref'd timer is left.
import { connect, type ForwardedConnection, type SshClient } from "@purssh/client";
import { fingerprintSha256 } from "@purssh/keys";
import {
  defaultOnMessage,
  duplexPair,
  FakeServer,
  type FakeServerOptions,
  type PipeEnd,
  withTimeout,
} from "@purssh/testkit";
import {
  ChannelOpenConfirmation,
  ChannelOpenForwardedTcpip,
  DISCONNECT,
  Disconnect,
  encodeChannelData,
  GlobalRequestKeepalive,
  MSG,
  SshWriter,
  Unimplemented,
  UserauthSuccess,
} from "@purssh/wire";
import { beforeEach, describe, expect, test } from "vitest";
import { refTimers } from "./fault-rig.js";

/** FakeServer that remembers the sequence number of each packet it sends (strict kex: 0 after NEWKEYS). */
class CountingFakeServer extends FakeServer {
  private following = 0;
  /** The sequence number the latest send() used. */
  lastSeq = -1;

  override send(payload: Uint8Array): void {
    this.lastSeq = this.following;
    super.send(payload);
    // Our client always asks for strict kex and the FakeServer grants it: NEWKEYS resets the count.
    this.following = payload[0] === MSG.NEWKEYS ? 0 : this.following + 1;
  }

  /** The client's DISCONNECT, decoded, once it arrived. */
  get clientDisconnect(): Disconnect | undefined {
    const p = this.received.find((m) => m[0] === MSG.DISCONNECT);
    return p && Disconnect.decode(p);
  }

  get unimplemented(): number[] {
    return this.received
      .filter((m) => m[0] === MSG.UNIMPLEMENTED)
      .map((m) => Unimplemented.decode(m).packetSequenceNumber);
  }
}

interface FakeSession {
  fake: CountingFakeServer;
  logon: Promise<SshClient>;
  serverEnd: PipeEnd;
  /** Resolves once the client has ended its side and the server has read all of it. */
  clientFinished: Promise<void>;
}

function fakeSession(options: FakeServerOptions = {}, windowSize?: number): FakeSession {
  const [serverEnd, clientEnd] = duplexPair();
  const fake = new CountingFakeServer((b) => {
    if (!serverEnd.destroyed) serverEnd.write(b);
  }, options);
  serverEnd.on("data", (b: Buffer) => fake.receive(new Uint8Array(b)));
  serverEnd.on("error", () => {});
  const clientFinished = new Promise<void>((resolve) =>
    serverEnd.once("end", () => {
      serverEnd.end();
      resolve();
    }),
  );
  fake.start();
  const logon = connect({
    sock: clientEnd,
    host: "fake.test",
    username: "alice",
    password: "secret",
    hostKeys: [fingerprintSha256(fake.hostKey.publicKey.blob)],
    ...(windowSize ? { windowSize } : {}),
  });
  return { fake, logon, serverEnd, clientFinished };
}

/** Polls `condition` on every turn of the event loop, for at most `ms`. */
async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

let timersBefore = 0;
beforeEach(() => {
  timersBefore = refTimers();
});

async function expectNoTimersLeft(): Promise<void> {
  await until(() => refTimers() <= timersBefore, "ref'd timers back to the count before the test", 1000);
}

describe("unknown message numbers from the server (RFC 4253 §11.4)", () => {
  test("150 and 255 after logon get UNIMPLEMENTED with their sequence numbers; the connection goes on", async () => {
    const s = fakeSession();
    const client = await withTimeout(s.logon, 10_000, "logon");
    s.fake.send(Uint8Array.of(150));
    const seq150 = s.fake.lastSeq;
    s.fake.send(Uint8Array.of(255, 1, 2));
    const seq255 = s.fake.lastSeq;
    const listener = await client.listen({ port: 0 });
    await until(() => s.fake.unimplemented.length === 2, "two UNIMPLEMENTED");
    expect(s.fake.unimplemented).toEqual([seq150, seq255]);
    expect(listener.port).toBeGreaterThan(0);
    expect(client.isClosed).toBe(false);
    await client.close();
    await withTimeout(s.clientFinished, 5000, "the client's end");
    await expectNoTimersLeft();
  });

  test("an unknown message during user authentication gets UNIMPLEMENTED and the logon proceeds", async () => {
    let seq = -1;
    const s = fakeSession({
      onMessage(p, server) {
        if (p[0] === MSG.USERAUTH_REQUEST) {
          server.send(Uint8Array.of(150));
          seq = (server as CountingFakeServer).lastSeq;
        }
        defaultOnMessage(p, server);
      },
    });
    const client = await withTimeout(s.logon, 10_000, "logon");
    await until(() => s.fake.unimplemented.length > 0, "UNIMPLEMENTED");
    expect(s.fake.unimplemented).toEqual([seq]);
    await client.close();
    await withTimeout(s.clientFinished, 5000, "the client's end");
    await expectNoTimersLeft();
  });
});

describe("messages out of phase from the server (DESIGN.md principle 2)", () => {
  const forwardedOpen = ChannelOpenForwardedTcpip.encode({
    channelType: "forwarded-tcpip",
    senderChannel: 3,
    initialWindowSize: 1 << 20,
    maximumPacketSize: 32 * 1024,
    connectedAddress: "",
    connectedPort: 40000,
    originatorAddress: "127.0.0.1",
    originatorPort: 5555,
  });
  const early = {
    "a CHANNEL_OPEN": forwardedOpen,
    "a GLOBAL_REQUEST": GlobalRequestKeepalive.encode({ requestName: "keepalive@openssh.com", wantReply: true }),
  };
  for (const [what, payload] of Object.entries(early)) {
    test(`${what} before USERAUTH_SUCCESS ends the logon with DISCONNECT PROTOCOL_ERROR`, async () => {
      const s = fakeSession({
        onMessage(p, server) {
          if (p[0] === MSG.USERAUTH_REQUEST) server.send(payload);
          else defaultOnMessage(p, server);
        },
      });
      await expect(withTimeout(s.logon, 10_000, "logon")).rejects.toMatchObject({ code: "ERR_UNEXPECTED_MESSAGE" });
      await withTimeout(s.clientFinished, 5000, "the client's end");
      expect(s.fake.clientDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
      await expectNoTimersLeft();
    });
  }

  test("CVE-2023-46446 class: USERAUTH_SUCCESS before any USERAUTH_REQUEST is fatal", async () => {
    const s = fakeSession({
      onMessage(p, server) {
        if (p[0] === MSG.SERVICE_REQUEST) {
          server.send(UserauthSuccess.encode({}));
          server.send(new SshWriter().byte(MSG.SERVICE_ACCEPT).utf8("ssh-userauth").finish());
        } else defaultOnMessage(p, server);
      },
    });
    await expect(withTimeout(s.logon, 10_000, "logon")).rejects.toMatchObject({ code: "ERR_AUTH_PROTOCOL" });
    await withTimeout(s.clientFinished, 5000, "the client's end");
    expect(s.fake.clientDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    expect(s.fake.received.some((m) => m[0] === MSG.GLOBAL_REQUEST || m[0] === MSG.CHANNEL_OPEN)).toBe(false);
    await expectNoTimersLeft();
  });

  test("USERAUTH_SUCCESS after logon is fatal", async () => {
    const s = fakeSession();
    const client = await withTimeout(s.logon, 10_000, "logon");
    s.fake.send(UserauthSuccess.encode({}));
    const error = await withTimeout(client.closed, 5000, "the client closing");
    expect(error?.code).toBe("ERR_UNEXPECTED_MESSAGE");
    await withTimeout(s.clientFinished, 5000, "the client's end");
    expect(s.fake.clientDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    await expectNoTimersLeft();
  });
});

describe("channel windows and packet sizes, client side (RFC 4254 §5.2)", () => {
  /** Logs on, listens, and has the server open one forwarded-tcpip channel that nobody reads. */
  async function unreadChannel(windowSize: number) {
    const s = fakeSession({}, windowSize);
    const client = await withTimeout(s.logon, 10_000, "logon");
    const listener = await client.listen({ port: 0 });
    const accepted: ForwardedConnection[] = [];
    listener.on("connection", (conn: ForwardedConnection) => accepted.push(conn));
    s.fake.send(
      ChannelOpenForwardedTcpip.encode({
        channelType: "forwarded-tcpip",
        senderChannel: 3,
        initialWindowSize: 1 << 20,
        maximumPacketSize: 32 * 1024,
        connectedAddress: listener.address,
        connectedPort: listener.port,
        originatorAddress: "127.0.0.1",
        originatorPort: 5555,
      }),
    );
    await until(() => s.fake.received.some((m) => m[0] === MSG.CHANNEL_OPEN_CONFIRMATION), "the client's confirmation");
    const confirmation = ChannelOpenConfirmation.decode(
      s.fake.received.find((m) => m[0] === MSG.CHANNEL_OPEN_CONFIRMATION)!,
    );
    expect(accepted).toHaveLength(1);
    return { s, client, confirmation };
  }

  test("data up to the window is held for the application; one byte beyond is DISCONNECT PROTOCOL_ERROR", async () => {
    const { s, client, confirmation } = await unreadChannel(64 * 1024);
    const { initialWindowSize: window, maximumPacketSize: max, senderChannel } = confirmation;
    expect(window).toBe(64 * 1024);
    for (let sent = 0; sent < window; sent += max) {
      s.fake.send(encodeChannelData(senderChannel, new Uint8Array(Math.min(max, window - sent))));
    }
    // A keepalive round trip: the full window was taken without complaint.
    const replies = s.fake.received.length;
    s.fake.send(GlobalRequestKeepalive.encode({ requestName: "keepalive@openssh.com", wantReply: true }));
    await until(() => s.fake.received.length > replies, "the keepalive reply");
    expect(client.isClosed).toBe(false);
    s.fake.send(encodeChannelData(senderChannel, new Uint8Array(1)));
    const error = await withTimeout(client.closed, 5000, "the client closing");
    expect(error?.code).toBe("ERR_CHANNEL_WINDOW_EXCEEDED");
    await withTimeout(s.clientFinished, 5000, "the client's end");
    expect(s.fake.clientDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    await expectNoTimersLeft();
  });

  test("data larger than the announced maximum packet size is DISCONNECT PROTOCOL_ERROR", async () => {
    const { s, client, confirmation } = await unreadChannel(2 * 1024 * 1024);
    s.fake.send(encodeChannelData(confirmation.senderChannel, new Uint8Array(confirmation.maximumPacketSize + 1)));
    const error = await withTimeout(client.closed, 5000, "the client closing");
    expect(error?.code).toBe("ERR_CHANNEL_PACKET_TOO_LARGE");
    await withTimeout(s.clientFinished, 5000, "the client's end");
    expect(s.fake.clientDisconnect?.reasonCode).toBe(DISCONNECT.PROTOCOL_ERROR);
    await expectNoTimersLeft();
  });
});
